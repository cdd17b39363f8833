"""``scamintel case``: an investigator's cases at the node's console (docs/cases.md). Each
verb that shows or changes a case is audited under the console's account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.markup import escape

from scamintel.api.cases_schemas import (
    AuditEntryOut,
    CaseAuditOut,
    CaseLinkOut,
    CaseListOut,
    CaseOut,
    CaseSummaryOut,
)
from scamintel.cases import service
from scamintel.cases.model import (
    Case,
    CaseError,
    CaseRequest,
    CaseStatus,
    CloseReason,
    LinkKind,
    case_reference,
    parse_case_id,
)
from scamintel.cases.requests import Delivery, RequestStatus
from scamintel.cli_common import (
    console_actor,
    fail,
    load_settings,
    open_database,
    out,
    region_context,
)
from scamintel.indicators import default_registry
from scamintel.storage.cases_repo import SqlCaseRepository

case_app = typer.Typer(
    help="Cases: open from an operation or by hand, assign, note, link, close; all audited.",
    no_args_is_help=True,
)

CaseArg = Annotated[str, typer.Argument(help="The case: 7 or CASE-7", show_default=False)]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]


@contextmanager
def _cases() -> Iterator[SqlCaseRepository]:
    """One transaction on the node's database; a refused change exits 2 with the reason."""
    database = open_database(load_settings())
    try:
        with database.engine.begin() as connection:
            yield SqlCaseRepository(connection)
    except CaseError as error:
        fail(str(error))
    finally:
        database.dispose()


def _number(text: str) -> int:
    try:
        return parse_case_id(text)
    except CaseError as error:
        fail(str(error))


def _canonicalise() -> service.Canonicalise:
    return service.registry_canonicaliser(default_registry(), region_context(None, load_settings()))


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False))


def _show(case: Case, message: str | None = None) -> None:
    assignee = case.assignee or "nobody"
    status = case.status.value
    if case.close_reason is not None:
        status += f" ({case.close_reason.value})"
    out.print(f"[bold]{case.reference}[/]  {escape(case.title)}", highlight=False)
    out.print(
        f"  status {status}, assigned to {escape(assignee)}; opened by "
        f"{escape(case.created_by)} on {case.created_at:%Y-%m-%d %H:%M} UTC",
        highlight=False,
    )
    for link in case.links:
        label = f" ({escape(link.label)})" if link.label else ""
        out.print(f"  link  {link.kind.value} {escape(link.ref)}{label}", highlight=False)
    for note in case.notes:
        out.print(
            f"  note  {note.at:%Y-%m-%d %H:%M} {escape(note.author)}: {escape(note.text)}",
            highlight=False,
        )
    for request in case.requests:
        _print_request(request)
    if message:
        out.print(f"  {escape(message)}", highlight=False)


def _print_request(request: CaseRequest) -> None:
    """One request sent from the case, with what `request list` marks: not delivered, refused
    by the partner (and its words), and a rejection's reason."""
    late = ", OVERDUE" if request.overdue else ""
    outcome = f", outcome {request.outcome.value}" if request.outcome else ""
    delivery = ""
    if request.delivery is Delivery.PENDING:
        delivery = ", NOT DELIVERED (`scamintel sync` or `scamintel request deliver` tries again)"
    elif request.delivery is Delivery.REFUSED:
        delivery = ", REFUSED BY PARTNER"
    out.print(
        f"  request  {request.request_id} {request.kind.value} "
        f"({request.indicator_type.value}) to {escape(request.partner)}: "
        f"{request.status.value}{outcome}{delivery}, due {request.due_at:%Y-%m-%d %H:%M} UTC"
        f"{late}",
        highlight=False,
        soft_wrap=True,
    )
    if request.refused_because:
        out.print(
            f"    refused by the partner: {escape(request.refused_because)}; once fixed, "
            "`scamintel request deliver` sends it again",
            highlight=False,
            soft_wrap=True,
        )
    if request.status is RequestStatus.REJECTED and request.status_reason:
        out.print(f"    rejected: {escape(request.status_reason)}", highlight=False, soft_wrap=True)


@case_app.command("open")
def case_open(
    operation: Annotated[
        int | None, typer.Option("--operation", min=1, help="Open from this operation")
    ] = None,
    title: Annotated[str | None, typer.Option(help="What the case is about")] = None,
    assignee: Annotated[str | None, typer.Option(help="Who works on it")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Open a case by hand (--title) or from an operation (--operation).

    From an operation, the title defaults to one read from the operation, and a merged
    operation's survivor is linked."""
    if operation is None and title is None:
        fail("give --title TEXT (a case by hand) or --operation ID (a case from an operation)")
    with _cases() as repo:
        opened = service.open_case(
            repo, actor=console_actor(), title=title, operation_id=operation, assignee=assignee
        )
    if as_json:
        _print_json(CaseOut.of(opened.case, opened.note).model_dump(mode="json"))
        return
    out.print(f"Opened {opened.case.reference}", highlight=False)
    _show(opened.case, opened.note)


@case_app.command("list")
def case_list(
    status: Annotated[CaseStatus | None, typer.Option(help="Only cases in this status")] = None,
    assignee: Annotated[str | None, typer.Option(help="Only cases assigned to this name")] = None,
    limit: Annotated[int, typer.Option(min=1, max=service.MAX_LIST)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Cases, most recently changed first."""
    with _cases() as repo:
        found = service.list_cases(
            repo, actor=console_actor(), status=status, assignee=assignee, limit=limit
        )
    if as_json:
        listed = CaseListOut(cases=[CaseSummaryOut.of(case) for case in found])
        _print_json(listed.model_dump(mode="json"))
        return
    if not found:
        out.print("No cases.")
    for case in found:
        out.print(
            f"{case.reference:<10} {case.status.value:<12} {escape(case.assignee or '-'):<20} "
            f"{escape(case.title)}",
            highlight=False,
        )


@case_app.command("show")
def case_show(case_id: CaseArg, as_json: JsonFlag = False) -> None:
    """One case with its links, notes and cross-border requests."""
    number = _number(case_id)
    with _cases() as repo:
        case = service.view_case(repo, number, actor=console_actor())
    if as_json:
        _print_json(CaseOut.of(case).model_dump(mode="json"))
        return
    _show(case)


@case_app.command("assign")
def case_assign(
    case_id: CaseArg,
    name: Annotated[str, typer.Argument(help="The investigator; an empty name unassigns")],
) -> None:
    """Assign the case to someone (free text)."""
    number = _number(case_id)
    with _cases() as repo:
        case = service.assign_case(repo, number, name, actor=console_actor())
    out.print(f"{case.reference} assigned to {escape(case.assignee or 'nobody')}", highlight=False)


@case_app.command("status")
def case_status(
    case_id: CaseArg,
    status: Annotated[CaseStatus, typer.Argument(help="open, in_progress or closed")],
    reason: Annotated[
        CloseReason | None, typer.Option(help="Why it is closed (required to close)")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="Why, in words (kept in the audit)")] = None,
) -> None:
    """Move the case: open -> in_progress -> closed; a closed case can be reopened."""
    number = _number(case_id)
    with _cases() as repo:
        case = service.change_status(
            repo, number, status, actor=console_actor(), reason=reason, comment=comment
        )
    out.print(f"{case.reference} is now {case.status.value}", highlight=False)


@case_app.command("note")
def case_note(
    case_id: CaseArg, text: Annotated[str, typer.Argument(help="What you found or did")]
) -> None:
    """Add a note (closed cases take notes too)."""
    number = _number(case_id)
    with _cases() as repo:
        note = service.add_note(repo, number, text, actor=console_actor())
    out.print(f"Note {note.id} added to {case_reference(number)}", highlight=False)


@case_app.command("link")
def case_link(
    case_id: CaseArg,
    kind: Annotated[LinkKind, typer.Argument(help="operation, report or indicator")],
    ref: Annotated[
        str, typer.Argument(help="Operation id, report UUID, indicator id or type:value")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Link an operation, report or indicator that is on this node."""
    number = _number(case_id)
    with _cases() as repo:
        made = service.link(
            repo, number, kind, ref, actor=console_actor(), canonicalise=_canonicalise()
        )
    if as_json:
        _print_json(
            {
                "case": case_reference(number),
                "link": CaseLinkOut.of(made.link).model_dump(mode="json"),
                "message": made.note,
            }
        )
        return
    label = f" ({made.link.label})" if made.link.label else ""
    out.print(
        f"{case_reference(number)} links {kind.value} {escape(made.link.ref)}{escape(label)}",
        highlight=False,
    )
    if made.note:
        out.print(escape(made.note), highlight=False)


@case_app.command("unlink")
def case_unlink(
    case_id: CaseArg,
    kind: Annotated[LinkKind, typer.Argument(help="operation, report or indicator")],
    ref: Annotated[str, typer.Argument(help="As linked (see `case show`)")],
) -> None:
    """Remove a link."""
    number = _number(case_id)
    with _cases() as repo:
        service.unlink(repo, number, kind, ref, actor=console_actor(), canonicalise=_canonicalise())
    out.print(f"{case_reference(number)} no longer links {kind.value} {escape(ref)}")


@case_app.command("audit")
def case_audit(case_id: CaseArg, as_json: JsonFlag = False) -> None:
    """The case's audit trail in order: who viewed or changed it, and when.

    This reading is recorded too, as the last entry."""
    number = _number(case_id)
    with _cases() as repo:
        entries = service.audit_trail(repo, number, actor=console_actor())
    if as_json:
        trail = CaseAuditOut(
            case=case_reference(number), entries=[AuditEntryOut.of(entry) for entry in entries]
        )
        _print_json(trail.model_dump(mode="json"))
        return
    for entry in entries:
        details = json.dumps(entry.event.details, ensure_ascii=False) if entry.event.details else ""
        out.print(
            f"{entry.seq:>6}  {entry.at:%Y-%m-%d %H:%M:%S}  {escape(entry.event.actor):<20} "
            f"{entry.event.action:<20} {escape(details)}",
            highlight=False,
        )
