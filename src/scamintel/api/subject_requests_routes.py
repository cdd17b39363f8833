"""Data-subject requests under /api/v1/subject-requests (docs/governance.md, "Data-subject
requests"). Anyone may ask and follow their request by its id; only admin keys read the
person's data, verify, complete or refuse, and every step is audited by the repository."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from scamintel.access.keys import Principal
from scamintel.access.roles import SUBJECT_REQUEST_OFFICERS
from scamintel.api.auth import optional_principal, require_role
from scamintel.api.routes import PROBLEM, Node, reader_of
from scamintel.api.state import NodeState
from scamintel.api.subject_requests_schemas import (
    CompleteIn,
    EventOut,
    PersonalDataOut,
    RefuseIn,
    SubjectRequestAccepted,
    SubjectRequestIn,
    SubjectRequestListOut,
    SubjectRequestOut,
    SubjectRequestStatusOut,
    VerifyIn,
    access_report_json,
)
from scamintel.governance.retention import retention_policy
from scamintel.governance.subject_requests import (
    HeldDataError,
    NewSubjectRequest,
    RequestStatus,
    SubjectRequestError,
    SubjectRequestNotFoundError,
    TransitionError,
)
from scamintel.indicators import ParseContext
from scamintel.reports.reading import Reading, read_value
from scamintel.storage import subject_requests_repo as repo

Officer = Annotated[Principal, Depends(require_role(*SUBJECT_REQUEST_OFFICERS))]
OFFICER_PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "No API key", **PROBLEM},
    403: {"description": "Not an admin key", **PROBLEM},
    404: {"description": "No such request", **PROBLEM},
}
CONFLICT: dict[int | str, dict[str, object]] = {
    409: {
        "description": "Does not fit the request's status, or the node's data does not allow "
        "it (erasure of evidence kept for fraud prevention, nothing to delist)",
        **PROBLEM,
    }
}

subject_requests_api = APIRouter(prefix="/api/v1/subject-requests", tags=["data-subject requests"])


def _status_of(error: SubjectRequestError) -> int:
    if isinstance(error, SubjectRequestNotFoundError):
        return 404
    if isinstance(error, TransitionError | HeldDataError):
        return 409
    return 422


@contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except SubjectRequestError as error:
        raise HTTPException(_status_of(error), _sentence(str(error))) from error


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _reading(node: NodeState, region: str | None) -> Reading:
    context = ParseContext(region) if region else node.context
    return Reading(node.registry, context, node.warninglist)


@subject_requests_api.post(
    "",
    response_model=SubjectRequestAccepted,
    status_code=201,
    summary="Ask what the node holds about your number, account or e-mail, or its correction "
    "or erasure",
    responses={422: {"description": "Invalid input", **PROBLEM}},
)
def create_subject_request(
    node: Node,
    body: SubjectRequestIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> SubjectRequestAccepted:
    identifier = read_value(
        body.identifier.value, body.identifier.type, _reading(node, body.identifier.region)
    )
    contact = body.contact.model_dump(exclude_none=True) if body.contact else None
    with _answering(), node.database.engine.begin() as connection:
        opened = repo.open_request(
            connection,
            node.database.sealer,
            node.settings.secret_key,
            NewSubjectRequest(body.kind, identifier, contact or None, body.details),
            actor=reader_of(principal).actor,
            now=datetime.now(UTC),
        )
    response.headers["Location"] = str(request.url_for("get_subject_request", request_id=opened.id))
    return SubjectRequestAccepted.of(opened)


@subject_requests_api.get(
    "/{request_id}",
    response_model=SubjectRequestStatusOut,
    summary="A request's status, due date and outcome (whoever holds its id)",
    responses={404: PROBLEM},
)
def get_subject_request(node: Node, request_id: UUID) -> SubjectRequestStatusOut:
    with _answering(), node.database.engine.connect() as connection:
        found = repo.get_request(connection, request_id)
    return SubjectRequestStatusOut.of(found)


@subject_requests_api.get(
    "",
    response_model=SubjectRequestListOut,
    summary="Requests, the nearest deadline first (admin)",
    responses=OFFICER_PROBLEMS,
)
def list_subject_requests(
    node: Node,
    _officer: Officer,
    status: RequestStatus | None = None,
    overdue: Annotated[bool, Query(description="Only open requests past their due date")] = False,
    limit: Annotated[int, Query(ge=1, le=repo.MAX_LIST)] = 100,
) -> SubjectRequestListOut:
    now = datetime.now(UTC)
    with node.database.engine.connect() as connection:
        found = repo.list_requests(connection, status=status, overdue=overdue, now=now, limit=limit)
    return SubjectRequestListOut(requests=[SubjectRequestOut.of(r, now) for r in found])


@subject_requests_api.get(
    "/{request_id}/personal-data",
    response_model=PersonalDataOut,
    summary="The identifier and contact of a request, for a stated purpose (admin; audited)",
    responses=OFFICER_PROBLEMS,
)
def subject_request_personal_data(
    node: Node,
    request_id: UUID,
    officer: Officer,
    purpose: Annotated[
        str,
        Query(
            min_length=1,
            max_length=60,
            description="Why the person's data is opened, for the audit log",
        ),
    ],
) -> PersonalDataOut:
    with _answering(), node.database.engine.begin() as connection:
        opened = repo.open_personal_data(
            connection, node.database.sealer, request_id, actor=officer.actor, purpose=purpose
        )
        earlier = repo.earlier_requests(connection, request_id)
        events = repo.events_of(connection, request_id)
    assert opened.identifier is not None
    base = SubjectRequestOut.of(opened, datetime.now(UTC)).model_dump()
    return PersonalDataOut(
        **base,
        identifier={
            "type": opened.identifier.type.value,
            "value": opened.identifier.value,
            "country": opened.identifier.country,
        },
        contact=opened.contact,
        earlier_requests=[r.reference for r in earlier],
        events=[EventOut.of(e) for e in events],
    )


@subject_requests_api.post(
    "/{request_id}/verify",
    response_model=SubjectRequestOut,
    summary="Record that the person asking holds the value (admin)",
    responses={**OFFICER_PROBLEMS, **CONFLICT},
)
def verify_subject_request(
    node: Node, request_id: UUID, body: VerifyIn, officer: Officer
) -> SubjectRequestOut:
    now = datetime.now(UTC)
    with _answering(), node.database.engine.begin() as connection:
        verified = repo.verify_request(
            connection,
            node.database.sealer,
            request_id,
            actor=officer.actor,
            note=body.note,
            now=now,
        )
    return SubjectRequestOut.of(verified, now)


@subject_requests_api.post(
    "/{request_id}/complete",
    response_model=SubjectRequestOut,
    summary="Carry out a verified request: erase, correct, or record the access report sent "
    "(admin)",
    responses={**OFFICER_PROBLEMS, **CONFLICT},
)
def complete_subject_request(
    node: Node, request_id: UUID, body: CompleteIn, officer: Officer
) -> SubjectRequestOut:
    now = datetime.now(UTC)
    with _answering():
        completed = repo.complete_request(
            node.database,
            request_id,
            actor=officer.actor,
            note=body.note,
            now=now,
            reading=_reading(node, None),
            delist=body.delist,
            override_ground=body.override_ground,
            node_country=node.settings.node_country,
        )
    return SubjectRequestOut.of(completed, now)


@subject_requests_api.post(
    "/{request_id}/refuse",
    response_model=SubjectRequestOut,
    summary="Refuse a request, with the reason the person reads (admin)",
    responses={**OFFICER_PROBLEMS, **CONFLICT},
)
def refuse_subject_request(
    node: Node, request_id: UUID, body: RefuseIn, officer: Officer
) -> SubjectRequestOut:
    now = datetime.now(UTC)
    with _answering(), node.database.engine.begin() as connection:
        refused = repo.refuse_request(
            connection,
            node.database.sealer,
            request_id,
            actor=officer.actor,
            reason=body.reason,
            now=now,
        )
    return SubjectRequestOut.of(refused, now)


@subject_requests_api.get(
    "/{request_id}/access-report",
    summary="What the node holds about the request's value, once verified (admin; audited)",
    responses={**OFFICER_PROBLEMS, **CONFLICT},
)
def subject_access_report(node: Node, request_id: UUID, officer: Officer) -> dict[str, Any]:
    with _answering():
        report = repo.access_report(
            node.database,
            request_id,
            policy=retention_policy(node.settings.retention_days),
            actor=officer.actor,
            now=datetime.now(UTC),
            node_country=node.settings.node_country,
        )
    return access_report_json(report)
