"""PostgreSQL restarted under load, on a private cluster of the test's own (the shared server
on 5432 is left alone): the node recovers by itself, errors during the outage are prompt 503
problem details, and every report a client was told was stored is there once."""

from __future__ import annotations

import glob
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, text

from conftest import TEST_SECRET
from e2e.conftest import make_key
from e2e.faults import (
    InBackground,
    Ledger,
    assert_stored_exactly_once,
    submit_from_threads,
    value_of,
)
from e2e.nodes import Node, serving
from helpers import free_port, run_scamintel
from scamintel.access.keys import OrganisationKind, Role
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.node import NodeDatabase

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REPORTS = 160
# Longest a request may take while the database is down: an answer, never a hang.
PROMPT_SECONDS = 10.0
NO_RATE_LIMIT = {"SCAMINTEL_RATE_LIMIT_CLIENT_PER_MINUTE": "0"}


@dataclass
class Cluster:
    """A PostgreSQL cluster of this test's own, run as the ``postgres`` OS user."""

    bin: Path
    data: Path
    port: int
    as_postgres: list[str]

    def ctl(self, *arguments: str) -> None:
        # The server's output goes to its log (-l), never to a pipe it would hold open.
        log = str(self.data.parent / "server.log")
        subprocess.run(
            [
                *self.as_postgres,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                log,
                *arguments,
            ],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


def postgres_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not found or not (Path(found[-1]) / "initdb").exists():
        reason = "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql"
        # In CI a missing PostgreSQL is a broken environment, never a reason to skip.
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return Path(found[-1])


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    binaries = postgres_binaries()
    # PostgreSQL refuses to run as root: as root (CI) the cluster runs as the postgres user,
    # in a folder it owns outside root's private temp folders.
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="scamintel-pg-"))
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        [
            *as_postgres,
            str(binaries / "initdb"),
            "-D",
            str(folder / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder}"
    running = Cluster(binaries, folder / "data", port, as_postgres)
    running.ctl("-o", options, "-w", "start")
    try:
        yield running
    finally:
        subprocess.run(
            [
                *as_postgres,
                str(binaries / "pg_ctl"),
                "-D",
                str(folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def node_on_cluster(cluster: Cluster, tmp_path: Path) -> Iterator[Node]:
    admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE scamintel"))
    admin.dispose()
    url = cluster.admin_url.rsplit("/", 1)[0] + "/scamintel"
    engine = make_engine(url)
    upgrade_to_head(engine)
    database = NodeDatabase(engine, PersonalDataSealer(TEST_SECRET))
    settings = Settings(
        home=tmp_path / "home",
        database_url=url,
        node_name="pg-restart-node",
        node_country="TH",
        secret_key=TEST_SECRET,
        environment="test",
    )
    yield Node(settings, database, tmp_path)
    database.dispose()


@dataclass
class Checks:
    """A client checking values in a loop: how each answer went and how long it took."""

    base: str
    headers: dict[str, str]
    answered: list[tuple[float, int, bool, float]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        number = 0
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                answer = httpx.get(
                    self.base + "/api/v1/check",
                    params={"q": value_of(number)},
                    headers=self.headers,
                    timeout=30,
                )
                status = answer.status_code
                problem = answer.headers.get("content-type", "").startswith(
                    "application/problem+json"
                )
                if status == 503:
                    assert answer.headers.get("retry-after"), "a 503 without Retry-After"
            except httpx.TransportError:
                status, problem = 0, False
            self.answered.append((started, status, problem, time.monotonic() - started))
            number += 1
            time.sleep(0.02)


def test_the_node_rides_out_postgres_restarts_without_losing_an_acknowledged_report(
    node_on_cluster: Node, cluster: Cluster
) -> None:
    node = node_on_cluster
    key = make_key(node.database.engine, Role.REPORTER, "Example Bank", kind=OrganisationKind.BANK)
    headers = {"Authorization": f"Bearer {key}"}
    ledger = Ledger()
    numbers = list(range(REPORTS))
    chance = random.Random(40)
    with serving(node, env=NO_RATE_LIMIT) as (base, process):
        checks = Checks(base, headers)
        checker = threading.Thread(target=checks.run, daemon=True)
        writers = InBackground(
            lambda: submit_from_threads(
                lambda _attempt: base, numbers, headers, ledger, threads=3, timeout=180
            )
        )
        checker.start()
        writers.start()
        restarts: list[tuple[str, float, float]] = []
        # Each restart once a random share of the reports is in: always mid-load.
        for mode, share in (("fast", chance.uniform(0.1, 0.3)), ("immediate", 0.5)):
            while len(ledger.acknowledged) < share * REPORTS and writers.is_alive():
                time.sleep(0.01)
            assert writers.is_alive(), "the load ended before the restart"
            began = time.monotonic()
            cluster.ctl("-m", mode, "-w", "restart")
            restarts.append((mode, began, time.monotonic()))
        writers.finish(timeout=180)
        time.sleep(0.5)
        checks.stop.set()
        checker.join(timeout=60)
        assert process.poll() is None, "the node died with its database"

    assert_stored_exactly_once(node.database.engine, ledger, numbers)
    failures = [answer for answer in checks.answered if answer[1] != 200]
    failures += [(0.0, f.status or 0, f.problem_json, f.seconds) for f in ledger.failures]
    # Every failed request was answered promptly with a 503 problem, none hung or dropped.
    assert all(status == 503 and problem for _, status, problem, _ in failures), {
        (status, problem) for _, status, problem, _ in failures
    }
    assert max((seconds for *_, seconds in failures), default=0.0) < PROMPT_SECONDS
    recovered = []
    for mode, began, restarted in restarts:
        answered_ok = [
            started
            for started, status, *_ in checks.answered
            if started >= restarted and status == 200
        ]
        assert answered_ok, f"no check answered after the {mode} restart"
        recovered.append(
            f"{mode}: database down {restarted - began:.1f}s, "
            f"checks back {answered_ok[0] - restarted:.2f}s after"
        )
    # Recovered for good: once a check answered after the last restart, all of them did.
    settled = min(
        started
        for started, status, *_ in checks.answered
        if started >= restarts[-1][2] and status == 200
    )
    assert all(status == 200 for started, status, *_ in checks.answered if started >= settled)
    verified = run_scamintel(node.settings, node.cwd, "audit", "verify", "--json")
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["entries"] >= REPORTS
    print(
        f"{REPORTS} reports, {len(checks.answered)} checks; "
        + "; ".join(recovered)
        + f"; {len(failures)} requests answered 503 during the outages, "
        f"slowest {max((s for *_, s in failures), default=0.0):.2f}s; 0 lost, 0 doubled"
    )
