"""The retention purge on SQLite and PostgreSQL: nothing older than its cutoff is left in
any table, everything newer is intact, and the purge is audited with counts only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Connection, func, insert, select

from scamintel.governance.retention import DataKind, RetentionPolicy, retention_policy
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import (
    Channel,
    NewReport,
    ReportedIndicator,
    ReportSource,
    ScamType,
)
from scamintel.storage.node import NodeDatabase
from scamintel.storage.refresh import refresh_values
from scamintel.storage.retention_repo import deletion_dates, purge_expired_data
from scamintel.storage.tables import (
    audit_log,
    case_links,
    case_notes,
    cases,
    cross_border_request_events,
    cross_border_requests,
    disputes,
    federation_rejections,
    indicator_events,
    indicators,
    listings,
    metadata,
    partner_indicators,
    reporter_contacts,
    reports,
    review_items,
    subject_request_events,
    subject_requests,
    taxii_statuses,
)

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
POLICY = retention_policy({"report:ingest": 400})
GONE = Indicator(IndicatorType.PHONE, "+66811110001", "TH")  # only in expired reports
KEPT = Indicator(IndicatorType.PHONE, "+66811110002", "TH")  # also in fresh reports
INGESTED = Indicator(IndicatorType.PHONE, "+66811110003", "TH")


def a_report(*items: Indicator, **overrides: object) -> NewReport:
    fields: dict[str, object] = {
        "id": uuid4(),
        "source": ReportSource.API,
        "scam_type": ScamType.INVESTMENT,
        "channel": Channel.CALL,
        "received_at": NOW,
        "victim_country": "TH",
        "indicators": tuple(ReportedIndicator(i, i.value, "given") for i in items),
        "reporter": {"name": "Somchai", "phone": "+66898765432"},
    }
    fields.update(overrides)
    return NewReport(**fields)  # type: ignore[arg-type]


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def seed_reports(database: NodeDatabase) -> dict[str, UUID]:
    made = {
        "expired": a_report(GONE, KEPT, received_at=days_ago(2000), narrative="old story"),
        "expired_2": a_report(GONE, received_at=days_ago(1900), narrative="old story 2"),
        "old_narrative": a_report(KEPT, received_at=days_ago(800), narrative="call 0811110002"),
        "old_contact": a_report(KEPT, received_at=days_ago(500), narrative="mid story"),
        "fresh": a_report(KEPT, received_at=days_ago(10), narrative="fresh story"),
        "ingest_old": a_report(
            INGESTED, source=ReportSource.INGEST, received_at=days_ago(500), narrative="bulk"
        ),
        "ingest_fresh": a_report(INGESTED, source=ReportSource.INGEST, received_at=days_ago(300)),
    }
    with database.transaction() as store:
        store.add_reports(list(made.values()))
    # Published as they were when the reports came in: the expired value was listed then.
    with database.engine.begin() as connection:
        ids = [_value_id(connection, GONE), _value_id(connection, KEPT)]
        refresh_values(connection, ids, days_ago(1899))
        refresh_values(connection, [_value_id(connection, KEPT)], days_ago(9))
    return {name: report.id for name, report in made.items()}


def _value_id(connection: Connection, indicator: Indicator) -> int:
    return int(
        connection.scalar(
            select(indicators.c.id).where(
                indicators.c.type == indicator.type.value, indicators.c.value == indicator.value
            )
        )
    )


def seed_the_rest(database: NodeDatabase) -> None:
    sealer: PersonalDataSealer = database.sealer
    contact = sealer.seal({"phone": "+66899999999"})
    with database.engine.begin() as c:
        kept = _value_id(c, KEPT)
        lonely = int(
            c.execute(
                insert(indicators).values(
                    type="phone", value="+66811110009", country="TH", created_at=days_ago(200)
                )
            ).inserted_primary_key[0]
        )
        c.execute(
            insert(listings).values(
                indicator_id=lonely,
                type="phone",
                value="+66811110009",
                value_hash="0" * 64,
                verdict="removed",
                score=0,
                under_review=False,
                change_seq=999,
                changed_at=days_ago(100),
            )
        )
        for age in (2000, 10):
            c.execute(
                insert(indicator_events).values(
                    indicator_id=kept, kind="blocked", at=days_ago(age), actor="bank"
                )
            )
        for age, status in ((2000, "rejected"), (400, "rejected"), (10, "pending")):
            c.execute(
                insert(disputes).values(
                    id=uuid4(),
                    indicator_id=kept,
                    status=status,
                    claim="mine",
                    contact_sealed=contact,
                    created_at=days_ago(age),
                )
            )
        for age, closed, source in ((400, True, "a"), (400, False, "b"), (10, True, "c")):
            c.execute(
                insert(review_items).values(
                    indicator_id=kept,
                    kind="burst",
                    source_key=source,
                    report_count=5,
                    created_at=days_ago(age),
                    closed_at=days_ago(age - 1) if closed else None,
                )
            )
        case_ids = {}
        for name, status, closed_age in (
            ("old_closed", "closed", 3700),
            ("new_closed", "closed", 10),
            ("old_open", "open", None),
        ):
            case_ids[name] = c.execute(
                insert(cases).values(
                    title=name,
                    status=status,
                    created_by="x",
                    created_at=days_ago(3800),
                    updated_at=days_ago(3800),
                    closed_at=days_ago(closed_age) if closed_age else None,
                )
            ).inserted_primary_key[0]
            c.execute(
                insert(case_links).values(
                    case_id=case_ids[name],
                    kind="indicator",
                    ref=str(kept),
                    added_by="x",
                    added_at=days_ago(3800),
                )
            )
            c.execute(
                insert(case_notes).values(
                    case_id=case_ids[name], author="x", at=days_ago(3800), text="note"
                )
            )
        for age, status in ((3700, "fulfilled"), (3700, "in_progress"), (10, "rejected")):
            row = c.execute(
                insert(cross_border_requests).values(
                    request_id=uuid4(),
                    direction="outgoing",
                    partner="MM",
                    case_id=case_ids["old_closed"],
                    kind="freeze_account",
                    indicator_type="phone",
                    indicator_value="+66811110002",
                    purpose="investigation",
                    reason="r",
                    status=status,
                    created_by="x",
                    created_at=days_ago(age),
                    updated_at=days_ago(age),
                    due_at=days_ago(age),
                )
            ).inserted_primary_key[0]
            c.execute(
                insert(cross_border_request_events).values(
                    request_row_id=row, status=status, at=days_ago(age), actor="x"
                )
            )
        for age, closed in ((1100, True), (1100, False), (10, True)):
            request = uuid4()
            c.execute(
                insert(subject_requests).values(
                    id=request,
                    kind="access",
                    identifier_type="phone",
                    identifier_sealed=contact,
                    identifier_key=f"k{age}{closed}",
                    status="closed" if closed else "received",
                    received_at=days_ago(age + 30),
                    due_at=days_ago(age),
                    closed_at=days_ago(age) if closed else None,
                )
            )
            c.execute(
                insert(subject_request_events).values(
                    request_id=request, status="received", at=days_ago(age + 30), actor="x"
                )
            )
        for age in (100, 10):
            c.execute(
                insert(federation_rejections).values(partner="MM", reason="no", at=days_ago(age))
            )
        for age in (40, 1):
            c.execute(
                insert(taxii_statuses).values(
                    id=uuid4(),
                    collection_id="c",
                    partner="MM",
                    status="complete",
                    total_count=1,
                    success_count=1,
                    failure_count=0,
                    pending_count=0,
                    details="[]",
                    created_at=days_ago(age),
                )
            )
        for number, expires, valid_until in (
            ("1", days_ago(1), None),
            ("2", NOW + timedelta(days=5), days_ago(1)),
            ("3", NOW + timedelta(days=5), NOW + timedelta(days=1)),
        ):
            c.execute(
                insert(partner_indicators).values(
                    partner="MM",
                    stix_id=f"indicator--{number}",
                    version=days_ago(20),
                    type="phone",
                    value=f"+6681111000{number}",
                    score=0.9,
                    report_count=1,
                    marking="amber",
                    purpose="prevention",
                    revoked=False,
                    valid_until=valid_until,
                    expires_at=expires,
                    onward=False,
                    received_at=days_ago(20),
                )
            )


@pytest.fixture
def seeded(node_database: NodeDatabase) -> dict[str, UUID]:
    report_ids = seed_reports(node_database)
    seed_the_rest(node_database)
    # A newer value, so that the lonely one is not the newest row (SQLite keeps that one: it
    # would hand its id out again).
    with node_database.transaction() as store:
        store.add_reports([a_report(Indicator(IndicatorType.PHONE, "+66811110010", "TH"))])
    return report_ids


def expired_rows(connection: Connection, policy: RetentionPolicy, now: datetime) -> dict[str, int]:
    """Rows older than their kind's cutoff, counted straight from the tables."""

    def cut(kind: DataKind, source: ReportSource | None = None) -> datetime:
        return policy.cutoff(kind, now, source)

    def count(query: Any) -> int:
        return int(connection.scalar(select(func.count()).select_from(query.subquery())) or 0)

    def report_older(kind: DataKind) -> Any:
        return (reports.c.source == "ingest") & (
            reports.c.received_at < cut(kind, ReportSource.INGEST)
        ) | ((reports.c.source != "ingest") & (reports.c.received_at < cut(kind)))

    return {
        "victim_contact": count(
            select(reporter_contacts.c.report_id)
            .join(reports, reports.c.id == reporter_contacts.c.report_id)
            .where(report_older(DataKind.VICTIM_CONTACT))
        ),
        "narrative": count(
            select(reports.c.id).where(
                reports.c.narrative.is_not(None), report_older(DataKind.NARRATIVE)
            )
        ),
        "report": count(select(reports.c.id).where(report_older(DataKind.REPORT))),
        "outcome": count(
            select(indicator_events.c.id).where(indicator_events.c.at < cut(DataKind.OUTCOME))
        ),
        "dispute_contact": count(
            select(disputes.c.id).where(
                disputes.c.contact_sealed.is_not(None),
                disputes.c.created_at < cut(DataKind.DISPUTE_CONTACT),
            )
        ),
        "dispute": count(
            select(disputes.c.id).where(disputes.c.created_at < cut(DataKind.DISPUTE))
        ),
        "review_item": count(
            select(review_items.c.id).where(
                review_items.c.closed_at.is_not(None),
                review_items.c.created_at < cut(DataKind.REVIEW_ITEM),
            )
        ),
        "removal_notice": count(
            select(listings.c.indicator_id).where(
                listings.c.verdict == "removed",
                listings.c.changed_at < cut(DataKind.REMOVAL_NOTICE),
            )
        ),
        "case": count(
            select(cases.c.id).where(
                cases.c.status == "closed", cases.c.closed_at < cut(DataKind.CASE)
            )
        ),
        "cross_border_request": count(
            select(cross_border_requests.c.id).where(
                cross_border_requests.c.status.in_(("fulfilled", "rejected")),
                cross_border_requests.c.updated_at < cut(DataKind.CROSS_BORDER_REQUEST),
            )
        ),
        "subject_request": count(
            select(subject_requests.c.id).where(
                subject_requests.c.closed_at < cut(DataKind.SUBJECT_REQUEST)
            )
        ),
        "federation_rejection": count(
            select(federation_rejections.c.id).where(
                federation_rejections.c.at < cut(DataKind.FEDERATION_REJECTION)
            )
        ),
        "taxii_status": count(
            select(taxii_statuses.c.id).where(
                taxii_statuses.c.created_at < cut(DataKind.TAXII_STATUS)
            )
        ),
        "partner_record": count(
            select(partner_indicators.c.id).where(
                (partner_indicators.c.expires_at <= now) | (partner_indicators.c.valid_until <= now)
            )
        ),
    }


def row_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in metadata.sorted_tables
    }


def narratives(connection: Connection) -> dict[UUID, str | None]:
    return {
        row.id: row.narrative
        for row in connection.execute(select(reports.c.id, reports.c.narrative))
    }


def test_a_purge_leaves_no_expired_row_and_every_newer_row_intact(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    with node_database.engine.connect() as connection:
        before = expired_rows(connection, POLICY, NOW)
        counts_before = row_counts(connection)
    assert all(before.values()), before  # the seed has something expired of every kind

    summary = purge_expired_data(node_database, POLICY, NOW, actor="test")

    with node_database.engine.connect() as connection:
        assert expired_rows(connection, POLICY, NOW) == dict.fromkeys(before, 0)
        after = row_counts(connection)
        left = narratives(connection)
        contacts = set(connection.scalars(select(reporter_contacts.c.report_id)))
        gone_listing = connection.execute(
            select(listings.c.verdict, listings.c.changed_at).where(listings.c.value == GONE.value)
        ).one()
        kept_links = connection.scalar(select(func.count()).select_from(case_links))
    for kind, expired in before.items():
        assert summary.counts[kind] == expired, kind
    # Newer rows intact: the fresh report whole, the mid-aged ones with what is still due.
    assert set(seeded.values()) & set(left) == {
        seeded[name] for name in ("old_narrative", "old_contact", "fresh", "ingest_fresh")
    }
    assert left[seeded["fresh"]] == "fresh story"
    assert left[seeded["old_contact"]] == "mid story"
    assert left[seeded["old_narrative"]] is None
    assert contacts & set(seeded.values()) == {seeded["fresh"], seeded["ingest_fresh"]}
    assert after["indicator_events"] == 1
    assert after["disputes"] == 2
    assert after["review_items"] == 2
    assert (after["cases"], after["case_notes"], kept_links) == (2, 2, 2)
    assert after["cross_border_requests"] == 2
    assert after["subject_requests"] == 2
    assert after["subject_request_events"] == 2
    assert (after["federation_rejections"], after["taxii_statuses"]) == (1, 1)
    assert after["partner_indicators"] == 1
    assert after["reports"] == counts_before["reports"] - 3
    # The value that lost all its reports is now a removal notice, published at the purge.
    assert gone_listing.verdict == "removed"
    # The lonely removal notice and its value are gone.
    assert "+66811110009" not in set(
        node_database.engine.connect().scalars(select(indicators.c.value))
    )


def test_the_purge_is_audited_with_counts_and_cutoffs_only(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    summary = purge_expired_data(node_database, POLICY, NOW, actor="cli:dpo")
    with node_database.engine.connect() as connection:
        entry = connection.execute(
            select(audit_log)
            .where(audit_log.c.action == "retention.purge")
            .order_by(audit_log.c.seq)
        ).all()[-1]
    details = json.loads(entry.details)
    assert set(details) == {"counts", "cutoffs"}
    assert details["counts"] == summary.counts
    assert all(isinstance(n, int) for n in details["counts"].values())
    assert (
        details["cutoffs"]["report:ingest"]
        == POLICY.cutoff(DataKind.REPORT, NOW, ReportSource.INGEST).isoformat()
    )
    for secret in (GONE.value, "old story", "+66899999999"):
        assert secret not in entry.details
    assert (entry.actor, entry.legal_basis) == ("cli:dpo", "legal_obligation")
    # Ten years on, the entries' content is redacted (their hashes stay).
    later = purge_expired_data(node_database, POLICY, NOW + timedelta(days=3651), actor="t")
    assert later.counts["audit_entry"] >= 1
    with node_database.engine.connect() as connection:
        redacted = connection.scalar(
            select(audit_log.c.redacted_at).where(audit_log.c.seq == entry.seq)
        )
    assert redacted is not None


def test_a_removal_notice_and_its_value_go_after_the_notice_period(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    purge_expired_data(node_database, POLICY, NOW, actor="test")
    later = NOW + timedelta(days=91)
    summary = purge_expired_data(node_database, POLICY, later, actor="test")
    with node_database.engine.connect() as connection:
        values = set(connection.scalars(select(indicators.c.value)))
        listed = set(connection.scalars(select(listings.c.value)))
    assert summary.counts["removal_notice"] == 1
    assert GONE.value not in values | listed
    assert KEPT.value in values


def test_a_per_source_period_is_honoured(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    purge_expired_data(node_database, POLICY, NOW, actor="test")
    with node_database.engine.connect() as connection:
        left = set(connection.scalars(select(reports.c.id)))
    assert seeded["ingest_old"] not in left  # 500 days > ingest's 400
    assert seeded["old_contact"] in left  # 500 days < the API's 1825
    assert seeded["ingest_fresh"] in left


def test_a_dry_run_counts_and_changes_nothing(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    with node_database.engine.connect() as connection:
        before = row_counts(connection)
        expired = expired_rows(connection, POLICY, NOW)
    summary = purge_expired_data(node_database, POLICY, NOW, actor="test", dry_run=True)
    with node_database.engine.connect() as connection:
        assert row_counts(connection) == before
        assert expired_rows(connection, POLICY, NOW) == expired
    assert summary.dry_run
    assert {kind: summary.counts[kind] for kind in expired} == expired


def test_deletion_dates_say_when_each_record_about_a_value_goes(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    with node_database.engine.connect() as connection:
        held = {
            item.kind: item
            for item in deletion_dates(connection, POLICY, _value_id(connection, KEPT), NOW)
        }
    fresh = days_ago(10)
    assert held["report"].count == 4
    assert held["report"].deleted_on == fresh + timedelta(days=1825)
    assert held["victim_contact"].deleted_on == fresh + timedelta(days=365)
    assert held["outcome"].deleted_on == fresh + timedelta(days=1825)
    assert held["listing"].deleted_on == fresh + timedelta(days=1825 + 90)
    assert held["review_item"].deleted_on is None  # one review is still open
    assert held["case"].deleted_on is None  # one case is still open
    assert held["value"].deleted_on is None
