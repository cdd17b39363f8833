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
    TrailItem,
    TransitionError,
    subject_reference,
)
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.disputes import (
    AlreadyDecidedError,
    Decision,
    NothingToDisputeError,
    decide_dispute,
    open_dispute,
)
from scamintel.reports.engine import OUTCOMES
from scamintel.reports.reading import Reading
from scamintel.storage.audit_repo import audit_trail
from scamintel.storage.erasure_repo import (
    DEFAULT_NODE_COUNTRY,
    erase_value_in,
    reports_with_contact_in,
)
from scamintel.storage.evidence_repo import indicator_id_of
from scamintel.storage.node import NodeDatabase
from scamintel.storage.releases_repo import partner_knowledge
from scamintel.storage.retention_repo import deletion_dates
from scamintel.storage.sql import as_utc, chunked
from scamintel.storage.store import append_audit
from scamintel.storage.tables import (
    api_keys,
    disputes,
    indicator_events,
    listing_transitions,
    listings,
    organisations,
    report_indicators,
    reports,
    subject_request_events,
    subject_requests,
)

MAX_LIST = 500
LISTED_VERDICTS = ("scam", "suspicious")
# How an API key names itself in the audit log (access/keys.py Principal.actor).
KEY_ACTOR = "key:"


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
    purpose = domain.check_purpose(purpose)
    row = _row(connection, request_id)
    request = _opened(row, sealer)
    assert request.identifier is not None
    _audit(
        connection,
        request,
        "viewed_personal_data",
        actor,
        subject=indicator_id_of(connection, request.identifier),
        purpose=purpose,
    )
    return request


def ids_with_reference(connection: Connection, reference: str) -> list[UUID]:
    """The requests whose reference (``SR-`` and the id's first ten hex digits) is the one a
    person quotes on the phone. Requests are few, so they are compared here rather than
    through each database's own way of printing a UUID."""
    wanted = reference.strip().upper()
    ids = connection.scalars(select(subject_requests.c.id))
    return [request_id for request_id in ids if subject_reference(request_id) == wanted]


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
        # The note stays in subject_request_events (erasable with the request); the audit log
        # is kept for years and records only that there is one.
        details={"note_recorded": _clean(note) is not None},
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
        # The reason is the request's outcome and event; not free text in the audit log.
        details={"reason_recorded": True},
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
    override_ground: str | None = None,
    node_country: str = DEFAULT_NODE_COUNTRY,
) -> SubjectRequest:
    """Carry the verified request out and record its outcome, in one transaction.

    Erasure: the value is erased from everything the node holds (storage.erasure_repo), and
    its listing becomes a removal that sync carries to partners; the counts are the outcome.
    Evidence kept for fraud prevention (reports, outcomes, a live listing) is erased only with
    the operator's ``override_ground``, recorded in the outcome and the audit log.
    Correction: the operator says what was corrected; ``delist`` withdraws a wrong listing
    through the dispute decision (reports/disputes.py), as an upheld dispute would.
    Access: the access report was sent; the note may say how.
    """
    clean_note = _clean(note)
    ground = domain.override_ground(override_ground)
    with database.engine.begin() as connection:
        request = _opened(_row(connection, request_id), database.sealer)
        _check_completion(request, clean_note, delist, ground, reading)
        # Claim the request before doing anything: of two officers (or a retry) completing
        # it at once, one claims it and the other waits for that commit, then finds it taken
        # and erases nothing. The work below commits with the claim, or neither does.
        _claim(connection, request, actor=actor, now=now)
        identifier = request.identifier
        assert identifier is not None
        details: dict[str, Any] = {"kind": request.kind.value}
        erased_value = False
        if request.kind is RequestKind.CORRECTION:
            assert clean_note is not None
            outcome = clean_note
            if delist:
                assert reading is not None
                reference = _delist(database, connection, request, identifier, reading, actor)
                outcome = f"listing withdrawn (dispute {reference} upheld). {clean_note}"
                details["dispute"] = reference
        elif request.kind is RequestKind.ERASURE:
            domain.check_erasure(request, _evidence(connection, identifier), ground)
            summary = erase_value_in(
                connection,
                database.sealer,
                identifier,
                actor=actor,
                reason=f"data-subject erasure request {request.reference}",
                request_id=str(request.id),
                node_country=node_country,
                now=now,
            )
            counts = {str(table): int(count) for table, count in summary.counts.items()}
            erased_value = summary.value_deleted
            outcome = domain.erasure_outcome(counts, clean_note, ground)
            details["counts"] = counts
            if ground is not None:
                details["override_ground"] = ground
        else:
            outcome = clean_note or "access report sent to the person"
        completed = domain.complete(request, actor=actor, now=now, outcome=outcome)
        _save(connection, completed, expected=RequestStatus.COMPLETED)
        _event(connection, request_id, completed.status, actor, now, outcome)
        _audit(
            connection,
            completed,
            "completed",
            actor,
            subject=indicator_id_of(connection, identifier),
            details=details,
        )
    if erased_value:
        # The value's row went: ids this process remembers may name nothing now.
        database.forget_indicator_ids()
    return completed


def _check_completion(
    request: SubjectRequest,
    note: str | None,
    delist: bool,
    ground: str | None,
    reading: Reading | None,
) -> None:
    """Refuse what cannot be done before anything is claimed or changed."""
    domain.complete(request, actor="", now=request.received_at, outcome="")
    if request.kind is RequestKind.CORRECTION and note is None:
        raise domain.InvalidSubjectRequestError(
            "say what was corrected (--note); the outcome is recorded with the request"
        )
    if delist and request.kind is not RequestKind.CORRECTION:
        raise domain.InvalidSubjectRequestError(
            "--delist (delist) withdraws a listing when completing a correction request only"
        )
    if delist and reading is None:
        raise ValueError("delisting needs the node's reading of values")
    if ground is not None and request.kind is not RequestKind.ERASURE:
        raise domain.InvalidSubjectRequestError(
            "an override ground (--ground, override_ground) applies to erasure requests only"
        )


def _claim(connection: Connection, request: SubjectRequest, *, actor: str, now: datetime) -> None:
    """Move the verified request to completed, or fail if someone else moved it first (a
    compare-and-set: the row lock makes a concurrent claim wait for this transaction)."""
    result = connection.execute(
        update(subject_requests)
        .where(
            subject_requests.c.id == request.id,
            subject_requests.c.status == RequestStatus.VERIFIED.value,
        )
        .values(status=RequestStatus.COMPLETED.value, closed_at=now, closed_by=actor)
    )
    if not result.rowcount:
        raise TransitionError(
            f"request {request.reference} was completed or refused by someone else just now; "
            "reload it"
        )


def _evidence(connection: Connection, identifier: Indicator) -> domain.EvidenceHeld:
    """What makes the value evidence of fraud on this node (see domain.check_erasure)."""
    indicator_id = indicator_id_of(connection, identifier)
    if indicator_id is None:
        return domain.EvidenceHeld()
    return domain.EvidenceHeld(
        reports=int(
            connection.scalar(
                select(func.count())
                .select_from(report_indicators)
                .where(report_indicators.c.indicator_id == indicator_id)
            )
            or 0
        ),
        outcomes=len(_outcomes(connection, indicator_id)),
        listing=connection.scalar(
            select(listings.c.verdict).where(
                listings.c.indicator_id == indicator_id,
                listings.c.verdict.in_(LISTED_VERDICTS),
            )
        ),
    )


def _delist(
    database: NodeDatabase,
    connection: Connection,
    request: SubjectRequest,
    identifier: Indicator,
    reading: Reading,
    actor: str,
) -> str:
    """The dispute path, not a second way of delisting: open (or reuse the pending) dispute
    of the value and decide it upheld, on the caller's connection. The decision's reason is
    public, so it is a fixed sentence, never the operator's note."""
    # A store over the caller's connection: the dispute commits with the request's completion.
    store = database.reader(connection)
    try:
        dispute, _created = open_dispute(
            store,
            identifier.value,
            identifier.type,
            reading=reading,
            claim=f"data-subject correction request {request.reference}",
            contact=None,
            actor=actor,
        )
        decide_dispute(
            store, dispute.id, Decision.UPHELD, domain.PUBLIC_CORRECTION_REASON, actor=actor
        )
    except NothingToDisputeError as error:
        raise domain.NothingToDelistError(
            f"request {request.reference}: there is no listing to withdraw ({error}); "
            "complete the correction without --delist (delist), saying what was corrected"
        ) from error
    except AlreadyDecidedError as error:
        raise TransitionError(str(error)) from error
    return dispute.reference


# -- the access report ---------------------------------------------------------------------------


def access_report(
    database: NodeDatabase,
    request_id: UUID,
    *,
    policy: RetentionPolicy,
    actor: str,
    now: datetime,
    node_country: str = DEFAULT_NODE_COUNTRY,
) -> AccessReport:
    """What the node holds about the request's value, as the person may read it; only once
    the holder was verified. Reading it opens personal data, so it is audited."""
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
                disclosures=_disclosures(connection, indicator_id, request.id),
                deletions=_deletions(connection, policy, indicator_id, now),
            )
        # Reporters' contacts are sealed: counting those that give the value opens each one.
        own = len(reports_with_contact_in(connection, database.sealer, identifier, node_country))
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


def _disclosures(
    connection: Connection, indicator_id: int, request_id: UUID
) -> tuple[DisclosureHeld, ...]:
    """The value's audit trail as the person reads it (domain.disclosure_for_person): the
    recipient by category, law-enforcement entries and other people's requests left out."""
    trail = audit_trail(connection, indicator_id)
    keys = _key_holders(connection, {e.actor for e in trail if e.actor.startswith(KEY_ACTOR)})
    shown = (
        domain.disclosure_for_person(
            TrailItem(
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                legal_basis=entry.legal_basis,
                **keys.get(entry.actor, {}),
            ),
            request_id,
        )
        for entry in trail
    )
    return tuple(item for item in shown if item is not None)


def _key_holders(connection: Connection, actors: set[str]) -> dict[str, dict[str, Any]]:
    """Role, organisation and country of the API keys that acted, by actor ("key:ID")."""
    found: dict[str, dict[str, Any]] = {}
    key_ids = sorted(actor.removeprefix(KEY_ACTOR) for actor in actors)
    for chunk in chunked(key_ids):
        rows = connection.execute(
            select(
                api_keys.c.key_id, api_keys.c.role, organisations.c.name, organisations.c.country
            )
            .join(organisations, organisations.c.id == api_keys.c.organisation_id)
            .where(api_keys.c.key_id.in_(chunk))
        )
        for row in rows:
            found[KEY_ACTOR + row.key_id] = {
                "role": row.role,
                "organisation": row.name,
                "country": row.country,
            }
    return found


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
