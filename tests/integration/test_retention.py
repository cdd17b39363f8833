"""The retention purge on SQLite and PostgreSQL: nothing older than its cutoff is left in
any table, everything newer is intact, and the purge is audited with counts only."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Connection, String, cast, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from tests.conftest import TEST_SECRET

from scamintel.governance.audit import AuditEvent
from scamintel.governance.retention import DataKind, RetentionPolicy, retention_policy
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.governance.signing import AuditSigner
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import (
    Channel,
    NewReport,
    ReportedIndicator,
    ReportSource,
    ScamType,
)
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operations_repo import cluster_new_reports
from scamintel.storage.refresh import refresh_values
from scamintel.storage.retention_repo import (
    OPERATION,
    PURGE_LOCK_KEY,
    VALUE,
    VALUE_OVERWRITTEN,
    ValuesGone,
    delete_orphan_values,
    deletion_dates,
    held_about,
    purge_expired_data,
)
from scamintel.storage.store import append_audit
from scamintel.storage.tables import (
    audit_log,
    audit_subjects,
    blind_releases,
    case_links,
    case_notes,
    cases,
    cross_border_request_events,
    cross_border_requests,
    disputes,
    federation_rejections,
    indicator_events,
    indicators,
    listing_transitions,
    listings,
    metadata,
    operations,
    partner_indicators,
    report_indicators,
    report_operations,
    reporter_contacts,
    reports,
    review_items,
    subject_request_events,
    subject_requests,
    taxii_statuses,
)

PURGE_SIGNER = AuditSigner(TEST_SECRET)
NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
POLICY = retention_policy({"report:ingest": 400})
GONE = Indicator(IndicatorType.PHONE, "+66811110001", "TH")  # only in expired reports
KEPT = Indicator(IndicatorType.PHONE, "+66811110002", "TH")  # also in fresh reports
INGESTED = Indicator(IndicatorType.PHONE, "+66811110003", "TH")
RELEASED_ONLY = "+66811110011"  # named only by a blind release decided long ago


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
        released_only = int(
            c.execute(
                insert(indicators).values(
                    type="phone", value=RELEASED_ONLY, country="TH", created_at=days_ago(2100)
                )
            ).inserted_primary_key[0]
        )
        for value_id, status, requested, decided in (
            (released_only, "released", 2100, 2000),  # decided long ago: goes, and its value
            (kept, "rejected", 2100, 10),  # decided recently: kept
            (kept, "pending", 2100, None),  # still pending: kept, however old
        ):
            c.execute(
                insert(blind_releases).values(
                    id=uuid4(),
                    partner="MM",
                    selector="0" * 64,
                    indicator_type="phone",
                    indicator_id=value_id,
                    purpose="investigation",
                    reason="r",
                    status=status,
                    approvals="[]",
                    requested_at=days_ago(requested),
                    decided_at=days_ago(decided) if decided else None,
                )
            )
        for age in (3700, 10):
            c.execute(
                insert(listing_transitions).values(indicator_id=kept, listed=True, at=days_ago(age))
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


def seed_old_audit_entry(database: NodeDatabase) -> None:
    """The log's first entry, written (as if) eleven years ago."""
    with database.engine.begin() as c:
        entry = append_audit(
            c, AuditEvent("x", "report.read", "report", "r-1", "investigation", {"n": 1})
        )
        c.execute(update(audit_log).where(audit_log.c.seq == entry.seq).values(at=days_ago(4000)))


@pytest.fixture
def seeded(node_database: NodeDatabase) -> dict[str, UUID]:
    seed_old_audit_entry(node_database)
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
        "blind_release": count(
            select(blind_releases.c.id).where(
                blind_releases.c.status != "pending",
                blind_releases.c.decided_at < cut(DataKind.BLIND_RELEASE),
            )
        ),
        "listing_transition": count(
            select(listing_transitions.c.id).where(
                listing_transitions.c.at < cut(DataKind.AUDIT_ENTRY)
            )
        ),
        "audit_entry": count(
            select(audit_log.c.seq).where(
                audit_log.c.at < cut(DataKind.AUDIT_ENTRY), audit_log.c.redacted_at.is_(None)
            )
        ),
    }


@dataclass(frozen=True)
class Dated:
    """Rows dated by ``column``; ``check`` names the expired_rows entry that counts those
    past their period (written here, apart from the purge's own queries)."""

    column: str
    check: str


@dataclass(frozen=True)
class Belongs:
    """Rows that go with the row they belong to (a foreign key, or the check named)."""

    parent: str
    check: str | None = None


@dataclass(frozen=True)
class Kept:
    """Rows that hold no data that expires, and why."""

    why: str


# How every table's rows leave the node. A table added to the schema without a line here
# fails test_every_table_says_how_its_rows_expire, so a table the purge forgets is caught.
TABLE_EXPIRY: dict[str, Dated | Belongs | Kept] = {
    "reports": Dated("received_at (per source)", "report"),
    "reporter_contacts": Dated("reports.received_at (per source)", "victim_contact"),
    "report_indicators": Belongs("reports"),
    "report_evidence": Belongs("reports"),
    "report_operations": Belongs("reports"),
    "indicator_events": Dated("at", "outcome"),
    "disputes": Dated("created_at", "dispute"),
    "review_items": Dated("created_at (closed ones)", "review_item"),
    "listings": Dated(
        "changed_at (removal notices; live ones follow their evidence)", "removal_notice"
    ),
    "listing_transitions": Dated("at, with the audit entries' period", "listing_transition"),
    "blind_releases": Dated("decided_at (decided ones)", "blind_release"),
    "indicators": Belongs("whatever refers to the value", "unreferenced_value"),
    "operations": Belongs("their reports, unless a case names them", "empty_operation"),
    "cases": Dated("closed_at (closed ones)", "case"),
    "case_links": Belongs("cases; report links go with the report", "dangling_case_link"),
    "case_notes": Belongs("cases"),
    "cross_border_requests": Dated("updated_at (finished ones)", "cross_border_request"),
    "cross_border_request_events": Belongs("cross_border_requests"),
    "subject_requests": Dated("closed_at", "subject_request"),
    "subject_request_events": Belongs("subject_requests"),
    "federation_rejections": Dated("at", "federation_rejection"),
    "taxii_statuses": Dated("created_at", "taxii_status"),
    "partner_indicators": Dated("expires_at / valid_until (the agreement's)", "partner_record"),
    "audit_log": Dated("at (content redacted, hash kept)", "audit_entry"),
    "audit_subjects": Belongs("audit_log (dropped when its entry is redacted)", "audit_subject"),
    "audit_head": Kept("one row: the chain's head hash"),
    "audit_signed_heads": Kept("signed tree heads: hashes and signatures, no content"),
    "listing_head": Kept("one row: the published list's change counter"),
    "organisations": Kept("member organisations, not people; removed by an operator"),
    "api_keys": Kept("credentials of organisations, revoked by an operator"),
    "agreements": Kept("sharing agreements in force, one per partner"),
    "peers": Kept("partner nodes this node pulls from"),
    "alerts": Kept("public warnings written by staff: no personal data"),
}


def leftovers(connection: Connection, policy: RetentionPolicy, now: datetime) -> dict[str, int]:
    """Rows that should have gone with something else, counted straight from the tables."""

    def count(query: Any) -> int:
        return int(connection.scalar(select(func.count()).select_from(query.subquery())) or 0)

    references = (
        report_indicators.c.indicator_id,
        indicator_events.c.indicator_id,
        disputes.c.indicator_id,
        review_items.c.indicator_id,
        listings.c.indicator_id,
        blind_releases.c.indicator_id,
    )
    unreferenced = select(indicators.c.id).where(
        *(
            indicators.c.id.not_in(select(column).where(column.is_not(None)))
            for column in references
        ),
        cast(indicators.c.id, String).not_in(
            select(case_links.c.ref).where(case_links.c.kind == "indicator")
        ),
        # SQLite keeps its newest value row (id reuse), without the value.
        ~indicators.c.value.startswith("erased:"),
    )
    return {
        "unreferenced_value": count(unreferenced),
        "empty_operation": count(
            select(operations.c.id).where(
                operations.c.merged_into.is_(None),
                operations.c.id.not_in(select(report_operations.c.operation_id)),
                cast(operations.c.id, String).not_in(
                    select(case_links.c.ref).where(case_links.c.kind == "operation")
                ),
            )
        ),
        "dangling_case_link": count(
            select(case_links.c.ref).where(
                case_links.c.kind == "report",
                case_links.c.ref.not_in(select(cast(reports.c.id, String))),
            )
        ),
        "audit_subject": count(
            select(audit_subjects.c.seq)
            .join(audit_log, audit_log.c.seq == audit_subjects.c.seq)
            .where(audit_log.c.at < policy.cutoff(DataKind.AUDIT_ENTRY, now))
        ),
    }


LEFTOVER_CHECKS = ("unreferenced_value", "empty_operation", "dangling_case_link", "audit_subject")


def test_every_table_says_how_its_rows_expire() -> None:
    assert set(TABLE_EXPIRY) == set(metadata.tables), (
        "say in TABLE_EXPIRY how the rows of each new table expire (and purge them)"
    )
    for name, rule in TABLE_EXPIRY.items():
        if isinstance(rule, Belongs) and rule.check is None:
            parents = {key.column.table.name for key in metadata.tables[name].foreign_keys}
            assert rule.parent in parents, name


def test_no_table_keeps_a_row_past_its_period(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    checks = {rule.check for rule in TABLE_EXPIRY.values() if not isinstance(rule, Kept)}
    with node_database.engine.connect() as connection:
        before = expired_rows(connection, POLICY, NOW)
    assert checks - {None} <= set(before) | set(LEFTOVER_CHECKS)
    # The seed has something past its period for every dated table.
    assert all(before[rule.check] for rule in TABLE_EXPIRY.values() if isinstance(rule, Dated))

    purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)

    with node_database.engine.connect() as connection:
        after = expired_rows(connection, POLICY, NOW) | leftovers(connection, POLICY, NOW)
        values = set(connection.scalars(select(indicators.c.value)))
    assert {check: after[check] for check in checks if check} == dict.fromkeys(
        (check for check in checks if check), 0
    )
    # The value only a decided blind release named went with the release.
    assert RELEASED_ONLY not in values


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

    summary = purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)

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
    summary = purge_expired_data(node_database, POLICY, NOW, actor="cli:dpo", signer=PURGE_SIGNER)
    with node_database.engine.connect() as connection:
        entry = connection.execute(
            select(audit_log)
            .where(audit_log.c.action == "retention.purge")
            .order_by(audit_log.c.seq)
        ).all()[-1]
    details = json.loads(entry.details)
    assert set(details) == {
        "counts",
        "cutoffs",
        "completed",
        "redacted_through",
        "redacted_through_signature",
    }
    assert details["completed"] is True
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
    later = purge_expired_data(
        node_database, POLICY, NOW + timedelta(days=3651), actor="t", signer=PURGE_SIGNER
    )
    assert later.counts["audit_entry"] >= 1
    with node_database.engine.connect() as connection:
        redacted = connection.scalar(
            select(audit_log.c.redacted_at).where(audit_log.c.seq == entry.seq)
        )
    assert redacted is not None


def test_a_removal_notice_and_its_value_go_after_the_notice_period(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)
    later = NOW + timedelta(days=91)
    summary = purge_expired_data(node_database, POLICY, later, actor="test", signer=PURGE_SIGNER)
    with node_database.engine.connect() as connection:
        values = set(connection.scalars(select(indicators.c.value)))
        listed = set(connection.scalars(select(listings.c.value)))
    assert summary.counts["removal_notice"] == 1
    assert GONE.value not in values | listed
    assert KEPT.value in values


def test_a_per_source_period_is_honoured(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)
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
    summary = purge_expired_data(
        node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER, dry_run=True
    )
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


def test_a_dry_run_counts_the_operations_and_values_that_would_go(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    # An operation whose reports all expire: two old reports that share a value.
    shared = Indicator(IndicatorType.PHONE, "+66811110020", "TH")
    with node_database.transaction() as store:
        store.add_reports([a_report(shared, received_at=days_ago(2000)) for _ in range(2)])
    with node_database.engine.begin() as connection:
        cluster_new_reports(connection, fanout_cap=1000, now=days_ago(1))
    dry = purge_expired_data(
        node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER, dry_run=True
    )
    real = purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)
    assert dry.counts == real.counts
    assert real.counts[VALUE] + real.counts[VALUE_OVERWRITTEN] >= 3  # notice, release, shared
    assert real.counts[OPERATION] >= 1
    # A value still listed when its evidence goes becomes a removal notice first.
    later = NOW + timedelta(days=91)
    dry = purge_expired_data(
        node_database, POLICY, later, actor="test", signer=PURGE_SIGNER, dry_run=True
    )
    real = purge_expired_data(node_database, POLICY, later, actor="test", signer=PURGE_SIGNER)
    assert dry.counts == real.counts
    assert real.counts[VALUE] + real.counts[VALUE_OVERWRITTEN] == 1  # GONE, after its notice


def test_a_run_that_deleted_nothing_writes_no_audit_entry(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    first = purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)
    second = purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)
    with node_database.engine.connect() as connection:
        entries = connection.scalar(
            select(func.count()).where(audit_log.c.action == "retention.purge")
        )
    assert first.total
    assert not second.total
    assert entries == 1


def test_a_run_that_fails_part_way_records_what_it_deleted(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    # A real failure late in the run: the database refuses to delete push statuses.
    refuse = {
        "sqlite": [
            "CREATE TRIGGER refuse BEFORE DELETE ON taxii_statuses "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        ],
        "postgresql": [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused'; END $$",
            "CREATE TRIGGER refuse BEFORE DELETE ON taxii_statuses "
            "FOR EACH ROW EXECUTE FUNCTION refuse()",
        ],
    }[node_database.dialect]
    with node_database.engine.begin() as connection:
        for statement in refuse:
            connection.exec_driver_sql(statement)
    try:
        with pytest.raises(DBAPIError):
            purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)
    finally:
        with node_database.engine.begin() as connection:
            connection.exec_driver_sql(
                "DROP TRIGGER refuse"
                + (" ON taxii_statuses" if node_database.dialect == "postgresql" else "")
            )
    with node_database.engine.connect() as connection:
        entry = connection.execute(
            select(audit_log.c.details).where(audit_log.c.action == "retention.purge")
        ).one()
        reports_left = connection.scalar(select(func.count()).select_from(reports))
    details = json.loads(entry.details)
    assert details["completed"] is False
    assert details["counts"]["report"] == 3  # committed before the failure, and recorded
    assert details["counts"]["taxii_status"] == 0
    assert "audit_entry" not in details["counts"]  # the run stopped before redacting
    assert reports_left == 5


def test_one_run_at_a_time_on_postgresql(
    node_database: NodeDatabase, seeded: dict[str, UUID]
) -> None:
    if node_database.dialect != "postgresql":
        pytest.skip("SQLite serialises writers; runs there count only what they deleted")
    with node_database.engine.connect() as other:
        other.execute(select(func.pg_advisory_lock(PURGE_LOCK_KEY)))
        skipped = purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)
        other.execute(select(func.pg_advisory_unlock(PURGE_LOCK_KEY)))
        other.commit()
    ran = purge_expired_data(node_database, POLICY, NOW, actor="test", signer=PURGE_SIGNER)
    assert skipped.skipped
    assert not skipped.total
    assert ran.counts["report"] == 3


def test_a_value_named_while_its_row_is_deleted_stays(node_database: NodeDatabase) -> None:
    """A report committed while the orphan delete waits on its row's lock (PostgreSQL): the
    value is left, not a foreign-key error."""
    if node_database.dialect != "postgresql":
        pytest.skip("SQLite writers are serialised: the check-and-delete is one statement")
    with node_database.transaction() as store:
        store.add_reports([a_report(GONE)])
    with node_database.engine.begin() as connection:
        value_id = _value_id(connection, GONE)
        connection.execute(delete(report_indicators))
    outcome: list[object] = []

    def purge_orphans() -> None:
        try:
            with node_database.engine.begin() as connection:
                outcome.append(delete_orphan_values(connection, [value_id]))
        except Exception as error:
            outcome.append(error)

    with node_database.transaction() as store:
        store.add_reports([a_report(GONE)])  # holds a key-share lock on the value's row
        worker = threading.Thread(target=purge_orphans)
        worker.start()
        time.sleep(0.5)  # the delete now waits for this transaction
    worker.join(timeout=30)
    assert outcome == [ValuesGone()]
    with node_database.engine.connect() as connection:
        assert _value_id(connection, GONE) == value_id


def test_a_value_held_only_by_partners_and_requests_has_its_dates(
    node_database: NodeDatabase,
) -> None:
    only_shared = Indicator(IndicatorType.PHONE, "+66811110077", "TH")
    with node_database.engine.begin() as c:
        c.execute(
            insert(partner_indicators).values(
                partner="MM",
                stix_id="indicator--77",
                version=days_ago(5),
                type="phone",
                value=only_shared.value,
                score=0.9,
                report_count=1,
                marking="amber",
                purpose="prevention",
                revoked=False,
                valid_until=None,
                expires_at=NOW + timedelta(days=25),
                onward=False,
                received_at=days_ago(5),
            )
        )
        c.execute(
            insert(cross_border_requests).values(
                request_id=uuid4(),
                direction="incoming",
                partner="MM",
                kind="freeze_account",
                indicator_type="phone",
                indicator_value=only_shared.value,
                purpose="investigation",
                reason="r",
                status="fulfilled",
                created_by="x",
                created_at=days_ago(20),
                updated_at=days_ago(10),
                due_at=days_ago(10),
            )
        )
    with node_database.engine.connect() as c:
        held = {
            item.kind: item
            for item in held_about(c, POLICY, only_shared, NOW, node_database.sealer)
        }
    assert set(held) == {"partner_record", "cross_border_request"}
    assert held["partner_record"].deleted_on == NOW + timedelta(days=25)
    assert held["cross_border_request"].deleted_on == days_ago(10) + timedelta(days=3650)
