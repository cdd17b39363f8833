"""Request and response bodies of data-subject requests (docs/governance.md,
"Data-subject requests")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from scamintel.api.review_schemas import ClaimantContact
from scamintel.api.schemas import KnownRegion
from scamintel.governance.subject_requests import (
    ACCESS_EXEMPTION,
    MAX_DETAILS,
    MAX_GROUND,
    MAX_NOTE,
    AccessReport,
    RequestEvent,
    RequestKind,
    RequestStatus,
    SubjectRequest,
    check_contact,
    next_steps,
    public_outcome,
)
from scamintel.indicators import IndicatorType
from scamintel.reports.submission import MAX_VALUE

Note = Annotated[str, StringConstraints(max_length=MAX_NOTE, strip_whitespace=True)]


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: IndicatorType | None = Field(default=None, description="Skip type detection")
    value: Annotated[str, StringConstraints(min_length=1, max_length=MAX_VALUE)] = Field(
        description="Your phone number, bank account, e-wallet or e-mail address"
    )
    region: KnownRegion | None = Field(
        default=None, description="Country whose local formats apply (default: the node's)"
    )


class SubjectRequestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "access",
                    "identifier": {"type": "phone", "value": "081 234 5678"},
                    "contact": {"name": "Somchai", "email": "somchai@example.com"},
                }
            ]
        },
    )

    kind: RequestKind = Field(description="access, correction or erasure")
    identifier: IdentifierIn
    contact: ClaimantContact | None = Field(
        default=None,
        validate_default=True,
        description="How the operator reaches you to confirm the value is yours: an e-mail "
        "address or a phone number is required",
    )
    details: Annotated[str, StringConstraints(max_length=MAX_DETAILS)] | None = Field(
        default=None, description="Anything the operator should know (what is wrong, for example)"
    )

    @field_validator("contact")
    @classmethod
    def _reachable(cls, contact: ClaimantContact | None) -> ClaimantContact | None:
        # Without a way to reach the person, the request could never be verified.
        check_contact(contact.model_dump(exclude_none=True) if contact else None)
        return contact


class SubjectRequestAccepted(BaseModel):
    id: UUID
    reference: str
    kind: RequestKind
    status: RequestStatus
    received_at: datetime
    due_at: datetime
    next_steps: str = Field(description="What happens now, in words")

    @classmethod
    def of(cls, request: SubjectRequest) -> SubjectRequestAccepted:
        return cls(
            id=request.id,
            reference=request.reference,
            kind=request.kind,
            status=request.status,
            received_at=request.received_at,
            due_at=request.due_at,
            next_steps=next_steps(request),
        )


class SubjectRequestStatusOut(BaseModel):
    """What whoever holds the id may read: never the identifier or the contact."""

    id: UUID
    reference: str
    kind: RequestKind
    status: RequestStatus
    received_at: datetime
    due_at: datetime
    closed_at: datetime | None = None
    outcome: str = Field(description="The request's state and outcome, in words")

    @classmethod
    def of(cls, request: SubjectRequest) -> SubjectRequestStatusOut:
        return cls(
            id=request.id,
            reference=request.reference,
            kind=request.kind,
            status=request.status,
            received_at=request.received_at,
            due_at=request.due_at,
            closed_at=request.closed_at,
            outcome=public_outcome(request),
        )


class SubjectRequestOut(BaseModel):
    """The operator's view, without personal data (see /personal-data for that)."""

    id: UUID
    reference: str
    kind: RequestKind
    identifier_type: IndicatorType
    status: RequestStatus
    received_at: datetime
    due_at: datetime
    overdue: bool
    details: str | None = None
    verified_at: datetime | None = None
    verified_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    outcome: str | None = None

    @classmethod
    def of(cls, request: SubjectRequest, now: datetime) -> SubjectRequestOut:
        return cls(
            id=request.id,
            reference=request.reference,
            kind=request.kind,
            identifier_type=request.identifier_type,
            status=request.status,
            received_at=request.received_at,
            due_at=request.due_at,
            overdue=request.overdue(now),
            details=request.details,
            verified_at=request.verified_at,
            verified_by=request.verified_by,
            closed_at=request.closed_at,
            closed_by=request.closed_by,
            outcome=request.outcome,
        )


class SubjectRequestListOut(BaseModel):
    requests: list[SubjectRequestOut]


class EventOut(BaseModel):
    status: RequestStatus
    at: datetime
    actor: str
    note: str | None = None

    @classmethod
    def of(cls, event: RequestEvent) -> EventOut:
        return cls(status=event.status, at=event.at, actor=event.actor, note=event.note)


class PersonalDataOut(SubjectRequestOut):
    """Opened with a stated purpose; the opening is in the audit log."""

    identifier: dict[str, Any]
    contact: dict[str, Any] | None = None
    earlier_requests: list[str] = Field(
        default_factory=list, description="References of other requests about the same value"
    )
    events: list[EventOut] = Field(default_factory=list)


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note | None = Field(
        default=None,
        description="How the holder was verified, or (completing) what was done; a correction "
        "needs it",
    )
    delist: bool = Field(
        default=False,
        description="Correction only: withdraw the value's listing (an upheld dispute)",
    )
    override_ground: (
        Annotated[
            str, StringConstraints(min_length=1, max_length=MAX_GROUND, strip_whitespace=True)
        ]
        | None
    ) = Field(
        default=None,
        description="Erasure only: the ground for erasing data kept for fraud prevention "
        '(reports, outcomes, a listing), for example "listing wrong: dispute upheld"; '
        "recorded in the outcome and the audit log",
    )


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note | None = Field(
        default=None, description="How the holder was verified (a call to the number, a letter)"
    )


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_NOTE, strip_whitespace=True)
    ] = Field(description="Why; the person reads it")


def access_report_json(report: AccessReport) -> dict[str, Any]:
    """The access report as JSON (API and ``scamintel subject-request report --json``)."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    listing = report.listing
    return {
        "request": report.request.reference,
        "identifier": {
            "type": report.identifier.type.value,
            "value": report.identifier.value,
            "country": report.identifier.country,
        },
        "generated_at": report.generated_at.isoformat(),
        "held": report.held,
        "listing": None
        if listing is None
        else {
            "verdict": listing.verdict,
            "score": listing.score,
            "listed_since": when(listing.listed_since),
            "under_review": listing.under_review,
        },
        "reports": {
            "count": report.reports.count,
            "first_seen": when(report.reports.first_seen),
            "last_seen": when(report.reports.last_seen),
            "scam_types": list(report.reports.scam_types),
        },
        "own_contact_reports": report.own_contact_reports,
        "disputes": [
            {
                "reference": d.reference,
                "status": d.status,
                "opened_at": when(d.opened_at),
                "decided_at": when(d.decided_at),
                "decision_reason": d.decision_reason,
            }
            for d in report.disputes
        ],
        "outcomes": [{"kind": o.kind, "at": when(o.at)} for o in report.outcomes],
        "partner_records": [
            {"partner": p.partner, "verdict": p.verdict, "marking": p.marking, "blind": p.blind}
            for p in report.partner_records
        ],
        "disclosures": [
            {
                "at": when(d.at),
                "recipient": d.recipient,
                "action": d.action,
                "legal_basis": d.legal_basis,
            }
            for d in report.disclosures
        ],
        "not_listed": ACCESS_EXEMPTION,
        "deletions": [
            {"what": d.what, "count": d.count, "deleted_on": when(d.deleted_on)}
            for d in report.deletions
        ],
    }
