"""Cross-border requests (docs/cross-border-requests.md): an investigator asks a partner node to
act on a value (identify its subscriber, freeze it, suspend it, take it down, preserve data,
share the raw value behind a blind selector), and both nodes follow the answer.

States, with the only steps allowed::

    sent --(the partner stored it)--> received
    received --> accepted | rejected
    accepted --> in_progress | rejected
    in_progress --> fulfilled | rejected

``rejected`` and ``fulfilled`` are final. A rejection needs a reason; fulfilling may carry an
outcome that fits the kind (``frozen`` for freeze_account, ``blocked`` for suspend_number,
``taken_down`` for take_down_domain, ``false_positive`` for any: the value was innocent). The
requesting node holds its copy as ``outgoing``, the partner as ``incoming``; every status occurs
at most once in a request's life, which is what lets the requester copy the partner's steps
without counting any twice.

Every kind has an SLA in hours (``DEFAULT_SLA_HOURS``, overridden per kind by
``SCAMINTEL_REQUEST_SLA_HOURS``, at most ``MAX_SLA_HOURS``): ``due_at = created_at + SLA``, set
by the requester and carried to the partner, so both flag the same request overdue at the same
moment. The partner checks the carried times (``check_clock``) and holds them in UTC.

The requester enforces its sharing agreement with the peer before anything leaves
(``outgoing_terms``): the purpose and the type must be in it, and a value of a type the agreement
shares only blind travels as its blind selector (the raw value stays on the requesting node).

Pure domain: storage is behind :class:`RequestStore` (``storage.requests_repo``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from scamintel.federation.agreement import Agreement, blind_selector
from scamintel.federation.markings import Purpose
from scamintel.indicators import Indicator, IndicatorType

SELECTOR = re.compile(r"[0-9a-f]{64}")
MIN_REASON_CHARS = 3
# The longest SLA a node may set, and so the latest due time a partner's request may carry:
# 30 days. Longer is a typo or a clock gone wrong, not a deadline anyone follows.
MAX_SLA_HOURS = 720.0
# How far ahead of this node's clock a partner's created_at may be (clocks drift a little).
CLOCK_SKEW = timedelta(minutes=10)


class RequestKind(StrEnum):
    IDENTIFY_SUBSCRIBER = "identify_subscriber"
    FREEZE_ACCOUNT = "freeze_account"
    SUSPEND_NUMBER = "suspend_number"
    TAKE_DOWN_DOMAIN = "take_down_domain"
    PRESERVE_DATA = "preserve_data"
    SHARE_RAW_VALUE = "share_raw_value"


class RequestStatus(StrEnum):
    SENT = "sent"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"


class Direction(StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"


class Delivery(StrEnum):
    """Where an outgoing request stands with the partner's node, apart from its status."""

    PENDING = "pending"  # not stored by the partner yet: retried at every sync
    DELIVERED = "delivered"  # the partner holds it
    REFUSED = "refused"  # the partner answered 4xx: retried only by `request deliver`


class Outcome(StrEnum):
    """What the partner did; the same names as the verdict engine's outcomes."""

    FROZEN = "frozen"
    BLOCKED = "blocked"
    TAKEN_DOWN = "taken_down"
    FALSE_POSITIVE = "false_positive"


_ALL_TYPES = frozenset(IndicatorType)

# The indicator types each kind can be about.
ACCEPTED_TYPES: Mapping[RequestKind, frozenset[IndicatorType]] = {
    RequestKind.IDENTIFY_SUBSCRIBER: frozenset(
        {
            IndicatorType.PHONE,
            IndicatorType.HANDLE,
            IndicatorType.EMAIL,
            IndicatorType.IP,
            IndicatorType.IMEI,
            IndicatorType.EWALLET,
        }
    ),
    RequestKind.FREEZE_ACCOUNT: frozenset(
        {IndicatorType.BANK_ACCOUNT, IndicatorType.EWALLET, IndicatorType.CRYPTO_WALLET}
    ),
    RequestKind.SUSPEND_NUMBER: frozenset({IndicatorType.PHONE}),
    RequestKind.TAKE_DOWN_DOMAIN: frozenset({IndicatorType.DOMAIN, IndicatorType.URL}),
    RequestKind.PRESERVE_DATA: _ALL_TYPES,
    # The partner shared the value as a blind selector; any type it shares blind.
    RequestKind.SHARE_RAW_VALUE: _ALL_TYPES,
}

# The outcome a fulfilled request of each kind may report, besides false_positive.
KIND_OUTCOME: Mapping[RequestKind, Outcome] = {
    RequestKind.FREEZE_ACCOUNT: Outcome.FROZEN,
    RequestKind.SUSPEND_NUMBER: Outcome.BLOCKED,
    RequestKind.TAKE_DOWN_DOMAIN: Outcome.TAKEN_DOWN,
}

DEFAULT_SLA_HOURS: Mapping[RequestKind, float] = {
    RequestKind.PRESERVE_DATA: 24.0,
    RequestKind.FREEZE_ACCOUNT: 24.0,
    RequestKind.SUSPEND_NUMBER: 48.0,
    RequestKind.TAKE_DOWN_DOMAIN: 72.0,
    RequestKind.IDENTIFY_SUBSCRIBER: 168.0,
    RequestKind.SHARE_RAW_VALUE: 72.0,
}

TRANSITIONS: Mapping[RequestStatus, tuple[RequestStatus, ...]] = {
    RequestStatus.SENT: (RequestStatus.RECEIVED,),
    RequestStatus.RECEIVED: (RequestStatus.ACCEPTED, RequestStatus.REJECTED),
    RequestStatus.ACCEPTED: (RequestStatus.IN_PROGRESS, RequestStatus.REJECTED),
    RequestStatus.IN_PROGRESS: (RequestStatus.FULFILLED, RequestStatus.REJECTED),
    RequestStatus.REJECTED: (),
    RequestStatus.FULFILLED: (),
}
TERMINAL = frozenset({RequestStatus.REJECTED, RequestStatus.FULFILLED})
# The command (``scamintel request NAME``, ``POST /api/v1/requests/{id}/NAME``) that takes a
# request to each status a person can set.
STEP_COMMANDS: Mapping[RequestStatus, str] = {
    RequestStatus.ACCEPTED: "accept",
    RequestStatus.IN_PROGRESS: "start",
    RequestStatus.FULFILLED: "fulfil",
    RequestStatus.REJECTED: "reject",
}


def _next_words(allowed: tuple[RequestStatus, ...]) -> str:
    """'it can go to accepted or rejected (next: accept or reject)', or that it is final."""
    if not allowed:
        return "it is final: no step follows"
    statuses = " or ".join(status.value for status in allowed)
    commands = " or ".join(STEP_COMMANDS.get(status, status.value) for status in allowed)
    return f"it can go to {statuses} (next: {commands})"


class RequestInvalidError(ValueError):
    """A request or a step that cannot be taken as given; the message says what to fix."""


class TransitionError(ValueError):
    """A step that does not follow from the request's status; the message names the allowed."""


class StepNotAllowedError(TransitionError):
    """A step that does not follow from the status: the message names the statuses and the
    commands that do follow (``allowed``), which the CLI and the API word for their users."""

    def __init__(
        self, request_id: UUID, status: RequestStatus, allowed: tuple[RequestStatus, ...]
    ) -> None:
        self.request_id = request_id
        self.status = status
        self.allowed = allowed
        super().__init__(f"request {request_id} is {status.value}; {_next_words(allowed)}")

    @property
    def commands(self) -> tuple[str, ...]:
        """The commands (CLI ``scamintel request X``, API ``POST .../X``) that follow."""
        return tuple(STEP_COMMANDS.get(status, status.value) for status in self.allowed)


class RequestNotFoundError(LookupError):
    pass


class RequestRefusedError(PermissionError):
    """The partner may not send this request (no agreement, or outside its terms)."""


class SlaSettingsError(ValueError):
    """``SCAMINTEL_REQUEST_SLA_HOURS`` names an unknown kind or a number out of bounds."""


class AgreementTermsError(RequestInvalidError):
    """This node's agreement with the peer does not allow the request; says what it allows."""


class CaseClosedError(TransitionError):
    """A request cannot be sent from a closed case."""


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One status step: who took it, when, why, and the outcome of a fulfilment."""

    status: RequestStatus
    at: datetime
    actor: str
    reason: str | None = None
    outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class CrossBorderRequest:
    request_id: UUID
    direction: Direction
    partner: str  # outgoing: the peer's name; incoming: the requesting organisation
    kind: RequestKind
    indicator_type: IndicatorType
    value: str | None
    selector: str | None
    purpose: Purpose
    reason: str
    status: RequestStatus
    created_by: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    case_id: int | None = None
    status_reason: str | None = None
    outcome: Outcome | None = None
    delivered_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    # When the partner refused it (4xx); ``last_error`` then holds the partner's words.
    refused_at: datetime | None = None
    events: tuple[RequestEvent, ...] = field(default=())

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def overdue(self, now: datetime) -> bool:
        """Still open after its due time: flagged on both nodes."""
        return not self.terminal and now > self.due_at

    @property
    def delivery(self) -> Delivery | None:
        """For an outgoing request: pending, delivered or refused (None for an incoming one)."""
        if self.direction is Direction.INCOMING:
            return None
        if self.refused_at is not None:
            return Delivery.REFUSED
        return Delivery.DELIVERED if self.delivered_at is not None else Delivery.PENDING

    @property
    def refused_because(self) -> str | None:
        """The partner's words when it refused the request."""
        if self.delivery is not Delivery.REFUSED or self.last_error is None:
            return None
        return self.last_error

    @property
    def subject(self) -> str:
        """The value, or the selector that stands for it, for people to read."""
        return self.value if self.value is not None else f"selector {self.selector}"


# -- SLA ------------------------------------------------------------------------------------------
def sla_hours(overrides: Mapping[str, float]) -> dict[RequestKind, float]:
    """The defaults with the node's overrides; an unknown kind or a non-positive number is an
    error naming what to fix (settings are read at start-up and at each use)."""
    table = dict(DEFAULT_SLA_HOURS)
    known = ", ".join(kind.value for kind in RequestKind)
    for name, hours in overrides.items():
        try:
            kind = RequestKind(name)
        except ValueError:
            raise SlaSettingsError(
                f"SCAMINTEL_REQUEST_SLA_HOURS names {name!r}, which is not a request kind; "
                f"use one of: {known}"
            ) from None
        if not 0 < hours <= MAX_SLA_HOURS:
            raise SlaSettingsError(
                f"SCAMINTEL_REQUEST_SLA_HOURS gives {name} {hours} hours; it must be more than 0 "
                f"and at most {MAX_SLA_HOURS:g}"
            )
        table[kind] = float(hours)
    return table


def due_at(kind: RequestKind, created_at: datetime, table: Mapping[RequestKind, float]) -> datetime:
    return created_at + timedelta(hours=table[kind])


def check_clock(created_at: datetime, due: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The partner's created_at and due_at in UTC, once they make sense: created no later than
    now (give or take ``CLOCK_SKEW``), due after it and within the longest SLA."""
    if created_at.tzinfo is None or due.tzinfo is None:
        raise RequestInvalidError("created_at and due_at need a time zone (an ISO 8601 offset)")
    created_at, due = created_at.astimezone(UTC), due.astimezone(UTC)
    if created_at > now + CLOCK_SKEW:
        raise RequestInvalidError(
            f"created_at {created_at.isoformat()} is in the future; check the sending node's clock"
        )
    if not created_at < due <= created_at + timedelta(hours=MAX_SLA_HOURS):
        raise RequestInvalidError(
            f"due_at must be after created_at and at most {MAX_SLA_HOURS:g} hours after it"
        )
    return created_at, due


# -- validation -----------------------------------------------------------------------------------
def check_subject(
    kind: RequestKind, indicator_type: IndicatorType, value: str | None, selector: str | None
) -> None:
    """A request names exactly one value or one blind selector, of a type its kind takes."""
    accepted = ACCEPTED_TYPES[kind]
    if indicator_type not in accepted:
        names = ", ".join(sorted(t.value for t in accepted))
        raise RequestInvalidError(
            f"a {kind.value} request cannot be about a {indicator_type.value}; it takes: {names}"
        )
    if value is None and selector is None:
        raise RequestInvalidError(
            "neither a value nor a blind selector was given: give the one the request is about"
        )
    if value is not None and selector is not None:
        raise RequestInvalidError("give either the value or the blind selector, not both")
    if kind is RequestKind.SHARE_RAW_VALUE and selector is None:
        raise RequestInvalidError(
            "share_raw_value asks for the value behind a blind selector the partner shared: "
            "give --selector (64 hex), not the value"
        )
    if selector is not None and not SELECTOR.fullmatch(selector):
        raise RequestInvalidError("the selector must be 64 lower-case hex digits (HMAC-SHA256)")


def refusal(agreement: Agreement | None, partner: str, asked: NewRequest) -> str | None:
    """Why ``partner`` may not send this request to this node, or None: an agreement must be in
    force with it, listing the purpose and the type (shared blind, for share_raw_value)."""
    if agreement is None:
        return f"{partner} has no sharing agreement with this node"
    if asked.purpose not in agreement.purposes:
        allowed = ", ".join(sorted(p.value for p in agreement.purposes))
        return f"purpose {asked.purpose.value} is not in the agreement with {partner} ({allowed})"
    if asked.indicator_type not in agreement.types:
        return f"type {asked.indicator_type.value} is not in the agreement with {partner}"
    if asked.kind is RequestKind.SHARE_RAW_VALUE and not agreement.is_blind(asked.indicator_type):
        return (
            f"the agreement with {partner} does not share {asked.indicator_type.value} values "
            "blind, so there is no selector to ask about"
        )
    if asked.value is not None and agreement.is_blind(asked.indicator_type):
        return (
            f"the agreement with {partner} shares {asked.indicator_type.value} values only "
            "blind: send the blind selector, not the value"
        )
    return None


def outgoing_terms(agreement: Agreement | None, peer: str, asked: NewRequest) -> NewRequest:
    """The request as this node's agreement with ``peer`` lets it leave (DESIGN §4: the
    exporter enforces the agreement). A value of a type shared only blind gets its selector,
    which is all that travels; anything else the agreement does not allow is refused, saying
    what it allows."""
    if agreement is None:
        raise AgreementTermsError(
            f"this node has no sharing agreement with {peer}; nothing is sent to a peer without "
            "one (`scamintel agreement apply`)"
        )
    if asked.purpose not in agreement.purposes:
        allowed = ", ".join(sorted(p.value for p in agreement.purposes))
        raise AgreementTermsError(
            f"purpose {asked.purpose.value} is not in the agreement with {peer}; it allows: "
            f"{allowed}"
        )
    if asked.indicator_type not in agreement.types:
        allowed = ", ".join(sorted(t.value for t in agreement.types))
        raise AgreementTermsError(
            f"type {asked.indicator_type.value} is not in the agreement with {peer}; it allows: "
            f"{allowed}"
        )
    blind = agreement.is_blind(asked.indicator_type)
    if asked.kind is RequestKind.SHARE_RAW_VALUE and not blind:
        names = ", ".join(sorted(t.value for t in agreement.blind)) or "none"
        raise AgreementTermsError(
            f"the agreement with {peer} does not share {asked.indicator_type.value} values "
            f"blind, so there is no selector to ask about (blind types: {names})"
        )
    if blind and asked.value is not None and asked.selector is None:
        key = agreement.blind_key.get_secret_value() if agreement.blind_key else ""
        selector = blind_selector(key, Indicator(asked.indicator_type, asked.value))
        return replace(asked, selector=selector)
    return asked


def allowed_steps(status: RequestStatus) -> tuple[RequestStatus, ...]:
    return TRANSITIONS[status]


def check_step(
    request: CrossBorderRequest,
    target: RequestStatus,
    reason: str | None,
    outcome: Outcome | None,
) -> None:
    """Raises TransitionError when ``target`` does not follow, RequestInvalidError when the
    reason or the outcome does not fit."""
    allowed = allowed_steps(request.status)
    if target not in allowed:
        raise StepNotAllowedError(request.request_id, request.status, allowed)
    if target is RequestStatus.REJECTED and (reason is None or len(reason) < MIN_REASON_CHARS):
        raise RequestInvalidError(
            "a rejection needs a reason the requester can act on "
            f"(at least {MIN_REASON_CHARS} characters)"
        )
    if outcome is not None:
        if target is not RequestStatus.FULFILLED:
            raise RequestInvalidError("an outcome is given only when fulfilling a request")
        fitting = outcomes_of(request.kind)
        if outcome not in fitting:
            names = ", ".join(o.value for o in fitting)
            raise RequestInvalidError(
                f"a {request.kind.value} request can be fulfilled with outcome: {names}"
            )


def outcomes_of(kind: RequestKind) -> tuple[Outcome, ...]:
    own = KIND_OUTCOME.get(kind)
    return (own, Outcome.FALSE_POSITIVE) if own is not None else (Outcome.FALSE_POSITIVE,)


def step(request: CrossBorderRequest, event: RequestEvent) -> CrossBorderRequest:
    """The request after ``event`` (already checked)."""
    return replace(
        request,
        status=event.status,
        status_reason=event.reason if event.reason is not None else request.status_reason,
        outcome=event.outcome if event.outcome is not None else request.outcome,
        updated_at=event.at,
        events=(*request.events, event),
    )


def new_remote_steps(
    request: CrossBorderRequest, remote: Sequence[RequestEvent]
) -> list[RequestEvent]:
    """The partner's steps this node does not hold yet, in order, each one allowed from the
    status before it (a step that does not follow is a partner's bug and stops the copy)."""
    held = {event.status for event in request.events}
    fresh: list[RequestEvent] = []
    status = request.status
    for event in sorted(remote, key=lambda e: (e.at, _ORDER[e.status])):
        if event.status in held:
            continue
        if event.status not in TRANSITIONS[status]:
            break
        fresh.append(event)
        status = event.status
    return fresh


_ORDER = {status: position for position, status in enumerate(RequestStatus)}


CASE_CLOSED = "closed"


class RequestStore(Protocol):
    """What the request flow needs from storage (``storage.requests_repo.SqlRequests``)."""

    def case_status(self, case_id: int) -> str | None:
        """The case's status, or None when there is no such case."""
        ...

    def agreement_with(self, partner: str) -> Agreement | None: ...

    def add(self, request: CrossBorderRequest) -> CrossBorderRequest: ...

    def add_once(self, request: CrossBorderRequest) -> tuple[CrossBorderRequest, bool]:
        """Store the request unless one with its id and direction is there (a concurrent
        delivery); the stored one, and whether it is this one."""
        ...

    def get(
        self, request_id: UUID, direction: Direction | None = None, *, for_update: bool = False
    ) -> CrossBorderRequest | None: ...

    def save_step(self, request: CrossBorderRequest, event: RequestEvent) -> None: ...

    def record_outcome(self, request: CrossBorderRequest, outcome: Outcome, actor: str) -> bool:
        """Put the outcome on this node's own indicator when it holds the value; whether it
        did."""
        ...


# -- the flow -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NewRequest:
    """What is asked: a value or a selector, the kind, the purpose and the reason."""

    kind: RequestKind
    indicator_type: IndicatorType
    value: str | None
    selector: str | None
    purpose: Purpose
    reason: str


def _check_reason(reason: str) -> None:
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise RequestInvalidError("the reason must say what the request is for (the case)")


def _new(
    asked: NewRequest,
    *,
    request_id: UUID,
    direction: Direction,
    partner: str,
    case_id: int | None,
    first: RequestEvent,
    created_at: datetime,
    due: datetime,
) -> CrossBorderRequest:
    return CrossBorderRequest(
        request_id=request_id,
        direction=direction,
        partner=partner,
        kind=asked.kind,
        indicator_type=asked.indicator_type,
        value=asked.value,
        selector=asked.selector,
        purpose=asked.purpose,
        reason=asked.reason.strip(),
        status=first.status,
        created_by=first.actor,
        created_at=created_at,
        updated_at=first.at,
        due_at=due,
        case_id=case_id,
        events=(first,),
    )


def open_outgoing(
    store: RequestStore,
    asked: NewRequest,
    *,
    request_id: UUID,
    peer: str,
    case_id: int | None,
    actor: str,
    now: datetime,
    sla: Mapping[RequestKind, float],
) -> CrossBorderRequest:
    """A new request to ``peer``: ``sent`` until the partner has stored it. Refused when the
    agreement with the peer does not allow it, or when its case is closed."""
    check_subject(asked.kind, asked.indicator_type, asked.value, asked.selector)
    _check_reason(asked.reason)
    if case_id is not None:
        case_status = store.case_status(case_id)
        if case_status is None:
            raise RequestNotFoundError(f"no case {case_id} on this node")
        if case_status == CASE_CLOSED:
            raise CaseClosedError(
                f"case {case_id} is closed; reopen it before sending requests from it"
            )
    asked = outgoing_terms(store.agreement_with(peer), peer, asked)
    first = RequestEvent(RequestStatus.SENT, now, actor)
    return store.add(
        _new(
            asked,
            request_id=request_id,
            direction=Direction.OUTGOING,
            partner=peer,
            case_id=case_id,
            first=first,
            created_at=now,
            due=due_at(asked.kind, now, sla),
        )
    )


def receive_incoming(
    store: RequestStore,
    asked: NewRequest,
    *,
    request_id: UUID,
    partner: str,
    created_at: datetime,
    due: datetime,
    actor: str,
    now: datetime,
) -> tuple[CrossBorderRequest, bool]:
    """The partner's request stored here as ``received``, once: a request delivered again (its
    answer was lost, or two deliveries crossed) returns the stored one and False."""
    held = store.get(request_id, Direction.INCOMING)
    if held is not None:
        return _same_partner(held, partner), False
    check_subject(asked.kind, asked.indicator_type, asked.value, asked.selector)
    _check_reason(asked.reason)
    created_at, due = check_clock(created_at, due, now)
    first = RequestEvent(RequestStatus.RECEIVED, now, actor)
    request = _new(
        asked,
        request_id=request_id,
        direction=Direction.INCOMING,
        partner=partner,
        case_id=None,
        first=first,
        created_at=created_at,
        due=due,
    )
    stored, created = store.add_once(request)
    return (stored, True) if created else (_same_partner(stored, partner), False)


def _same_partner(held: CrossBorderRequest, partner: str) -> CrossBorderRequest:
    if held.partner != partner:
        # Another partner's request id: say nothing about it.
        raise RequestRefusedError(f"request id {held.request_id} is taken; send a new id")
    return held


@dataclass(frozen=True, slots=True)
class StepTaken:
    """A request after a step; ``outcome_recorded`` says whether a fulfilment's outcome went
    on this node's own indicator too (None: no outcome given)."""

    request: CrossBorderRequest
    outcome_recorded: bool | None = None

    @property
    def outcome_note(self) -> str | None:
        """Why this node's verdicts did not take the outcome, when they did not."""
        if self.outcome_recorded is not False:
            return None
        return (
            "the outcome was not recorded on this node: no report here names this value "
            "(or it is an official number); the requester still receives it"
        )


def advance(
    store: RequestStore,
    request_id: UUID,
    target: RequestStatus,
    *,
    reason: str | None,
    outcome: Outcome | None,
    actor: str,
    now: datetime,
) -> StepTaken:
    """A step on a partner's request this node received (accept, reject, start, fulfil). A
    fulfilment with an outcome also goes on this node's own indicator, if it holds the value
    (``StepTaken.outcome_recorded`` says whether)."""
    request = store.get(request_id, Direction.INCOMING, for_update=True)
    if request is None:
        if store.get(request_id, Direction.OUTGOING) is not None:
            raise TransitionError(
                f"request {request_id} is one this node sent: it moves when the partner "
                "answers (`scamintel request deliver` reads its status now)"
            )
        raise RequestNotFoundError(f"no request {request_id} received on this node")
    reason = reason.strip() if reason and reason.strip() else None
    check_step(request, target, reason, outcome)
    event = RequestEvent(target, now, actor, reason, outcome)
    store.save_step(request, event)
    recorded = store.record_outcome(request, outcome, actor) if outcome is not None else None
    return StepTaken(step(request, event), recorded)


def copy_remote_steps(
    store: RequestStore, request: CrossBorderRequest, remote: Sequence[RequestEvent]
) -> CrossBorderRequest:
    """The partner's steps (as it answered them) stored on this node's outgoing copy, each
    once; a fulfilment's outcome goes on this node's own indicator (actor ``partner:PEER``)."""
    current = request
    for event in new_remote_steps(request, remote):
        copied = replace(event, actor=f"partner:{request.partner}")
        store.save_step(current, copied)
        current = step(current, copied)
        if copied.outcome is not None:
            store.record_outcome(current, copied.outcome, copied.actor)
    return current
