"""Real nodes for end-to-end federation tests: a node's settings, database and folder, its
CLI run as a process, and ``scamintel serve`` on a free port."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import select

from conftest import TEST_SECRET
from helpers import free_port, scamintel_command, settings_environment
from scamintel.federation.agreement import Agreement
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.tables import partner_indicators

# Sync retries fast in tests: a dead peer should fail in seconds, not minutes.
FAST = {
    "SCAMINTEL_SYNC_RETRIES": "1",
    "SCAMINTEL_SYNC_BACKOFF_BASE_SECONDS": "0.01",
    "SCAMINTEL_SYNC_TIMEOUT_SECONDS": "10",
}


@dataclass
class Node:
    settings: Settings
    database: NodeDatabase
    cwd: Path

    def cli(
        self, *arguments: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            scamintel_command(*arguments),
            env={**settings_environment(self.settings), **FAST, **(env or {})},
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def received(self) -> dict[str, tuple[str | None, bool]]:
        """What the node holds from partners: STIX id -> (value, revoked)."""
        with self.database.engine.connect() as connection:
            rows = connection.execute(
                select(
                    partner_indicators.c.stix_id,
                    partner_indicators.c.value,
                    partner_indicators.c.revoked,
                )
            ).all()
        assert len(rows) == len({row.stix_id for row in rows})
        return {row.stix_id: (row.value, row.revoked) for row in rows}


def second_node(
    database_url: str, folder: Path, *, name: str, country: str, agreement: Agreement
) -> Node:
    """Another node beside the test's own: its database (``second_database_url``), its own
    secret and folder under ``folder``, and its agreement with the test's node in force. The
    caller disposes of ``node.database``."""
    secret = TEST_SECRET[::-1]
    database = NodeDatabase(make_engine(database_url), PersonalDataSealer(secret))
    with database.engine.begin() as connection:
        apply_agreement(connection, agreement, database.sealer, "test", datetime.now(UTC))
    settings = Settings(
        home=folder / f"{name}-home",
        database_url=database_url,
        node_name=name,
        node_country=country,
        secret_key=secret,
        environment="test",
        rate_limit_client_per_minute=0,
        rate_limit_global_per_second=0,
    )
    cwd = folder / name
    cwd.mkdir(exist_ok=True)
    return Node(settings, database, cwd)


@contextmanager
def serving(
    node: Node, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``scamintel serve`` for ``node`` on ``port`` or a free one (as tests/e2e/conftest.py's
    server)."""
    port = port or free_port()
    log = node.cwd / f"serve-{port}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            scamintel_command("serve", "--port", str(port)),
            env={**settings_environment(node.settings), **FAST, **(env or {})},
            cwd=node.cwd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        process.wait(timeout=15)
        pytest.fail("the server did not start: " + log.read_text(errors="replace"))
    try:
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)
