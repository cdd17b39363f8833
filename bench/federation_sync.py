"""Federation sync: node B pulls every change node A shares with it, with ``scamintel sync``
over TAXII 2.1 on loopback, then the changes after 1 % of A's listings changed; SQLite and
PostgreSQL (A and B on the same backend).

- **Node A**: N published listings of mixed types (Thai, Malaysian and Philippine phone
  numbers, URLs, domains, Thai bank accounts: the node of ``bench.protection``, built with
  bare inserts, cached for SQLite, copied in with ``COPY`` for PostgreSQL), an agreement with
  B covering those types (bank accounts blind: keyed-hash selectors), and a partner key for
  B; served by ``scamintel serve`` (production settings, one worker) on a free port.
- **Node B**: ``scamintel init``, its agreement with A, ``scamintel peer add`` with the key.
- **Ours**: a full ``scamintel sync`` (the whole process, from cursor zero, ``--page-size``
  objects a page), then, after 1 % of A's listings changed (new verdicts and scores,
  removals, new listings; ``bench.protection``'s change, published by A's own ``publish``),
  a second ``scamintel sync``. Checked: B holds exactly N rows after the first, and the
  second stored exactly the changed ones.
- **Reference**, the same run, after our full sync: the raw ceiling of each stage, each on
  its own clock in one loop over the same pages: (1) *read*: the N objects fetched from A by
  a bare ``urllib`` loop, same page size and key, and ``json.loads``: serving and transfer;
  (2) *importer*: ``take_objects`` on those pages, in process; (3) *store*: the accepted
  rows inserted into ``partner_indicators`` of a fresh database with the bare driver
  (``executemany``, a commit a page), rows laid out beforehand.

The goal (issue 5): 1,000,000 changes in under 5 minutes. Smaller runs are projected
linearly to 1,000,000 (the figure says so).

    .venv/bin/python -m bench.federation_sync                           # 100,000, both, 3 runs
    .venv/bin/python -m bench.federation_sync --count 1000000 --backend sqlite --runs 1
    .venv/bin/python -m bench.federation_sync --count 20000 --runs 1 --profile
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.check_load import SCAMINTEL, running_server
from bench.common import (
    BENCH_SECRET_KEY,
    DEFAULT_POSTGRES_URL,
    RESULTS_DIR,
    bind_converter,
    machine,
    median,
    postgres_database,
    postgres_version,
    print_table,
    source_fingerprint,
    write_result,
)
from bench.protection import (
    CREATED,
    SEED,
    cached_node,
    change_one_percent,
    generate_values,
    listing_rows,
)
from scamintel.federation.agreement import Agreement, parse_agreement
from scamintel.federation.intake import take_objects
from scamintel.federation.sync import TAXII_VERSION, canonicaliser
from scamintel.indicators import IndicatorRegistry, ParseContext
from scamintel.indicators.registry import default_kinds
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.partner_repo import received_row
from scamintel.storage.tables import indicators, listings, partner_indicators

GOAL_CHANGES = 1_000_000
GOAL_SECONDS = 300.0
A_PEER = "TH-AOC"  # what B calls A (its agreement and its peer)
B_PARTNER = "KH-NCC"  # what A calls B (its agreement and B's key's organisation)
B_COUNTRY = "KH"
BLIND_KEY = "benchmark-only-blind-key-0123456789abcdef"
SYNC_TIMEOUT_S = 7200
COPY_CHUNK = 50_000


def agreement_text(partner: str) -> str:
    """The agreement both sides apply (each naming the other): the listing mix's types, bank
    accounts blind, AMBER for prevention."""
    return json.dumps(
        {
            "partner": partner,
            "version": 1,
            "types": ["phone", "url", "domain", "bank_account"],
            "markings": ["clear", "green", "amber"],
            "share_as": "amber",
            "purposes": ["prevention"],
            "blind": ["bank_account"],
            "blind_key": BLIND_KEY,
            "retention_days": 365,
            "legal_basis": "Thailand-Cambodia MoU on online fraud (benchmark)",
        }
    )


# -- the nodes -----------------------------------------------------------------------------------
def node_environment(database_url: str, home: Path, name: str, country: str) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SCAMINTEL_")
    }
    environment.update(
        SCAMINTEL_HOME=str(home),
        SCAMINTEL_DATABASE_URL=database_url,
        SCAMINTEL_SECRET_KEY=BENCH_SECRET_KEY,
        SCAMINTEL_ENVIRONMENT="production",
        SCAMINTEL_NODE_NAME=name,
        SCAMINTEL_NODE_COUNTRY=country,
        # A page on a loaded two-core machine can take seconds; never time out mid-benchmark.
        SCAMINTEL_SYNC_TIMEOUT_SECONDS="600",
    )
    return environment


def cli(environment: dict[str, str], *arguments: str, stdin: str | None = None) -> str:
    """One ``scamintel`` command as an operator runs it; its standard output."""
    done = subprocess.run(
        [str(SCAMINTEL), *arguments],
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=SYNC_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scamintel {' '.join(arguments)}: {done.stderr or done.stdout}")
    return done.stdout


def apply_agreement(environment: dict[str, str], partner: str, folder: Path) -> None:
    path = folder / f"agreement-{partner}.json"
    path.write_text(agreement_text(partner), encoding="utf-8")
    cli(environment, "agreement", "apply", str(path))


@dataclass(frozen=True, slots=True)
class ListingData:
    """The rows of node A, generated once per size (PostgreSQL is filled from them)."""

    indicators: list[tuple[Any, ...]]
    listings: list[tuple[Any, ...]]


def listing_data(count: int) -> ListingData:
    """The same values and listings ``bench.protection`` stores in its SQLite node."""
    rng = random.Random(SEED)
    values = generate_values(count, rng)
    rows = [
        (number, item.type, item.value, item.country, CREATED)
        for number, item in enumerate(values, start=1)
    ]
    return ListingData(rows, list(listing_rows(values, rng)))


def fill_postgres(url: str, data: ListingData) -> None:
    """Migrations, ``COPY`` of the indicators and listings, the head and id sequence moved
    past them, ``VACUUM ANALYZE`` (what autovacuum does after a bulk load)."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    pooled = engine.raw_connection()
    connection: Any = pooled.driver_connection
    try:
        for table, rows in ((indicators, data.indicators), (listings, data.listings)):
            columns = ", ".join(table.c.keys())
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        connection.execute("UPDATE listing_head SET seq = %s WHERE id = 1", (len(data.listings),))
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('indicators', 'id'), "
            "(SELECT max(id) FROM indicators))"
        )
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    finally:
        pooled.close()
        engine.dispose()


@contextmanager
def node_a_database(
    backend: str, count: int, work: Path, admin_url: str, data: Callable[[], ListingData]
) -> Iterator[str]:
    """A fresh copy of node A's database (the delta changes it)."""
    if backend == "sqlite":
        cached, _ = cached_node(count)
        copy = work / "a" / "node.db"
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, copy)
        try:
            yield f"sqlite:///{copy}"
        finally:
            shutil.rmtree(copy.parent, ignore_errors=True)
        return
    with postgres_database(admin_url, "sync_a") as url:
        fill_postgres(url, data())
        yield url


@contextmanager
def empty_database(backend: str, folder: Path, admin_url: str, purpose: str) -> Iterator[str]:
    """An empty database for node B or the reference (not yet migrated)."""
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        try:
            yield f"sqlite:///{folder / 'node.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    with postgres_database(admin_url, purpose) as url:
        yield url


def row_count(url: str, table: Any = partner_indicators) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        engine.dispose()


# -- ours ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SyncRun:
    seconds: float
    received: int
    stored: int
    refused: int
    pages: int
    # CPU seconds of the sync process and of A's server while it ran: steadier than wall
    # time on a shared machine, and they show which side does the work.
    sync_cpu_s: float = 0.0
    server_cpu_s: float = 0.0

    @property
    def per_second(self) -> float:
        return self.received / self.seconds if self.seconds else 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a running process has used (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_sync(
    environment: dict[str, str], page_size: int, server_pid: int, profile: Path | None = None
) -> SyncRun:
    """``scamintel sync`` as a whole process (start-up included), optionally under cProfile."""
    command = [str(SCAMINTEL), "sync", "--peer", A_PEER, "--page-size", str(page_size), "--json"]
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command]
    server_before, children_before = cpu_seconds(server_pid), children_cpu_seconds()
    started = time.perf_counter()
    done = subprocess.run(
        command,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=SYNC_TIMEOUT_S,
    )
    seconds = time.perf_counter() - started
    sync_cpu = children_cpu_seconds() - children_before
    server_cpu = cpu_seconds(server_pid) - server_before
    if done.returncode != 0:
        raise RuntimeError(f"scamintel sync failed: {done.stderr or done.stdout}")
    (result,) = json.loads(done.stdout)
    if result["error"]:
        raise RuntimeError(f"scamintel sync: {result['error']}")
    return SyncRun(
        seconds,
        result["received"],
        result["stored"],
        result["refused"],
        result["pages"],
        sync_cpu,
        server_cpu,
    )


def print_profile(path: Path, lines: int = 25) -> None:
    for order in ("cumulative", "tottime"):
        print(f"\n--- profile of the full sync, by {order} ({path}) ---")
        pstats.Stats(str(path)).sort_stats(order).print_stats(lines)


# -- the reference -------------------------------------------------------------------------------
@dataclass(slots=True)
class Reference:
    """The raw ceiling of each stage, over the same pages, each on its own clock."""

    read_s: float = 0.0
    import_s: float = 0.0
    store_s: float = 0.0
    objects: int = 0
    accepted: int = 0
    bytes: int = 0
    pages: int = 0

    @property
    def total_s(self) -> float:
        return self.read_s + self.import_s + self.store_s


def fetch(url: str, key: str) -> bytes:
    request = urllib.request.Request(
        url, headers={"Accept": TAXII_VERSION, "Authorization": f"Bearer {key}"}
    )
    with urllib.request.urlopen(request, timeout=600) as answer:
        body: bytes = answer.read()
        return body


class BareStore:
    """Inserts rows into ``partner_indicators`` with the bare driver, a commit per page."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        upgrade_to_head(self.engine)
        self._pooled = self.engine.raw_connection()
        self.connection: Any = self._pooled.driver_connection
        columns = [column.name for column in partner_indicators.c if column.name != "id"]
        mark = "?" if self.engine.dialect.name == "sqlite" else "%s"
        self.statement = (
            f"INSERT INTO {partner_indicators.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join(mark for _ in columns)})"
        )
        self.columns = columns
        converter = bind_converter(partner_indicators, self.engine.dialect)
        sqlite = self.engine.dialect.name == "sqlite"
        # bind_converter works on whole rows: give it a placeholder id, then drop it.
        self.convert: Callable[[tuple[Any, ...]], tuple[Any, ...]] = (
            (lambda row: converter((None, *row))[1:]) if sqlite else (lambda row: row)
        )

    def rows(self, items: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [self.convert(tuple(item[name] for name in self.columns)) for item in items]

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        cursor = self.connection.cursor()
        cursor.executemany(self.statement, rows)
        cursor.close()
        self.connection.commit()

    def close(self) -> None:
        self._pooled.close()
        self.engine.dispose()


def reference(
    objects_url: str, key: str, page_size: int, agreement: Agreement, store_url: str
) -> Reference:
    """One loop over A's collection: bare read, the importer, bare store, each timed."""
    # A registry of its own: the shared one remembers the values of an earlier run, and the
    # sync process starts with nothing remembered.
    reader = canonicaliser(IndicatorRegistry(default_kinds()), ParseContext(B_COUNTRY))
    store = BareStore(store_url)
    figures = Reference()
    next_token: str | None = None
    try:
        while True:
            params = {"limit": str(page_size)} | ({"next": next_token} if next_token else {})
            started = time.perf_counter()
            raw = fetch(f"{objects_url}?{urllib.parse.urlencode(params)}", key)
            envelope = json.loads(raw)
            read = time.perf_counter()
            objects = envelope.get("objects", [])
            intake = take_objects(objects, agreement, reader, datetime.now(UTC))
            imported = time.perf_counter()
            rows = store.rows([received_row(item) for item in intake.accepted])
            laid_out = time.perf_counter()
            store.insert(rows)
            stored = time.perf_counter()
            figures.read_s += read - started
            figures.import_s += imported - read
            figures.store_s += stored - laid_out
            figures.objects += len(objects)
            figures.accepted += len(intake.accepted)
            figures.bytes += len(raw)
            figures.pages += 1
            if not envelope.get("more"):
                return figures
            next_token = envelope["next"]
    finally:
        store.close()


# -- one run -------------------------------------------------------------------------------------
@dataclass(slots=True)
class Run:
    backend: str
    count: int
    full: SyncRun
    delta: SyncRun
    changed: int
    new_listings: int
    reference: Reference
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def projected_s(self) -> float:
        """Seconds for 1,000,000 changes at this run's full-sync rate."""
        return GOAL_CHANGES / self.full.per_second if self.full.per_second else float("inf")


def one_run(
    backend: str,
    count: int,
    page_size: int,
    work: Path,
    admin_url: str,
    data: Callable[[], ListingData],
    profile: Path | None,
) -> Run:
    with (
        node_a_database(backend, count, work, admin_url, data) as a_url,
        empty_database(backend, work / "b", admin_url, "sync_b") as b_url,
        empty_database(backend, work / "ref", admin_url, "sync_ref") as ref_url,
    ):
        a_home, b_home = work / "a-home", work / "b-home"
        for home in (a_home, b_home):
            home.mkdir(parents=True, exist_ok=True)
        a_env = node_environment(a_url, a_home, "bench", "TH")
        b_env = node_environment(b_url, b_home, B_PARTNER, B_COUNTRY)
        apply_agreement(a_env, B_PARTNER, a_home)
        key = json.loads(cli(a_env, "apikey", "create", "--org", B_PARTNER, "--role", "partner",
                             "--json"))["key"]  # fmt: skip
        cli(b_env, "init")
        apply_agreement(b_env, A_PEER, b_home)
        b_agreement = parse_agreement(agreement_text(A_PEER))
        a_agreement = parse_agreement(agreement_text(B_PARTNER))
        with running_server(a_url, 1, a_home) as server:
            root = f"{server.base}/taxii2/api/"
            cli(b_env, "peer", "add", A_PEER, server.base + "/taxii2/", "--key", "-", stdin=key)
            print(f"  {backend}: full sync of {count:,} changes ...", flush=True)
            full = timed_sync(b_env, page_size, server.process.pid, profile)
            held = row_count(b_url)
            print(
                f"    {full.seconds:.1f} s, {full.per_second:,.0f} changes/s; CPU: sync "
                f"{full.sync_cpu_s:.1f} s, A's server {full.server_cpu_s:.1f} s",
                flush=True,
            )
            print("    reference: bare read, importer, bare store ...", flush=True)
            objects_url = f"{root}collections/{a_agreement.collection_id}/objects/"
            ref = reference(objects_url, key, page_size, b_agreement, ref_url)
            a_engine = make_engine(a_url)
            try:
                changed, _ = change_one_percent(a_engine, random.Random(SEED + 3))
                listed = row_count(a_url, listings)
            finally:
                a_engine.dispose()
            print(f"  {backend}: delta sync of {changed:,} changes ...", flush=True)
            delta = timed_sync(b_env, page_size, server.process.pid)
            held_after = row_count(b_url)
        new = listed - count
        checks = {
            "full: every change received and stored": full.received == count == full.stored,
            "full: B holds exactly N rows": held == count,
            "full: nothing refused": full.refused == 0,
            "reference: every object accepted": ref.objects == ref.accepted == count,
            "delta: exactly the changed received and stored": (
                delta.received == changed == delta.stored
            ),
            "delta: B holds N rows plus the new listings": held_after == count + new,
        }
        for name, passed in checks.items():
            if not passed:
                print(f"    CHECK FAILED: {name}", flush=True)
        print(f"    {delta.seconds:.1f} s, {delta.per_second:,.0f} changes/s", flush=True)
        return Run(backend, count, full, delta, changed, new, ref, checks)


# -- reporting -----------------------------------------------------------------------------------
def summary(runs: Sequence[Run]) -> dict[str, Any]:
    return {
        "runs": len(runs),
        "full_s": median([r.full.seconds for r in runs]),
        "full_per_s": median([r.full.per_second for r in runs]),
        "full_sync_cpu_s": median([r.full.sync_cpu_s for r in runs]),
        "full_server_cpu_s": median([r.full.server_cpu_s for r in runs]),
        "delta_changes": median([r.changed for r in runs]),
        "delta_s": median([r.delta.seconds for r in runs]),
        "delta_per_s": median([r.delta.per_second for r in runs]),
        "read_s": median([r.reference.read_s for r in runs]),
        "import_s": median([r.reference.import_s for r in runs]),
        "store_s": median([r.reference.store_s for r in runs]),
        "reference_total_s": median([r.reference.total_s for r in runs]),
        "projected_1m_s": median([r.projected_s for r in runs]),
        "checks_passed": all(all(r.checks.values()) for r in runs),
    }


def report(count: int, figures: dict[str, dict[str, Any]]) -> None:
    rows = []
    for backend, item in figures.items():
        per = count / item["full_s"]
        rows.append(
            [
                backend,
                f"{item['full_s']:.1f} s, {per:,.0f}/s",
                f"{item['delta_changes']:,.0f} in {item['delta_s']:.1f} s, "
                f"{item['delta_per_s']:,.0f}/s",
                f"{item['full_sync_cpu_s']:.1f} s",
                f"{item['full_server_cpu_s']:.1f} s",
                f"{item['read_s']:.1f} s",
                f"{item['import_s']:.1f} s",
                f"{item['store_s']:.1f} s",
                f"{item['reference_total_s']:.1f} s",
                f"{item['projected_1m_s']:.0f} s",
                "yes" if item["projected_1m_s"] <= GOAL_SECONDS else "no",
                "ok" if item["checks_passed"] else "FAILED",
            ]
        )
    print(f"\nFederation sync of {count:,} changes (medians):")
    headers = ["backend", "full sync", "delta sync", "sync CPU", "A's CPU"]
    headers += ["bare read", "importer", "bare store"]
    headers += ["sum of stages", "1M at this rate", "< 5 min", "checks"]
    print_table(headers, rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.federation_sync", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--count", type=int, default=100_000, help="changes (listings) on A")
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both", help="A and B's"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per backend (medians)")
    parser.add_argument("--page-size", type=int, default=1000, help="objects per TAXII page")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--profile", action="store_true", help="the first full sync of each backend under cProfile"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    started_at = machine()
    fingerprint = source_fingerprint("scamintel")
    generated: list[ListingData] = []

    def data() -> ListingData:
        if not generated:
            print(f"  generating {args.count:,} listings for PostgreSQL (not timed) ...")
            generated.append(listing_data(args.count))
        return generated[0]

    results: dict[str, list[Run]] = {}
    for backend in backends:
        for number in range(args.runs):
            profile = None
            if args.profile and number == 0:
                profile = RESULTS_DIR / f"federation_sync-{backend}-{args.count}.prof"
                RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            print(f"run {number + 1}/{args.runs} on {backend}", flush=True)
            with tempfile.TemporaryDirectory(prefix="scamintel-sync-bench-") as work:
                run = one_run(
                    backend, args.count, args.page_size, Path(work), args.postgres_url, data,
                    profile,
                )  # fmt: skip
            results.setdefault(backend, []).append(run)
            if profile is not None:
                print_profile(profile)
    figures = {backend: summary(runs) for backend, runs in results.items()}
    report(args.count, figures)
    written = write_result(
        "federation_sync",
        {
            "benchmark": "federation_sync",
            "count": args.count,
            "page_size": args.page_size,
            "runs": args.runs,
            "profiled_first_run": args.profile,
            "medians": figures,
            "each_run": {
                backend: [
                    {
                        "full": asdict(r.full) | {"per_second": r.full.per_second},
                        "delta": asdict(r.delta) | {"per_second": r.delta.per_second},
                        "changed": r.changed,
                        "new_listings": r.new_listings,
                        "reference": asdict(r.reference) | {"total_s": r.reference.total_s},
                        "checks": r.checks,
                    }
                    for r in runs
                ]
                for backend, runs in results.items()
            },
            "machine": started_at,
            "postgresql": postgres_version(args.postgres_url) if "postgresql" in backends else None,
            "source_fingerprint": fingerprint,
        },
    )
    print(f"\nresult: {written}")
    return 0 if all(item["checks_passed"] for item in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
