"""A server SIGKILLed while clients submit reports, restarted on the same database: every
report a client was told was stored is there once, every other one arrives on retry with the
same Idempotency-Key, and the audit log still verifies."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from e2e.conftest import make_key
from e2e.faults import InBackground, Ledger, assert_stored_exactly_once, submit_from_threads
from e2e.nodes import Node, serving
from helpers import free_port, run_scamintel
from scamintel.access.keys import OrganisationKind, Role
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase

REPORTS = 240


@pytest.mark.slow
def test_reports_acknowledged_before_a_sigkill_are_stored_once_and_retries_complete_the_rest(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    key = make_key(node_database.engine, Role.REPORTER, "Example Bank", kind=OrganisationKind.BANK)
    node = Node(settings, node_database, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ledger = Ledger()
    numbers = list(range(REPORTS))
    kill_after = random.Random(10).uniform(0.4, 1.2)  # seconds into the load
    clients = InBackground(
        lambda: submit_from_threads(
            lambda _attempt: base, numbers, {"Authorization": f"Bearer {key}"}, ledger
        )
    )
    with serving(node, port=port) as (_, process):
        clients.start()
        time.sleep(kill_after)
        acknowledged_before_kill = len(ledger.acknowledged)
        process.kill()  # SIGKILL to the server process itself (uvicorn runs in it)
        process.wait(timeout=15)
    assert 0 < acknowledged_before_kill < REPORTS, "the kill did not land mid-load"
    down_at = time.monotonic()
    with serving(node, port=port):
        clients.finish(timeout=180)
        back_after = time.monotonic() - down_at

    assert_stored_exactly_once(node_database.engine, ledger, numbers)
    # While the server was down the clients met refused connections, never a wrong answer.
    assert ledger.failures, "no request met the dead server"
    assert all(failure.status is None for failure in ledger.failures)
    verified = run_scamintel(settings, tmp_path, "audit", "verify", "--json")
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["entries"] >= REPORTS
    print(
        f"{REPORTS} reports, kill at {kill_after:.2f}s after {acknowledged_before_kill} "
        f"acknowledged; {ledger.attempts} attempts, {len(ledger.failures)} failed; "
        f"back and done {back_after:.1f}s after the kill; 0 lost, 0 doubled"
    )
