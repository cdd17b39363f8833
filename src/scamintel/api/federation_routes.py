"""Release of the value behind a blind selector (federation.release): partners ask and read,
this node's analysts and admins approve or reject, four eyes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from scamintel.access.keys import Principal, Role
from scamintel.access.roles import PARTNER_NODES, RELEASE_APPROVERS, RELEASE_READERS
from scamintel.api.auth import require_role
from scamintel.api.routes import PROBLEM, Node
from scamintel.api.state import NodeState
from scamintel.federation.markings import Purpose
from scamintel.federation.release import (
    REQUIRED_APPROVALS,
    DecisionKind,
    ReleaseConflictError,
    ReleaseNotFoundError,
    ReleaseRefusedError,
    ReleaseRequest,
    ReleaseStatus,
    decide,
    read_as_partner,
    request_release,
    values_for_approvers,
)
from scamintel.indicators import Indicator, IndicatorType
from scamintel.storage.releases_repo import SqlReleases

APPROVERS = RELEASE_APPROVERS
READERS = RELEASE_READERS
MAX_LISTED = 1000

federation_api = APIRouter(prefix="/api/v1/federation", tags=["federation"])

# -- bodies --------------------------------------------------------------------------------------
Selector = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[0-9a-f]{64}$")
]


class ReleaseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "selector": "9f2c" + "0" * 60,
                    "type": "bank_account",
                    "purpose": "investigation",
                    "reason": "Case 2025-0412: the account received a victim's transfer",
                }
            ]
        },
    )

    selector: Selector = Field(description="The blind selector (HMAC-SHA256, 64 hex) you hold")
    type: IndicatorType = Field(description="The value's type, as the selector was shared")
    purpose: Purpose = Field(description="Why: investigation or prevention")
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)
    ] = Field(description="What the value is needed for: the case, what happened")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)
    ] = Field(description="Why the value is not released (the partner sees the status only)")


class ReleaseOut(BaseModel):
    """What the requesting partner reads: the value only once two approvers said yes."""

    id: UUID
    status: ReleaseStatus = Field(
        description="pending (waiting for two approvals), approved, rejected, released (the "
        "value was read)"
    )
    type: IndicatorType
    selector: str
    purpose: Purpose
    requested_at: datetime
    decided_at: datetime | None = None
    released_at: datetime | None = None
    value: str | None = Field(
        default=None, description="The raw value: only when approved; every read is audited"
    )

    @classmethod
    def of(cls, request: ReleaseRequest, value: Indicator | None) -> ReleaseOut:
        return cls(
            id=request.id,
            status=request.status,
            type=request.indicator_type,
            selector=request.selector,
            purpose=request.purpose,
            requested_at=request.requested_at,
            decided_at=request.decided_at,
            released_at=request.released_at,
            value=value.value if value is not None else None,
        )


class DecisionOut(BaseModel):
    actor: str
    at: datetime
    reason: str | None = None


class ReleaseForApprover(ReleaseOut):
    """What this node's approvers read: who asked, why, who decided, and the value (this
    node's own data) to judge the request by."""

    partner: str
    reason: str
    approvals: list[DecisionOut]
    approvals_needed: int = Field(description="Approvals still missing (two different people)")
    rejection: DecisionOut | None = None

    @classmethod
    def of_request(cls, request: ReleaseRequest, value: Indicator | None) -> ReleaseForApprover:
        base = ReleaseOut.of(request, value).model_dump()
        rejection = request.rejection
        return cls(
            **base,
            partner=request.partner,
            reason=request.reason,
            approvals=[DecisionOut(actor=d.actor, at=d.at) for d in request.approvals],
            approvals_needed=(
                max(0, REQUIRED_APPROVALS - len(request.approvals))
                if request.status is ReleaseStatus.PENDING
                else 0
            ),
            rejection=DecisionOut(actor=rejection.actor, at=rejection.at, reason=rejection.reason)
            if rejection
            else None,
        )


class ReleaseListOut(BaseModel):
    releases: list[ReleaseForApprover] = Field(description="Pending first, then newest first")


# -- routes --------------------------------------------------------------------------------------
@contextmanager
def _releases(node: NodeState) -> Iterator[SqlReleases]:
    try:
        with node.database.engine.begin() as connection:
            yield SqlReleases(connection, node.database.sealer)
    except ReleaseRefusedError as error:
        raise HTTPException(403, str(error)) from error
    except ReleaseNotFoundError as error:
        raise HTTPException(404, str(error)) from error
    except ReleaseConflictError as error:
        raise HTTPException(409, str(error)) from error


ERRORS: dict[int | str, dict[str, object]] = {
    401: PROBLEM,
    403: PROBLEM,
    404: PROBLEM,
    409: PROBLEM,
}


@federation_api.post(
    "/releases",
    response_model=ReleaseOut,
    status_code=201,
    summary="Ask for the value behind a blind selector this node shared (partner key)",
    description=(
        "Allowed when the sharing agreement says `victim_data: on_approved_request` and shares "
        "the type blind, for a purpose it lists. Two different approvers of this node must "
        "approve; then `GET /api/v1/federation/releases/{id}` gives the value."
    ),
    responses=ERRORS,
)
def create_release(
    node: Node,
    body: ReleaseIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(require_role(*PARTNER_NODES))],
) -> ReleaseOut:
    with _releases(node) as store:
        created = request_release(
            store,
            partner=principal.organisation_name,
            selector=body.selector,
            indicator_type=body.type,
            purpose=body.purpose,
            reason=body.reason,
            actor=principal.actor,
            now=datetime.now(UTC),
        )
    response.headers["Location"] = str(request.url_for("get_release", release_id=created.id))
    return ReleaseOut.of(created, None)


@federation_api.get(
    "/releases",
    response_model=ReleaseListOut,
    summary="Release requests, pending first (analyst, admin)",
    responses=ERRORS,
)
def list_releases(
    node: Node,
    _principal: Annotated[Principal, Depends(require_role(*APPROVERS))],
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 100,
) -> ReleaseListOut:
    with _releases(node) as store:
        requests = store.pending_first(limit)
        values = values_for_approvers(store, requests)
    return ReleaseListOut(
        releases=[ReleaseForApprover.of_request(r, values.get(r.id)) for r in requests]
    )


@federation_api.get(
    "/releases/{release_id}",
    response_model=ReleaseForApprover | ReleaseOut,
    summary="A release request: its partner reads its status, and the value once approved",
    description=(
        "For the requesting partner's key, the status; once approved, the raw value too, and "
        "that read is an audited disclosure. Analysts and admins see the whole request."
    ),
    responses=ERRORS,
)
def get_release(
    node: Node,
    release_id: UUID,
    principal: Annotated[Principal, Depends(require_role(*READERS))],
) -> ReleaseForApprover | ReleaseOut:
    with _releases(node) as store:
        if principal.role is Role.PARTNER:
            view = read_as_partner(
                store,
                release_id,
                partner=principal.organisation_name,
                actor=principal.actor,
                now=datetime.now(UTC),
            )
            return ReleaseOut.of(view.request, view.value)
        found = store.get(release_id)
        if found is None:
            raise ReleaseNotFoundError(f"no release request {release_id} on this node")
        value = values_for_approvers(store, [found]).get(found.id)
    return ReleaseForApprover.of_request(found, value)


@federation_api.post(
    "/releases/{release_id}/approve",
    response_model=ReleaseForApprover,
    summary="Approve a release request (analyst, admin); two different approvers release it",
    responses=ERRORS,
)
def approve_release(
    node: Node,
    release_id: UUID,
    principal: Annotated[Principal, Depends(require_role(*APPROVERS))],
) -> ReleaseForApprover:
    return _decide(node, release_id, principal.actor, DecisionKind.APPROVE, None)


@federation_api.post(
    "/releases/{release_id}/reject",
    response_model=ReleaseForApprover,
    summary="Reject a release request with a reason (analyst, admin)",
    responses=ERRORS,
)
def reject_release(
    node: Node,
    release_id: UUID,
    body: RejectIn,
    principal: Annotated[Principal, Depends(require_role(*APPROVERS))],
) -> ReleaseForApprover:
    return _decide(node, release_id, principal.actor, DecisionKind.REJECT, body.reason)


def _decide(
    node: NodeState, release_id: UUID, actor: str, kind: DecisionKind, reason: str | None
) -> ReleaseForApprover:
    with _releases(node) as store:
        decided = decide(
            store, release_id, actor=actor, kind=kind, reason=reason, now=datetime.now(UTC)
        )
        value = values_for_approvers(store, [decided]).get(decided.id)
    return ReleaseForApprover.of_request(decided, value)
