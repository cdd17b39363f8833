"""Erasing a value on SQLite and PostgreSQL: it leaves every table, its listing becomes a
removal notice, and the erasure is audited with counts only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import Connection, func, insert, select

from scamintel.federation.agreement import Agreement
from scamintel.federation.intake import ReceivedIndicator
from scamintel.federation.markings import Purpose, Tlp
from scamintel.indicators import Indicator, IndicatorType, ParseContext
from scamintel.indicators.registry import default_registry
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.disputes import record_outcome
from scamintel.reports.engine import EventKind
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.reports.reading import Reading
from scamintel.storage.erasure_repo import (
    ERASED,
    erase_value,
    erase_value_in,
    reports_with_contact,
)
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement, store_received
from scamintel.storage.refresh import refresh_values
from scamintel.storage.tables import (
    audit_log,
    audit_subjects,
    blind_releases,
    disputes,
    indicator_events,
    indicators,
    listings,
    partner_indicators,
    report_indicators,
    reporter_contacts,
    reports,
    review_items,
)

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
VALUE = Indicator(IndicatorType.PHONE, "+66812345678", "TH")
OTHER = Indicator(IndicatorType.PHONE, "+66812340000", "TH")
KEY = "an-agreement-key-of-forty-characters-000"


def a_report(*items: tuple[Indicator, str], **overrides: object) -> NewReport:
    fields: dict[str, object] = {
        "id": uuid4(),
        "source": ReportSource.API,
        "scam_type": ScamType.INVESTMENT,
        "channel": Channel.CALL,
        "received_at": NOW,
        "indicators": tuple(ReportedIndicator(i, raw, "given") for i, raw in items),
        "reporter": {"name": "Malee", "phone": "+66899999999"},
    }
    fields.update(overrides)
    return NewReport(**fields)  # type: ignore[arg-type]


def partner_row(partner: str, stix_id: str, **fields: object) -> ReceivedIndicator:
    row: dict[str, object] = {
        "partner": partner,
        "stix_id": stix_id,
        "version": NOW,
        "type": IndicatorType.PHONE,
        "value": None,
        "blind_hash": None,
        "verdict": "scam",
        "score": 0.9,
        "report_count": 2,
        "marking": Tlp.AMBER,
        "purpose": Purpose.PREVENTION,
        "revoked": False,
        "valid_until": None,
        "expires_at": datetime(2032, 1, 1, tzinfo=UTC),
        "onward": False,
        "received_at": NOW,
    }
    row.update(fields)
    return ReceivedIndicator(**row)  # type: ignore[arg-type]


def test_erasing_a_value_removes_it_from_every_table(node_database: NodeDatabase) -> None:
    named = [
        a_report(
            (VALUE, "081-234-5678"), (OTHER, "0812340000"), narrative="he called 081-234-5678"
        ),
        a_report((VALUE, "+66812345678"), narrative="from +66812345678 and 0812340000"),
    ]
    # A victim whose own number is the value: their contact goes too.
    own = a_report((OTHER, "0812340000"), reporter={"name": "Nok", "phone": "081 234 5678"})
    with node_database.transaction() as store:
        store.add_reports([*named, own])
    blind = Agreement.model_validate(
        {
            "partner": "MM-CCD",
            "version": 1,
            "types": ["phone"],
            "markings": ["amber"],
            "purposes": ["prevention"],
            "blind": ["phone"],
            "blind_key": KEY,
            "retention_days": 30,
        }
    )
    with node_database.engine.begin() as c:
        apply_agreement(c, blind, node_database.sealer, "test", NOW)
        value_id = int(c.scalar(select(indicators.c.id).where(indicators.c.value == VALUE.value)))
        refresh_values(c, [value_id], NOW)
        c.execute(
            insert(indicator_events).values(
                indicator_id=value_id, kind="blocked", at=NOW, actor="bank"
            )
        )
        c.execute(
            insert(disputes).values(
                id=uuid4(),
                indicator_id=value_id,
                status="pending",
                claim="mine",
                contact_sealed=node_database.sealer.seal({"email": "a@b.th"}),
                created_at=NOW,
            )
        )
        c.execute(
            insert(review_items).values(
                indicator_id=value_id, kind="burst", report_count=3, created_at=NOW
            )
        )
        c.execute(
            insert(blind_releases).values(
                id=uuid4(),
                partner="MM-CCD",
                selector=blind.selector(VALUE),
                indicator_type="phone",
                indicator_id=value_id,
                purpose="investigation",
                reason="r",
                status="pending",
                approvals="[]",
                requested_at=NOW,
            )
        )
        store_received(
            c,
            [
                partner_row("KH-NCC", "indicator--1", value=VALUE.value),
                partner_row("MM-CCD", "indicator--2", blind_hash=blind.selector(VALUE)),
                partner_row("KH-NCC", "indicator--3", value=OTHER.value),
            ],
        )
    assert reports_with_contact(node_database, VALUE) == [own.id]

    summary = erase_value(
        node_database, VALUE, actor="cli:dpo", reason="erasure request", request_id="r-1", now=NOW
    )

    with node_database.engine.connect() as c:
        assert (
            c.scalar(select(func.count()).where(report_indicators.c.indicator_id == value_id)) == 0
        )
        for table in (indicator_events, disputes, review_items, blind_releases):
            assert c.scalar(select(func.count()).select_from(table)) == 0, table.name
        assert set(c.scalars(select(reporter_contacts.c.report_id))) == {r.id for r in named}
        assert list(c.scalars(select(partner_indicators.c.value))) == [OTHER.value]
        texts = {
            row.id: row.narrative for row in c.execute(select(reports.c.id, reports.c.narrative))
        }
        listing = c.execute(select(listings).where(listings.c.indicator_id == value_id)).one()
        entry = c.execute(select(audit_log).where(audit_log.c.action == "data.erased")).one()
        subjects = list(
            c.scalars(
                select(audit_subjects.c.indicator_id).where(audit_subjects.c.seq == entry.seq)
            )
        )
    assert texts[named[0].id] == f"he called {ERASED}"
    assert texts[named[1].id] == f"from {ERASED} and 0812340000"
    assert listing.verdict == "removed"
    assert summary.counts["report_link"] == 2
    assert summary.counts["victim_contact"] == 1
    assert summary.counts["partner_record"] == 2
    details = json.loads(entry.details)
    assert details == {"counts": summary.counts, "reason": "erasure request", "request_id": "r-1"}
    assert VALUE.value not in entry.details
    assert subjects == [value_id]
    assert entry.legal_basis == "legal_obligation"


def test_erasing_a_value_that_was_never_listed_deletes_its_row(
    node_database: NodeDatabase,
) -> None:
    with node_database.transaction() as store:
        store.add_reports([a_report((VALUE, "0812345678")), a_report((OTHER, "0812340000"))])
    summary = erase_value(node_database, VALUE, actor="t", reason="r", request_id=None, now=NOW)
    with node_database.engine.connect() as c:
        assert list(c.scalars(select(indicators.c.value))) == [OTHER.value]
    assert summary.counts["value"] == 1


def test_every_written_form_of_the_value_leaves_the_narratives(
    node_database: NodeDatabase,
) -> None:
    value = Indicator(IndicatorType.PHONE, "+66812345601", "TH")
    story = (
        "He called from 081-234-5601, then 0812345601, texted +66 81 234 5601 and "
        "66812345601; my neighbour 0812340000 saw it."
    )
    named = a_report((value, "081-234-5601"), narrative=story)
    # A Malaysian victim writes the number the way Thai numbers are written from abroad.
    abroad = a_report((value, "+66812345601"), narrative="ring +66-81-234-5601 now")
    # The reporter's own number is the value; the narrative names it as the reporter wrote it.
    own = a_report(
        (OTHER, "0812340000"),
        reporter={"name": "Nok", "phone": "081 234 5601"},
        narrative="call me back on 081 234 5601",
    )
    with node_database.transaction() as store:
        store.add_reports([named, abroad, own])

    summary = erase_value(
        node_database, value, actor="t", reason="r", request_id=None, now=NOW, node_country="TH"
    )

    with node_database.engine.connect() as c:
        texts = {
            row.id: row.narrative for row in c.execute(select(reports.c.id, reports.c.narrative))
        }
    assert texts[named.id] == (
        f"He called from {ERASED}, then {ERASED}, texted {ERASED} and {ERASED}; my neighbour "
        "0812340000 saw it."
    )
    assert texts[abroad.id] == f"ring {ERASED} now"
    assert texts[own.id] == f"call me back on {ERASED}"
    assert summary.counts["narrative"] == 3


def test_local_forms_are_read_in_the_node_country(node_database: NodeDatabase) -> None:
    # A Malaysian node: "012-345 6789" is +60123456789 there (it is no Thai number).
    value = Indicator(IndicatorType.PHONE, "+60123456789", "MY")
    own = a_report(
        (OTHER, "0812340000"),
        reporter={"name": "Aminah", "phone": "012-345 6789"},
        narrative="my number is 012-345 6789",
    )
    with node_database.transaction() as store:
        store.add_reports([own])
    assert reports_with_contact(node_database, value, node_country="MY") == [own.id]
    summary = erase_value(
        node_database, value, actor="t", reason="r", request_id=None, now=NOW, node_country="MY"
    )
    with node_database.engine.connect() as c:
        narrative = c.scalar(select(reports.c.narrative).where(reports.c.id == own.id))
        contacts = c.scalar(select(func.count()).select_from(reporter_contacts))
    assert summary.counts["victim_contact"] == 1
    assert narrative == f"my number is {ERASED}"
    assert contacts == 0


def test_an_erasure_on_the_callers_connection_commits_with_the_caller(
    node_database: NodeDatabase,
) -> None:
    with node_database.transaction() as store:
        store.add_reports([a_report((VALUE, "0812345678"), narrative="from 0812345678")])

    def erase(connection: Connection) -> None:
        erase_value_in(
            connection,
            node_database.sealer,
            VALUE,
            actor="t",
            reason="r",
            request_id="q-1",
            node_country="TH",
            now=NOW,
        )

    class CallerFailedError(Exception):
        pass

    def erase_then_fail() -> None:
        with node_database.engine.begin() as connection:
            erase(connection)
            raise CallerFailedError

    # The caller's later step fails: the erasure goes back with it, audit entry included.
    with pytest.raises(CallerFailedError):
        erase_then_fail()
    with node_database.engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(report_indicators)) == 1
        assert c.scalar(select(func.count()).where(audit_log.c.action == "data.erased")) == 0
    with node_database.engine.begin() as connection:
        erase(connection)
    with node_database.engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(report_indicators)) == 0
        assert c.scalar(select(func.count()).where(audit_log.c.action == "data.erased")) == 1


def test_no_plaintext_is_left_in_the_value_row_sqlite_keeps(
    node_database: NodeDatabase,
) -> None:
    # Another process of the node remembers the value's id from before the erasure.
    other_process = NodeDatabase(node_database.engine, node_database.sealer)
    with other_process.transaction() as store:
        store.add_reports([a_report((OTHER, "0812340000")), a_report((VALUE, "0812345678"))])
    summary = erase_value(node_database, VALUE, actor="t", reason="r", request_id=None, now=NOW)
    with node_database.engine.connect() as c:
        values = list(c.scalars(select(indicators.c.value).order_by(indicators.c.id)))
    assert VALUE.value not in values
    if node_database.dialect == "sqlite":
        # The newest row stays (SQLite would hand its id out again), without the value.
        assert values == [OTHER.value, f"erased:{summary.indicator_id}"]
        assert (summary.counts["value"], summary.counts["value_overwritten"]) == (0, 1)
    else:
        assert values == [OTHER.value]
        assert (summary.counts["value"], summary.counts["value_overwritten"]) == (1, 0)
    # The value reported again gets a row of its own, not the placeholder.
    again = a_report((VALUE, "0812345678"))
    with other_process.transaction() as store:
        store.add_reports([again])
    with node_database.engine.connect() as c:
        linked = c.scalar(
            select(indicators.c.value)
            .join(report_indicators, report_indicators.c.indicator_id == indicators.c.id)
            .where(report_indicators.c.report_id == again.id)
        )
    assert linked == VALUE.value


def test_an_erased_value_leaves_no_plaintext_in_the_audit_log(
    node_database: NodeDatabase,
) -> None:
    with node_database.transaction() as store:
        store.add_reports([a_report((VALUE, "0812345678"))])
    with node_database.transaction() as store:
        record_outcome(
            store,
            "081-234-5678",
            IndicatorType.PHONE,
            EventKind.BLOCKED,
            reading=Reading(default_registry(), ParseContext("TH"), Warninglist()),
            note=None,
            actor="bank",
            organisation_id=None,
        )
    erase_value(node_database, VALUE, actor="t", reason="r", request_id=None, now=NOW)
    with node_database.engine.connect() as c:
        entries = c.execute(select(audit_log.c.action, audit_log.c.object_id, audit_log.c.details))
        written = [(row.action, f"{row.object_id} {row.details}") for row in entries]
    assert "outcome.blocked" in {action for action, _ in written}
    for action, text in written:
        assert VALUE.value not in text, action
        assert "812345678" not in text, action
