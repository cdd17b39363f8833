"""Two `scamintel serve` processes on one PostgreSQL database, as stateless workers behind a
load balancer: what one stores the other answers, one SIGKILLed leaves the survivor answering
and writing, and once restarted both agree again."""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy.exc import OperationalError

from conftest import (
    TEST_SECRET,
    _create_postgres_database,
    _drop_postgres_database,
    postgres_unavailable,
)
from e2e.conftest import make_key
from e2e.faults import VALUES, Ledger, assert_stored_exactly_once, send_until_acknowledged, value_of
from e2e.nodes import Node, serving
from helpers import free_port
from scamintel.access.keys import OrganisationKind, Role
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.node import NodeDatabase

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REPORTS = 40
NO_RATE_LIMIT = {"SCAMINTEL_RATE_LIMIT_CLIENT_PER_MINUTE": "0"}


@pytest.fixture
def shared_node(tmp_path: Path) -> Iterator[Node]:
    """One node's PostgreSQL database, for both servers."""
    name = f"scamintel_two_{uuid.uuid4().hex[:12]}"
    try:
        url = _create_postgres_database(name)
    except OperationalError as error:
        postgres_unavailable(str(error).splitlines()[0])
    engine = make_engine(url)
    upgrade_to_head(engine)
    database = NodeDatabase(engine, PersonalDataSealer(TEST_SECRET))
    settings = Settings(
        home=tmp_path / "home",
        database_url=url,
        node_name="two-servers",
        node_country="TH",
        secret_key=TEST_SECRET,
        environment="test",
    )
    yield Node(settings, database, tmp_path)
    database.dispose()
    _drop_postgres_database(name)


def verdict(base: str, value: str, headers: dict[str, str]) -> dict[str, Any]:
    answer = httpx.get(base + "/api/v1/check", params={"q": value}, headers=headers, timeout=15)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def verdicts(base: str, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {value: verdict(base, value, headers) for value in VALUES}


def test_two_servers_on_one_database_agree_and_the_survivor_of_a_sigkill_carries_on(
    shared_node: Node,
) -> None:
    node = shared_node
    key = make_key(node.database.engine, Role.REPORTER, "Example Bank", kind=OrganisationKind.BANK)
    headers = {"Authorization": f"Bearer {key}"}
    ledger = Ledger()
    first_half = list(range(REPORTS // 2))
    rest = list(range(REPORTS // 2, REPORTS))
    kill_at = random.Random(50).choice(rest[2:-5])
    port_b = free_port()
    with serving(node, env=NO_RATE_LIMIT) as (a, _):
        with serving(node, env=NO_RATE_LIMIT, port=port_b) as (b, process_b):
            # Written through A only, read through both: the same verdicts, field for field.
            for number in first_half:
                send_until_acknowledged(
                    lambda _attempt: a, number, headers, ledger, deadline=time.monotonic() + 30
                )
            assert verdicts(a, headers) == verdicts(b, headers)

            # A client alternating between the two; B is killed in the middle and the
            # client's retry of what B did not acknowledge goes to A.
            sent: Counter[str] = Counter(value_of(n) for n in first_half)
            for number in rest:
                if number == kill_at:
                    process_b.kill()
                    process_b.wait(timeout=15)
                send_until_acknowledged(
                    lambda attempt, n=number: (a, b)[(n + attempt) % 2],
                    number,
                    headers,
                    ledger,
                    deadline=time.monotonic() + 30,
                )
                sent[value_of(number)] += 1
                # Whichever server took it, the survivor counts it at once.
                assert (
                    verdict(a, value_of(number), headers)["report_count"] == sent[value_of(number)]
                )
            killed_failures = len(ledger.failures)
        assert killed_failures > 0, "no request met the killed server"
        assert all(failure.status is None for failure in ledger.failures)

        with serving(node, env=NO_RATE_LIMIT, port=port_b) as (b_again, _):
            assert verdicts(a, headers) == verdicts(b_again, headers)
    assert_stored_exactly_once(node.database.engine, ledger, list(range(REPORTS)))
    print(
        f"{REPORTS} reports, B SIGKILLed before report {kill_at}; {killed_failures} requests "
        f"met the dead server and were retried on A; {len(VALUES)} verdicts equal on both "
        "before and after; 0 lost, 0 doubled"
    )
