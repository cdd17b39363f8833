"""A purge and an erasure on node A reach node B: after B syncs, B holds no row with either
value, not even the STIX id derived from it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import String, Text, or_, select, update

from e2e.conftest import make_key
from e2e.nodes import Node, second_node, serving
from e2e.test_sync_two_nodes import A_NAME, B_NAME, PHONES, agreement
from e2e.test_sync_two_nodes import node_a as node_a
from scamintel.access.keys import Role
from scamintel.federation.stix import indicator_id
from scamintel.storage.erasure_repo import erase_value
from scamintel.storage.tables import indicators, metadata, report_indicators, reports


@pytest.fixture
def node_b(second_database_url: str, tmp_path: Path) -> Iterator[Node]:
    node = second_node(
        second_database_url, tmp_path, name=B_NAME, country="KH", agreement=agreement(A_NAME)
    )
    yield node
    node.database.dispose()


def rows_naming(node: Node, value: str) -> list[str]:
    """Every table and column of ``node`` where ``value`` is written."""
    found = []
    with node.database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            hit = connection.execute(
                select(table).where(or_(*(c.contains(value) for c in columns))).limit(1)
            ).first()
            if hit is not None:
                found.append(table.name)
    return found


def test_a_purged_and_an_erased_value_leave_the_partner_after_sync(
    node_a: Node,
    node_b: Node,
) -> None:
    purged, erased = PHONES[0], PHONES[1]
    key = make_key(node_a.database.engine, Role.PARTNER, B_NAME)
    with serving(node_a) as (a_url, _):
        added = node_b.cli("peer", "add", A_NAME, f"{a_url}/taxii2/", "--key", key)
        assert added.returncode == 0, added.stderr
        first = node_b.cli("sync", "--json")
        assert first.returncode == 0, first.stderr
        held = node_b.received()
        assert held[indicator_id(purged)] == (purged.value, False)
        assert held[indicator_id(erased)] == (erased.value, False)

        # On A, the purged value's only report is past the report period.
        long_ago = datetime.now(UTC) - timedelta(days=2000)
        with node_a.database.engine.begin() as connection:
            value_id = connection.scalar(
                select(indicators.c.id).where(indicators.c.value == purged.value)
            )
            report_ids = select(report_indicators.c.report_id).where(
                report_indicators.c.indicator_id == value_id
            )
            connection.execute(
                update(reports)
                .where(reports.c.id.in_(report_ids))
                .values(received_at=long_ago, seen_at=long_ago)
            )
        purge = node_a.cli("purge", "--json")
        assert purge.returncode == 0, purge.stderr
        assert json.loads(purge.stdout)["counts"]["report"] == 1
        erase_value(
            node_a.database,
            erased,
            actor="test",
            reason="the holder's erasure request",
            request_id=None,
            now=datetime.now(UTC),
        )

        second = node_b.cli("sync", "--json")
        assert second.returncode == 0, second.stderr
        [after] = json.loads(second.stdout)
        assert after["stored"] == 2
    now_held = node_b.received()
    assert indicator_id(purged) not in now_held
    assert indicator_id(erased) not in now_held
    assert rows_naming(node_b, purged.value) == []
    assert rows_naming(node_b, erased.value) == []
    # The other values B holds are untouched.
    assert now_held[indicator_id(PHONES[2])] == (PHONES[2].value, False)
