"""Disputes, outcomes and the analysts' review queue (docs/verdicts.md)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy.exc import IntegrityError

from scamintel.access.keys import Principal
from scamintel.access.roles import OUTCOME_REPORTERS, REVIEWERS
from scamintel.api.auth import WWW_AUTHENTICATE, optional_principal, require_role
from scamintel.api.review_schemas import (
    CloseBurstIn,
    DecisionIn,
    DisputeForAnalyst,
    DisputeIn,
    DisputeOut,
    HeldBurstOut,
    OutcomeIn,
    ReviewQueueOut,
)
from scamintel.api.routes import PROBLEM, Node, reader_of
from scamintel.api.schemas import CheckOut
from scamintel.api.state import NodeState
from scamintel.governance.audit import AuditEvent
from scamintel.indicators import ParseContext
from scamintel.reports.disputes import (
    AlreadyDecidedError,
    DisputeNotFoundError,
    DisputeStatus,
    NothingToDisputeError,
    OfficialValueError,
    close_held_burst,
    decide_dispute,
    record_outcome,
)
from scamintel.reports.engine import EventKind
from scamintel.reports.reading import Reading
from scamintel.reports.service import check_value
from scamintel.reports.trust import ACTING_TRUST, trust_of_organisation
from scamintel.storage.disputes_repo import list_disputes, open_bursts
from scamintel.storage.submissions import file_dispute

ACTORS = OUTCOME_REPORTERS

review_api = APIRouter(prefix="/api/v1")


def _reading(node: NodeState, region: str | None) -> Reading:
    context = ParseContext(region) if region else node.context
    return Reading(node.registry, context, node.warninglist)


@review_api.post(
    "/disputes",
    response_model=DisputeOut,
    status_code=201,
    summary="Contest a listing (the holder of a number, account or site)",
    responses={200: {"description": "This value is already under review", "model": DisputeOut}},
)
def create_dispute(
    node: Node,
    body: DisputeIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> DisputeOut:
    try:
        dispute, created = file_dispute(
            node.database,
            body.value,
            body.type,
            reading=_reading(node, body.region),
            claim=body.claim,
            contact=body.contact,
            actor=reader_of(principal).actor,
        )
    except NothingToDisputeError as error:
        raise HTTPException(422, str(error)) from error
    except IntegrityError as error:
        # Two disputes of one value in the same instant: the other one won.
        raise HTTPException(
            409, "A dispute of this value was opened at the same moment; send yours again."
        ) from error
    response.headers["Location"] = str(request.url_for("get_dispute", dispute_id=dispute.id))
    if created:
        return DisputeOut.of(dispute)
    response.status_code = 200
    return DisputeOut.of(dispute).model_copy(
        update={
            "message": (
                "This value is already under review, since "
                f"{dispute.created_at.date().isoformat()}; your claim was not added to that "
                "dispute. If you hold this value, file your claim again once it is decided, "
                "or contact this node's operator."
            )
        }
    )


@review_api.get(
    "/disputes/{dispute_id}",
    response_model=DisputeForAnalyst | DisputeOut,
    summary="A dispute's state; analysts and admins also see the claim",
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
)
def get_dispute(
    node: Node,
    dispute_id: UUID,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    include_contact: Annotated[
        bool, Query(description="The claimant's contact (analyst, admin; needs a purpose)")
    ] = False,
    purpose: Annotated[str | None, Query(max_length=60)] = None,
) -> DisputeForAnalyst | DisputeOut:
    reviewer = principal is not None and principal.role in REVIEWERS
    if include_contact and principal is None:
        # No key at all: say so (401), as require_role does, rather than "wrong role" (403).
        raise HTTPException(
            401,
            "Reading a claimant's contact needs an analyst or admin API key.",
            headers=WWW_AUTHENTICATE,
        )
    if include_contact and not reviewer:
        raise HTTPException(403, "Only analyst and admin keys may read a claimant's contact.")
    if include_contact and not purpose:
        raise HTTPException(422, "State a purpose (?purpose=...) to read a claimant's contact.")
    with node.database.transaction() as store:
        dispute = store.get_dispute(dispute_id, with_contact=include_contact)
        if dispute is not None and include_contact and principal is not None:
            store.audit(
                AuditEvent(
                    actor=principal.actor,
                    action="dispute.read_personal_data",
                    object_type="dispute",
                    object_id=str(dispute_id),
                    purpose=purpose,
                    subjects=(store.indicator_id(dispute.indicator),),
                )
            )
    if dispute is None:
        raise HTTPException(404, f"No dispute {dispute_id} on this node.")
    return DisputeForAnalyst.of_full(dispute) if reviewer else DisputeOut.of(dispute)


@review_api.post(
    "/disputes/{dispute_id}/decision",
    response_model=DisputeOut,
    summary="Decide a dispute, with the reason the public will read (analyst, admin)",
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
)
def decide(
    node: Node,
    dispute_id: UUID,
    body: DecisionIn,
    principal: Annotated[Principal, Depends(require_role(*REVIEWERS))],
) -> DisputeOut:
    try:
        with node.database.transaction() as store:
            decided = decide_dispute(
                store, dispute_id, body.decision, body.reason, actor=principal.actor
            )
    except DisputeNotFoundError as error:
        raise HTTPException(404, f"No dispute {dispute_id} on this node.") from error
    except AlreadyDecidedError as error:
        raise HTTPException(409, str(error)) from error
    return DisputeOut.of(decided)


@review_api.get(
    "/review-queue",
    response_model=ReviewQueueOut,
    summary="Pending disputes and bursts of reports held for review, oldest first",
    responses={401: PROBLEM, 403: PROBLEM},
)
def review_queue(
    node: Node,
    _principal: Annotated[Principal, Depends(require_role(*REVIEWERS))],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReviewQueueOut:
    with node.database.engine.connect() as connection:
        pending = list_disputes(connection, DisputeStatus.PENDING, limit)
        bursts = open_bursts(connection, limit)
    return ReviewQueueOut(
        disputes=[DisputeForAnalyst.of_full(d) for d in pending],
        bursts=[HeldBurstOut.of(b) for b in bursts],
    )


@review_api.post(
    "/review-queue/bursts/{item_id}/close",
    status_code=204,
    summary="Close a held burst after looking at it, with a note (analyst, admin)",
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
)
def close_review_item(
    node: Node,
    item_id: int,
    body: CloseBurstIn,
    principal: Annotated[Principal, Depends(require_role(*REVIEWERS))],
) -> Response:
    with node.database.transaction() as store:
        closed = close_held_burst(store, item_id, body.note, actor=principal.actor)
    if not closed:
        raise HTTPException(404, f"No open review item {item_id} on this node.")
    return Response(status_code=204)


@review_api.post(
    "/outcomes",
    response_model=CheckOut,
    status_code=201,
    summary="Record what your organisation did about a value (frozen, blocked, taken down) "
    "or that it was a false positive; answers with the new verdict",
    responses={401: PROBLEM, 403: PROBLEM},
)
def create_outcome(
    node: Node,
    body: OutcomeIn,
    principal: Annotated[Principal, Depends(require_role(*ACTORS))],
) -> CheckOut:
    trust = trust_of_organisation(principal.organisation_kind, principal.organisation_verified)
    if trust not in ACTING_TRUST:
        raise HTTPException(
            403,
            "Outcomes are recorded by banks, telcos and verified agencies: they weigh like a "
            "confirmation. Send what you know as a report instead (POST /api/v1/reports).",
        )
    reading = _reading(node, body.region)
    try:
        with node.database.transaction() as store:
            indicator = record_outcome(
                store,
                body.value,
                body.type,
                EventKind(body.outcome),
                reading=reading,
                note=body.note,
                actor=principal.actor,
                organisation_id=principal.organisation_id,
            )
            result = check_value(
                store,
                indicator.value,
                registry=node.registry,
                context=reading.context,
                warninglist=node.warninglist,
                lookalikes=node.lookalikes,
                indicator_type=indicator.type,
            )
    except OfficialValueError as error:
        raise HTTPException(422, str(error)) from error
    return CheckOut.of(result)
