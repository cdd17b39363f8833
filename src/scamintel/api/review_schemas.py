"""Request and response bodies of disputes, outcomes and the review queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from scamintel.api.schemas import IndicatorOut, KnownRegion
from scamintel.indicators import IndicatorType
from scamintel.reports.disputes import REVIEW_DAYS, Decision, Dispute, DisputeStatus, HeldBurst
from scamintel.reports.submission import MAX_VALUE, ShortText


class ClaimantContact(BaseModel):
    """How the analyst can reach the holder: personal data, sealed at rest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ShortText | None = None
    phone: ShortText | None = None
    email: ShortText | None = None


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Annotated[str, StringConstraints(min_length=1, max_length=MAX_VALUE)] = Field(
        description="The number, link, account or wallet whose listing you contest"
    )
    type: IndicatorType | None = Field(default=None, description="Skip type detection")
    region: KnownRegion | None = Field(
        default=None, description="Country whose local formats apply (default: the node's)"
    )
    claim: Annotated[
        str, StringConstraints(min_length=10, max_length=5000, strip_whitespace=True)
    ] = Field(
        description="Why the listing is wrong: who you are to this value and what happened "
        "(for example: this number was assigned to my shop in March)"
    )
    contact: ClaimantContact | None = None


class DisputeOut(BaseModel):
    """What anyone holding the dispute's id may read: never the claim or the contact."""

    id: UUID
    reference: str
    status: DisputeStatus
    indicator: IndicatorOut
    opened_at: datetime
    decided_at: datetime | None = None
    reason: str | None = Field(default=None, description="The analyst's reason for the decision")
    message: str

    @classmethod
    def of(cls, dispute: Dispute) -> DisputeOut:
        return cls(
            id=dispute.id,
            reference=dispute.reference,
            status=dispute.status,
            indicator=IndicatorOut.of(dispute.indicator),
            opened_at=dispute.created_at,
            decided_at=dispute.decided_at,
            reason=dispute.decision_reason,
            message=_status_message(dispute),
        )


def _status_message(dispute: Dispute) -> str:
    if dispute.status is DisputeStatus.PENDING:
        return (
            f"An analyst reviews disputes within {REVIEW_DAYS} working days. Until then the "
            "listing stands and the public check says that it is contested."
        )
    if dispute.status is DisputeStatus.UPHELD:
        return "The dispute was upheld: the listing was removed and the check says it was reviewed."
    return "The dispute was rejected: the listing stands, and the check gives the reason."


class DisputeForAnalyst(DisputeOut):
    claim: str
    decided_by: str | None = None
    contact: ClaimantContact | None = Field(
        default=None, description="Only with include_contact=true and a purpose; audited"
    )

    @classmethod
    def of_full(cls, dispute: Dispute) -> DisputeForAnalyst:
        public = DisputeOut.of(dispute)
        return cls(
            **public.model_dump(),
            claim=dispute.claim,
            decided_by=dispute.decided_by,
            contact=ClaimantContact.model_validate(dispute.contact) if dispute.contact else None,
        )


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reason: Annotated[
        str, StringConstraints(min_length=5, max_length=2000, strip_whitespace=True)
    ] = Field(description="Shown to the public with the verdict: write it for the citizen")


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Annotated[str, StringConstraints(min_length=1, max_length=MAX_VALUE)]
    type: IndicatorType | None = None
    region: KnownRegion | None = None
    outcome: Literal["frozen", "blocked", "taken_down", "false_positive"]
    note: Annotated[str, StringConstraints(max_length=2000, strip_whitespace=True)] | None = None


class HeldBurstOut(BaseModel):
    id: int
    indicator: IndicatorOut
    report_count: int
    held_since: datetime
    report_ids: list[UUID] = Field(
        description="The sender's reports about the value, newest first (at most 100): read "
        "them with GET /api/v1/reports/{id}"
    )

    @classmethod
    def of(cls, burst: HeldBurst) -> HeldBurstOut:
        return cls(
            id=burst.id,
            indicator=IndicatorOut.of(burst.indicator),
            report_count=burst.report_count,
            held_since=burst.created_at,
            report_ids=list(burst.report_ids),
        )


class ReviewQueueOut(BaseModel):
    disputes: list[DisputeForAnalyst]
    bursts: list[HeldBurstOut]


class CloseBurstIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, StringConstraints(min_length=3, max_length=2000, strip_whitespace=True)]
