"""`scamintel sync` SIGKILLed at random points while it pages through a partner's listings,
then run again: the receiving node ends with exactly the sender's shareable set, each object
once, and at every kill its cursor matched the pages it had stored."""

from __future__ import annotations

import random
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from e2e.conftest import make_key
from e2e.nodes import FAST, Node, second_node, serving
from helpers import scamintel_command, settings_environment
from scamintel.access.keys import Role
from scamintel.federation.agreement import Agreement
from scamintel.federation.stix import indicator_id
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.peers_repo import find_peer
from scamintel.storage.tables import partner_indicators

SENDER, RECEIVER = "TH-AOC", "LA-MPS"
LISTED = [Indicator(IndicatorType.PHONE, f"+66899{n:06d}", "TH") for n in range(360)]
PAGE = 4  # 90 pages: a kill lands between pages or in the middle of one


def agreement(partner: str) -> Agreement:
    return Agreement.model_validate(
        {
            "partner": partner,
            "version": 1,
            "types": ["phone"],
            "markings": ["clear", "green", "amber"],
            "share_as": "amber",
            "purposes": ["prevention"],
            "retention_days": 90,
            "legal_basis": "Thailand-Lao PDR MoU on online fraud",
        }
    )


@pytest.fixture
def sender(settings: Settings, node_database: NodeDatabase, tmp_path: Path) -> Node:
    """The sending node: every value listed from a verified agency's report."""
    reports = [
        NewReport(
            id=uuid.uuid4(),
            source=ReportSource.API,
            scam_type=ScamType.INVESTMENT,
            channel=Channel.LINE,
            received_at=datetime.now(UTC),
            indicators=(ReportedIndicator(indicator, indicator.value, "given"),),
            trust="verified_agency",
            source_key="org:1",
        )
        for indicator in LISTED
    ]
    with node_database.transaction() as store:
        store.add_reports(reports)
        store.refresh_listings(store.touched_indicator_ids)
    with node_database.engine.begin() as connection:
        apply_agreement(
            connection, agreement(RECEIVER), node_database.sealer, "test", datetime.now(UTC)
        )
    (tmp_path / "sender").mkdir()
    return Node(
        settings.model_copy(update={"node_name": SENDER}), node_database, tmp_path / "sender"
    )


@pytest.fixture
def receiver(second_database_url: str, tmp_path: Path) -> Iterator[Node]:
    node = second_node(
        second_database_url, tmp_path, name=RECEIVER, country="LA", agreement=agreement(SENDER)
    )
    yield node
    node.database.dispose()


def received_count(node: Node) -> int:
    with node.database.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(partner_indicators)) or 0)


def kill_sync_when_received(node: Node, at_least: int) -> None:
    process = subprocess.Popen(
        scamintel_command("sync", "--page-size", str(PAGE)),
        env={**settings_environment(node.settings), **FAST},
        cwd=node.cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while received_count(node) < at_least and time.monotonic() < deadline:
        assert process.poll() is None, "the sync finished before it could be killed"
        time.sleep(0.005)
    process.kill()
    process.wait(timeout=30)


@pytest.mark.slow
def test_a_sync_killed_at_random_pages_then_rerun_receives_the_shareable_set_once(
    sender: Node, receiver: Node
) -> None:
    key = make_key(sender.database.engine, Role.PARTNER, RECEIVER)
    chance = random.Random(30)
    total = len(LISTED)
    points = [chance.randint(PAGE * 3, total // 2), chance.randint(total // 2 + 1, total * 9 // 10)]
    with serving(sender) as (url, _):
        added = receiver.cli("peer", "add", SENDER, f"{url}/taxii2/", "--key", key)
        assert added.returncode == 0, added.stderr
        held_at_kill = []
        for point in points:
            kill_sync_when_received(receiver, point)
            held = receiver.received()  # asserts each STIX id once
            held_at_kill.append(len(held))
            with receiver.database.engine.connect() as connection:
                peer = find_peer(connection, SENDER, receiver.database.sealer)
            assert peer is not None
            # A page and the cursor past it commit together: whole pages, and a cursor to
            # go on from.
            assert len(held) % PAGE == 0, len(held)
            assert peer.next_cursor is not None
            assert set(held) <= {indicator_id(i) for i in LISTED}
        assert held_at_kill[0] < held_at_kill[1] < total, held_at_kill

        finished = receiver.cli("sync", "--page-size", str(PAGE))
        assert finished.returncode == 0, finished.stdout + finished.stderr
        assert f"{total - held_at_kill[1]} stored" in finished.stdout, finished.stdout
    held = receiver.received()
    assert set(held) == {indicator_id(i) for i in LISTED}
    assert {value for value, _ in held.values()} == {i.value for i in LISTED}
    with receiver.database.engine.connect() as connection:
        peer = find_peer(connection, SENDER, receiver.database.sealer)
    assert peer is not None
    assert (peer.next_cursor, peer.last_error) == (None, None)
    print(
        f"{total} objects at {PAGE} a page, sync killed with {held_at_kill} held; "
        "rerun completed; 0 lost, 0 doubled"
    )
