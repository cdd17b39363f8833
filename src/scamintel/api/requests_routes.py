"""Cross-border requests (cases.requests): investigators send them to peers and answer the
ones partners sent here; partner nodes deliver theirs and read their status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response

from scamintel.access.keys import Principal
from scamintel.access.roles import INVESTIGATORS, PARTNER_NODES
from scamintel.api.auth import require_role
from scamintel.api.requests_schemas import (
    CaseNumber,
    FederationRequestIn,
    FederationRequestOut,
    RequestIn,
    RequestListOut,
    RequestOut,
    StepIn,
)
from scamintel.api.routes import PROBLEM, Node
from scamintel.api.state import NodeState
from scamintel.cases.requests import (
    CrossBorderRequest,
    Direction,
    RequestInvalidError,
    RequestNotFoundError,
    RequestRefusedError,
    RequestStatus,
    SlaSettingsError,
    StepNotAllowedError,
    TransitionError,
    advance,
    check_subject,
    open_outgoing,
    receive_incoming,
    refusal,
    sla_hours,
)
from scamintel.federation.request_transport import IMMEDIATE_TIMEOUT_S, deliver_requests
from scamintel.reports.reading import Reading
from scamintel.storage.partner_repo import find_agreement
from scamintel.storage.peers_repo import find_peer
from scamintel.storage.requests_repo import MAX_LISTED, RequestFilter, SqlRequests

ERRORS: dict[int | str, dict[str, object]] = {
    401: PROBLEM,
    403: PROBLEM,
    404: PROBLEM,
    409: PROBLEM,
    422: PROBLEM,
}

requests_api = APIRouter(prefix="/api/v1/requests", tags=["cross-border requests"])
federation_requests_api = APIRouter(
    prefix="/api/v1/federation/requests", tags=["cross-border requests"]
)
Investigator = Annotated[Principal, Depends(require_role(*INVESTIGATORS))]
PartnerNode = Annotated[Principal, Depends(require_role(*PARTNER_NODES))]


def _reading(node: NodeState) -> Reading:
    return Reading(node.registry, node.context, node.warninglist)


def _canonical(node: NodeState, body: RequestIn | FederationRequestIn) -> str | None:
    """The value in its canonical form, once the kind is known to take its type (so that the
    error names the mismatch, not a parse failure)."""
    try:
        check_subject(body.kind, body.type, body.value, body.selector)
    except RequestInvalidError as error:
        raise HTTPException(422, str(error)) from error
    if body.value is None:
        return None
    return node.registry.canonicalise(body.value, body.type, node.context).value


@contextmanager
def _requests(node: NodeState) -> Iterator[SqlRequests]:
    """A transaction, with the domain's errors as problem details."""
    try:
        with node.database.engine.begin() as connection:
            yield SqlRequests(connection, node.database.sealer, _reading(node))
    except RequestRefusedError as error:
        raise HTTPException(403, str(error)) from error
    except RequestNotFoundError as error:
        raise HTTPException(404, str(error)) from error
    except StepNotAllowedError as error:
        raise HTTPException(409, _step_detail(error)) from error
    except TransitionError as error:
        raise HTTPException(409, str(error)) from error
    except (RequestInvalidError, SlaSettingsError) as error:
        raise HTTPException(422, str(error)) from error


def _step_detail(error: StepNotAllowedError) -> str:
    """The domain's words (statuses, then step names) with the endpoints that take them."""
    if not error.commands:
        return str(error)
    path = f"/api/v1/requests/{error.request_id}/"
    endpoints = " or ".join(f"POST {path}{command}" for command in error.commands)
    return f"{error}: {endpoints}"


def _read(
    node: NodeState, request_id: UUID, direction: Direction | None, viewer: str | None = None
) -> CrossBorderRequest:
    """The request; its view audited when someone other than its sender reads it back."""
    with _requests(node) as store:
        found = store.get(request_id, direction)
        if found is not None and viewer is not None:
            store.record_view([found], viewer)
    if found is None:
        raise HTTPException(404, f"no request {request_id} on this node")
    return found


# -- investigators ---------------------------------------------------------------------------------
@requests_api.post(
    "",
    response_model=RequestOut,
    status_code=201,
    summary="Send a request to a peer node (investigator, analyst, admin)",
    description=(
        "Refused (422) when this node's sharing agreement with the peer does not allow the "
        "purpose or the type; a value of a type the agreement shares only blind is sent as its "
        "blind selector. Refused (409) from a closed case. Stored as `sent`, then delivered at "
        "once when the peer answers within a few seconds (`received`); otherwise every sync "
        "tries again and `last_error` says why it failed."
    ),
    responses=ERRORS,
)
def send_request(
    node: Node, body: RequestIn, request: Request, response: Response, principal: Investigator
) -> RequestOut:
    value = _canonical(node, body)
    with node.database.engine.connect() as connection:
        if find_peer(connection, body.peer, node.database.sealer) is None:
            raise HTTPException(
                422, f"no peer named {body.peer!r}; the operator adds it with `scamintel peer add`"
            )
    with _requests(node) as store:
        created = open_outgoing(
            store,
            body.asked(value),
            request_id=uuid4(),
            peer=body.peer,
            case_id=body.case_id,
            actor=principal.actor,
            now=datetime.now(UTC),
            sla=sla_hours(node.settings.request_sla_hours),
        )
    deliver_requests(
        node.database,
        _reading(node),
        actor=principal.actor,
        timeout=IMMEDIATE_TIMEOUT_S,
        peer=body.peer,
        only=created.request_id,
    )
    response.headers["Location"] = str(
        request.url_for("show_request", request_id=created.request_id)
    )
    return RequestOut.of(_read(node, created.request_id, Direction.OUTGOING), datetime.now(UTC))


@requests_api.get(
    "",
    response_model=RequestListOut,
    summary="Requests sent and received, newest first (investigator, analyst, admin)",
    responses=ERRORS,
)
def list_requests(
    node: Node,
    principal: Investigator,
    direction: Direction | None = None,
    status: RequestStatus | None = None,
    overdue: Annotated[bool | None, Query(description="Only overdue (true) or not")] = None,
    case_id: Annotated[
        CaseNumber | None, Query(description="Only this case's: CASE-7, case-7 or 7")
    ] = None,
    partner: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 200,
) -> RequestListOut:
    now = datetime.now(UTC)
    wanted = RequestFilter(direction, status, overdue, partner, case_id, limit)
    with _requests(node) as store:
        found = store.listed(wanted, now)
        store.record_view(
            found,
            principal.actor,
            direction=direction,
            status=status,
            overdue=overdue,
            case_id=case_id,
            partner=partner,
        )
    return RequestListOut(requests=[RequestOut.of(r, now) for r in found])


@requests_api.get(
    "/{request_id}",
    response_model=RequestOut,
    summary="One request with every status step (investigator, analyst, admin)",
    responses=ERRORS,
)
def show_request(
    node: Node,
    request_id: UUID,
    principal: Investigator,
    direction: Direction | None = None,
) -> RequestOut:
    return RequestOut.of(_read(node, request_id, direction, principal.actor), datetime.now(UTC))


def _step(
    node: NodeState,
    request_id: UUID,
    target: RequestStatus,
    body: StepIn | None,
    principal: Principal,
) -> RequestOut:
    body = body or StepIn()
    with _requests(node) as store:
        taken = advance(
            store,
            request_id,
            target,
            reason=body.reason,
            outcome=body.outcome,
            actor=principal.actor,
            now=datetime.now(UTC),
        )
    return RequestOut.of_step(taken, datetime.now(UTC))


OptionalStep = Annotated[StepIn | None, Body()]


@requests_api.post(
    "/{request_id}/accept",
    response_model=RequestOut,
    summary="Accept a request a partner sent (received → accepted)",
    responses=ERRORS,
)
def accept_request(
    node: Node, request_id: UUID, principal: Investigator, body: OptionalStep = None
) -> RequestOut:
    return _step(node, request_id, RequestStatus.ACCEPTED, body, principal)


@requests_api.post(
    "/{request_id}/reject",
    response_model=RequestOut,
    summary="Reject a request a partner sent, with the reason",
    responses=ERRORS,
)
def reject_request(
    node: Node, request_id: UUID, principal: Investigator, body: OptionalStep = None
) -> RequestOut:
    return _step(node, request_id, RequestStatus.REJECTED, body, principal)


@requests_api.post(
    "/{request_id}/start",
    response_model=RequestOut,
    summary="Start work on an accepted request (accepted → in_progress)",
    responses=ERRORS,
)
def start_request(
    node: Node, request_id: UUID, principal: Investigator, body: OptionalStep = None
) -> RequestOut:
    return _step(node, request_id, RequestStatus.IN_PROGRESS, body, principal)


@requests_api.post(
    "/{request_id}/fulfil",
    response_model=RequestOut,
    summary="Fulfil a request, with its outcome (in_progress → fulfilled)",
    description=(
        "An outcome (frozen, blocked, taken_down, false_positive) also goes on this node's own "
        "indicator when it holds the value, and reaches the requester's verdict engine. The "
        "answer's `outcome_recorded` says whether this node recorded it (false, with a `note`, "
        "when no report here names the value)."
    ),
    responses=ERRORS,
)
def fulfil_request(
    node: Node, request_id: UUID, principal: Investigator, body: OptionalStep = None
) -> RequestOut:
    return _step(node, request_id, RequestStatus.FULFILLED, body, principal)


# -- partner nodes --------------------------------------------------------------------------------
@federation_requests_api.post(
    "",
    response_model=FederationRequestOut,
    status_code=201,
    summary="Deliver a cross-border request to this node (partner key)",
    description=(
        "Accepted when a sharing agreement with the partner's organisation is in force and "
        "lists the purpose and the type. Sending the same request_id again answers 200 with "
        "the stored request."
    ),
    responses={**ERRORS, 200: {"description": "Delivered before; its status now"}},
)
def receive_request(
    node: Node, body: FederationRequestIn, response: Response, principal: PartnerNode
) -> FederationRequestOut:
    asked = body.asked(_canonical(node, body))
    now = datetime.now(UTC)
    with _requests(node) as store:
        agreement = find_agreement(store.connection, principal.organisation_name, store.sealer)
        refused = refusal(agreement, principal.organisation_name, asked)
        if refused is not None:
            raise RequestRefusedError(refused)
        stored, created = receive_incoming(
            store,
            asked,
            request_id=body.request_id,
            partner=principal.organisation_name,
            created_at=body.created_at,
            due=body.due_at,
            actor=principal.actor,
            now=now,
        )
    if not created:
        response.status_code = 200
    return FederationRequestOut.of(stored, now)


@federation_requests_api.get(
    "/{request_id}",
    response_model=FederationRequestOut,
    summary="A request this partner sent: its status and every step (partner key)",
    responses=ERRORS,
)
def partner_request_status(
    node: Node, request_id: UUID, principal: PartnerNode
) -> FederationRequestOut:
    with _requests(node) as store:
        found = store.get(request_id, Direction.INCOMING)
    # Another partner's request reads as absent: its existence is not this partner's business.
    if found is None or found.partner != principal.organisation_name:
        raise HTTPException(404, f"no request {request_id} from {principal.organisation_name}")
    return FederationRequestOut.of(found, datetime.now(UTC))
