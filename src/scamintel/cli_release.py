"""``scamintel release``: the four-eyes release of the value behind a blind selector
(federation/release.py).

On the node that shared the selector: ``release list``, ``release approve ID --by NAME`` and
``release reject ID --by NAME --reason TEXT`` (audit actor ``cli:NAME``). On the node that
asks: ``release ask PEER ...`` and ``release fetch PEER ID``, over the peer's REST API with
the key stored for it (``scamintel peer add``)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from scamintel.cli_common import console_actor, fail, load_settings, open_database, out
from scamintel.federation.markings import Purpose
from scamintel.federation.peer_http import PeerAddressError, PeerCallError, call_peer
from scamintel.federation.release import (
    REQUIRED_APPROVALS,
    DecisionKind,
    ReleaseConflictError,
    ReleaseNotFoundError,
    ReleaseRequest,
    decide,
    values_for_approvers,
)
from scamintel.governance.audit import AuditEvent
from scamintel.indicators import Indicator, IndicatorType
from scamintel.storage.node import NodeDatabase
from scamintel.storage.peers_repo import Peer, find_peer
from scamintel.storage.releases_repo import SqlReleases
from scamintel.storage.store import append_audit

REQUEST_TIMEOUT_S = 30.0
RELEASES_PATH = "/api/v1/federation/releases"

release_app = typer.Typer(
    help="Release the value behind a blind selector: four eyes on this node, or ask a peer.",
    no_args_is_help=True,
)


# -- on the node that shared the selector --------------------------------------------------------
@release_app.command("list")
def release_list(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the requests as JSON")] = False,
) -> None:
    """Partners' release requests, pending first, with the value each one names."""
    database = open_database(load_settings())
    try:
        with database.engine.begin() as connection:
            store = SqlReleases(connection, database.sealer)
            requests = store.pending_first(limit)
            values = values_for_approvers(store, requests)
    finally:
        database.dispose()
    if as_json:
        print(
            json.dumps([_request_json(r, values.get(r.id)) for r in requests], ensure_ascii=False)
        )
        return
    if not requests:
        out.print("No release requests.")
    for request in requests:
        _print_request(request, values.get(request.id))


def _request_json(request: ReleaseRequest, value: Indicator | None) -> dict[str, Any]:
    rejection = request.rejection
    return {
        "id": str(request.id),
        "status": request.status.value,
        "partner": request.partner,
        "type": request.indicator_type.value,
        "selector": request.selector,
        "purpose": request.purpose.value,
        "reason": request.reason,
        "requested_at": request.requested_at.isoformat(),
        "decided_at": request.decided_at.isoformat() if request.decided_at else None,
        "released_at": request.released_at.isoformat() if request.released_at else None,
        "approvals": [{"actor": d.actor, "at": d.at.isoformat()} for d in request.approvals],
        "rejection": rejection
        and {"actor": rejection.actor, "at": rejection.at.isoformat(), "reason": rejection.reason},
        "value": value.value if value else None,
    }


def _print_request(request: ReleaseRequest, value: Indicator | None) -> None:
    approvers = ", ".join(d.actor for d in request.approvals) or "none yet"
    shown = escape(value.value) if value else "[dim](no longer held)[/]"
    out.print(
        f"[bold]{request.id}[/] {request.status.value}: {escape(request.partner)} asks for "
        f"{request.indicator_type.value} {shown} ({request.purpose.value}), "
        f"{request.requested_at:%Y-%m-%d %H:%M} UTC",
        highlight=False,
        soft_wrap=True,
    )
    out.print(f"  reason: {escape(request.reason)}", highlight=False, soft_wrap=True)
    out.print(
        f"  approvals ({len(request.approvals)} of {REQUIRED_APPROVALS}): {escape(approvers)}",
        highlight=False,
        soft_wrap=True,
    )
    rejection = request.rejection
    if rejection is not None:
        out.print(
            f"  rejected by {escape(rejection.actor)}: {escape(rejection.reason or '')}",
            highlight=False,
            soft_wrap=True,
        )


def _release_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        fail(f"{text!r} is not a release request id (a UUID, as `scamintel release list` shows)")


def _actor(name: str) -> str:
    if not name.strip():
        fail("--by must name the person deciding")
    return f"cli:{name.strip()}"


def _decide(release_id: str, actor: str, kind: DecisionKind, reason: str | None) -> None:
    key = _release_id(release_id)
    database = open_database(load_settings())
    try:
        with database.engine.begin() as connection:
            store = SqlReleases(connection, database.sealer)
            decided = decide(
                store, key, actor=actor, kind=kind, reason=reason, now=datetime.now(UTC)
            )
    except (ReleaseNotFoundError, ReleaseConflictError) as error:
        fail(str(error))
    finally:
        database.dispose()
    missing = REQUIRED_APPROVALS - len(decided.approvals)
    if decided.status.value == "pending":
        out.print(
            f"{decided.id}: approved by {escape(actor)}; {missing} more approval from another "
            "person releases it",
            highlight=False,
            soft_wrap=True,
        )
    else:
        out.print(f"{decided.id}: {decided.status.value}", highlight=False)


@release_app.command("approve")
def release_approve(
    release_id: Annotated[str, typer.Argument(metavar="ID", help="The request's id")],
    by: Annotated[str, typer.Option("--by", help="Who approves (audit actor cli:NAME)")],
) -> None:
    """Approve a request; a second approval by another person releases the value."""
    _decide(release_id, _actor(by), DecisionKind.APPROVE, None)


@release_app.command("reject")
def release_reject(
    release_id: Annotated[str, typer.Argument(metavar="ID", help="The request's id")],
    by: Annotated[str, typer.Option("--by", help="Who rejects (audit actor cli:NAME)")],
    reason: Annotated[str, typer.Option(help="Why the value is not released")],
) -> None:
    """Reject a request, with the reason."""
    if len(reason.strip()) < 3:
        fail("--reason must say why the value is not released")
    _decide(release_id, _actor(by), DecisionKind.REJECT, reason.strip())


# -- on the node that asks -----------------------------------------------------------------------
@release_app.command("ask")
def release_ask(
    peer_name: Annotated[str, typer.Argument(metavar="PEER", help="The peer that shared it")],
    selector: Annotated[str, typer.Option(help="The blind selector (64 hex)")],
    indicator_type: Annotated[IndicatorType, typer.Option("--type", help="The value's type")],
    reason: Annotated[str, typer.Option(help="What the value is needed for (the case)")],
    purpose: Annotated[Purpose, typer.Option(help="Why")] = Purpose.INVESTIGATION,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON")] = False,
) -> None:
    """Ask a peer to release the value behind one of its blind selectors."""
    database = open_database(load_settings())
    try:
        peer = _peer(database, peer_name)
        body = {
            "selector": selector.strip().lower(),
            "type": indicator_type.value,
            "purpose": purpose.value,
            "reason": reason,
        }
        answer = _call(peer, "POST", RELEASES_PATH, body)
        _audit(database, _asked_event(peer, answer))
    finally:
        database.dispose()
    if as_json:
        print(json.dumps(answer, ensure_ascii=False))
        return
    out.print(
        f"Asked {escape(peer.name)}: request {answer['id']} is {answer['status']}. Fetch it "
        f"once two of its approvers said yes: scamintel release fetch {escape(peer.name)} "
        f"{answer['id']}",
        highlight=False,
        soft_wrap=True,
    )


@release_app.command("fetch")
def release_fetch(
    peer_name: Annotated[str, typer.Argument(metavar="PEER", help="The peer asked")],
    release_id: Annotated[str, typer.Argument(metavar="ID", help="The request's id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON")] = False,
) -> None:
    """A request's status at the peer, and the value once it is approved."""
    key = _release_id(release_id)
    database = open_database(load_settings())
    try:
        peer = _peer(database, peer_name)
        answer = _call(peer, "GET", f"{RELEASES_PATH}/{key}", None)
        if answer.get("value") is not None:
            # Raw personal data arrived from another node: this node's audit log says so too.
            _audit(database, _received_event(peer, answer))
    finally:
        database.dispose()
    if as_json:
        print(json.dumps(answer, ensure_ascii=False))
        return
    if answer.get("value") is None:
        out.print(f"{key}: {answer['status']} at {escape(peer.name)}", highlight=False)
        return
    out.print(
        f"{key}: {answer['status']}; {answer['type']} {escape(str(answer['value']))} "
        f"(for {answer['purpose']}; this disclosure is in both nodes' audit logs)",
        highlight=False,
        soft_wrap=True,
    )


def _peer(database: NodeDatabase, name: str) -> Peer:
    with database.engine.connect() as connection:
        peer = find_peer(connection, name, database.sealer)
    if peer is None:
        fail(f"no peer named {name!r}; add it with `scamintel peer add`")
    if not peer.api_key:
        fail(f"peer {name} has no API key stored; the peer's operator issues a partner key")
    return peer


def _call(peer: Peer, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return call_peer(peer, method, path, body, timeout=REQUEST_TIMEOUT_S)
    except PeerAddressError as error:
        fail(str(error))
    except PeerCallError as error:
        fail(str(error), code=1)


def _audit(database: NodeDatabase, event: AuditEvent) -> None:
    with database.engine.begin() as connection:
        append_audit(connection, event)


def _asked_event(peer: Peer, answer: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        actor=console_actor(),
        action="blind_release.asked",
        object_type="blind_release",
        object_id=str(answer.get("id")),
        purpose=str(answer.get("purpose")),
        details={"peer": peer.name, "type": answer.get("type"), "selector": answer.get("selector")},
    )


def _received_event(peer: Peer, answer: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        actor=console_actor(),
        action="blind_release.received",
        object_type="blind_release",
        object_id=str(answer.get("id")),
        purpose=str(answer.get("purpose")),
        details={"peer": peer.name, "type": answer.get("type"), "selector": answer.get("selector")},
    )
