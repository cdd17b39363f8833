"""Request and response bodies of cases (docs/cases.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from scamintel.cases.model import (
    MAX_ASSIGNEE,
    MAX_NOTE,
    MAX_TITLE,
    Case,
    CaseLink,
    CaseNote,
    CaseRequest,
    CaseStatus,
    CloseReason,
    LinkKind,
)
from scamintel.cases.requests import Delivery, Outcome, RequestKind, RequestStatus
from scamintel.governance.audit import AuditEntry
from scamintel.indicators import IndicatorType

Title = Annotated[str, StringConstraints(max_length=MAX_TITLE)]
Assignee = Annotated[str, StringConstraints(max_length=MAX_ASSIGNEE)]
# An indicator given by value may be long (a URL); the stored reference is short.
MAX_REF = 2100


class CaseIn(BaseModel):
    """Open a case by hand (a title) or from an operation (the title may be left out)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = Field(
        default=None, description="What the case is about; from an operation, a default is read"
    )
    operation_id: int | None = Field(
        default=None, ge=1, description="Open the case from this operation and link it"
    )
    assignee: Assignee | None = Field(default=None, description="Who works on it (free text)")


class CaseChangeIn(BaseModel):
    """Fields left out are left alone; ``assignee: null`` unassigns the case."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    assignee: Assignee | None = None
    status: CaseStatus | None = None
    reason: CloseReason | None = Field(default=None, description="Required when closing")
    comment: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        default=None, description="Why the status changes, in words (kept in the audit log)"
    )


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_NOTE)]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: LinkKind
    ref: Annotated[str, StringConstraints(min_length=1, max_length=MAX_REF)] = Field(
        description="operation: its id; report: its UUID; indicator: its id or type:value "
        "(for example phone:0812345678)"
    )


class CaseLinkOut(BaseModel):
    kind: LinkKind
    ref: str
    label: str | None = Field(default=None, description="What the reference stands for")
    added_by: str
    added_at: datetime

    @classmethod
    def of(cls, link: CaseLink) -> CaseLinkOut:
        return cls(
            kind=link.kind,
            ref=link.ref,
            label=link.label,
            added_by=link.added_by,
            added_at=link.added_at,
        )


class CaseNoteOut(BaseModel):
    id: int
    author: str
    at: datetime
    text: str

    @classmethod
    def of(cls, note: CaseNote) -> CaseNoteOut:
        return cls(id=note.id, author=note.author, at=note.at, text=note.text)


class CaseRequestOut(BaseModel):
    """A cross-border request sent from the case; its full record is under
    /api/v1/requests/{request_id} (docs/cross-border-requests.md)."""

    request_id: UUID
    partner: str
    kind: RequestKind
    indicator_type: IndicatorType
    status: RequestStatus
    due_at: datetime
    overdue: bool = Field(description="Not final and past due_at when the case was read")
    outcome: Outcome | None = None
    status_reason: str | None = Field(
        default=None, description="The partner's reason, when it rejected the request"
    )
    delivery: Delivery | None = Field(
        default=None,
        description=(
            "pending (the partner does not hold it yet: `sent` and retried at every sync), "
            "delivered, or refused (the partner answered 4xx; see refused_because)"
        ),
    )
    refused_because: str | None = Field(
        default=None, description="The partner's words, when it refused the request"
    )

    @classmethod
    def of(cls, request: CaseRequest) -> CaseRequestOut:
        return cls(
            request_id=request.request_id,
            partner=request.partner,
            kind=request.kind,
            indicator_type=request.indicator_type,
            status=request.status,
            due_at=request.due_at,
            overdue=request.overdue,
            outcome=request.outcome,
            status_reason=request.status_reason,
            delivery=request.delivery,
            refused_because=request.refused_because,
        )


class CaseSummaryOut(BaseModel):
    """A case in a list: its own fields, without links and notes."""

    id: str = Field(description="CASE-<number>")
    number: int
    title: str
    status: CaseStatus
    assignee: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @classmethod
    def fields_of(cls, case: Case) -> dict[str, Any]:
        return {
            "id": case.reference,
            "number": case.id,
            "title": case.title,
            "status": case.status,
            "assignee": case.assignee,
            "created_by": case.created_by,
            "created_at": case.created_at,
            "updated_at": case.updated_at,
            "closed_at": case.closed_at,
        }

    @classmethod
    def of(cls, case: Case) -> CaseSummaryOut:
        return cls(**cls.fields_of(case))


class CaseOut(CaseSummaryOut):
    """One case in full, with the cross-border requests sent from it."""

    close_reason: CloseReason | None = Field(default=None, description="Set while closed")
    links: list[CaseLinkOut]
    notes: list[CaseNoteOut]
    requests: list[CaseRequestOut] = Field(description="Cross-border requests, newest first")
    message: str | None = Field(
        default=None, description="Something the caller should know, such as a merge followed"
    )

    @classmethod
    def of(cls, case: Case, message: str | None = None) -> CaseOut:
        return cls(
            **cls.fields_of(case),
            close_reason=case.close_reason,
            links=[CaseLinkOut.of(link) for link in case.links],
            notes=[CaseNoteOut.of(note) for note in case.notes],
            requests=[CaseRequestOut.of(request) for request in case.requests],
            message=message,
        )


class CaseListOut(BaseModel):
    cases: list[CaseSummaryOut]


class LinkAddedOut(BaseModel):
    case: str
    link: CaseLinkOut
    message: str | None = None


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    entry_hash: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            seq=entry.seq,
            at=entry.at,
            actor=entry.event.actor,
            action=entry.event.action,
            details=entry.event.details,
            entry_hash=entry.entry_hash,
        )


class CaseAuditOut(BaseModel):
    case: str
    entries: list[AuditEntryOut]
