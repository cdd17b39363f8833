"""Cross-border requests on the storage side (cases.requests): both directions in one table,
every status step in ``cross_border_request_events``, each step audited in the same
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, and_, select, update

from scamintel.cases.requests import (
    TERMINAL,
    CrossBorderRequest,
    Direction,
    Outcome,
    RequestEvent,
    RequestKind,
    RequestStatus,
)
from scamintel.federation.agreement import Agreement
from scamintel.federation.markings import Purpose
from scamintel.governance.audit import AuditEvent
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import IndicatorType, InvalidIndicatorError
from scamintel.reports.disputes import OfficialValueError, record_outcome
from scamintel.reports.engine import EventKind
from scamintel.reports.reading import Reading, read_value
from scamintel.storage.partner_repo import find_agreement
from scamintel.storage.releases_repo import SqlReleases
from scamintel.storage.sql import as_utc, chunked, insert_ignoring_conflicts
from scamintel.storage.store import SqlStore, append_audit
from scamintel.storage.tables import cases, cross_border_request_events, cross_border_requests

LAST_ERROR_LIMIT = 2_000
MAX_LISTED = 1_000
OBJECT_TYPE = "cross_border_request"

_table = cross_border_requests
_events = cross_border_request_events


@dataclass(frozen=True, slots=True)
class RequestFilter:
    direction: Direction | None = None
    status: RequestStatus | None = None
    overdue: bool | None = None
    partner: str | None = None
    case_id: int | None = None
    limit: int = 200


class SqlRequests:
    """``cases.requests.RequestStore`` on one connection (a transaction for writes).

    ``reading`` reads values the way the check does; it is needed only to record outcomes."""

    def __init__(
        self,
        connection: Connection,
        sealer: PersonalDataSealer,
        reading: Reading | None = None,
    ) -> None:
        self.connection = connection
        self.sealer = sealer
        self.reading = reading

    # -- RequestStore ----------------------------------------------------------------------------
    def case_status(self, case_id: int) -> str | None:
        status = self.connection.scalar(select(cases.c.status).where(cases.c.id == case_id))
        return str(status) if status is not None else None

    def agreement_with(self, partner: str) -> Agreement | None:
        return find_agreement(self.connection, partner, self.sealer)

    def add(self, request: CrossBorderRequest) -> CrossBorderRequest:
        row_id = self.connection.execute(
            _table.insert().values(**_row(request)).returning(_table.c.id)
        ).scalar_one()
        self._add_events(row_id, request)
        return request

    def add_once(self, request: CrossBorderRequest) -> tuple[CrossBorderRequest, bool]:
        # Two deliveries of one request can cross (`request deliver` and the background sync):
        # the second inserts nothing, waits for the first to commit, and reads its row.
        row_id = self.connection.execute(
            insert_ignoring_conflicts(self.connection, _table)
            .values(**_row(request))
            .returning(_table.c.id)
        ).scalar_one_or_none()
        if row_id is None:
            held = self.get(request.request_id, request.direction)
            assert held is not None  # the conflicting row is committed by now
            return held, False
        self._add_events(row_id, request)
        return request, True

    def _add_events(self, row_id: int, request: CrossBorderRequest) -> None:
        for event in request.events:
            self._insert_event(row_id, event)
            append_audit(self.connection, _audit(request, event))

    def get(
        self, request_id: UUID, direction: Direction | None = None, *, for_update: bool = False
    ) -> CrossBorderRequest | None:
        statement = select(_table).where(_table.c.request_id == request_id)
        if direction is not None:
            statement = statement.where(_table.c.direction == direction.value)
        # This node's own outgoing copy first, should it have sent a request to itself.
        statement = statement.order_by(_table.c.direction.desc()).limit(1)
        if for_update:
            statement = statement.with_for_update()
        row = self.connection.execute(statement).one_or_none()
        if row is None:
            return None
        return _with_events(self.connection, [row])[0]

    def save_step(self, request: CrossBorderRequest, event: RequestEvent) -> None:
        row_id = self._row_id(request)
        values: dict[str, Any] = {"status": event.status.value, "updated_at": _utc(event.at)}
        if event.reason is not None:
            values["status_reason"] = event.reason
        if event.outcome is not None:
            values["outcome"] = event.outcome.value
        self.connection.execute(update(_table).where(_table.c.id == row_id).values(**values))
        self._insert_event(row_id, event)
        append_audit(self.connection, _audit(request, event))

    def record_outcome(self, request: CrossBorderRequest, outcome: Outcome, actor: str) -> bool:
        """On this node's own indicator, when it holds the value (a report names it): the
        partner's action then weighs in this node's verdict. A value this node never saw is not
        created for it."""
        if self.reading is None:
            return False
        raw = request.value if request.value is not None else self._resolved(request)
        if raw is None:
            return False
        try:
            indicator = read_value(raw, request.indicator_type, self.reading)
        except InvalidIndicatorError:
            return False
        store = SqlStore(self.connection, self.sealer, {})
        if store.evidence(indicator) is None:
            return False
        try:
            record_outcome(
                store,
                indicator.value,
                indicator.type,
                EventKind(outcome.value),
                reading=self.reading,
                note=f"cross-border request {request.request_id} ({request.kind.value})",
                actor=actor,
                organisation_id=None,
            )
        except OfficialValueError:
            return False
        return True

    # -- delivery -------------------------------------------------------------------------------
    def record_attempt(
        self,
        request: CrossBorderRequest,
        *,
        at: datetime,
        error: str | None,
        delivered: bool,
        actor: str,
        refused: bool = False,
        lost: bool = False,
    ) -> None:
        """One try at reaching the partner: its time and error. The first success is audited,
        and so is a refusal (4xx). ``lost``: the partner no longer holds a request it had, so
        it counts as not delivered until it is sent again."""
        values: dict[str, Any] = {
            "last_attempt_at": _utc(at),
            "last_error": error[:LAST_ERROR_LIMIT] if error else None,
            "refused_at": _utc(at) if refused else None,
        }
        if lost:
            values["delivered_at"] = None
        first_delivery = delivered and (request.delivered_at is None or lost)
        if first_delivery:
            values["delivered_at"] = _utc(at)
        self.connection.execute(
            update(_table).where(_table.c.id == self._row_id(request)).values(**values)
        )
        if first_delivery or refused:
            action = "delivered" if first_delivery else "refused"
            details = _details(request) | ({"error": error} if refused else {})
            append_audit(
                self.connection,
                AuditEvent(
                    actor=actor,
                    action=f"{OBJECT_TYPE}.{action}",
                    object_type=OBJECT_TYPE,
                    object_id=str(request.request_id),
                    purpose=request.purpose.value,
                    details=details,
                ),
            )

    def record_view(self, requests: Sequence[CrossBorderRequest], actor: str, **asked: Any) -> None:
        """Who read which requests: one entry for one request shown, one for a list."""
        if len(requests) == 1 and not asked:
            request = requests[0]
            event = AuditEvent(
                actor=actor,
                action=f"{OBJECT_TYPE}.viewed",
                object_type=OBJECT_TYPE,
                object_id=str(request.request_id),
                purpose=request.purpose.value,
                details=_details(request),
            )
        else:
            # About many requests, so it names none as its object (like case.listed).
            filters = {name: value for name, value in asked.items() if value is not None}
            event = AuditEvent(
                actor=actor,
                action=f"{OBJECT_TYPE}.listed",
                object_type=OBJECT_TYPE,
                object_id=None,
                details={"filters": filters, "requests": [str(r.request_id) for r in requests]},
            )
        append_audit(self.connection, event)

    def awaiting_partner(
        self, peer: str | None = None, *, only: UUID | None = None, with_refused: bool = False
    ) -> list[CrossBorderRequest]:
        """Outgoing requests not final yet: to deliver, or whose status to read. Those the
        partner refused only ``with_refused`` (an explicit `request deliver`)."""
        statement = (
            select(_table)
            .where(_table.c.direction == Direction.OUTGOING.value)
            .where(_table.c.status.not_in([s.value for s in TERMINAL]))
            .order_by(_table.c.partner, _table.c.created_at, _table.c.id)
        )
        if peer is not None:
            statement = statement.where(_table.c.partner == peer)
        if only is not None:
            statement = statement.where(_table.c.request_id == only)
        if not with_refused:
            statement = statement.where(_table.c.refused_at.is_(None))
        return _with_events(self.connection, self.connection.execute(statement).all())

    # -- reads ----------------------------------------------------------------------------------
    def listed(self, wanted: RequestFilter, now: datetime) -> list[CrossBorderRequest]:
        statement = select(_table).order_by(_table.c.created_at.desc(), _table.c.id.desc())
        conditions = []
        if wanted.direction is not None:
            conditions.append(_table.c.direction == wanted.direction.value)
        if wanted.status is not None:
            conditions.append(_table.c.status == wanted.status.value)
        if wanted.partner is not None:
            conditions.append(_table.c.partner == wanted.partner)
        if wanted.case_id is not None:
            conditions.append(_table.c.case_id == wanted.case_id)
        if wanted.overdue is not None:
            late = and_(_table.c.status.not_in([s.value for s in TERMINAL]), _table.c.due_at < now)
            conditions.append(late if wanted.overdue else ~late)
        if conditions:
            statement = statement.where(*conditions)
        rows = self.connection.execute(statement.limit(min(wanted.limit, MAX_LISTED))).all()
        return [_request(row, ()) for row in rows]

    # -- helpers --------------------------------------------------------------------------------
    def _row_id(self, request: CrossBorderRequest) -> int:
        return int(
            self.connection.execute(
                select(_table.c.id).where(
                    _table.c.request_id == request.request_id,
                    _table.c.direction == request.direction.value,
                )
            ).scalar_one()
        )

    def _insert_event(self, row_id: int, event: RequestEvent) -> None:
        self.connection.execute(
            _events.insert().values(
                request_row_id=row_id,
                status=event.status.value,
                at=_utc(event.at),
                actor=event.actor,
                reason=event.reason,
                outcome=event.outcome.value if event.outcome else None,
            )
        )

    def _resolved(self, request: CrossBorderRequest) -> str | None:
        """The value behind an incoming request's selector, when this node shared it blind."""
        if request.direction is not Direction.INCOMING or request.selector is None:
            return None
        agreement = find_agreement(self.connection, request.partner, self.sealer)
        if agreement is None:
            return None
        releases = SqlReleases(self.connection, self.sealer)
        found = releases.resolve(agreement, request.indicator_type, [request.selector])
        indicator = found.get(request.selector)
        return indicator.value if indicator is not None else None


def requests_of_case(connection: Connection, case_id: int) -> list[CrossBorderRequest]:
    """The requests sent from a case, newest first, with their steps (a case's view)."""
    rows = connection.execute(
        select(_table)
        .where(_table.c.case_id == case_id)
        .order_by(_table.c.created_at.desc(), _table.c.id.desc())
    ).all()
    return _with_events(connection, rows)


def _with_events(connection: Connection, rows: Sequence[Row[Any]]) -> list[CrossBorderRequest]:
    """The requests of ``rows`` with their steps, read in a few queries whatever their number."""
    by_row: dict[int, list[RequestEvent]] = {row.id: [] for row in rows}
    for ids in chunked(list(by_row)):
        events = connection.execute(
            select(_events).where(_events.c.request_row_id.in_(ids)).order_by(_events.c.id)
        ).all()
        for event in events:
            by_row[event.request_row_id].append(_event(event))
    return [_request(row, tuple(by_row[row.id])) for row in rows]


# -- rows -----------------------------------------------------------------------------------------
def _row(request: CrossBorderRequest) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "direction": request.direction.value,
        "partner": request.partner,
        "case_id": request.case_id,
        "kind": request.kind.value,
        "indicator_type": request.indicator_type.value,
        "indicator_value": request.value,
        "blind_selector": request.selector,
        "purpose": request.purpose.value,
        "reason": request.reason,
        "status": request.status.value,
        "status_reason": request.status_reason,
        "outcome": request.outcome.value if request.outcome else None,
        "created_by": request.created_by,
        "created_at": _utc(request.created_at),
        "updated_at": _utc(request.updated_at),
        "due_at": _utc(request.due_at),
        "delivered_at": as_utc(request.delivered_at),
        "last_attempt_at": as_utc(request.last_attempt_at),
        "last_error": request.last_error,
        "refused_at": as_utc(request.refused_at),
    }


def _utc(moment: datetime | None) -> datetime:
    converted = as_utc(moment)
    assert converted is not None
    return converted


def _request(row: Row[Any], events: Sequence[RequestEvent]) -> CrossBorderRequest:
    return CrossBorderRequest(
        request_id=row.request_id,
        direction=Direction(row.direction),
        partner=row.partner,
        kind=RequestKind(row.kind),
        indicator_type=IndicatorType(row.indicator_type),
        value=row.indicator_value,
        selector=row.blind_selector,
        purpose=Purpose(row.purpose),
        reason=row.reason,
        status=RequestStatus(row.status),
        created_by=row.created_by,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        due_at=_utc(row.due_at),
        case_id=row.case_id,
        status_reason=row.status_reason,
        outcome=Outcome(row.outcome) if row.outcome else None,
        delivered_at=as_utc(row.delivered_at),
        last_attempt_at=as_utc(row.last_attempt_at),
        last_error=row.last_error,
        refused_at=as_utc(row.refused_at),
        events=tuple(events),
    )


def _event(row: Row[Any]) -> RequestEvent:
    return RequestEvent(
        status=RequestStatus(row.status),
        at=_utc(row.at),
        actor=row.actor,
        reason=row.reason,
        outcome=Outcome(row.outcome) if row.outcome else None,
    )


def _details(request: CrossBorderRequest) -> dict[str, Any]:
    """What every audit entry of a request says, without the value itself (the request row
    holds it, under access control); ``case_id`` lets a case's trail include its requests."""
    details: dict[str, Any] = {
        "direction": request.direction.value,
        "partner": request.partner,
        "kind": request.kind.value,
        "type": request.indicator_type.value,
    }
    if request.case_id is not None:
        details["case_id"] = request.case_id
    return details


def _audit(request: CrossBorderRequest, event: RequestEvent) -> AuditEvent:
    """The step, with its reason and outcome."""
    details = _details(request)
    if event.reason is not None:
        details["reason"] = event.reason
    if event.outcome is not None:
        details["outcome"] = event.outcome.value
    return AuditEvent(
        actor=event.actor,
        action=f"{OBJECT_TYPE}.{event.status.value}",
        object_type=OBJECT_TYPE,
        object_id=str(request.request_id),
        purpose=request.purpose.value,
        details=details,
    )
