"""``/analyst/cases``: investigators' cases, on the same service as ``/api/v1/cases``. Every
listing, view and change is written to the audit log by the service, in the same transaction
as the change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import HTMLResponse, Response

from scamintel.cases import service
from scamintel.cases.model import (
    Case,
    CaseConflictError,
    CaseError,
    CaseNotFoundError,
    CaseStatus,
    CloseReason,
    InvalidCaseInputError,
    LinkKind,
    LinkNotFoundError,
    parse_case_id,
)
from scamintel.storage.cases_repo import SqlCaseRepository
from scamintel.web.analyst.access import Analyst, AnalystDesk
from scamintel.web.analyst.operations_page import operation_number
from scamintel.web.i18n import N_
from scamintel.web.rendering import CheckedForm, FormData, page_router

cases_pages = page_router("/analyst")

SHOWN_CASES = 200
NO_CASE = N_("There is no case with this number on this node.")
NOT_AN_OPERATION = N_("Write the operation's number in digits, for example 12.")
STATUS_NAMES = {
    CaseStatus.OPEN: N_("Open"),
    CaseStatus.IN_PROGRESS: N_("In progress"),
    CaseStatus.CLOSED: N_("Closed"),
}
CLOSE_REASON_NAMES = {
    CloseReason.ACTIONED: N_("Actioned: frozen, blocked or taken down"),
    CloseReason.REFERRED: N_("Referred to another unit or country"),
    CloseReason.INSUFFICIENT_EVIDENCE: N_("Not enough evidence for now"),
    CloseReason.DUPLICATE: N_("Another case covers it"),
    CloseReason.FALSE_POSITIVE: N_("Not a scam after all"),
}
LINK_KIND_NAMES = {
    LinkKind.OPERATION: N_("Operation (its number)"),
    LinkKind.REPORT: N_("Report (its id)"),
    LinkKind.INDICATOR: N_("Value (phone number, account, link…)"),
}


def _repository_call(desk: AnalystDesk, action: Callable[[SqlCaseRepository], Any]) -> Any:
    """One transaction: the change and its audit entry commit together, or neither does."""
    with desk.node.database.engine.begin() as connection:
        return action(SqlCaseRepository(connection))


def _status_code(error: CaseError) -> int:
    if isinstance(error, CaseNotFoundError | LinkNotFoundError):
        return 404
    if isinstance(error, CaseConflictError):
        return 409
    return 422


@cases_pages.get("/cases")
def cases(desk: Analyst, status: str = "") -> HTMLResponse:
    chosen = CaseStatus(status) if status in {s.value for s in CaseStatus} else None
    found = _repository_call(
        desk,
        lambda repo: service.list_cases(
            repo, actor=desk.principal.actor, status=chosen, limit=SHOWN_CASES
        ),
    )
    return _cases_page(desk, found, chosen, values={}, problem=None)


def _cases_page(
    desk: AnalystDesk,
    found: list[Case],
    chosen: CaseStatus | None,
    *,
    values: dict[str, str],
    problem: str | None,
    operation_problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return desk.render(
        "analyst/cases.html",
        status=status,
        cases=found,
        chosen=chosen.value if chosen else "",
        statuses=STATUS_NAMES,
        values=values,
        problem=problem,
        operation_problem=operation_problem,
    )


@cases_pages.post("/cases")
def open_case(desk: Analyst, form: CheckedForm) -> Response:
    return desk.run_once(form, lambda: _open_case(desk, form))


def _open_case(desk: AnalystDesk, form: FormData) -> str | HTMLResponse:
    title = form.get("title").strip() or None
    operation_text = form.get("operation_id").strip()
    operation_id = operation_number(operation_text) if operation_text else None
    if operation_text and operation_id is None:
        return _refused_case(desk, form, None, operation_problem=NOT_AN_OPERATION)
    try:
        if title is None and operation_id is None:
            raise InvalidCaseInputError("give a title, or the number of an operation")
        opened = _repository_call(
            desk,
            lambda repo: service.open_case(
                repo,
                actor=desk.principal.actor,
                title=title,
                operation_id=operation_id,
                assignee=form.get("assignee"),
            ),
        )
    except CaseError as error:
        return _refused_case(desk, form, str(error))
    return f"/analyst/cases/{opened.case.id}"


def _refused_case(
    desk: AnalystDesk, form: FormData, problem: str | None, operation_problem: str | None = None
) -> HTMLResponse:
    found = _repository_call(
        desk,
        lambda repo: service.list_cases(repo, actor=desk.principal.actor, limit=SHOWN_CASES),
    )
    return _cases_page(
        desk,
        found,
        None,
        values=form.as_values(),
        problem=problem,
        operation_problem=operation_problem,
        status=422,
    )


def _case_number(text: str) -> int | None:
    try:
        return parse_case_id(text)
    except InvalidCaseInputError:
        return None


@cases_pages.get("/cases/{case_id}")
def case(desk: Analyst, case_id: str) -> HTMLResponse:
    return _case_page(desk, case_id, problem=None, status=200)


def _case_page(
    desk: AnalystDesk,
    case_id: str,
    *,
    problem: str | None,
    status: int,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    number = _case_number(case_id)
    try:
        if number is None:
            raise CaseNotFoundError(case_id)
        shown = _repository_call(
            desk, lambda repo: service.view_case(repo, number, actor=desk.principal.actor)
        )
    except CaseNotFoundError:
        return desk.render("analyst/message.html", status=404, message=NO_CASE)
    return desk.render(
        "analyst/case.html",
        status=status,
        case=shown,
        problem=problem,
        values=values or {},
        statuses=STATUS_NAMES,
        close_reasons=CLOSE_REASON_NAMES,
        link_kinds=LINK_KIND_NAMES,
    )


def _change(
    desk: AnalystDesk,
    case_id: str,
    form: FormData,
    change: Callable[[SqlCaseRepository, int], Any],
) -> Response:
    """The change, then back to the case; a repeat of a form with a one-time id (a note
    sent twice) is not applied again."""
    return desk.run_once(form, lambda: _apply(desk, case_id, form, change))


def _apply(
    desk: AnalystDesk,
    case_id: str,
    form: FormData,
    change: Callable[[SqlCaseRepository, int], Any],
) -> str | HTMLResponse:
    number = _case_number(case_id)
    if number is None:
        return desk.render("analyst/message.html", status=404, message=NO_CASE)
    try:
        _repository_call(desk, lambda repo: change(repo, number))
    except CaseError as error:
        return _case_page(
            desk,
            case_id,
            problem=str(error),
            status=_status_code(error),
            values=form.as_values(),
        )
    return f"/analyst/cases/{number}"


@cases_pages.post("/cases/{case_id}/status")
def change_status(desk: Analyst, case_id: str, form: CheckedForm) -> Response:
    def apply(repo: SqlCaseRepository, number: int) -> Case:
        wanted = form.get("status")
        reason = form.get("reason")
        if wanted not in {s.value for s in CaseStatus}:
            raise InvalidCaseInputError("choose the new status")
        if reason and reason not in {r.value for r in CloseReason}:
            raise InvalidCaseInputError("choose why the case is closed")
        return service.update_case(
            repo,
            number,
            actor=desk.principal.actor,
            assignee=form.get("assignee"),
            status=CaseStatus(wanted),
            reason=CloseReason(reason) if reason and wanted == CaseStatus.CLOSED else None,
            comment=form.get("comment") or None,
        )

    return _change(desk, case_id, form, apply)


@cases_pages.post("/cases/{case_id}/notes")
def add_note(desk: Analyst, case_id: str, form: CheckedForm) -> Response:
    return _change(
        desk,
        case_id,
        form,
        lambda repo, number: service.add_note(
            repo, number, form.get("text"), actor=desk.principal.actor
        ),
    )


def _link_kind(form: FormData) -> LinkKind:
    kind = form.get("kind")
    if kind not in {k.value for k in LinkKind}:
        raise InvalidCaseInputError("choose what to link: an operation, a report or a value")
    return LinkKind(kind)


@cases_pages.post("/cases/{case_id}/links")
def add_link(desk: Analyst, case_id: str, form: CheckedForm) -> Response:
    canonicalise = service.registry_canonicaliser(desk.node.registry, desk.node.context)
    return _change(
        desk,
        case_id,
        form,
        lambda repo, number: service.link(
            repo,
            number,
            _link_kind(form),
            form.get("ref").strip(),
            actor=desk.principal.actor,
            canonicalise=canonicalise,
        ),
    )


@cases_pages.post("/cases/{case_id}/unlink")
def remove_link(desk: Analyst, case_id: str, form: CheckedForm) -> Response:
    canonicalise = service.registry_canonicaliser(desk.node.registry, desk.node.context)
    return _change(
        desk,
        case_id,
        form,
        lambda repo, number: service.unlink(
            repo,
            number,
            _link_kind(form),
            form.get("ref"),
            actor=desk.principal.actor,
            canonicalise=canonicalise,
        ),
    )
