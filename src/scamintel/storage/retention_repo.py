"""Deleting what the retention policy says has expired, and telling when a value's data goes.

``purge_expired_data`` works one kind of data at a time (governance/retention.py), a bounded
chunk of rows per transaction, so that a large node keeps taking reports while it purges.
Values that lost evidence are republished in the same transaction as the rows that went: a
value left without reports becomes a "removed" listing, which is what tells partners (TAXII)
and blocklist users to drop it. Removal notices past their own period, and values nothing
refers to any more, go last. One audit entry records the counts (never the contents).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    String,
    and_,
    cast,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from scamintel.cases.model import CaseStatus, LinkKind
from scamintel.cases.requests import TERMINAL
from scamintel.governance.audit import REDACTED_THROUGH, REDACTED_THROUGH_SIGNATURE, AuditEvent
from scamintel.governance.retention import DataKind, RetentionPolicy
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.governance.signing import AuditSigner
from scamintel.indicators import Indicator
from scamintel.protection.listing import REMOVED
from scamintel.reports.model import ReportSource
from scamintel.storage import partner_repo
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operation_summaries_repo import refresh_summaries
from scamintel.storage.operations_repo import _recount
from scamintel.storage.refresh import refresh_values
from scamintel.storage.sql import LOOKUP_CHUNK, as_utc, chunked
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
    operations,
    partner_indicators,
    report_evidence,
    report_indicators,
    report_operations,
    reporter_contacts,
    reports,
    review_items,
    subject_request_events,
    subject_requests,
    taxii_statuses,
)

# Rows per transaction: small enough that a chunk's locks are held for milliseconds.
PURGE_CHUNK = 1_000
# Counted besides the data kinds: partners' records past their agreement's retention, scam
# operations left without reports, and values (indicator rows) nothing refers to any more.
PARTNER_RECORD = "partner_record"
OPERATION = "operation"
VALUE = "value"
# Value rows SQLite must keep (the newest id) whose value was overwritten with a placeholder.
VALUE_OVERWRITTEN = "value_overwritten"
# Listing changes (ids and times) kept for the transparency report, purged with the audit
# entries' period.
LISTING_TRANSITION = "listing_transition"
# pg_try_advisory_lock key of the purge: one run at a time across every worker and host.
PURGE_LOCK_KEY = 0x5C1_9E6E
# A cross-border request that will not change again.
FINISHED_REQUEST_STATUSES = tuple(sorted(status.value for status in TERMINAL))
# Every column that refers to a value's row (case links name it as text, checked apart).
_VALUE_REFERENCES = (
    report_indicators.c.indicator_id,
    indicator_events.c.indicator_id,
    disputes.c.indicator_id,
    review_items.c.indicator_id,
    listings.c.indicator_id,
    blind_releases.c.indicator_id,
)
# How often a chunk of orphans is tried when a report names one of them meanwhile.
_ORPHAN_ATTEMPTS = 3
PLACEHOLDER_PREFIX = "erased:"


@dataclass(frozen=True, slots=True)
class PurgeSummary:
    """What a purge deleted (or, in a dry run, would delete), by data kind."""

    counts: dict[str, int] = field(default_factory=dict)
    # Data of a kind that started counting before its cutoff expired; per-source cutoffs are
    # keyed "kind:source".
    cutoffs: dict[str, datetime] = field(default_factory=dict)
    dry_run: bool = False
    # False when the run failed part-way (its counts are what was committed) or did not run
    # because another worker was purging (``skipped``).
    completed: bool = True
    skipped: bool = False
    # The highest audit seq whose content the run redacted (None: none).
    redacted_through: int | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class HeldData:
    """One thing the node holds about a value, and when it will be deleted if nothing new
    arrives (None: no date can be given, e.g. an open review or a case still open)."""

    kind: str
    what: str
    count: int
    newest: datetime | None
    deleted_on: datetime | None
    # How the date follows from the policy, in words.
    basis: str


@dataclass(slots=True)
class _Run:
    now: datetime
    # Values that lost evidence, a reference, or a listing: candidates for deletion.
    candidates: set[int] = field(default_factory=set)
    operations: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Sweep:
    """One kind of expired row: a query for a chunk of their keys, and what to do with a
    chunk. The query must stop matching a row once it was acted on."""

    kind: str
    keys: Select[Any]
    # Returns how many rows of the kind it deleted (or blanked).
    act: Callable[[Connection, list[Any], _Run], int]


def purge_expired_data(
    database: NodeDatabase,
    policy: RetentionPolicy,
    now: datetime,
    *,
    actor: str,
    signer: AuditSigner,
    dry_run: bool = False,
) -> PurgeSummary:
    """Delete (or blank the personal part of) everything older than its cutoff; see the
    module docstring. ``dry_run`` counts what has expired now and changes nothing.

    One run at a time: every ``serve`` worker calls this on its timer, and on PostgreSQL the
    one that gets the advisory lock runs while the others skip (``summary.skipped``). On
    SQLite writers are serialised anyway; there a second run finds little left, and counts
    only the rows it really deleted."""
    if dry_run:
        return _dry_run(database.engine, policy, now)
    with _one_run_at_a_time(database.engine) as running:
        if not running:
            return PurgeSummary({}, cutoffs(policy, now), completed=False, skipped=True)
        return _purge(database, policy, now, actor, signer)


@contextmanager
def _one_run_at_a_time(engine: Engine) -> Iterator[bool]:
    """Whether this run may go ahead: on PostgreSQL, a session advisory lock held on a
    connection of its own (outside any transaction) for the whole run."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        taken = bool(connection.scalar(select(func.pg_try_advisory_lock(PURGE_LOCK_KEY))))
        try:
            yield taken
        finally:
            if taken:
                connection.scalar(select(func.pg_advisory_unlock(PURGE_LOCK_KEY)))


def _purge(
    database: NodeDatabase,
    policy: RetentionPolicy,
    now: datetime,
    actor: str,
    signer: AuditSigner,
) -> PurgeSummary:
    """The run itself. Its audit entry is written even when it fails part-way (with what
    was committed, ``"completed": false``), so no deletion goes unrecorded; a run that
    deleted nothing writes none (every worker's timer would add one an hour)."""
    engine = database.engine
    run = _Run(now)
    counts: dict[str, int] = {}
    try:
        for sweep in _sweeps(policy, now):
            _drain(engine, sweep, run, counts)
        counts[PARTNER_RECORD] = _partner_records(engine, now)
        counts[OPERATION] = _tidy_operations(engine, run)
        gone = _delete_orphan_values(engine, run.candidates, counts)
        if gone:
            # This process remembers value ids; the deleted ones must not be reused from it.
            database.forget_indicator_ids()
    except BaseException:
        _record(engine, PurgeSummary(counts, cutoffs(policy, now), completed=False), actor)
        raise
    return _redact_and_record(engine, policy, now, actor, counts, signer)


def _redact_and_record(
    engine: Engine,
    policy: RetentionPolicy,
    now: datetime,
    actor: str,
    counts: dict[str, int],
    signer: AuditSigner,
) -> PurgeSummary:
    """Audit entries past their period are redacted in the same transaction as the run's
    entry that records ``redacted_through``, signed with the node's key, so a redaction is
    never left unrecorded or unvouched for."""
    try:
        with engine.begin() as connection:
            through, counts[DataKind.AUDIT_ENTRY.value] = _audit_entries(
                connection, policy.cutoff(DataKind.AUDIT_ENTRY, now), now
            )
            summary = PurgeSummary(counts, cutoffs(policy, now), redacted_through=through)
            if summary.total:
                append_audit(connection, _purge_event(summary, actor, signer))
        return summary
    except BaseException:
        counts.pop(DataKind.AUDIT_ENTRY.value, None)
        _record(engine, PurgeSummary(counts, cutoffs(policy, now), completed=False), actor)
        raise


def _record(engine: Engine, summary: PurgeSummary, actor: str) -> None:
    if summary.total:
        with engine.begin() as connection:
            append_audit(connection, _purge_event(summary, actor))


def _dry_run(engine: Engine, policy: RetentionPolicy, now: datetime) -> PurgeSummary:
    """What a purge would delete now, counted by queries that change nothing."""
    with engine.connect() as connection:
        counts = {sweep.kind: _count(connection, sweep) for sweep in _sweeps(policy, now)}
        counts[PARTNER_RECORD] = int(
            connection.scalar(
                select(func.count())
                .select_from(partner_indicators)
                .where(partner_repo.expired_condition(now))
            )
            or 0
        )
        counts[OPERATION] = int(
            connection.scalar(
                select(func.count()).select_from(operations).where(_operation_goes(policy, now))
            )
            or 0
        )
        counts[VALUE], counts[VALUE_OVERWRITTEN] = _values_going(connection, policy, now)
        counts[DataKind.AUDIT_ENTRY.value] = int(
            connection.scalar(
                select(func.count())
                .select_from(audit_log)
                .where(
                    audit_log.c.at < policy.cutoff(DataKind.AUDIT_ENTRY, now),
                    audit_log.c.redacted_at.is_(None),
                )
            )
            or 0
        )
    return PurgeSummary(counts, cutoffs(policy, now), dry_run=True)


def _values_going(
    connection: Connection, policy: RetentionPolicy, now: datetime
) -> tuple[int, int]:
    """(values that would be deleted, values whose row SQLite would keep, overwritten)."""

    def count(*conditions: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(indicators).where(*conditions)
        return int(connection.scalar(query) or 0)

    goes = _value_goes(policy, now)
    if connection.dialect.name != "sqlite":
        return count(goes), 0
    newest = select(func.max(indicators.c.id)).scalar_subquery()
    return count(goes, indicators.c.id < newest), count(goes, indicators.c.id == newest)


def _operation_goes(policy: RetentionPolicy, now: datetime) -> ColumnElement[bool]:
    """An operation whose reports all expire now, that no case names."""
    linked = report_operations.c.operation_id == operations.c.id
    expired = _report_expired(policy, DataKind.REPORT, now)
    return and_(
        operations.c.merged_into.is_(None),
        exists().where(linked),
        ~exists()
        .select_from(report_operations.join(reports, reports.c.id == report_operations.c.report_id))
        .where(linked, ~expired),
        ~exists().where(
            case_links.c.kind == LinkKind.OPERATION.value,
            case_links.c.ref == cast(operations.c.id, String),
        ),
    )


def _value_goes(policy: RetentionPolicy, now: datetime) -> ColumnElement[bool]:
    """A value the purge would delete now: something that refers to it expires now, and
    everything that refers to it does. A value still listed is not among them (it becomes
    a removal notice first)."""

    def cut(kind: DataKind) -> datetime:
        return policy.cutoff(kind, now)

    named = report_indicators.c.indicator_id == indicators.c.id
    naming = report_indicators.join(reports, reports.c.id == report_indicators.c.report_id)
    report_goes = _report_expired(policy, DataKind.REPORT, now)
    event = indicator_events.c.indicator_id == indicators.c.id
    dispute = disputes.c.indicator_id == indicators.c.id
    review = review_items.c.indicator_id == indicators.c.id
    review_goes = and_(
        review_items.c.closed_at.is_not(None), review_items.c.created_at < cut(DataKind.REVIEW_ITEM)
    )
    listing = listings.c.indicator_id == indicators.c.id
    notice_goes = and_(
        listings.c.verdict == REMOVED, listings.c.changed_at < cut(DataKind.REMOVAL_NOTICE)
    )
    release = blind_releases.c.indicator_id == indicators.c.id
    release_goes = and_(
        blind_releases.c.status != "pending",
        blind_releases.c.decided_at.is_not(None),
        blind_releases.c.decided_at < cut(DataKind.BLIND_RELEASE),
    )
    link = and_(
        case_links.c.kind == LinkKind.INDICATOR.value,
        case_links.c.ref == cast(indicators.c.id, String),
    )
    case_goes = and_(
        cases.c.status == CaseStatus.CLOSED.value,
        cases.c.closed_at.is_not(None),
        cases.c.closed_at < cut(DataKind.CASE),
    )
    linking = case_links.join(cases, cases.c.id == case_links.c.case_id)
    return and_(
        or_(
            exists().select_from(naming).where(named, report_goes),
            exists().where(event, indicator_events.c.at < cut(DataKind.OUTCOME)),
            exists().where(dispute, disputes.c.created_at < cut(DataKind.DISPUTE)),
            exists().where(review, review_goes),
            exists().where(listing, notice_goes),
            exists().where(release, release_goes),
            exists().select_from(linking).where(link, case_goes),
        ),
        ~exists().select_from(naming).where(named, ~report_goes),
        ~exists().where(event, indicator_events.c.at >= cut(DataKind.OUTCOME)),
        ~exists().where(dispute, disputes.c.created_at >= cut(DataKind.DISPUTE)),
        ~exists().where(review, ~review_goes),
        ~exists().where(listing, ~notice_goes),
        ~exists().where(release, ~release_goes),
        ~exists().select_from(linking).where(link, ~case_goes),
    )


def cutoffs(policy: RetentionPolicy, now: datetime) -> dict[str, datetime]:
    """Each kind's cutoff, and each per-source override's as "kind:source"."""
    found = {kind.value: policy.cutoff(kind, now) for kind in DataKind}
    for kind, source in sorted(policy.source_days):
        found[f"{kind.value}:{source.value}"] = policy.cutoff(kind, now, source)
    return found


def _purge_event(
    summary: PurgeSummary, actor: str, signer: AuditSigner | None = None
) -> AuditEvent:
    vouched: dict[str, str] = {}
    if signer is not None and summary.redacted_through:
        vouched[REDACTED_THROUGH_SIGNATURE] = signer.sign_redaction(summary.redacted_through)
    return AuditEvent(
        actor=actor,
        action="retention.purge",
        object_type="retention",
        purpose="retention",
        details={
            "counts": dict(sorted(summary.counts.items())),
            "cutoffs": {kind: at.isoformat() for kind, at in sorted(summary.cutoffs.items())},
            "completed": summary.completed,
            # The audit log's verify checks redactions against this (storage/audit_repo.py).
            REDACTED_THROUGH: summary.redacted_through,
            **vouched,
        },
    )


# -- the sweeps ----------------------------------------------------------------------------------
def _sweeps(policy: RetentionPolicy, now: datetime) -> list[_Sweep]:
    def older(kind: DataKind, column: ColumnElement[datetime]) -> ColumnElement[bool]:
        return column < policy.cutoff(kind, now)

    contact_reports = select(reporter_contacts.c.report_id).join(
        reports, reports.c.id == reporter_contacts.c.report_id
    )
    return [
        _Sweep(
            DataKind.VICTIM_CONTACT.value,
            contact_reports.where(_report_expired(policy, DataKind.VICTIM_CONTACT, now)),
            _delete_contacts,
        ),
        _Sweep(
            DataKind.NARRATIVE.value,
            select(reports.c.id).where(
                reports.c.narrative.is_not(None), _report_expired(policy, DataKind.NARRATIVE, now)
            ),
            _blank_narratives,
        ),
        _Sweep(
            DataKind.REPORT.value,
            select(reports.c.id).where(_report_expired(policy, DataKind.REPORT, now)),
            _delete_reports,
        ),
        _Sweep(
            DataKind.OUTCOME.value,
            select(indicator_events.c.id).where(older(DataKind.OUTCOME, indicator_events.c.at)),
            _delete_events,
        ),
        _Sweep(
            DataKind.DISPUTE_CONTACT.value,
            select(disputes.c.id).where(
                disputes.c.contact_sealed.is_not(None),
                older(DataKind.DISPUTE_CONTACT, disputes.c.created_at),
            ),
            _blank_dispute_contacts,
        ),
        _Sweep(
            DataKind.DISPUTE.value,
            select(disputes.c.id).where(older(DataKind.DISPUTE, disputes.c.created_at)),
            _delete_disputes,
        ),
        _Sweep(
            DataKind.REVIEW_ITEM.value,
            # An open review is work in progress: it goes once an analyst closed it.
            select(review_items.c.id).where(
                review_items.c.closed_at.is_not(None),
                older(DataKind.REVIEW_ITEM, review_items.c.created_at),
            ),
            _delete_review_items,
        ),
        _Sweep(
            DataKind.REMOVAL_NOTICE.value,
            select(listings.c.indicator_id).where(
                listings.c.verdict == REMOVED,
                older(DataKind.REMOVAL_NOTICE, listings.c.changed_at),
            ),
            _delete_removal_notices,
        ),
        _Sweep(
            DataKind.CASE.value,
            select(cases.c.id).where(
                cases.c.status == CaseStatus.CLOSED.value,
                cases.c.closed_at.is_not(None),
                older(DataKind.CASE, cases.c.closed_at),
            ),
            _delete_cases,
        ),
        _Sweep(
            DataKind.CROSS_BORDER_REQUEST.value,
            select(cross_border_requests.c.id).where(
                cross_border_requests.c.status.in_(FINISHED_REQUEST_STATUSES),
                older(DataKind.CROSS_BORDER_REQUEST, cross_border_requests.c.updated_at),
            ),
            _delete_requests,
        ),
        _Sweep(
            DataKind.SUBJECT_REQUEST.value,
            select(subject_requests.c.id).where(
                subject_requests.c.closed_at.is_not(None),
                older(DataKind.SUBJECT_REQUEST, subject_requests.c.closed_at),
            ),
            _delete_subject_requests,
        ),
        _Sweep(
            DataKind.BLIND_RELEASE.value,
            # A pending request is work in progress; a decided one is the record of a
            # disclosure (or a refusal), kept its period from the decision.
            select(blind_releases.c.id).where(
                blind_releases.c.status != "pending",
                blind_releases.c.decided_at.is_not(None),
                older(DataKind.BLIND_RELEASE, blind_releases.c.decided_at),
            ),
            _delete_blind_releases,
        ),
        _Sweep(
            LISTING_TRANSITION,
            # Ids and times only, for the transparency report: kept as long as the audit
            # entries that record the same changes.
            select(listing_transitions.c.id).where(
                older(DataKind.AUDIT_ENTRY, listing_transitions.c.at)
            ),
            _deleting(listing_transitions.c.id),
        ),
        _Sweep(
            DataKind.FEDERATION_REJECTION.value,
            select(federation_rejections.c.id).where(
                older(DataKind.FEDERATION_REJECTION, federation_rejections.c.at)
            ),
            _deleting(federation_rejections.c.id),
        ),
        _Sweep(
            DataKind.TAXII_STATUS.value,
            select(taxii_statuses.c.id).where(
                older(DataKind.TAXII_STATUS, taxii_statuses.c.created_at)
            ),
            _deleting(taxii_statuses.c.id),
        ),
    ]


def _report_expired(policy: RetentionPolicy, kind: DataKind, now: datetime) -> ColumnElement[bool]:
    """Reports whose ``kind`` of data has expired, each by its source's period."""
    overridden = sorted(source for (k, source) in policy.source_days if k is kind)
    by_source = [
        and_(
            reports.c.source == source.value,
            reports.c.received_at < policy.cutoff(kind, now, source),
        )
        for source in overridden
    ]
    default = reports.c.received_at < policy.cutoff(kind, now)
    if overridden:
        default = and_(reports.c.source.not_in([s.value for s in overridden]), default)
    return or_(*by_source, default)


def _drain(engine: Engine, sweep: _Sweep, run: _Run, counts: dict[str, int]) -> None:
    """Act on the sweep's rows a chunk per transaction, in key order (two runs, or a run
    and a writer, take row locks in the same order); ``counts`` holds what was committed,
    so a run that fails part-way still reports it."""
    counts[sweep.kind] = 0
    ordered = sweep.keys.order_by(*sweep.keys.selected_columns).limit(PURGE_CHUNK)
    while True:
        with engine.begin() as connection:
            keys = [row[0] for row in connection.execute(ordered)]
            done = sweep.act(connection, keys, run) if keys else 0
        counts[sweep.kind] += done
        if len(keys) < PURGE_CHUNK:
            return


def _count(connection: Connection, sweep: _Sweep) -> int:
    counted = select(func.count()).select_from(sweep.keys.subquery())
    return int(connection.scalar(counted) or 0)


def _rows(connection: Connection, statement: Any) -> int:
    return max(int(connection.execute(statement).rowcount or 0), 0)


def _deleting(column: Any) -> Callable[[Connection, list[Any], _Run], int]:
    def act(connection: Connection, keys: list[Any], _run: _Run) -> int:
        return _rows(connection, delete(column.table).where(column.in_(keys)))

    return act


def _delete_contacts(connection: Connection, keys: list[Any], _run: _Run) -> int:
    return _rows(
        connection, delete(reporter_contacts).where(reporter_contacts.c.report_id.in_(keys))
    )


def _blank_narratives(connection: Connection, keys: list[Any], _run: _Run) -> int:
    return _rows(
        connection,
        update(reports)
        .where(reports.c.id.in_(keys), reports.c.narrative.is_not(None))
        .values(narrative=None),
    )


def _delete_reports(connection: Connection, keys: list[Any], run: _Run) -> int:
    values = _ids(
        connection,
        select(report_indicators.c.indicator_id).where(report_indicators.c.report_id.in_(keys)),
    )
    run.operations |= _ids(
        connection,
        select(report_operations.c.operation_id).where(report_operations.c.report_id.in_(keys)),
    )
    # A case that named a purged report loses the link; the case itself keeps its own period.
    connection.execute(
        delete(case_links).where(
            case_links.c.kind == LinkKind.REPORT.value, case_links.c.ref.in_([str(k) for k in keys])
        )
    )
    for child in (report_operations, report_indicators, report_evidence, reporter_contacts):
        connection.execute(delete(child).where(child.c.report_id.in_(keys)))
    done = _rows(connection, delete(reports).where(reports.c.id.in_(keys)))
    _republish(connection, values, run)
    return done


def _delete_events(connection: Connection, keys: list[Any], run: _Run) -> int:
    values = _ids(
        connection, select(indicator_events.c.indicator_id).where(indicator_events.c.id.in_(keys))
    )
    done = _rows(connection, delete(indicator_events).where(indicator_events.c.id.in_(keys)))
    _republish(connection, values, run)
    return done


def _blank_dispute_contacts(connection: Connection, keys: list[Any], _run: _Run) -> int:
    return _rows(
        connection,
        update(disputes)
        .where(disputes.c.id.in_(keys), disputes.c.contact_sealed.is_not(None))
        .values(contact_sealed=None),
    )


def _delete_disputes(connection: Connection, keys: list[Any], run: _Run) -> int:
    values = _ids(connection, select(disputes.c.indicator_id).where(disputes.c.id.in_(keys)))
    done = _rows(connection, delete(disputes).where(disputes.c.id.in_(keys)))
    _republish(connection, values, run)
    return done


def _delete_review_items(connection: Connection, keys: list[Any], run: _Run) -> int:
    run.candidates |= _ids(
        connection, select(review_items.c.indicator_id).where(review_items.c.id.in_(keys))
    )
    return _rows(connection, delete(review_items).where(review_items.c.id.in_(keys)))


def _delete_blind_releases(connection: Connection, keys: list[Any], run: _Run) -> int:
    run.candidates |= _ids(
        connection, select(blind_releases.c.indicator_id).where(blind_releases.c.id.in_(keys))
    )
    return _rows(connection, delete(blind_releases).where(blind_releases.c.id.in_(keys)))


def _delete_removal_notices(connection: Connection, keys: list[Any], run: _Run) -> int:
    run.candidates.update(int(key) for key in keys)
    return _rows(
        connection,
        delete(listings).where(listings.c.indicator_id.in_(keys), listings.c.verdict == REMOVED),
    )


def _delete_cases(connection: Connection, keys: list[Any], _run: _Run) -> int:
    # A request keeps its own period; it only forgets which (deleted) case it served.
    connection.execute(
        update(cross_border_requests)
        .where(cross_border_requests.c.case_id.in_(keys))
        .values(case_id=None)
    )
    for child in (case_links, case_notes):
        connection.execute(delete(child).where(child.c.case_id.in_(keys)))
    return _rows(connection, delete(cases).where(cases.c.id.in_(keys)))


def _delete_requests(connection: Connection, keys: list[Any], _run: _Run) -> int:
    events = cross_border_request_events
    connection.execute(delete(events).where(events.c.request_row_id.in_(keys)))
    return _rows(
        connection, delete(cross_border_requests).where(cross_border_requests.c.id.in_(keys))
    )


def _delete_subject_requests(connection: Connection, keys: list[Any], _run: _Run) -> int:
    events = subject_request_events
    connection.execute(delete(events).where(events.c.request_id.in_(keys)))
    return _rows(connection, delete(subject_requests).where(subject_requests.c.id.in_(keys)))


def _ids(connection: Connection, query: Select[Any]) -> set[int]:
    return {int(row[0]) for row in connection.execute(query) if row[0] is not None}


def _republish(connection: Connection, values: set[int], run: _Run) -> None:
    """The values' listings follow the evidence that is left: one left without any becomes a
    "removed" listing, which carries the removal to partners and blocklist users."""
    if values:
        refresh_values(connection, values, run.now)
        run.candidates |= values


# -- after the sweeps ----------------------------------------------------------------------------
def _partner_records(engine: Engine, now: datetime) -> int:
    with engine.begin() as connection:
        return partner_repo.purge_expired(connection, now)


def _tidy_operations(engine: Engine, run: _Run) -> int:
    """Operations that lost reports are recounted and resummarised (a summary names values
    and amounts of the reports it had); those left with none are deleted unless a case
    names them."""
    deleted = 0
    for chunk in chunked(sorted(run.operations), LOOKUP_CHUNK):
        with engine.begin() as connection:
            _recount(connection, chunk, run.now)
            refresh_summaries(connection, set(chunk), run.now)
            deleted += _rows(
                connection, delete(operations).where(operations.c.id.in_(chunk), _empty_operation())
            )
    return deleted


def _empty_operation() -> ColumnElement[bool]:
    """An operation (not merged into another) with no report left that no case names."""
    return and_(
        operations.c.merged_into.is_(None),
        ~exists().where(report_operations.c.operation_id == operations.c.id),
        ~exists().where(
            case_links.c.kind == LinkKind.OPERATION.value,
            case_links.c.ref == cast(operations.c.id, String),
        ),
    )


def _delete_orphan_values(
    engine: Engine, candidates: Iterable[int], counts: dict[str, int]
) -> ValuesGone:
    """Delete the candidate values nothing refers to any more, a chunk per transaction."""
    gone = ValuesGone()
    counts[VALUE] = counts[VALUE_OVERWRITTEN] = 0
    for chunk in chunked(sorted(candidates), LOOKUP_CHUNK):
        with engine.begin() as connection:
            done = delete_orphan_values(connection, chunk)
        gone += done
        counts[VALUE], counts[VALUE_OVERWRITTEN] = gone.deleted, gone.overwritten
    return gone


@dataclass(frozen=True, slots=True)
class ValuesGone:
    """Value rows deleted, and (SQLite) the newest one's value overwritten instead."""

    deleted: int = 0
    overwritten: int = 0

    def __add__(self, other: ValuesGone) -> ValuesGone:
        return ValuesGone(self.deleted + other.deleted, self.overwritten + other.overwritten)

    def __bool__(self) -> bool:
        return bool(self.deleted or self.overwritten)


def placeholder_value(indicator_id: int) -> str:
    """What an orphaned value row SQLite must keep holds instead of the value."""
    return f"{PLACEHOLDER_PREFIX}{indicator_id}"


def delete_orphan_values(connection: Connection, ids: Sequence[int]) -> ValuesGone:
    """Delete those of ``ids`` (a chunk) that nothing refers to any more: no report,
    outcome, dispute, review, listing, blind release or case link.

    The check and the delete are one statement, so a report committed in between cannot
    slip past the check on SQLite. On PostgreSQL a report whose transaction began before the
    statement and commits while it waits still fails the foreign key at the statement's
    end: the chunk is tried again (the check then sees that report), and values still
    contended are left for the next run."""
    if not ids:
        return ValuesGone()
    unreferenced = and_(indicators.c.id.in_(list(ids)), *_unreferenced())
    if connection.dialect.name == "sqlite":
        return _delete_orphans_sqlite(connection, unreferenced)
    for _attempt in range(_ORPHAN_ATTEMPTS):
        try:
            with connection.begin_nested():
                result = connection.execute(delete(indicators).where(unreferenced))
        except IntegrityError:
            continue  # a value gained a reference while the statement ran
        return ValuesGone(deleted=max(result.rowcount, 0))
    return ValuesGone()


def _delete_orphans_sqlite(connection: Connection, unreferenced: ColumnElement[bool]) -> ValuesGone:
    # SQLite hands the highest id out again once its row is gone (no AUTOINCREMENT on this
    # table), and audit_subjects and listing_transitions name values by id: the newest
    # value's row stays until a newer one exists, so an id never names two values. It keeps
    # no plaintext: its value is overwritten with a placeholder.
    newest = select(func.max(indicators.c.id)).scalar_subquery()
    deleted = connection.execute(
        delete(indicators).where(unreferenced, indicators.c.id < newest)
    ).rowcount
    kept = connection.execute(
        select(indicators.c.id, indicators.c.value).where(unreferenced, indicators.c.id == newest)
    ).first()
    overwritten = 0
    if kept is not None and kept.value != placeholder_value(kept.id):
        overwritten = connection.execute(
            update(indicators)
            .where(indicators.c.id == kept.id)
            .values(value=placeholder_value(kept.id))
        ).rowcount
    return ValuesGone(deleted=max(deleted, 0), overwritten=max(overwritten, 0))


def _unreferenced() -> list[ColumnElement[bool]]:
    """Conditions on ``indicators``: no row of any table refers to it."""
    conditions: list[ColumnElement[bool]] = [
        ~exists().where(column == indicators.c.id) for column in _VALUE_REFERENCES
    ]
    conditions.append(
        ~exists().where(
            case_links.c.kind == LinkKind.INDICATOR.value,
            case_links.c.ref == cast(indicators.c.id, String),
        )
    )
    return conditions


def _audit_entries(
    connection: Connection, before: datetime, now: datetime
) -> tuple[int | None, int]:
    """Redact the audit entries written before ``before``: (the highest seq the log holds
    redacted, or None when none is; how many entries this call redacted)."""
    # The audit log's own module blanks the entries; imported when a purge runs.
    from scamintel.storage.audit_repo import redact_entries

    # Only a prefix of the log is ever redacted: the count is the difference of the bounds.
    already = int(
        connection.scalar(
            select(func.max(audit_log.c.seq)).where(audit_log.c.redacted_at.is_not(None))
        )
        or 0
    )
    # It returns the highest seq the log holds redacted (0 when none).
    through = int(redact_entries(connection, before, now) or 0)
    return (through or None), through - already


# -- when a value's data goes --------------------------------------------------------------------
def held_about(
    connection: Connection,
    policy: RetentionPolicy,
    indicator: Indicator,
    now: datetime,
    sealer: PersonalDataSealer,
) -> list[HeldData]:
    """:func:`deletion_dates` for a value given as such: also when the node holds it only
    as partners' records (by value, or by the blind selector each agreement gives it) or
    in cross-border requests, without a row of its own."""
    selectors = [
        agreement.selector(indicator)
        for agreement in partner_repo.all_agreements(connection, sealer)
        if agreement.is_blind(indicator.type) and agreement.blind_key is not None
    ]
    found = connection.scalar(
        select(indicators.c.id).where(
            indicators.c.type == indicator.type.value, indicators.c.value == indicator.value
        )
    )
    if found is not None:
        return deletion_dates(connection, policy, int(found), now, selectors=selectors)
    held = _partner_data(connection, indicator.type.value, indicator.value, selectors)
    held += _request_data(connection, policy, indicator.type.value, indicator.value, selectors)
    return held


def deletion_dates(
    connection: Connection,
    policy: RetentionPolicy,
    indicator_id: int,
    now: datetime,
    *,
    selectors: Sequence[str] = (),
) -> list[HeldData]:
    """What the node holds about a value and the date each will be deleted under ``policy``
    if nothing new arrives. A listing can end sooner (confidence decays with time); the date
    given is the latest."""
    value = connection.execute(
        select(indicators.c.type, indicators.c.value).where(indicators.c.id == indicator_id)
    ).first()
    if value is None:
        return []
    held: list[HeldData] = []
    held += _report_data(connection, policy, indicator_id)
    held += _value_data(connection, policy, indicator_id)
    evidence_ends = [
        item.deleted_on
        for item in held
        if item.kind in (DataKind.REPORT.value, DataKind.OUTCOME.value) and item.deleted_on
    ]
    held += _listing_data(connection, policy, indicator_id, max(evidence_ends, default=None))
    held += _partner_data(connection, value.type, value.value, selectors)
    held += _request_data(connection, policy, value.type, value.value, selectors)
    held += _blind_release_data(connection, policy, indicator_id)
    held += _audit_data(connection, policy, indicator_id)
    # Partners' records and requests hold the value itself, not a reference to its row.
    apart = (DataKind.AUDIT_ENTRY.value, PARTNER_RECORD, DataKind.CROSS_BORDER_REQUEST.value)
    ends = [item.deleted_on for item in held if item.kind not in apart]
    known = [end for end in ends if end is not None]
    held.append(
        HeldData(
            VALUE,
            "the value itself (the row every record about it points to)",
            1,
            None,
            None if len(known) < len(ends) else max(known, default=now),
            "when nothing on this node refers to it any more",
        )
    )
    return held


def _latest(moments: Iterable[datetime | None]) -> datetime | None:
    found = [as_utc(m) for m in moments if m is not None]
    return max((m for m in found if m is not None), default=None)


def _report_data(
    connection: Connection, policy: RetentionPolicy, indicator_id: int
) -> list[HeldData]:
    rows = connection.execute(
        select(
            reports.c.source,
            reports.c.received_at,
            reports.c.narrative.is_not(None).label("has_narrative"),
            reporter_contacts.c.report_id.is_not(None).label("has_contact"),
        )
        .join(report_indicators, report_indicators.c.report_id == reports.c.id)
        .outerjoin(reporter_contacts, reporter_contacts.c.report_id == reports.c.id)
        .where(report_indicators.c.indicator_id == indicator_id)
    ).all()
    held = []
    for kind, chosen in (
        (DataKind.REPORT, rows),
        (DataKind.NARRATIVE, [row for row in rows if row.has_narrative]),
        (DataKind.VICTIM_CONTACT, [row for row in rows if row.has_contact]),
    ):
        if not chosen:
            continue
        ends = [
            (as_utc(row.received_at) or row.received_at)
            + policy.period(kind, ReportSource(row.source))
            for row in chosen
        ]
        held.append(
            HeldData(
                kind.value,
                policy.rule(kind).what,
                len(chosen),
                _latest(row.received_at for row in chosen),
                max(ends),
                f"each {policy.rule(kind).counted_from.replace('the ', '', 1)} + its period; "
                "the date of the last one",
            )
        )
    return held


def _value_data(
    connection: Connection, policy: RetentionPolicy, indicator_id: int
) -> list[HeldData]:
    held = []
    events = connection.execute(
        select(func.count(), func.max(indicator_events.c.at)).where(
            indicator_events.c.indicator_id == indicator_id
        )
    ).one()
    if events[0]:
        held.append(_dated(policy, DataKind.OUTCOME, int(events[0]), events[1]))
    found = connection.execute(
        select(disputes.c.created_at, disputes.c.contact_sealed.is_not(None)).where(
            disputes.c.indicator_id == indicator_id
        )
    ).all()
    if found:
        held.append(_dated(policy, DataKind.DISPUTE, len(found), _latest(r[0] for r in found)))
        with_contact = [row[0] for row in found if row[1]]
        if with_contact:
            held.append(
                _dated(policy, DataKind.DISPUTE_CONTACT, len(with_contact), _latest(with_contact))
            )
    items = connection.execute(
        select(review_items.c.created_at, review_items.c.closed_at).where(
            review_items.c.indicator_id == indicator_id
        )
    ).all()
    if items:
        open_one = any(row.closed_at is None for row in items)
        dated = _dated(policy, DataKind.REVIEW_ITEM, len(items), _latest(r[0] for r in items))
        held.append(
            HeldData(
                dated.kind,
                dated.what,
                dated.count,
                dated.newest,
                None if open_one else dated.deleted_on,
                "an open review is kept until an analyst closes it" if open_one else dated.basis,
            )
        )
    links = connection.execute(
        select(cases.c.status, cases.c.closed_at)
        .join(case_links, case_links.c.case_id == cases.c.id)
        .where(case_links.c.kind == LinkKind.INDICATOR.value, case_links.c.ref == str(indicator_id))
    ).all()
    if links:
        still_open = any(
            row.status != CaseStatus.CLOSED.value or row.closed_at is None for row in links
        )
        dated = _dated(policy, DataKind.CASE, len(links), _latest(r.closed_at for r in links))
        held.append(
            HeldData(
                dated.kind,
                "cases that name the value",
                dated.count,
                dated.newest,
                None if still_open else dated.deleted_on,
                "a case is kept while it is open" if still_open else dated.basis,
            )
        )
    return held


def _dated(policy: RetentionPolicy, kind: DataKind, count: int, newest: Any) -> HeldData:
    start = as_utc(newest)
    return HeldData(
        kind.value,
        policy.rule(kind).what,
        count,
        start,
        start + policy.period(kind) if start else None,
        f"{policy.rule(kind).counted_from} (the newest) + {policy.period(kind).days} days",
    )


def _listing_data(
    connection: Connection,
    policy: RetentionPolicy,
    indicator_id: int,
    evidence_ends: datetime | None,
) -> list[HeldData]:
    row = connection.execute(
        select(listings.c.verdict, listings.c.changed_at).where(
            listings.c.indicator_id == indicator_id
        )
    ).first()
    if row is None:
        return []
    notice = policy.period(DataKind.REMOVAL_NOTICE)
    changed = as_utc(row.changed_at)
    if row.verdict == REMOVED:
        ends, basis = changed + notice if changed else None, "taken off the list: the removal "
        basis += f"notice is kept {notice.days} days"
        what = "a removal notice: the value was taken off the published list"
    else:
        ends = evidence_ends + notice if evidence_ends else None
        basis = (
            "listed until its last report or outcome goes (sooner if its confidence decays), "
            f"then kept {notice.days} days as a removal notice"
        )
        what = f"the published listing (verdict {row.verdict})"
    return [HeldData("listing", what, 1, changed, ends, basis)]


def _partner_data(
    connection: Connection, indicator_type: str, value: str, selectors: Sequence[str] = ()
) -> list[HeldData]:
    naming = partner_indicators.c.value == value
    if selectors:
        naming = or_(naming, partner_indicators.c.blind_hash.in_(list(selectors)))
    rows = connection.execute(
        select(
            partner_indicators.c.received_at,
            partner_indicators.c.expires_at,
            partner_indicators.c.valid_until,
        ).where(partner_indicators.c.type == indicator_type, naming)
    ).all()
    if not rows:
        return []
    ends = [
        min(m for m in (as_utc(row.expires_at), as_utc(row.valid_until)) if m is not None)
        for row in rows
    ]
    return [
        HeldData(
            PARTNER_RECORD,
            "what partner nodes shared about the value",
            len(rows),
            _latest(row.received_at for row in rows),
            max(ends),
            "the partner's agreement retention or the record's own expiry, whichever is first; "
            "sooner when the partner withdraws it",
        )
    ]


def _request_data(
    connection: Connection,
    policy: RetentionPolicy,
    indicator_type: str,
    value: str,
    selectors: Sequence[str],
) -> list[HeldData]:
    requests = cross_border_requests
    naming = requests.c.indicator_value == value
    if selectors:
        naming = or_(naming, requests.c.blind_selector.in_(list(selectors)))
    rows = connection.execute(
        select(requests.c.status, requests.c.updated_at).where(
            requests.c.indicator_type == indicator_type, naming
        )
    ).all()
    if not rows:
        return []
    still_open = any(row.status not in FINISHED_REQUEST_STATUSES for row in rows)
    dated = _dated(
        policy, DataKind.CROSS_BORDER_REQUEST, len(rows), _latest(r.updated_at for r in rows)
    )
    return [
        HeldData(
            dated.kind,
            "requests to or from partner nodes about the value",
            dated.count,
            dated.newest,
            None if still_open else dated.deleted_on,
            "a request is kept while it is open" if still_open else dated.basis,
        )
    ]


def _blind_release_data(
    connection: Connection, policy: RetentionPolicy, indicator_id: int
) -> list[HeldData]:
    rows = connection.execute(
        select(blind_releases.c.status, blind_releases.c.decided_at).where(
            blind_releases.c.indicator_id == indicator_id
        )
    ).all()
    if not rows:
        return []
    pending = any(row.status == "pending" or row.decided_at is None for row in rows)
    dated = _dated(policy, DataKind.BLIND_RELEASE, len(rows), _latest(r.decided_at for r in rows))
    return [
        HeldData(
            dated.kind,
            dated.what,
            dated.count,
            dated.newest,
            None if pending else dated.deleted_on,
            "a pending request is kept until it is decided" if pending else dated.basis,
        )
    ]


def _audit_data(
    connection: Connection, policy: RetentionPolicy, indicator_id: int
) -> list[HeldData]:
    found = connection.execute(
        select(func.count(), func.max(audit_log.c.at))
        .select_from(audit_subjects)
        .join(audit_log, audit_log.c.seq == audit_subjects.c.seq)
        .where(audit_subjects.c.indicator_id == indicator_id, audit_log.c.redacted_at.is_(None))
    ).one()
    if not found[0]:
        return []
    dated = _dated(policy, DataKind.AUDIT_ENTRY, int(found[0]), found[1])
    return [
        HeldData(
            dated.kind,
            "audit entries that name the value (who saw or changed its data, and why)",
            dated.count,
            dated.newest,
            dated.deleted_on,
            dated.basis + "; the content is blanked, the hash stays so the log still verifies",
        )
    ]
