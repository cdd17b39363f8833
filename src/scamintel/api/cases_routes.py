"""Cases under /api/v1/cases, for investigators, analysts and admins (docs/cases.md). Every
route that shows or changes a case is audited by the service, in the route's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from scamintel.access.keys import Principal
from scamintel.access.roles import CASE_ROLES
from scamintel.api.auth import require_role
from scamintel.api.cases_schemas import (
    AuditEntryOut,
    CaseAuditOut,
    CaseChangeIn,
    CaseIn,
    CaseLinkOut,
    CaseListOut,
    CaseNoteOut,
    CaseOut,
    CaseSummaryOut,
    LinkAddedOut,
    LinkIn,
    NoteIn,
)
from scamintel.api.routes import PROBLEM, Node
from scamintel.api.state import NodeState
from scamintel.cases import service
from scamintel.cases.model import (
    CaseConflictError,
    CaseError,
    CaseNotFoundError,
    CaseStatus,
    InvalidCaseInputError,
    LinkKind,
    LinkNotFoundError,
    case_reference,
    parse_case_id,
)
from scamintel.storage.cases_repo import SqlCaseRepository

Caller = Annotated[Principal, Depends(require_role(*CASE_ROLES))]
CaseId = Annotated[str, Path(description="The case number: 7 or CASE-7")]
AUTH_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "No API key", **PROBLEM},
    403: {"description": "Not an investigator, analyst or admin key", **PROBLEM},
    404: {"description": "No such case", **PROBLEM},
    422: {"description": "Invalid input", **PROBLEM},
}
CONFLICT: dict[int | str, dict[str, object]] = {
    409: {"description": "Does not fit the case's status", **PROBLEM}
}

cases_api = APIRouter(prefix="/api/v1/cases", tags=["cases"], responses=AUTH_PROBLEMS)


def _status_of(error: CaseError) -> int:
    if isinstance(error, CaseNotFoundError | LinkNotFoundError):
        return 404
    if isinstance(error, CaseConflictError):
        return 409
    return 422


@contextmanager
def _cases(node: NodeState) -> Iterator[SqlCaseRepository]:
    """One transaction: the change and its audit entry commit together, or neither does."""
    try:
        with node.database.engine.begin() as connection:
            yield SqlCaseRepository(connection)
    except CaseError as error:
        raise HTTPException(_status_of(error), _sentence(str(error))) from error


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _case_id(text: str) -> int:
    try:
        return parse_case_id(text)
    except InvalidCaseInputError as error:
        raise HTTPException(404, _sentence(str(error))) from error


@cases_api.post(
    "",
    response_model=CaseOut,
    status_code=201,
    summary="Open a case by hand (title) or from an operation (operation_id)",
)
def open_case(
    node: Node, body: CaseIn, request: Request, response: Response, principal: Caller
) -> CaseOut:
    if body.operation_id is None and body.title is None:
        raise HTTPException(
            422,
            "Send a title (a case opened by hand) or an operation_id (a case from an operation).",
        )
    with _cases(node) as repo:
        opened = service.open_case(
            repo,
            actor=principal.actor,
            title=body.title,
            operation_id=body.operation_id,
            assignee=body.assignee,
        )
    response.headers["Location"] = str(request.url_for("get_case", case_id=opened.case.reference))
    return CaseOut.of(opened.case, opened.note)


@cases_api.get("", response_model=CaseListOut, summary="Cases, most recently changed first")
def list_cases(
    node: Node,
    principal: Caller,
    status: CaseStatus | None = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIST)] = 100,
) -> CaseListOut:
    with _cases(node) as repo:
        found = service.list_cases(
            repo, actor=principal.actor, status=status, assignee=assignee, limit=limit
        )
    return CaseListOut(cases=[CaseSummaryOut.of(case) for case in found])


@cases_api.get("/{case_id}", response_model=CaseOut, summary="One case with its links and notes")
def get_case(node: Node, case_id: CaseId, principal: Caller) -> CaseOut:
    with _cases(node) as repo:
        case = service.view_case(repo, _case_id(case_id), actor=principal.actor)
    return CaseOut.of(case)


@cases_api.patch(
    "/{case_id}",
    response_model=CaseOut,
    summary="Change the title, assignee or status (closing needs a reason)",
    responses=CONFLICT,
)
def change_case(node: Node, case_id: CaseId, body: CaseChangeIn, principal: Caller) -> CaseOut:
    sent = body.model_fields_set
    with _cases(node) as repo:
        case = service.update_case(
            repo,
            _case_id(case_id),
            actor=principal.actor,
            title=body.title if "title" in sent else service.UNSET,
            assignee=body.assignee if "assignee" in sent else service.UNSET,
            status=body.status,
            reason=body.reason,
            comment=body.comment,
        )
    return CaseOut.of(case)


@cases_api.post(
    "/{case_id}/notes",
    response_model=CaseNoteOut,
    status_code=201,
    summary="Add a note to a case (closed cases too)",
)
def add_note(node: Node, case_id: CaseId, body: NoteIn, principal: Caller) -> CaseNoteOut:
    with _cases(node) as repo:
        note = service.add_note(repo, _case_id(case_id), body.text, actor=principal.actor)
    return CaseNoteOut.of(note)


@cases_api.post(
    "/{case_id}/links",
    response_model=LinkAddedOut,
    status_code=201,
    summary="Link an operation, report or indicator that is on this node",
    responses=CONFLICT,
)
def add_link(node: Node, case_id: CaseId, body: LinkIn, principal: Caller) -> LinkAddedOut:
    number = _case_id(case_id)
    with _cases(node) as repo:
        made = service.link(
            repo,
            number,
            body.kind,
            body.ref,
            actor=principal.actor,
            canonicalise=service.registry_canonicaliser(node.registry, node.context),
        )
    return LinkAddedOut(
        case=case_reference(number), link=CaseLinkOut.of(made.link), message=made.note
    )


@cases_api.delete(
    "/{case_id}/links/{kind}/{ref:path}",
    status_code=204,
    summary="Remove a link from a case",
    responses=CONFLICT,
)
def remove_link(
    node: Node, case_id: CaseId, kind: LinkKind, ref: str, principal: Caller
) -> Response:
    with _cases(node) as repo:
        service.unlink(
            repo,
            _case_id(case_id),
            kind,
            ref,
            actor=principal.actor,
            canonicalise=service.registry_canonicaliser(node.registry, node.context),
        )
    return Response(status_code=204)


@cases_api.get(
    "/{case_id}/audit",
    response_model=CaseAuditOut,
    summary="The case's audit trail in order; this reading is its last entry",
)
def case_audit(node: Node, case_id: CaseId, principal: Caller) -> CaseAuditOut:
    number = _case_id(case_id)
    with _cases(node) as repo:
        entries = service.audit_trail(repo, number, actor=principal.actor)
    return CaseAuditOut(
        case=case_reference(number), entries=[AuditEntryOut.of(entry) for entry in entries]
    )
