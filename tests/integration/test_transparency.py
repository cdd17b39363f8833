"""The transparency report on SQLite and PostgreSQL: its numbers equal counts taken directly
from the database, only what falls in the period counts (its first instant in, its end out),
and publishing records a value's moves onto and off the list, not its score steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from tests.conftest import TEST_SECRET

from scamintel.governance.retention import retention_policy
from scamintel.governance.signing import AuditSigner
from scamintel.governance.transparency import ReportPeriod, report_document
from scamintel.indicators import Indicator, IndicatorType
from scamintel.protection.listing import ListingState
from scamintel.storage.evidence_repo import ensure_indicator_id
from scamintel.storage.listings_repo import publish
from scamintel.storage.node import NodeDatabase
from scamintel.storage.retention_repo import purge_expired_data
from scamintel.storage.sql import as_utc
from scamintel.storage.tables import listing_transitions
from scamintel.storage.transparency_repo import transparency_report
from scamintel.web.transparency_page import PURGED_KINDS
from transparency_rows import EARLIER, PERIOD, comparable, direct_counts, seed

NOW = datetime.now(UTC)


def _document(database: NodeDatabase, period: ReportPeriod) -> dict[str, Any]:
    return report_document(transparency_report(database.engine, period, "test-node", NOW))


def test_the_report_equals_counts_taken_directly_from_the_database(
    node_database: NodeDatabase,
) -> None:
    seeded = seed(node_database)
    document = _document(node_database, PERIOD)
    with node_database.engine.connect() as connection:
        expected = direct_counts(connection, PERIOD)
    assert comparable(document) == expected
    # And the independent counts are the ones the seed put in the period.
    assert expected["reports"]["total"] == seeded.reports
    assert expected["listings"]["listed"] == seeded.listed
    assert expected["listings"]["delisted"] == seeded.delisted
    assert expected["disputes"]["opened"] == seeded.disputes_opened
    assert expected["purges"]["runs"] == seeded.purge_runs
    assert sum(pages for pages, _ in expected["disclosures"].values()) == seeded.partner_pages
    assert sum(objects for _, objects in expected["disclosures"].values()) == (
        seeded.partner_objects
    )


def test_each_number_counts_what_the_seed_put_in_the_period(node_database: NodeDatabase) -> None:
    seed(node_database)
    document = _document(node_database, PERIOD)
    assert document["reports"] == {
        "total": 4,
        "by_scam_type": {"investment": 2, "job_task": 1, "romance": 1},
        "by_channel": {"call": 1, "line": 1, "sms": 1, "telegram": 1},
    }
    assert document["listings"] == {
        "listed": 3,
        "delisted": 2,
        "values_listed": 2,
        "values_delisted": 2,
    }
    assert document["disputes"] == {"opened": 4, "upheld": 2, "rejected": 1, "pending": 1}
    assert document["subject_requests"] == [
        {
            "kind": "access",
            "received": 3,
            "by_status": {"received": 1, "verified": 0, "completed": 2, "refused": 0},
        },
        {
            "kind": "correction",
            "received": 1,
            "by_status": {"received": 0, "verified": 1, "completed": 0, "refused": 0},
        },
        {
            "kind": "erasure",
            "received": 1,
            "by_status": {"received": 0, "verified": 0, "completed": 0, "refused": 1},
        },
    ]
    assert document["cross_border_requests"] == [
        {
            "country": "MM",
            "partner": None,
            "sent": 3,
            "sent_fulfilled": 2,
            "received": 1,
            "received_fulfilled": 1,
        },
        {
            "country": "KH",
            "partner": None,
            "sent": 0,
            "sent_fulfilled": 0,
            "received": 1,
            "received_fulfilled": 0,
        },
        {
            "country": None,
            "partner": "LA-Node",
            "sent": 1,
            "sent_fulfilled": 1,
            "received": 0,
            "received_fulfilled": 0,
        },
        {
            "country": None,
            "partner": "Unknown-land",
            "sent": 0,
            "sent_fulfilled": 0,
            "received": 1,
            "received_fulfilled": 0,
        },
    ]
    # Two complete purges and one that failed part-way ("completed": false).
    assert document["purges"] == {
        "runs": 3,
        "deleted": {"narrative": 5, "report": 4, "audit_entry": 2, "operation": 1, "value": 1},
    }
    assert document["disclosures"] == [
        {"partner": "MM-CCD", "pages": 2, "objects": 10},
        {"partner": "KH-Police", "pages": 1, "objects": 5},
    ]


def test_an_earlier_period_sees_neither_todays_audit_entries_nor_later_rows(
    node_database: NodeDatabase,
) -> None:
    seed(node_database)
    document = _document(node_database, EARLIER)
    with node_database.engine.connect() as connection:
        assert comparable(document) == direct_counts(connection, EARLIER)
    assert document["reports"]["total"] == 1
    assert document["listings"]["listed"] == 1  # A, listed before the period above
    assert document["purges"] == {"runs": 0, "deleted": {}}
    assert document["disclosures"] == []
    assert document["cross_border_requests"][0]["country"] == "MM"


def test_an_empty_node_reports_zeros_with_every_row(node_database: NodeDatabase) -> None:
    document = _document(node_database, PERIOD)
    assert document["reports"] == {"total": 0, "by_scam_type": {}, "by_channel": {}}
    assert document["disputes"] == {"opened": 0, "upheld": 0, "rejected": 0, "pending": 0}
    assert [item["kind"] for item in document["subject_requests"]] == [
        "access",
        "correction",
        "erasure",
    ]
    assert document["cross_border_requests"] == []
    assert document["purges"] == {"runs": 0, "deleted": {}}


def _transitions(database: NodeDatabase) -> list[tuple[bool, datetime]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(listing_transitions.c.listed, listing_transitions.c.at).order_by(
                listing_transitions.c.id
            )
        )
        return [(bool(listed), as_utc(at) or at) for listed, at in rows]


def test_publishing_records_moves_onto_and_off_the_list_only(node_database: NodeDatabase) -> None:
    value = Indicator(IndicatorType.PHONE, "+66812000999", "TH")
    with node_database.engine.begin() as connection:
        row = ensure_indicator_id(connection, value)

    def state(verdict: str, score: float, under_review: bool = False) -> ListingState:
        return ListingState(row, "phone", value.value, verdict, score, under_review)

    start = datetime(2026, 3, 1, tzinfo=UTC)
    steps = [
        state("no_reports", 0.0),  # never listed: nothing published, no move
        state("suspicious", 0.6),  # onto the list
        state("scam", 0.9),  # another listed verdict: not a move
        state("scam", 0.9, under_review=True),  # still listed
        state("suspicious", 0.05),  # below the publishing floor: off the list
        state("no_reports", 0.0),  # already off
        state("scam", 0.95),  # back on
    ]
    for hour, step in enumerate(steps):
        with node_database.engine.begin() as connection:
            publish(connection, [step], start + timedelta(hours=hour))
    assert _transitions(node_database) == [
        (True, start + timedelta(hours=1)),
        (False, start + timedelta(hours=4)),
        (True, start + timedelta(hours=6)),
    ]


def test_the_page_names_every_count_a_purge_records(node_database: NodeDatabase) -> None:
    # The keys of a real (dry) run are the keys of a purge's audit entry: each needs words
    # on /transparency, or the page shows a code to the public.
    summary = purge_expired_data(
        node_database,
        retention_policy({}),
        NOW,
        actor="test",
        signer=AuditSigner(TEST_SECRET),
        dry_run=True,
    )
    unnamed = sorted(set(summary.counts) - set(PURGED_KINDS))
    assert summary.counts
    assert unnamed == [], f"add to web/transparency_page.py PURGED_KINDS: {unnamed}"
