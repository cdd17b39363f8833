"""``scamintel request``: cross-border requests (docs/cross-border-requests.md). Send one to a
peer, answer the ones partners sent (accept, start, reject, fulfil), list and show them, and
deliver pending ones now. Audit actor: the operating-system account (``cli:NAME``)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from scamintel.api.requests_schemas import RequestOut
from scamintel.cases.model import InvalidCaseInputError, case_reference, parse_case_id
from scamintel.cases.requests import (
    CrossBorderRequest,
    Delivery,
    Direction,
    NewRequest,
    Outcome,
    RequestInvalidError,
    RequestKind,
    RequestNotFoundError,
    RequestStatus,
    SlaSettingsError,
    StepNotAllowedError,
    TransitionError,
    advance,
    check_subject,
    open_outgoing,
    sla_hours,
)
from scamintel.cli_common import (
    console_actor,
    fail,
    load_settings,
    open_database,
    out,
    region_context,
)
from scamintel.federation.markings import Purpose
from scamintel.federation.request_transport import (
    IMMEDIATE_TIMEOUT_S,
    deliver_requests,
    delivery_line,
)
from scamintel.indicators import IndicatorType, InvalidIndicatorError, default_registry
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.reading import Reading
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.peers_repo import find_peer
from scamintel.storage.requests_repo import RequestFilter, SqlRequests

request_app = typer.Typer(
    help="Cross-border requests: ask a peer node to act on a value, answer partners' requests.",
    no_args_is_help=True,
)

AsJson = Annotated[bool, typer.Option("--json", help="Print as JSON")]
RequestId = Annotated[str, typer.Argument(metavar="ID", help="The request's id (a UUID)")]


def _reading(settings: Settings) -> Reading:
    return Reading(default_registry(), region_context(None, settings), Warninglist())


def _json(request: CrossBorderRequest) -> dict[str, Any]:
    return RequestOut.of(request, datetime.now(UTC)).model_dump(mode="json")


def _request_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        fail(f"{text!r} is not a request id (a UUID, as `scamintel request list` shows)")


def _marks(request: CrossBorderRequest, now: datetime) -> str:
    """OVERDUE past due; for an outgoing request the partner does not hold, why: the SLA
    clock runs from sending, delivered or not."""
    marks = []
    if request.overdue(now):
        marks.append("[bold red]OVERDUE[/]")
    if request.delivery is Delivery.PENDING:
        marks.append("[yellow]NOT DELIVERED[/]")
    elif request.delivery is Delivery.REFUSED:
        marks.append("[bold red]REFUSED BY PARTNER[/]")
    return "".join(f" {mark}" for mark in marks)


def _line(request: CrossBorderRequest, now: datetime) -> str:
    late = _marks(request, now)
    arrow = "→" if request.direction is Direction.OUTGOING else "←"
    return (
        f"[bold]{request.request_id}[/] {arrow} {escape(request.partner)} "
        f"{request.kind.value} {request.indicator_type.value} {escape(request.subject)}: "
        f"{request.status.value}{late} (due {request.due_at:%Y-%m-%d %H:%M} UTC)"
    )


def _print(request: CrossBorderRequest) -> None:
    now = datetime.now(UTC)
    out.print(_line(request, now), highlight=False, soft_wrap=True)
    case = f", {case_reference(request.case_id)}" if request.case_id is not None else ""
    out.print(
        f"  {request.direction.value}, {request.purpose.value}{case}: {escape(request.reason)}",
        highlight=False,
        soft_wrap=True,
    )
    if request.outcome is not None:
        out.print(f"  outcome: {request.outcome.value}", highlight=False)
    if request.refused_because:
        out.print(
            f"  [red]refused by the partner:[/] {escape(request.refused_because)}; once fixed, "
            "`scamintel request deliver` sends it again",
            highlight=False,
            soft_wrap=True,
        )
    elif request.last_error:
        out.print(f"  [red]last error:[/] {escape(request.last_error)}", highlight=False)
    for event in request.events:
        why = f": {escape(event.reason)}" if event.reason else ""
        outcome = f" ({event.outcome.value})" if event.outcome else ""
        out.print(
            f"  {event.at:%Y-%m-%d %H:%M:%S} {event.status.value}{outcome} by "
            f"{escape(event.actor)}{why}",
            highlight=False,
            soft_wrap=True,
        )


def _sla(settings: Settings) -> dict[RequestKind, float]:
    try:
        return sla_hours(settings.request_sla_hours)
    except SlaSettingsError as error:
        fail(str(error))


def _canonical(value: str | None, indicator_type: IndicatorType, settings: Settings) -> str | None:
    if value is None:
        return None
    try:
        return (
            default_registry()
            .canonicalise(value, indicator_type, region_context(None, settings))
            .value
        )
    except InvalidIndicatorError as error:
        fail(f"{value!r} cannot be read as {indicator_type.value}: {error.reason}")


def _deliver(
    database: NodeDatabase, settings: Settings, request_id: uuid.UUID | None, peer: str | None
) -> list[str]:
    # Asked for explicitly: requests the partner refused are sent again too.
    results = deliver_requests(
        database,
        _reading(settings),
        actor=console_actor(),
        timeout=IMMEDIATE_TIMEOUT_S if request_id else settings.sync_timeout_seconds,
        peer=peer,
        only=request_id,
        with_refused=True,
    )
    return [delivery_line(r) for r in results]


# -- on the node that asks -----------------------------------------------------------------------
def _case_number(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_case_id(text)
    except InvalidCaseInputError as error:
        fail(str(error))


@request_app.command("send")
def request_send(
    peer: Annotated[str, typer.Argument(metavar="PEER", help="The peer node to ask")],
    kind: Annotated[RequestKind, typer.Option("--kind", help="What to do")],
    indicator_type: Annotated[IndicatorType, typer.Option("--type", help="The value's type")],
    reason: Annotated[str, typer.Option(help="What it is needed for (the case)")],
    value: Annotated[str | None, typer.Option(help="The value")] = None,
    selector: Annotated[str | None, typer.Option(help="A blind selector the peer shared")] = None,
    purpose: Annotated[Purpose, typer.Option(help="Why")] = Purpose.INVESTIGATION,
    case: Annotated[
        str | None, typer.Option("--case", help="The case it is sent from (7 or CASE-7)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Send a request to a peer; delivered now if the peer answers, else at the next sync."""
    settings = load_settings()
    sla = _sla(settings)
    selector = selector.strip().lower() if selector else None
    case_id = _case_number(case)
    try:
        check_subject(kind, indicator_type, value, selector)
    except RequestInvalidError as error:
        fail(str(error))
    canonical = _canonical(value, indicator_type, settings)
    asked = NewRequest(
        kind,
        indicator_type,
        canonical,
        selector,
        purpose,
        reason,
    )
    database = open_database(settings)
    try:
        with database.engine.connect() as connection:
            if find_peer(connection, peer, database.sealer) is None:
                fail(f"no peer named {peer!r}; add it with `scamintel peer add`")
        with database.engine.begin() as connection:
            created = open_outgoing(
                SqlRequests(connection, database.sealer),
                asked,
                request_id=uuid.uuid4(),
                peer=peer,
                case_id=case_id,
                actor=console_actor(),
                now=datetime.now(UTC),
                sla=sla,
            )
        _deliver(database, settings, created.request_id, peer)
        with database.engine.connect() as connection:
            stored = SqlRequests(connection, database.sealer).get(
                created.request_id, Direction.OUTGOING
            )
    except (RequestInvalidError, RequestNotFoundError, TransitionError) as error:
        fail(str(error))
    finally:
        database.dispose()
    assert stored is not None
    if as_json:
        print(json.dumps(_json(stored), ensure_ascii=False))
        return
    _print(stored)
    # A refused request is not retried by the syncs: _print already said what to do.
    if stored.delivery is Delivery.PENDING:
        out.print(
            "  not delivered yet; `scamintel sync` or `scamintel request deliver` tries again",
            highlight=False,
        )


@request_app.command("deliver")
def request_deliver(
    peer: Annotated[str | None, typer.Option(help="Only requests to this peer")] = None,
) -> None:
    """Deliver pending requests (those the partner refused too) and read open ones' status."""
    settings = load_settings()
    database = open_database(settings)
    try:
        lines = _deliver(database, settings, None, peer)
    finally:
        database.dispose()
    if not lines:
        out.print("No open requests to deliver or follow.")
    for line in lines:
        out.print(escape(line), highlight=False, soft_wrap=True)


# -- both sides ----------------------------------------------------------------------------------
@request_app.command("list")
def request_list(
    direction: Annotated[Direction | None, typer.Option(help="outgoing or incoming")] = None,
    status: Annotated[RequestStatus | None, typer.Option(help="Only this status")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones")] = False,
    case: Annotated[
        str | None, typer.Option("--case", help="Only this case's (7 or CASE-7)")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many")] = 200,
    as_json: AsJson = False,
) -> None:
    """Requests sent and received, newest first; overdue ones are marked."""
    case_id = _case_number(case)
    wanted = RequestFilter(direction, status, True if overdue else None, None, case_id, limit)
    now = datetime.now(UTC)
    database = open_database(load_settings())
    try:
        with database.engine.begin() as connection:
            store = SqlRequests(connection, database.sealer)
            found = store.listed(wanted, now)
            store.record_view(
                found,
                console_actor(),
                direction=direction,
                status=status,
                overdue=True if overdue else None,
                case_id=case_id,
            )
    finally:
        database.dispose()
    if as_json:
        print(json.dumps([_json(r) for r in found], ensure_ascii=False))
        return
    if not found:
        out.print("No requests.")
    for request in found:
        out.print(_line(request, now), highlight=False, soft_wrap=True)


@request_app.command("show")
def request_show(request_id: RequestId, as_json: AsJson = False) -> None:
    """One request with every status step."""
    key = _request_id(request_id)
    database = open_database(load_settings())
    try:
        with database.engine.begin() as connection:
            store = SqlRequests(connection, database.sealer)
            found = store.get(key)
            if found is not None:
                store.record_view([found], console_actor())
    finally:
        database.dispose()
    if found is None:
        fail(f"no request {key} on this node")
    if as_json:
        print(json.dumps(_json(found), ensure_ascii=False))
        return
    _print(found)


# -- on the node that was asked ------------------------------------------------------------------
def _step(
    request_id: str, target: RequestStatus, reason: str | None, outcome: Outcome | None
) -> None:
    key = _request_id(request_id)
    settings = load_settings()
    database = open_database(settings)
    try:
        with database.engine.begin() as connection:
            taken = advance(
                SqlRequests(connection, database.sealer, _reading(settings)),
                key,
                target,
                reason=reason,
                outcome=outcome,
                actor=console_actor(),
                now=datetime.now(UTC),
            )
    except StepNotAllowedError as error:
        fail(_step_refusal(error))
    except (RequestInvalidError, RequestNotFoundError, TransitionError) as error:
        fail(str(error))
    finally:
        database.dispose()
    _print(taken.request)
    if taken.outcome_note is not None:
        out.print(f"  [yellow]note:[/] {taken.outcome_note}", highlight=False, soft_wrap=True)


def _step_refusal(error: StepNotAllowedError) -> str:
    """The domain's words with the commands that take the request on."""
    if not error.commands:
        return str(error)
    return f"{error}: scamintel request {'|'.join(error.commands)} {error.request_id}"


@request_app.command("accept")
def request_accept(request_id: RequestId) -> None:
    """Accept a partner's request (received → accepted)."""
    _step(request_id, RequestStatus.ACCEPTED, None, None)


@request_app.command("start")
def request_start(request_id: RequestId) -> None:
    """Start work on an accepted request (accepted → in_progress)."""
    _step(request_id, RequestStatus.IN_PROGRESS, None, None)


@request_app.command("reject")
def request_reject(
    request_id: RequestId,
    reason: Annotated[str, typer.Option(help="Why; the requester reads it")],
) -> None:
    """Reject a partner's request, with the reason."""
    _step(request_id, RequestStatus.REJECTED, reason, None)


@request_app.command("fulfil")
def request_fulfil(
    request_id: RequestId,
    outcome: Annotated[
        Outcome | None,
        typer.Option(help="frozen, blocked, taken_down or false_positive (fitting the kind)"),
    ] = None,
    reason: Annotated[str | None, typer.Option(help="What was done")] = None,
) -> None:
    """Fulfil a request (in_progress → fulfilled); the outcome reaches both verdict engines."""
    _step(request_id, RequestStatus.FULFILLED, reason, outcome)
