"""Bodies and answers of the cross-border request API (api/requests_routes.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from scamintel.cases.model import InvalidCaseInputError, case_reference, parse_case_id
from scamintel.cases.requests import (
    CrossBorderRequest,
    Delivery,
    Direction,
    NewRequest,
    Outcome,
    RequestEvent,
    RequestKind,
    RequestStatus,
    StepTaken,
    allowed_steps,
)
from scamintel.federation.markings import Purpose
from scamintel.indicators import IndicatorType

Selector = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[0-9a-f]{64}$")
]


def case_number(given: object) -> object:
    """A case as the case API writes it (CASE-7, case-7) or its bare number, to the number;
    anything else is a ValueError saying how to write it (a 422)."""
    if isinstance(given, bool) or not isinstance(given, int | str):
        return given  # not a case at all: the int check says so
    try:
        return parse_case_id(str(given))
    except InvalidCaseInputError as error:
        raise ValueError(str(error)) from None


# A case, in any form docs/cases.md gives (CASE-7, case-7, 7): its number.
CaseNumber = Annotated[
    int,
    BeforeValidator(case_number),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "integer"}], "examples": ["CASE-7"]}),
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
Value = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)]


class RequestIn(BaseModel):
    """An investigator's request to a peer node."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "case_id": "CASE-12",
                    "peer": "MM-CCD",
                    "kind": "freeze_account",
                    "type": "bank_account",
                    "value": "KBANK 123-4-56789-0",
                    "purpose": "investigation",
                    "reason": "Case 2026-114: 41 victims paid into this account",
                }
            ]
        },
    )

    case_id: CaseNumber | None = Field(
        default=None, description="The case it is sent from: CASE-7, case-7 or 7"
    )
    peer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = (
        Field(description="The peer's name, as `scamintel peer list` shows it")
    )
    kind: RequestKind
    type: IndicatorType
    value: Value | None = Field(default=None, description="The value (or give `selector`)")
    selector: Selector | None = Field(
        default=None, description="A blind selector the partner shared (64 hex)"
    )
    purpose: Purpose = Purpose.INVESTIGATION
    reason: Reason = Field(description="What it is needed for: the case, what happened")

    def asked(self, value: str | None) -> NewRequest:
        return NewRequest(self.kind, self.type, value, self.selector, self.purpose, self.reason)


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason | None = Field(default=None, description="Why (required to reject)")
    outcome: Outcome | None = Field(
        default=None, description="When fulfilling: frozen, blocked, taken_down, false_positive"
    )


class EventOut(BaseModel):
    status: RequestStatus
    at: datetime
    actor: str
    reason: str | None = None
    outcome: Outcome | None = None

    @classmethod
    def of(cls, event: RequestEvent) -> EventOut:
        return cls(
            status=event.status,
            at=event.at,
            actor=event.actor,
            reason=event.reason,
            outcome=event.outcome,
        )


class RequestOut(BaseModel):
    request_id: UUID
    direction: Direction
    partner: str = Field(description="Outgoing: the peer asked; incoming: who asked")
    case_id: str | None = Field(description="The case it was sent from, as the case API: CASE-7")
    kind: RequestKind
    type: IndicatorType
    value: str | None
    selector: str | None
    purpose: Purpose
    reason: str
    status: RequestStatus
    status_reason: str | None
    outcome: Outcome | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    overdue: bool = Field(description="Not final and past due_at")
    next_steps: list[RequestStatus] = Field(
        description="Steps this node can take now (incoming requests only)"
    )
    delivered_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None = Field(description="The last failure to reach the partner")
    delivery: Delivery | None = Field(
        description=(
            "Outgoing only: pending (the partner does not hold it yet; retried at every sync), "
            "delivered, or refused (the partner answered 4xx; see refused_because)"
        )
    )
    refused_because: str | None = Field(description="The partner's refusal, when refused")
    events: list[EventOut]
    outcome_recorded: bool | None = Field(
        default=None,
        description=(
            "Only in the answer to a fulfilment with an outcome: whether the outcome went on "
            "this node's own indicator too (false when no report here names the value; the "
            "requester receives it either way)"
        ),
    )
    note: str | None = Field(default=None, description="Something the caller should know")

    @classmethod
    def of(cls, request: CrossBorderRequest, now: datetime) -> RequestOut:
        incoming = request.direction is Direction.INCOMING
        return cls(
            request_id=request.request_id,
            direction=request.direction,
            partner=request.partner,
            case_id=case_reference(request.case_id) if request.case_id is not None else None,
            kind=request.kind,
            type=request.indicator_type,
            value=request.value,
            selector=request.selector,
            purpose=request.purpose,
            reason=request.reason,
            status=request.status,
            status_reason=request.status_reason,
            outcome=request.outcome,
            created_by=request.created_by,
            created_at=request.created_at,
            updated_at=request.updated_at,
            due_at=request.due_at,
            overdue=request.overdue(now),
            next_steps=list(allowed_steps(request.status)) if incoming else [],
            delivered_at=request.delivered_at,
            last_attempt_at=request.last_attempt_at,
            last_error=request.last_error,
            delivery=request.delivery,
            refused_because=request.refused_because,
            events=[EventOut.of(e) for e in request.events],
        )

    @classmethod
    def of_step(cls, taken: StepTaken, now: datetime) -> RequestOut:
        """The answer to a step: the request, and whether a fulfilment's outcome was recorded
        on this node."""
        answer = cls.of(taken.request, now)
        answer.outcome_recorded = taken.outcome_recorded
        answer.note = taken.outcome_note
        return answer


class RequestListOut(BaseModel):
    requests: list[RequestOut] = Field(description="Newest first (events: see each request)")


# -- between nodes --------------------------------------------------------------------------------
class FederationRequestIn(BaseModel):
    """A partner node's request, as its node sends it (federation.request_transport)."""

    model_config = ConfigDict(extra="forbid")

    request_id: UUID = Field(description="Chosen by the requester; sending it again is a no-op")
    kind: RequestKind
    type: IndicatorType
    value: Value | None = None
    selector: Selector | None = None
    purpose: Purpose
    reason: Reason
    created_at: AwareDatetime = Field(description="With its offset; held in UTC")
    due_at: AwareDatetime = Field(
        description=(
            "The requester's SLA, with its offset; both nodes flag overdue by it. After "
            "created_at and at most 720 hours (30 days) after it"
        )
    )

    def asked(self, value: str | None) -> NewRequest:
        return NewRequest(self.kind, self.type, value, self.selector, self.purpose, self.reason)


class FederationEventOut(BaseModel):
    """A step as the requester sees it: no names of this node's staff or keys."""

    status: RequestStatus
    at: datetime
    reason: str | None = None
    outcome: Outcome | None = None


class FederationRequestOut(BaseModel):
    request_id: UUID
    status: RequestStatus
    status_reason: str | None
    outcome: Outcome | None
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    overdue: bool
    events: list[FederationEventOut]

    @classmethod
    def of(cls, request: CrossBorderRequest, now: datetime) -> FederationRequestOut:
        return cls(
            request_id=request.request_id,
            status=request.status,
            status_reason=request.status_reason,
            outcome=request.outcome,
            created_at=request.created_at,
            updated_at=request.updated_at,
            due_at=request.due_at,
            overdue=request.overdue(now),
            events=[
                FederationEventOut(status=e.status, at=e.at, reason=e.reason, outcome=e.outcome)
                for e in request.events
            ],
        )
