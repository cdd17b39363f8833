"""Data-subject requests in SQL (governance/subject_requests.py): the request with its sealed
identifier and contact, each step in ``subject_request_events`` and the audit log, the access
report, and the erasure or correction a completed request carries out."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Connection, Row, func, select, update

from scamintel.governance import subject_requests as domain
from scamintel.governance.audit import AuditEvent
from scamintel.governance.retention import RetentionPolicy
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.governance.subject_requests import (
    AccessReport,
    DeletionHeld,
    DisclosureHeld,
    DisputeHeld,
    ListingHeld,
    NewSubjectRequest,
    OutcomeHeld,
    PartnerRecordHeld,
    ReportsHeld,
    RequestEvent,
    RequestKind,
    RequestStatus,
    SubjectRequest,
    SubjectRequestNotFoundError,
    TransitionError,
)
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.disputes import Decision, decide_dispute, open_dispute
from scamintel.reports.engine import OUTCOMES
from scamintel.reports.reading import Reading
from scamintel.storage.audit_repo import audit_trail
from scamintel.storage.erasure_repo import erase_value, reports_with_contact
from scamintel.storage.evidence_repo import indicator_id_of
from scamintel.storage.node import NodeDatabase
from scamintel.storage.releases_repo import partner_knowledge
from scamintel.storage.retention_repo import deletion_dates
from scamintel.storage.sql import as_utc
from scamintel.storage.store import append_audit
from scamintel.storage.tables import (
    disputes,
    indicator_events,
    listing_transitions,
    listings,
    report_indicators,
    reports,
    subject_request_events,
    subject_requests,
)

MAX_LIST = 500
LISTED_VERDICTS = ("scam", "suspicious")


# -- opening and reading -------------------------------------------------------------------------


def open_request(
    connection: Connection,
    sealer: PersonalDataSealer,
    secret_key: str,
    new: NewSubjectRequest,
    *,
    actor: str,
    now: datetime,
) -> SubjectRequest:
    """Store a new request (identifier and contact sealed), its first event and audit entry."""
    request = domain.new_request(new, uuid4(), now)
    identifier = new.identifier
    connection.execute(
        subject_requests.insert().values(
            id=request.id,
            kind=request.kind.value,
            identifier_type=identifier.type.value,
            identifier_sealed=sealer.seal(_identifier_data(identifier)),
            identifier_key=domain.identifier_key(secret_key, identifier),
            contact_sealed=sealer.seal(request.contact) if request.contact else None,
            details=request.details,
            status=request.status.value,
            received_at=request.received_at,
            due_at=request.due_at,
        )
    )
    _event(connection, request.id, RequestStatus.RECEIVED, actor, now, None)
    _audit(
        connection,
        request,
        "received",
        actor,
        subject=indicator_id_of(connection, identifier),
        details={"kind": request.kind.value, "type": identifier.type.value},
    )
    return request


def get_request(connection: Connection, request_id: UUID) -> SubjectRequest:
    """The request without its personal data; raises SubjectRequestNotFoundError."""
    row = _row(connection, request_id)
    return _request(row)


def open_personal_data(
    connection: Connection,
    sealer: PersonalDataSealer,
    request_id: UUID,
    *,
    actor: str,
    purpose: str,
) -> SubjectRequest:
    """The request with its identifier and contact opened: audited with the stated purpose."""
    if not purpose.strip():
        raise domain.InvalidSubjectRequestError(
            "state the purpose of opening the person's data (for example: verify the caller)"
        )
    row = _row(connection, request_id)
    request = _opened(row, sealer)
    assert request.identifier is not None
    _audit(
        connection,
        request,
        "viewed_personal_data",
        actor,
        subject=indicator_id_of(connection, request.identifier),
        purpose=purpose.strip(),
    )
    return request


def earlier_requests(connection: Connection, request_id: UUID) -> list[SubjectRequest]:
    """Other requests about the same value (by the keyed hash), oldest first."""
    key = _row(connection, request_id).identifier_key
    rows = connection.execute(
        select(subject_requests)
        .where(subject_requests.c.identifier_key == key, subject_requests.c.id != request_id)
        .order_by(subject_requests.c.received_at)
    )
    return [_request(row) for row in rows]


def list_requests(
    connection: Connection,
    *,
    status: RequestStatus | None = None,
    overdue: bool = False,
    now: datetime,
    limit: int = 100,
) -> list[SubjectRequest]:
    """Oldest due first: the queue is worked in the order the deadlines fall."""
    query = select(subject_requests).order_by(subject_requests.c.due_at).limit(limit)
    if status is not None:
        query = query.where(subject_requests.c.status == status.value)
    if overdue:
        query = query.where(
            subject_requests.c.status.in_([s.value for s in domain.OPEN_STATUSES]),
            subject_requests.c.due_at < now,
        )
    return [_request(row) for row in connection.execute(query)]


def events_of(connection: Connection, request_id: UUID) -> list[RequestEvent]:
    rows = connection.execute(
        select(subject_request_events)
        .where(subject_request_events.c.request_id == request_id)
        .order_by(subject_request_events.c.at, subject_request_events.c.id)
    )
    return [
        RequestEvent(RequestStatus(row.status), as_utc(row.at) or row.at, row.actor, row.note)
        for row in rows
    ]


# -- steps ---------------------------------------------------------------------------------------


def verify_request(
    connection: Connection,
    sealer: PersonalDataSealer,
    request_id: UUID,
    *,
    actor: str,
    note: str | None,
    now: datetime,
) -> SubjectRequest:
    row = _row(connection, request_id)
    verified = domain.verify(_request(row), actor=actor, now=now)
    _save(connection, verified, expected=RequestStatus.RECEIVED)
    _event(connection, request_id, verified.status, actor, now, _clean(note))
    _audit(
        connection,
        verified,
        "verified",
        actor,
        subject=_subject_of(connection, sealer, row),
        details={"note": _clean(note)} if _clean(note) else {},
    )
    return verified


def refuse_request(
    connection: Connection,
    sealer: PersonalDataSealer,
    request_id: UUID,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> SubjectRequest:
    row = _row(connection, request_id)
    before = _request(row)
    refused = domain.refuse(before, actor=actor, now=now, reason=reason)
    _save(connection, refused, expected=before.status)
    _event(connection, request_id, refused.status, actor, now, refused.outcome)
    _audit(
        connection,
        refused,
        "refused",
        actor,
        subject=_subject_of(connection, sealer, row),
        details={"reason": refused.outcome},
    )
    return refused


def complete_request(
    database: NodeDatabase,
    request_id: UUID,
    *,
    actor: str,
    note: str | None,
    now: datetime,
    reading: Reading | None = None,
    delist: bool = False,
) -> SubjectRequest:
    """Carry the verified request out and record its outcome.

    Erasure: the value is erased from everything the node holds (storage.erasure_repo), and
    its listing becomes a removal that sync carries to partners; the counts are the outcome.
    Correction: the operator says what was corrected; ``delist`` withdraws a wrong listing
    through the dispute decision (reports/disputes.py), as an upheld dispute would.
    Access: the access report was sent; the note may say how.
    """
    with database.engine.connect() as connection:
        request = _opened(_row(connection, request_id), database.sealer)
    # Fail before erasing anything when the request cannot be completed.
    domain.complete(request, actor=actor, now=now, outcome="")
    identifier = request.identifier
    assert identifier is not None
    clean_note = _clean(note)
    details: dict[str, Any] = {"kind": request.kind.value}
    if request.kind is RequestKind.CORRECTION:
        if clean_note is None:
            raise domain.InvalidSubjectRequestError(
                "say what was corrected (--note); the outcome is recorded with the request"
            )
        outcome = clean_note
        if delist:
            if reading is None:
                raise ValueError("delisting needs the node's reading of values")
            reference = _delist(database, request, identifier, clean_note, reading, actor)
            outcome = f"listing withdrawn (dispute {reference} upheld). {clean_note}"
            details["dispute"] = reference
    elif request.kind is RequestKind.ERASURE:
        counts = _erase(database, request, identifier, actor=actor, now=now)
        outcome = domain.erasure_outcome(counts, clean_note)
        details["counts"] = counts
    else:
        outcome = clean_note or "access report sent to the person"
    with database.engine.begin() as connection:
        row = _row(connection, request_id)
        completed = domain.complete(_request(row), actor=actor, now=now, outcome=outcome)
        _save(connection, completed, expected=RequestStatus.VERIFIED)
        _event(connection, request_id, completed.status, actor, now, outcome)
        _audit(
            connection,
            completed,
            "completed",
            actor,
            subject=indicator_id_of(connection, identifier),
            details=details,
        )
    return completed


def _erase(
    database: NodeDatabase,
    request: SubjectRequest,
    identifier: Indicator,
    *,
    actor: str,
    now: datetime,
) -> dict[str, int]:
    summary = erase_value(
        database,
        identifier,
        actor=actor,
        reason=f"data-subject erasure request {request.reference}",
        request_id=str(request.id),
        now=now,
    )
    return {str(table): int(count) for table, count in summary.counts.items()}


def _delist(
    database: NodeDatabase,
    request: SubjectRequest,
    identifier: Indicator,
    note: str,
    reading: Reading,
    actor: str,
) -> str:
    """The dispute path, not a second way of delisting: open (or reuse the pending) dispute
    of the value and decide it upheld with the operator's note as the public reason."""
    with database.transaction() as store:
        dispute, _created = open_dispute(
            store,
            identifier.value,
            identifier.type,
            reading=reading,
            claim=f"data-subject correction request {request.reference}",
            contact=None,
            actor=actor,
        )
        decide_dispute(store, dispute.id, Decision.UPHELD, note, actor=actor)
    return dispute.reference


# -- the access report ---------------------------------------------------------------------------


def access_report(
    database: NodeDatabase,
    request_id: UUID,
    *,
    policy: RetentionPolicy,
    actor: str,
    now: datetime,
) -> AccessReport:
    """What the node holds about the request's value; only once the holder was verified.
    Reading it opens personal data, so it is audited."""
    with database.engine.begin() as connection:
        request = _opened(_row(connection, request_id), database.sealer)
        if request.status not in (RequestStatus.VERIFIED, RequestStatus.COMPLETED):
            raise TransitionError(
                f"request {request.reference} is {request.status.value}: the access report is "
                "given only once the person asking was verified as the value's holder"
            )
        identifier = request.identifier
        assert identifier is not None
        indicator_id = indicator_id_of(connection, identifier)
        _audit(
            connection,
            request,
            "viewed_personal_data",
            actor,
            subject=indicator_id,
            purpose="data-subject access report",
        )
        partners = tuple(
            PartnerRecordHeld(k.partner, k.verdict, k.marking.value, k.blind)
            for k in partner_knowledge(connection, database.sealer, identifier, now)
        )
        if indicator_id is None:
            report = AccessReport(
                request, identifier, now, held=bool(partners), partner_records=partners
            )
        else:
            report = AccessReport(
                request,
                identifier,
                now,
                held=True,
                listing=_listing(connection, indicator_id),
                reports=_reports(connection, indicator_id),
                disputes=_disputes(connection, indicator_id),
                outcomes=_outcomes(connection, indicator_id),
                partner_records=partners,
                disclosures=_disclosures(connection, indicator_id),
                deletions=_deletions(connection, policy, indicator_id, now),
            )
    # Reporters' contacts are sealed: counting those that give the value opens each one.
    own = len(reports_with_contact(database, identifier))
    return replace(report, own_contact_reports=own, held=report.held or bool(own))


def _listing(connection: Connection, indicator_id: int) -> ListingHeld | None:
    row = connection.execute(
        select(listings.c.verdict, listings.c.score, listings.c.under_review).where(
            listings.c.indicator_id == indicator_id
        )
    ).first()
    if row is None:
        return None
    since = None
    if row.verdict in LISTED_VERDICTS:
        since = as_utc(
            connection.scalar(
                select(func.max(listing_transitions.c.at)).where(
                    listing_transitions.c.indicator_id == indicator_id,
                    listing_transitions.c.listed.is_(True),
                )
            )
        )
    return ListingHeld(row.verdict, float(row.score), since, bool(row.under_review))


def _reports(connection: Connection, indicator_id: int) -> ReportsHeld:
    naming = report_indicators.c.indicator_id == indicator_id
    summary = connection.execute(
        select(func.count(), func.min(reports.c.seen_at), func.max(reports.c.seen_at))
        .select_from(reports.join(report_indicators, report_indicators.c.report_id == reports.c.id))
        .where(naming)
    ).one()
    types = connection.scalars(
        select(reports.c.scam_type)
        .distinct()
        .join(report_indicators, report_indicators.c.report_id == reports.c.id)
        .where(naming)
        .order_by(reports.c.scam_type)
    ).all()
    return ReportsHeld(int(summary[0]), as_utc(summary[1]), as_utc(summary[2]), tuple(types))


def _disputes(connection: Connection, indicator_id: int) -> tuple[DisputeHeld, ...]:
    rows = connection.execute(
        select(disputes)
        .where(disputes.c.indicator_id == indicator_id)
        .order_by(disputes.c.created_at)
    )
    return tuple(
        DisputeHeld(
            f"D-{row.id.hex[:10].upper()}",
            row.status,
            as_utc(row.created_at) or row.created_at,
            as_utc(row.decided_at),
            row.decision_reason,
        )
        for row in rows
    )


def _outcomes(connection: Connection, indicator_id: int) -> tuple[OutcomeHeld, ...]:
    rows = connection.execute(
        select(indicator_events.c.kind, indicator_events.c.at)
        .where(
            indicator_events.c.indicator_id == indicator_id,
            indicator_events.c.kind.in_([kind.value for kind in OUTCOMES]),
        )
        .order_by(indicator_events.c.at)
    )
    return tuple(OutcomeHeld(row.kind, as_utc(row.at) or row.at) for row in rows)


def _disclosures(connection: Connection, indicator_id: int) -> tuple[DisclosureHeld, ...]:
    return tuple(
        DisclosureHeld(entry.at, entry.actor, entry.action, entry.purpose, entry.legal_basis)
        for entry in audit_trail(connection, indicator_id)
    )


def _deletions(
    connection: Connection, policy: RetentionPolicy, indicator_id: int, now: datetime
) -> tuple[DeletionHeld, ...]:
    return tuple(
        DeletionHeld(item.what, item.count, item.deleted_on)
        for item in deletion_dates(connection, policy, indicator_id, now)
    )


# -- rows ----------------------------------------------------------------------------------------


def _identifier_data(indicator: Indicator) -> dict[str, Any]:
    return {"type": indicator.type.value, "value": indicator.value, "country": indicator.country}


def _row(connection: Connection, request_id: UUID) -> Row[Any]:
    row = connection.execute(
        select(subject_requests).where(subject_requests.c.id == request_id)
    ).first()
    if row is None:
        raise SubjectRequestNotFoundError(f"no data-subject request {request_id} on this node")
    return row


def _request(row: Row[Any]) -> SubjectRequest:
    return SubjectRequest(
        id=row.id,
        kind=RequestKind(row.kind),
        identifier_type=IndicatorType(row.identifier_type),
        status=RequestStatus(row.status),
        received_at=as_utc(row.received_at) or row.received_at,
        due_at=as_utc(row.due_at) or row.due_at,
        details=row.details,
        verified_at=as_utc(row.verified_at),
        verified_by=row.verified_by,
        closed_at=as_utc(row.closed_at),
        closed_by=row.closed_by,
        outcome=row.outcome,
    )


def _opened(row: Row[Any], sealer: PersonalDataSealer) -> SubjectRequest:
    data = sealer.unseal(row.identifier_sealed)
    identifier = Indicator(IndicatorType(data["type"]), data["value"], data.get("country"))
    contact = sealer.unseal(row.contact_sealed) if row.contact_sealed is not None else None
    return replace(_request(row), identifier=identifier, contact=contact)


def _subject_of(connection: Connection, sealer: PersonalDataSealer, row: Row[Any]) -> int | None:
    """The value's indicator id, when the node holds it: the audit entry's subject. Opening
    the identifier for this is internal, not a disclosure to anyone."""
    identifier = _opened(row, sealer).identifier
    assert identifier is not None
    return indicator_id_of(connection, identifier)


def _save(connection: Connection, request: SubjectRequest, *, expected: RequestStatus) -> None:
    """Write the new state, unless someone moved the request on since it was read."""
    result = connection.execute(
        update(subject_requests)
        .where(subject_requests.c.id == request.id, subject_requests.c.status == expected.value)
        .values(
            status=request.status.value,
            verified_at=request.verified_at,
            verified_by=request.verified_by,
            closed_at=request.closed_at,
            closed_by=request.closed_by,
            outcome=request.outcome,
        )
    )
    if not result.rowcount:
        raise TransitionError(
            f"request {request.reference} was changed by someone else just now; reload it"
        )


def _event(
    connection: Connection,
    request_id: UUID,
    status: RequestStatus,
    actor: str,
    at: datetime,
    note: str | None,
) -> None:
    connection.execute(
        subject_request_events.insert().values(
            request_id=request_id, status=status.value, at=at, actor=actor, note=note
        )
    )


def _audit(
    connection: Connection,
    request: SubjectRequest,
    verb: str,
    actor: str,
    *,
    subject: int | None,
    purpose: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    append_audit(
        connection,
        AuditEvent(
            actor=actor,
            action=f"subject_request.{verb}",
            object_type="subject_request",
            object_id=str(request.id),
            purpose=purpose,
            details=details or {},
            subjects=(subject,) if subject is not None else (),
        ),
    )


def _clean(note: str | None) -> str | None:
    return (note or "").strip() or None
