"""Deleting what the retention policy says has expired, and telling when a value's data goes.

``purge_expired_data`` works one kind of data at a time (governance/retention.py), a bounded
chunk of rows per transaction, so that a large node keeps taking reports while it purges.
Values that lost evidence are republished in the same transaction as the rows that went: a
value left without reports becomes a "removed" listing, which is what tells partners (TAXII)
and blocklist users to drop it. Removal notices past their own period, and values nothing
refers to any more, go last. One audit entry records the counts (never the contents).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)

from scamintel.governance.audit import AuditEvent
from scamintel.governance.retention import DataKind, RetentionPolicy
from scamintel.protection.listing import REMOVED
from scamintel.reports.model import ReportSource
from scamintel.storage import partner_repo
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operation_summaries_repo import refresh_summaries
from scamintel.storage.operations_repo import _drop_empty_operations, _recount
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
# A cross-border request that will not change again.
FINISHED_REQUEST_STATUSES = ("fulfilled", "rejected", "cancelled")
_CASE_REPORT_LINK = "report"  # cases.model.LinkKind.REPORT
_CASE_INDICATOR_LINK = "indicator"  # cases.model.LinkKind.INDICATOR


@dataclass(frozen=True, slots=True)
class PurgeSummary:
    """What a purge deleted (or, in a dry run, would delete), by data kind."""

    counts: dict[str, int] = field(default_factory=dict)
    # Data of a kind that started counting before its cutoff expired; per-source cutoffs are
    # keyed "kind:source".
    cutoffs: dict[str, datetime] = field(default_factory=dict)
    dry_run: bool = False

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
    act: Callable[[Connection, list[Any], _Run], None]


def purge_expired_data(
    database: NodeDatabase,
    policy: RetentionPolicy,
    now: datetime,
    *,
    actor: str,
    dry_run: bool = False,
) -> PurgeSummary:
    """Delete (or blank the personal part of) everything older than its cutoff; see the
    module docstring. ``dry_run`` counts what has expired now and changes nothing."""
    engine = database.engine
    run = _Run(now)
    counts: dict[str, int] = {}
    for sweep in _sweeps(policy, now):
        counts[sweep.kind] = _count(engine, sweep) if dry_run else _drain(engine, sweep, run)
    counts[PARTNER_RECORD] = _partner_records(engine, now, dry_run)
    if dry_run:
        counts[OPERATION] = counts[VALUE] = 0
    else:
        counts[OPERATION] = _tidy_operations(engine, run)
        counts[VALUE] = _delete_orphan_values(engine, run.candidates)
        if counts[VALUE]:
            # This process remembers value ids; the deleted ones must not be reused from it.
            database.forget_indicator_ids()
    counts[DataKind.AUDIT_ENTRY.value] = _audit_entries(
        engine, policy.cutoff(DataKind.AUDIT_ENTRY, now), now, dry_run
    )
    summary = PurgeSummary(counts, cutoffs(policy, now), dry_run)
    if not dry_run:
        with engine.begin() as connection:
            append_audit(connection, _purge_event(summary, actor))
    return summary


def cutoffs(policy: RetentionPolicy, now: datetime) -> dict[str, datetime]:
    """Each kind's cutoff, and each per-source override's as "kind:source"."""
    found = {kind.value: policy.cutoff(kind, now) for kind in DataKind}
    for kind, source in sorted(policy.source_days):
        found[f"{kind.value}:{source.value}"] = policy.cutoff(kind, now, source)
    return found


def _purge_event(summary: PurgeSummary, actor: str) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        action="retention.purge",
        object_type="retention",
        purpose="retention",
        details={
            "counts": dict(sorted(summary.counts.items())),
            "cutoffs": {kind: at.isoformat() for kind, at in sorted(summary.cutoffs.items())},
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
                cases.c.status == "closed",
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


def _drain(engine: Engine, sweep: _Sweep, run: _Run) -> int:
    total = 0
    while True:
        with engine.begin() as connection:
            keys = [row[0] for row in connection.execute(sweep.keys.limit(PURGE_CHUNK))]
            if keys:
                sweep.act(connection, keys, run)
        total += len(keys)
        if len(keys) < PURGE_CHUNK:
            return total


def _count(engine: Engine, sweep: _Sweep) -> int:
    with engine.connect() as connection:
        counted = select(func.count()).select_from(sweep.keys.subquery())
        return int(connection.scalar(counted) or 0)


def _deleting(column: Any) -> Callable[[Connection, list[Any], _Run], None]:
    def act(connection: Connection, keys: list[Any], _run: _Run) -> None:
        connection.execute(delete(column.table).where(column.in_(keys)))

    return act


def _delete_contacts(connection: Connection, keys: list[Any], _run: _Run) -> None:
    connection.execute(delete(reporter_contacts).where(reporter_contacts.c.report_id.in_(keys)))


def _blank_narratives(connection: Connection, keys: list[Any], _run: _Run) -> None:
    connection.execute(update(reports).where(reports.c.id.in_(keys)).values(narrative=None))


def _delete_reports(connection: Connection, keys: list[Any], run: _Run) -> None:
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
            case_links.c.kind == _CASE_REPORT_LINK, case_links.c.ref.in_([str(k) for k in keys])
        )
    )
    for child in (report_operations, report_indicators, report_evidence, reporter_contacts):
        connection.execute(delete(child).where(child.c.report_id.in_(keys)))
    connection.execute(delete(reports).where(reports.c.id.in_(keys)))
    _republish(connection, values, run)


def _delete_events(connection: Connection, keys: list[Any], run: _Run) -> None:
    values = _ids(
        connection, select(indicator_events.c.indicator_id).where(indicator_events.c.id.in_(keys))
    )
    connection.execute(delete(indicator_events).where(indicator_events.c.id.in_(keys)))
    _republish(connection, values, run)


def _blank_dispute_contacts(connection: Connection, keys: list[Any], _run: _Run) -> None:
    connection.execute(update(disputes).where(disputes.c.id.in_(keys)).values(contact_sealed=None))


def _delete_disputes(connection: Connection, keys: list[Any], run: _Run) -> None:
    values = _ids(connection, select(disputes.c.indicator_id).where(disputes.c.id.in_(keys)))
    connection.execute(delete(disputes).where(disputes.c.id.in_(keys)))
    _republish(connection, values, run)


def _delete_review_items(connection: Connection, keys: list[Any], run: _Run) -> None:
    run.candidates |= _ids(
        connection, select(review_items.c.indicator_id).where(review_items.c.id.in_(keys))
    )
    connection.execute(delete(review_items).where(review_items.c.id.in_(keys)))


def _delete_removal_notices(connection: Connection, keys: list[Any], run: _Run) -> None:
    connection.execute(
        delete(listings).where(listings.c.indicator_id.in_(keys), listings.c.verdict == REMOVED)
    )
    run.candidates.update(int(key) for key in keys)


def _delete_cases(connection: Connection, keys: list[Any], _run: _Run) -> None:
    # A request keeps its own period; it only forgets which (deleted) case it served.
    connection.execute(
        update(cross_border_requests)
        .where(cross_border_requests.c.case_id.in_(keys))
        .values(case_id=None)
    )
    for child in (case_links, case_notes):
        connection.execute(delete(child).where(child.c.case_id.in_(keys)))
    connection.execute(delete(cases).where(cases.c.id.in_(keys)))


def _delete_requests(connection: Connection, keys: list[Any], _run: _Run) -> None:
    events = cross_border_request_events
    connection.execute(delete(events).where(events.c.request_row_id.in_(keys)))
    connection.execute(delete(cross_border_requests).where(cross_border_requests.c.id.in_(keys)))


def _delete_subject_requests(connection: Connection, keys: list[Any], _run: _Run) -> None:
    events = subject_request_events
    connection.execute(delete(events).where(events.c.request_id.in_(keys)))
    connection.execute(delete(subject_requests).where(subject_requests.c.id.in_(keys)))


def _ids(connection: Connection, query: Select[Any]) -> set[int]:
    return {int(row[0]) for row in connection.execute(query) if row[0] is not None}


def _republish(connection: Connection, values: set[int], run: _Run) -> None:
    """The values' listings follow the evidence that is left: one left without any becomes a
    "removed" listing, which carries the removal to partners and blocklist users."""
    if values:
        refresh_values(connection, values, run.now)
        run.candidates |= values


# -- after the sweeps ----------------------------------------------------------------------------
def _partner_records(engine: Engine, now: datetime, dry_run: bool) -> int:
    if not dry_run:
        with engine.begin() as connection:
            return partner_repo.purge_expired(connection, now)
    with engine.connect() as connection:
        query = select(func.count()).where(partner_repo.expired_condition(now))
        return int(connection.scalar(query.select_from(partner_indicators)) or 0)


def _tidy_operations(engine: Engine, run: _Run) -> int:
    """Operations that lost reports are recounted and resummarised (a summary names values
    and amounts of the reports it had); those left with none are deleted unless a case
    names them."""
    if not run.operations:
        return 0
    with engine.begin() as connection:
        _recount(connection, run.operations, run.now)
        refresh_summaries(connection, run.operations, run.now)
        before = _operation_count(connection)
        _drop_empty_operations(connection, set(), set())
        return before - _operation_count(connection)


def _operation_count(connection: Connection) -> int:
    return int(connection.scalar(select(func.count()).select_from(operations)) or 0)


def _delete_orphan_values(engine: Engine, candidates: Iterable[int]) -> int:
    """Delete the candidate values nothing refers to any more: no report, outcome, dispute,
    review, listing, blind release or case link."""
    deleted = 0
    for chunk in chunked(sorted(candidates), LOOKUP_CHUNK):
        with engine.begin() as connection:
            doomed = orphan_values(connection, chunk)
            if doomed:
                connection.execute(delete(indicators).where(indicators.c.id.in_(doomed)))
                deleted += len(doomed)
    return deleted


def orphan_values(connection: Connection, ids: Sequence[int]) -> list[int]:
    """Those of ``ids`` (a chunk) that nothing refers to any more and may be deleted."""
    held: set[int] = set()
    for column in (
        report_indicators.c.indicator_id,
        indicator_events.c.indicator_id,
        disputes.c.indicator_id,
        review_items.c.indicator_id,
        listings.c.indicator_id,
        blind_releases.c.indicator_id,
    ):
        held |= _ids(connection, select(column).where(column.in_(ids)).distinct())
    held |= {
        int(ref)
        for ref in connection.scalars(
            select(case_links.c.ref).where(
                case_links.c.kind == _CASE_INDICATOR_LINK,
                case_links.c.ref.in_([str(i) for i in ids]),
            )
        )
        if ref.isdigit()
    }
    doomed = [i for i in ids if i not in held]
    if doomed and connection.dialect.name == "sqlite":
        # SQLite hands the highest id out again once its row is gone (no AUTOINCREMENT on
        # this table), and audit_subjects and listing_transitions name values by id: the
        # newest value's row stays until a newer one exists, so an id never names two values.
        newest = connection.scalar(select(func.max(indicators.c.id)))
        doomed = [i for i in doomed if i != newest]
    return doomed


def _audit_entries(engine: Engine, before: datetime, now: datetime, dry_run: bool) -> int:
    if dry_run:
        with engine.connect() as connection:
            query = select(func.count()).where(
                audit_log.c.at < before, audit_log.c.redacted_at.is_(None)
            )
            return int(connection.scalar(query.select_from(audit_log)) or 0)
    # The audit log's own module blanks the entries; imported when a purge runs.
    from scamintel.storage.audit_repo import redact_entries

    with engine.begin() as connection:
        return redact_entries(connection, before, now)


# -- when a value's data goes --------------------------------------------------------------------
def deletion_dates(
    connection: Connection, policy: RetentionPolicy, indicator_id: int, now: datetime
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
    held += _partner_data(connection, value.type, value.value)
    held += _audit_data(connection, policy, indicator_id)
    ends = [item.deleted_on for item in held if item.kind != DataKind.AUDIT_ENTRY.value]
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
        .where(case_links.c.kind == _CASE_INDICATOR_LINK, case_links.c.ref == str(indicator_id))
    ).all()
    if links:
        still_open = any(row.status != "closed" or row.closed_at is None for row in links)
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


def _partner_data(connection: Connection, indicator_type: str, value: str) -> list[HeldData]:
    rows = connection.execute(
        select(
            partner_indicators.c.received_at,
            partner_indicators.c.expires_at,
            partner_indicators.c.valid_until,
        ).where(partner_indicators.c.type == indicator_type, partner_indicators.c.value == value)
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
