"""Case use cases over a repository: open, view, list, change, note, link, read the trail.

Every use case that shows or changes a case writes exactly one audit entry through the
repository, in the caller's transaction, so a view or change is never recorded without
happening or the other way round (docs/cases.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from scamintel.cases.model import (
    Case,
    CaseConflictError,
    CaseLink,
    CaseNote,
    CaseNotFoundError,
    CaseRequest,
    CaseStatus,
    CloseReason,
    InvalidCaseInputError,
    LinkKind,
    LinkNotFoundError,
    LinkResult,
    LinkTargetNotFoundError,
    OperationRef,
    case_reference,
    check_reason,
    check_transition,
    clean_assignee,
    clean_note,
    clean_title,
    operation_title,
    without_controls,
)
from scamintel.governance.audit import AuditEntry, AuditEvent
from scamintel.indicators import (
    Indicator,
    IndicatorRegistry,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)

OBJECT_TYPE = "case"
MAX_LIST = 1000

# Reads an indicator the way the node reads one (the API and the CLI pass the registry's).
Canonicalise = Callable[[str, IndicatorType | None], Indicator]


def registry_canonicaliser(registry: IndicatorRegistry, context: ParseContext) -> Canonicalise:
    """Linked values are read the way this node reads its own reports."""

    def canonicalise(raw: str, indicator_type: IndicatorType | None) -> Indicator:
        return registry.canonicalise(raw, indicator_type, context)

    return canonicalise


class CaseRepository(Protocol):
    """What the use cases need from storage; one instance works inside one transaction."""

    def insert_case(
        self, *, title: str, assignee: str | None, created_by: str, at: datetime
    ) -> int: ...

    def find_case(self, case_id: int, *, for_update: bool = False) -> Case | None:
        """The case's own fields (no links, notes or close reason)."""
        ...

    def update_case(self, case_id: int, values: dict[str, Any], at: datetime) -> None: ...

    def list_cases(
        self, status: CaseStatus | None, assignee: str | None, limit: int
    ) -> list[Case]: ...

    def links(self, case_id: int) -> tuple[CaseLink, ...]: ...

    def notes(self, case_id: int) -> tuple[CaseNote, ...]: ...

    def add_link(self, case_id: int, kind: LinkKind, ref: str, actor: str, at: datetime) -> bool:
        """False when the case already has this link."""
        ...

    def remove_link(self, case_id: int, kind: LinkKind, ref: str) -> bool: ...

    def add_note(self, case_id: int, author: str, at: datetime, text: str) -> int: ...

    def find_operation(self, operation_id: int) -> OperationRef | None: ...

    def survivor_of(self, operation_id: int) -> int | None:
        """The live operation at the end of ``operation_id``'s merge chain (itself when not
        merged); None when the id or the chain's end is unknown."""
        ...

    def report_exists(self, report_id: UUID) -> bool: ...

    def indicator_exists(self, indicator_id: int) -> bool: ...

    def indicator_id(self, indicator: Indicator) -> int | None: ...

    def last_close_reason(self, case_id: int) -> CloseReason | None: ...

    def requests(self, case_id: int, now: datetime) -> tuple[CaseRequest, ...]:
        """The cross-border requests sent from the case, newest first."""
        ...

    def audit(self, event: AuditEvent) -> None: ...

    def audit_trail(self, case_id: int) -> list[AuditEntry]:
        """The case's own entries and those of its cross-border requests, in chain order."""
        ...


@dataclass(frozen=True, slots=True)
class OpenedCase:
    case: Case
    # Said to the investigator when the operation asked for was merged into another.
    note: str | None = None


# Marks a field a PATCH leaves alone (None means "clear" for the assignee).
class _Unset:
    pass


UNSET: Any = _Unset()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _audit(
    repo: CaseRepository, actor: str, action: str, case_id: int | None, **details: Any
) -> None:
    repo.audit(
        AuditEvent(
            actor=actor,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=case_reference(case_id) if case_id is not None else None,
            details=details,
        )
    )


def _existing(repo: CaseRepository, case_id: int, *, for_update: bool = False) -> Case:
    case = repo.find_case(case_id, for_update=for_update)
    if case is None:
        raise CaseNotFoundError(f"there is no case {case_reference(case_id)} on this node")
    return case


def _writable(repo: CaseRepository, case_id: int) -> Case:
    """The case, locked for the change; closed cases take notes and reopening only."""
    case = _existing(repo, case_id, for_update=True)
    if case.status is CaseStatus.CLOSED:
        raise CaseConflictError(
            f"{case.reference} is closed; reopen it first (status open) to change it"
        )
    return case


def survivor(repo: CaseRepository, operation_id: int) -> OperationRef:
    """The operation a (possibly merged) operation id lives on in."""
    live = repo.survivor_of(operation_id)
    operation = repo.find_operation(live) if live is not None else None
    if operation is not None:
        return operation
    if repo.find_operation(operation_id) is None:
        raise LinkTargetNotFoundError(
            f"there is no operation {operation_id} on this node; `scamintel operation list` "
            "or GET /api/v1/clusters lists them"
        )
    raise LinkTargetNotFoundError(
        f"operation {operation_id} was merged, but the operation it was merged into cannot be "
        "found; run `scamintel cluster` again"
    )


def _merge_note(asked: int, operation: OperationRef) -> str | None:
    if operation.id == asked:
        return None
    return f"operation {asked} was merged into operation {operation.id}; linked {operation.id}"


def open_case(
    repo: CaseRepository,
    *,
    actor: str,
    title: str | None = None,
    operation_id: int | None = None,
    assignee: str | None = None,
    now: datetime | None = None,
) -> OpenedCase:
    """Open a case by hand (title required) or from an operation (title defaults to one read
    from the operation, and the operation, or the one it was merged into, is linked)."""
    at = _now(now)
    operation = survivor(repo, operation_id) if operation_id is not None else None
    if operation is None or (title and title.strip()):
        final_title = clean_title(title)
    else:
        final_title = operation_title(operation)
    who = clean_assignee(assignee)
    case_id = repo.insert_case(title=final_title, assignee=who, created_by=actor, at=at)
    note = None
    details: dict[str, Any] = {"title": final_title, "assignee": who}
    if operation is not None and operation_id is not None:
        repo.add_link(case_id, LinkKind.OPERATION, str(operation.id), actor, at)
        note = _merge_note(operation_id, operation)
        details["operation"] = operation.id
        if note:
            details["operation_asked"] = operation_id
    _audit(repo, actor, "case.opened", case_id, **details)
    return OpenedCase(_full(repo, _existing(repo, case_id), at), note)


def _full(repo: CaseRepository, case: Case, now: datetime) -> Case:
    """The case with its links, notes, requests (overdue as of ``now``) and close reason."""
    reason = repo.last_close_reason(case.id) if case.status is CaseStatus.CLOSED else None
    return replace(
        case,
        links=repo.links(case.id),
        notes=repo.notes(case.id),
        requests=repo.requests(case.id, now),
        close_reason=reason,
    )


def view_case(
    repo: CaseRepository, case_id: int, *, actor: str, now: datetime | None = None
) -> Case:
    case = _full(repo, _existing(repo, case_id), _now(now))
    _audit(repo, actor, "case.viewed", case_id)
    return case


def list_cases(
    repo: CaseRepository,
    *,
    actor: str,
    status: CaseStatus | None = None,
    assignee: str | None = None,
    limit: int = 100,
) -> list[Case]:
    """Cases, most recently changed first. One audit entry records the listing and which
    cases it showed (it is about many cases, so it names none as its object)."""
    if not 1 <= limit <= MAX_LIST:
        raise InvalidCaseInputError(f"the limit must be between 1 and {MAX_LIST}")
    who = clean_assignee(assignee)
    found = repo.list_cases(status, who, limit)
    _audit(
        repo,
        actor,
        "case.listed",
        None,
        status=status.value if status else None,
        assignee=who,
        cases=[c.reference for c in found],
    )
    return found


def update_case(
    repo: CaseRepository,
    case_id: int,
    *,
    actor: str,
    title: Any = UNSET,
    assignee: Any = UNSET,
    status: CaseStatus | None = None,
    reason: CloseReason | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Change the title, assignee and/or status; one audit entry per field that changed.

    The entries follow an order in which each step is allowed on its own: a reopening comes
    first (then the reopened case is edited), any other status change last (the case is
    edited, then started or closed). So a closed case refuses edits only when it stays
    closed. A status equal to the current one is left alone when other fields are sent (a
    client resending its whole form); sent alone, it is a conflict, as nothing would change."""
    at = _now(now)
    fields_sent = title is not UNSET or assignee is not UNSET
    if not fields_sent and status is None:
        if reason is not None:
            raise InvalidCaseInputError("a reason goes with a status: send status closed too")
        raise InvalidCaseInputError("nothing to change: send a title, an assignee or a status")
    case = _existing(repo, case_id, for_update=True)
    target = status or case.status
    if fields_sent and case.status is CaseStatus.CLOSED and target is CaseStatus.CLOSED:
        raise CaseConflictError(
            f"{case.reference} is closed; reopen it first (status open) to change it"
        )
    if fields_sent and status is case.status:
        _check_resent_status(status, reason, comment)
        status = None
    edits = _field_changes(case, title, assignee)
    changes = edits
    if status is not None:
        check_transition(case.status, status, reason)
        change = _status_change(case, status, reason, comment, at)
        changes = [change, *edits] if case.status is CaseStatus.CLOSED else [*edits, change]
    elif _comment_text(comment):
        raise InvalidCaseInputError("a comment goes with a status change; use a note otherwise")
    for values, action, details in changes:
        repo.update_case(case_id, values, at)
        _audit(repo, actor, action, case_id, **details)
    return _full(repo, _existing(repo, case_id), at)


def _comment_text(comment: str | None) -> str:
    return " ".join(without_controls(comment or "").split())


def _check_resent_status(
    status: CaseStatus, reason: CloseReason | None, comment: str | None
) -> None:
    """A status resent unchanged with other fields changes nothing, so nothing may go with it."""
    check_reason(status, reason)
    if _comment_text(comment):
        raise InvalidCaseInputError(
            f"the case is already {status.value}, so there is no status change for the comment "
            "to explain; use a note"
        )


def _field_changes(
    case: Case, title: Any, assignee: Any
) -> list[tuple[dict[str, Any], str, dict[str, Any]]]:
    """The title and assignee changes a PATCH asks for, leaving out those that change nothing."""
    changes: list[tuple[dict[str, Any], str, dict[str, Any]]] = []
    if title is not UNSET:
        new_title = clean_title(title)
        if new_title != case.title:
            changes.append(
                ({"title": new_title}, "case.retitled", {"from": case.title, "to": new_title})
            )
    if assignee is not UNSET:
        who = clean_assignee(assignee)
        if who != case.assignee:
            changes.append(({"assignee": who}, "case.assigned", {"from": case.assignee, "to": who}))
    return changes


def _status_change(
    case: Case,
    status: CaseStatus,
    reason: CloseReason | None,
    comment: str | None,
    at: datetime,
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    values: dict[str, Any] = {
        "status": status.value,
        "closed_at": at if status is CaseStatus.CLOSED else None,
    }
    details: dict[str, Any] = {"from": case.status.value, "to": status.value}
    if reason is not None:
        details["reason"] = reason.value
    text = _comment_text(comment)
    if text:
        details["comment"] = text[:1000]
    return values, "case.status_changed", details


def assign_case(repo: CaseRepository, case_id: int, assignee: str | None, *, actor: str) -> Case:
    return update_case(repo, case_id, actor=actor, assignee=assignee)


def change_status(
    repo: CaseRepository,
    case_id: int,
    status: CaseStatus,
    *,
    actor: str,
    reason: CloseReason | None = None,
    comment: str | None = None,
) -> Case:
    return update_case(repo, case_id, actor=actor, status=status, reason=reason, comment=comment)


def add_note(
    repo: CaseRepository, case_id: int, text: str, *, actor: str, now: datetime | None = None
) -> CaseNote:
    """Notes are the case's working record, so a closed case still takes them."""
    at = _now(now)
    body = clean_note(text)
    _existing(repo, case_id, for_update=True)
    note_id = repo.add_note(case_id, actor, at, body)
    repo.update_case(case_id, {}, at)
    # The text stays in the case; the audit entry records that a note was written.
    _audit(repo, actor, "case.note_added", case_id, note=note_id, length=len(body))
    return CaseNote(note_id, actor, at, body)


def _indicator_ref(repo: CaseRepository, ref: str, canonicalise: Canonicalise) -> tuple[str, str]:
    """(stored ref, label) of an indicator given by id, ``type:value`` or a bare value. A
    number alone is an id: a local phone number is written ``phone:0812345678``."""
    text = ref.strip()
    if text.isdigit():
        if not repo.indicator_exists(int(text)):
            raise LinkTargetNotFoundError(
                f"there is no indicator {text} on this node (a number alone is an indicator id; "
                f"write a phone number as phone:{text})"
            )
        return str(int(text)), text
    prefix, colon, rest = text.partition(":")
    wanted: IndicatorType | None = None
    if colon and prefix.strip().lower() in {t.value for t in IndicatorType}:
        wanted, text = IndicatorType(prefix.strip().lower()), rest
    try:
        indicator = canonicalise(text, wanted)
    except InvalidIndicatorError as error:
        raise InvalidCaseInputError(
            f"{ref!r} cannot be read as an indicator: {error.reason}"
        ) from error
    found = repo.indicator_id(indicator)
    label = f"{indicator.type.value}:{indicator.value}"
    if found is None:
        raise LinkTargetNotFoundError(f"no report on this node mentions {label}")
    return str(found), label


def _report_ref(ref: str) -> UUID:
    try:
        return UUID(ref.strip())
    except ValueError as error:
        raise InvalidCaseInputError(
            f"{ref!r} is not a report id: give the report's UUID"
        ) from error


def _operation_ref(ref: str) -> int:
    text = ref.strip()
    if not text.isdigit() or int(text) == 0:
        raise InvalidCaseInputError(f"{ref!r} is not an operation id: give its number")
    return int(text)


def link(
    repo: CaseRepository,
    case_id: int,
    kind: LinkKind,
    ref: str,
    *,
    actor: str,
    canonicalise: Canonicalise,
    now: datetime | None = None,
) -> LinkResult:
    """Link an operation (its survivor if merged), a report or an indicator that exists on
    this node; linking twice is a conflict."""
    at = _now(now)
    case = _writable(repo, case_id)
    note = None
    if kind is LinkKind.OPERATION:
        asked = _operation_ref(ref)
        operation = survivor(repo, asked)
        stored, note = str(operation.id), _merge_note(asked, operation)
    elif kind is LinkKind.REPORT:
        report_id = _report_ref(ref)
        if not repo.report_exists(report_id):
            raise LinkTargetNotFoundError(f"there is no report {report_id} on this node")
        stored = str(report_id)
    else:
        stored, _label = _indicator_ref(repo, ref, canonicalise)
    if not repo.add_link(case_id, kind, stored, actor, at):
        raise CaseConflictError(f"{case.reference} already links {kind.value} {stored}")
    repo.update_case(case_id, {}, at)
    details: dict[str, Any] = {"kind": kind.value, "ref": stored}
    # What was typed for a value is the value (the audit log outlives its erasure).
    if stored != ref.strip() and kind is not LinkKind.INDICATOR:
        details["asked"] = ref.strip()[:200]
    _audit(repo, actor, "case.link_added", case_id, **details)
    made = next(item for item in repo.links(case_id) if (item.kind, item.ref) == (kind, stored))
    return LinkResult(made, note)


def unlink(
    repo: CaseRepository,
    case_id: int,
    kind: LinkKind,
    ref: str,
    *,
    actor: str,
    canonicalise: Canonicalise,
    now: datetime | None = None,
) -> None:
    case = _writable(repo, case_id)
    stored: str | None
    if kind is LinkKind.OPERATION:
        stored = str(_operation_ref(ref))
    elif kind is LinkKind.REPORT:
        stored = str(_report_ref(ref))
    else:
        stored = _stored_indicator_ref(repo, ref, canonicalise)
    if stored is None or not repo.remove_link(case_id, kind, stored):
        raise LinkNotFoundError(f"{case.reference} has no link to {kind.value} {ref.strip()}")
    repo.update_case(case_id, {}, _now(now))
    _audit(repo, actor, "case.link_removed", case_id, kind=kind.value, ref=stored)


def _stored_indicator_ref(repo: CaseRepository, ref: str, canonicalise: Canonicalise) -> str | None:
    """The stored ref of an indicator to unlink, or None when it is not on this node."""
    try:
        return _indicator_ref(repo, ref, canonicalise)[0]
    except LinkTargetNotFoundError:
        return None


def audit_trail(repo: CaseRepository, case_id: int, *, actor: str) -> Sequence[AuditEntry]:
    """The case's audit entries, with those of the cross-border requests sent from it, in
    chain order. Reading the trail is itself a view, recorded first, so the trail returned
    ends with this reading."""
    _existing(repo, case_id)
    _audit(repo, actor, "case.audit_viewed", case_id)
    return repo.audit_trail(case_id)
