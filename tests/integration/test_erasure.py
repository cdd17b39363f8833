"""Erasing a value on SQLite and PostgreSQL: it leaves every table, its listing becomes a
removal notice, and the erasure is audited with counts only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import func, insert, select

from scamintel.federation.agreement import Agreement
from scamintel.federation.intake import ReceivedIndicator
from scamintel.federation.markings import Purpose, Tlp
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.storage.erasure_repo import ERASED, erase_value, reports_with_contact
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
