"""Issue 9's test "an erasure request removes the data on the owning node and its partners":
node B holds node A's listing of a number after a sync; on A the holder's erasure request is
opened, verified and completed with the CLI; B syncs again; then no row of either database
holds the number in any of the forms it was written in, except on A the removal notice that
carried the erasure to B (a "removed" listing and its value row, which go after the
removal-notice period). The number is evidence (a report names it), so the erasure is refused
until the operator states the ground."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, String, Text, func, or_, select

from e2e.conftest import make_key
from e2e.nodes import Node, second_node, serving
from scamintel.access.keys import Role
from scamintel.federation.agreement import Agreement
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.tables import listings, metadata

A_NAME, B_NAME = "TH-AOC", "KH-NCC"
ERASED = Indicator(IndicatorType.PHONE, "+66812345601", "TH")
KEPT = Indicator(IndicatorType.PHONE, "+66812345602", "TH")
# How people write the erased number in narratives: the erasure must catch every form, not only
# the canonical one.
WRITTEN_FORMS = ("081-234-5601", "0812345601", "+66 81 234 5601")
GROUND = "listing wrong: dispute upheld"


def narrative_about(indicator: Indicator) -> str:
    if indicator == ERASED:
        return (
            f"A caller from {WRITTEN_FORMS[0]} said he was the police; he called again from "
            f"{WRITTEN_FORMS[1]} and sent a LINE message signed {WRITTEN_FORMS[2]}"
        )
    return f"A caller from {indicator.value} said he was the police"


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
            "legal_basis": "Thailand-Cambodia MoU on online fraud",
        }
    )


def rows_holding(engine: Engine, text: str) -> dict[str, int]:
    """Every table's rows with ``text`` in any text column (exact or inside longer text)."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            condition = or_(*(c.contains(text, autoescape=True) for c in columns))
            count = connection.scalar(select(func.count()).select_from(table).where(condition))
            if count:
                found[table.name] = int(count)
    return found


@pytest.fixture
def node_a(settings: Settings, node_database: NodeDatabase, tmp_path: Path) -> Node:
    reports = [
        NewReport(
            id=uuid.uuid4(),
            source=ReportSource.API,
            scam_type=ScamType.OFFICIALS_IMPERSONATED,
            channel=Channel.CALL,
            received_at=datetime.now(UTC),
            narrative=narrative_about(indicator),
            indicators=(ReportedIndicator(indicator, indicator.value, "given"),),
            reporter={"name": "Victim", "phone": "+66899999999"},
            trust="verified_agency",
            source_key="org:1",
        )
        for indicator in (ERASED, KEPT)
    ]
    with node_database.transaction() as store:
        store.add_reports(reports)
        store.refresh_listings(store.touched_indicator_ids)
    with node_database.engine.begin() as connection:
        apply_agreement(
            connection, agreement(B_NAME), node_database.sealer, "test", datetime.now(UTC)
        )
    (tmp_path / "a").mkdir(exist_ok=True)
    return Node(settings.model_copy(update={"node_name": A_NAME}), node_database, tmp_path / "a")


@pytest.fixture
def node_b(second_database_url: str, tmp_path: Path) -> Iterator[Node]:
    node = second_node(
        second_database_url, tmp_path, name=B_NAME, country="KH", agreement=agreement(A_NAME)
    )
    yield node
    node.database.dispose()


def test_an_erasure_request_removes_the_data_on_the_owning_node_and_its_partners(
    node_a: Node, node_b: Node
) -> None:
    partner_key = make_key(node_a.database.engine, Role.PARTNER, B_NAME)
    with serving(node_a) as (a_url, _):
        added = node_b.cli("peer", "add", A_NAME, f"{a_url}/taxii2/", "--key", partner_key)
        assert added.returncode == 0, added.stderr
        first = node_b.cli("sync")
        assert first.returncode == 0, first.stdout + first.stderr
        assert rows_holding(node_b.database.engine, ERASED.value), "B received the number"

        opened = node_a.cli(
            "subject-request",
            "open",
            "erasure",
            "081-234-5601",
            "--email",
            "h@example.com",
            "--json",
        )
        assert opened.returncode == 0, opened.stderr
        request_id = json.loads(opened.stdout)["id"]
        verified = node_a.cli("subject-request", "verify", request_id, "--note", "called back")
        assert verified.returncode == 0, verified.stderr
        held = node_a.cli("subject-request", "complete", request_id)
        assert held.returncode == 2, held.stdout + held.stderr
        assert "kept for fraud prevention" in " ".join(held.stderr.split())
        completed = node_a.cli(
            "subject-request", "complete", request_id, "--ground", GROUND, "--json"
        )
        assert completed.returncode == 0, completed.stderr
        outcome = json.loads(completed.stdout)
        assert outcome["status"] == "completed"
        assert outcome["outcome"].startswith("erased: ")

        second = node_b.cli("sync")
        assert second.returncode == 0, second.stdout + second.stderr

    assert rows_holding(node_b.database.engine, ERASED.value) == {}
    for form in WRITTEN_FORMS:
        assert rows_holding(node_a.database.engine, form) == {}, form
        assert rows_holding(node_b.database.engine, form) == {}, form
    on_a = rows_holding(node_a.database.engine, ERASED.value)
    # The removal notice that told B: a "removed" listing and the value it names.
    assert on_a == {"indicators": 1, "listings": 1}
    # Nor any leftover piece of a written form ("+66 [erased]" would be fine, "5601" not).
    assert rows_holding(node_a.database.engine, "5601") == on_a
    assert rows_holding(node_b.database.engine, "5601") == {}
    with node_a.database.engine.connect() as connection:
        verdict = connection.scalar(
            select(listings.c.verdict).where(listings.c.value == ERASED.value)
        )
    assert verdict == "removed"
    # The other number is untouched on both nodes.
    assert rows_holding(node_b.database.engine, KEPT.value)
    assert "report_indicators" in rows_holding(node_a.database.engine, KEPT.value)
