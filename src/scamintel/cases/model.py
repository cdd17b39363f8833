"""Cases: what an investigator works on, its status rules, links and notes (docs/cases.md).

Pure domain: no database, no web framework. The rules here are what the API, the CLI and the
tests agree on."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from scamintel.cases.requests import Delivery, Outcome, RequestKind, RequestStatus
from scamintel.indicators import IndicatorType

CASE_PREFIX = "CASE-"
MAX_TITLE = 300
MAX_ASSIGNEE = 200
MAX_NOTE = 20_000
_CASE_ID = re.compile(r"^\s*(?:case-)?(\d{1,18})\s*$", re.IGNORECASE)


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class CloseReason(StrEnum):
    """Why a case was closed; one is required, so closed cases can be counted by outcome."""

    ACTIONED = "actioned"  # the partner or a bank/telco acted: frozen, blocked, taken down
    REFERRED = "referred"  # handed to another unit, agency or country that now owns it
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"  # nothing more can be done for now
    DUPLICATE = "duplicate"  # another case covers the same operation
    FALSE_POSITIVE = "false_positive"  # the linked values turned out not to be a scam


class LinkKind(StrEnum):
    OPERATION = "operation"  # ref: the operation's id
    REPORT = "report"  # ref: the report's UUID
    INDICATOR = "indicator"  # ref: the indicator's id on this node (values can be too long)


# Which status may follow which. Reopening a closed case goes back to ``open``.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.OPEN, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.OPEN}),
}


class CaseError(Exception):
    """Base of the errors a case use case raises; the message says what to do."""


class CaseNotFoundError(CaseError):
    pass


class InvalidCaseInputError(CaseError):
    """Input that cannot be used as given (HTTP 422, CLI exit 2)."""


class CaseConflictError(CaseError):
    """Input that is well formed but does not fit the case's state (HTTP 409)."""


class TransitionError(CaseConflictError):
    pass


class LinkTargetNotFoundError(CaseError):
    """The operation, report or indicator to link is not on this node (HTTP 422)."""


class LinkNotFoundError(CaseError):
    pass


def case_reference(case_id: int) -> str:
    return f"{CASE_PREFIX}{case_id}"


def parse_case_id(text: str) -> int:
    """``7`` or ``CASE-7`` (any case) to 7."""
    match = _CASE_ID.match(text)
    if match is None or int(match.group(1)) == 0:
        raise InvalidCaseInputError(f"{text!r} is not a case number: write it as 7 or CASE-7")
    return int(match.group(1))


def check_reason(wanted: CaseStatus, reason: CloseReason | None) -> None:
    """Raise unless the reason fits the status: closing needs one, nothing else takes one."""
    if wanted is CaseStatus.CLOSED and reason is None:
        choices = ", ".join(r.value for r in CloseReason)
        raise InvalidCaseInputError(f"closing a case needs a reason, one of: {choices}")
    if wanted is not CaseStatus.CLOSED and reason is not None:
        raise InvalidCaseInputError(
            "a reason is given only when closing a case; use a note for anything else"
        )


def check_transition(current: CaseStatus, wanted: CaseStatus, reason: CloseReason | None) -> None:
    """Raise unless ``current`` may become ``wanted`` with this reason. Asking for the status
    the case already has is a conflict: nothing would change."""
    check_reason(wanted, reason)
    if current is wanted:
        raise TransitionError(f"the case is already {current.value}")
    if wanted not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current]))
        raise TransitionError(
            f"a {current.value} case cannot become {wanted.value}; it can become: {allowed}"
        )


def without_controls(text: str) -> str:
    """Control characters (NUL above all, which PostgreSQL refuses in text) are dropped; line
    breaks and tabs stay."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def clean_title(title: str | None) -> str:
    text = " ".join(without_controls(title or "").split())
    if not text:
        raise InvalidCaseInputError("give the case a title (a few words on what it is about)")
    if len(text) > MAX_TITLE:
        raise InvalidCaseInputError(f"the title is longer than {MAX_TITLE} characters")
    return text


def clean_assignee(assignee: str | None) -> str | None:
    """Free text naming the investigator; empty means nobody."""
    text = " ".join(without_controls(assignee or "").split())
    if len(text) > MAX_ASSIGNEE:
        raise InvalidCaseInputError(f"the assignee is longer than {MAX_ASSIGNEE} characters")
    return text or None


def clean_note(text: str) -> str:
    stripped = without_controls(text).strip()
    if not stripped:
        raise InvalidCaseInputError("the note is empty: write what you found or did")
    if len(stripped) > MAX_NOTE:
        raise InvalidCaseInputError(f"the note is longer than {MAX_NOTE} characters")
    return stripped


@dataclass(frozen=True, slots=True)
class CaseLink:
    kind: LinkKind
    ref: str
    added_by: str
    added_at: datetime
    # What the reference stands for, in words (an indicator's value, an operation's size).
    label: str | None = None


@dataclass(frozen=True, slots=True)
class CaseNote:
    id: int
    author: str
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class CaseRequest:
    """A cross-border request sent from the case (docs/cross-border-requests.md), as the case
    shows it; ``overdue`` is as of the moment the case was read."""

    request_id: UUID
    partner: str
    kind: RequestKind
    indicator_type: IndicatorType
    status: RequestStatus
    due_at: datetime
    overdue: bool
    outcome: Outcome | None = None
    # Where it stands with the partner's node (pending, delivered, refused), apart from its
    # status: a request never delivered and one refused are both still ``sent``.
    delivery: Delivery | None = None
    refused_because: str | None = None  # the partner's words, when it refused it
    status_reason: str | None = None  # the partner's reason, when it rejected it


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    title: str
    status: CaseStatus
    assignee: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None
    close_reason: CloseReason | None = None
    links: tuple[CaseLink, ...] = ()
    notes: tuple[CaseNote, ...] = ()
    requests: tuple[CaseRequest, ...] = ()

    @property
    def reference(self) -> str:
        return case_reference(self.id)


@dataclass(frozen=True, slots=True)
class OperationRef:
    """What a case needs of an operation: enough to resolve merges and write a title."""

    id: int
    merged_into: int | None
    report_count: int
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LinkResult:
    """A link made; ``note`` tells the caller when it differs from what was asked."""

    link: CaseLink
    note: str | None = None


def operation_title(operation: OperationRef) -> str:
    """A readable default title: the operation's own summary ``title`` (analysis/summary.py
    writes one into every summary), else just its size, as before its first summary."""
    given = operation.summary.get("title")
    if isinstance(given, str) and given.strip():
        return f"Operation {operation.id}: {' '.join(given.split())}"[:MAX_TITLE]
    plural = "" if operation.report_count == 1 else "s"
    return f"Operation {operation.id}: {operation.report_count} report{plural}"
