"""The audit log's proofs over HTTP: verify it (admin), hand out its signed head and public
key and prove a kept head against today's log (admin, partner), and the trail of one value
(admin). docs/governance.md, section audit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import Connection

from scamintel.access.keys import Principal
from scamintel.access.roles import AUDIT_HEAD_READERS, AUDIT_ROLES
from scamintel.api.audit_schemas import (
    ConsistencyOut,
    HeadCheckOut,
    KeyOut,
    RetiredKeyOut,
    SignedHeadBody,
    TrailEntryOut,
    TrailOut,
    VerificationOut,
)
from scamintel.api.auth import require_role
from scamintel.api.routes import PROBLEM, Node
from scamintel.api.state import NodeState
from scamintel.governance.signing import AuditSigner, HeadFormatError, KeyRing, SignedHead
from scamintel.indicators import IndicatorType, InvalidIndicatorError
from scamintel.storage.audit_repo import (
    AuditLogBrokenError,
    AuditRangeError,
    audit_trail,
    check_external_head,
    consistency,
    latest_signed_head,
    record_trail_read,
    verify_log,
)
from scamintel.storage.evidence_repo import indicator_id_of

audit_api = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Auditor = Annotated[Principal, Depends(require_role(*AUDIT_ROLES))]
HeadReader = Annotated[Principal, Depends(require_role(*AUDIT_HEAD_READERS))]
ERRORS: dict[int | str, dict[str, object]] = {401: PROBLEM, 403: PROBLEM}
NOT_HELD = (
    "This node holds no row for this value (no report or listing names it): only entries "
    "that name it without one, such as cross-border requests, can be shown."
)


def _signer(node: NodeState) -> AuditSigner:
    return AuditSigner(node.settings.secret_key)


def _keys(node: NodeState) -> KeyRing:
    """This node's key and the retired ones whose heads still verify."""
    return _signer(node).key_ring(node.settings.audit_retired_keys)


@contextmanager
def _reading(node: NodeState, *, write: bool = False) -> Iterator[Connection]:
    engine = node.database.engine
    try:
        with engine.begin() if write else engine.connect() as connection:
            yield connection
    except AuditRangeError as error:
        raise HTTPException(422, str(error)) from error
    except AuditLogBrokenError as error:
        raise HTTPException(409, str(error)) from error


@audit_api.get(
    "/verify",
    response_model=VerificationOut,
    summary="Prove that no audit entry was altered, removed or reordered (admin)",
    responses=ERRORS,
)
def get_verify(node: Node, _admin: Auditor) -> VerificationOut:
    with _reading(node) as connection:
        report = verify_log(connection, _keys(node), node.settings.node_name)
    return VerificationOut.of(report)


@audit_api.get(
    "/head",
    response_model=SignedHeadBody,
    summary="The latest signed head of the audit log: keep it to check the log later",
    responses={**ERRORS, 404: PROBLEM},
)
def get_head(node: Node, _reader: HeadReader) -> SignedHeadBody:
    with _reading(node) as connection:
        head = latest_signed_head(connection, node.settings.node_name, _keys(node))
    if head is None:
        raise HTTPException(404, "No head of the audit log was signed yet; ask again later.")
    return SignedHeadBody.of(head)


@audit_api.get(
    "/key",
    response_model=KeyOut,
    summary="The node's audit-signing public key (Ed25519)",
    responses=ERRORS,
)
def get_key(node: Node, _reader: HeadReader) -> KeyOut:
    keys = _keys(node)
    return KeyOut(
        node=node.settings.node_name,
        public_key=keys.current.base64,
        key_id=keys.current.key_id,
        retired=[RetiredKeyOut(public_key=key.base64, key_id=key.key_id) for key in keys.retired],
    )


@audit_api.get(
    "/consistency",
    response_model=ConsistencyOut,
    summary="RFC 9162 proof that the log of `second` entries extends its first `first`",
    responses={**ERRORS, 409: PROBLEM, 422: PROBLEM},
)
def get_consistency(
    node: Node,
    _reader: HeadReader,
    first: Annotated[int, Query(ge=1, description="Size of the earlier log (a kept head)")],
    second: Annotated[
        int | None, Query(ge=1, description="Size of the later log (default: today's)")
    ] = None,
) -> ConsistencyOut:
    with _reading(node) as connection:
        proof = consistency(connection, first, second)
    return ConsistencyOut.of(proof)


@audit_api.post(
    "/heads/check",
    response_model=HeadCheckOut,
    summary="Check a signed head kept earlier against today's log",
    responses={**ERRORS, 422: PROBLEM},
)
def post_head_check(node: Node, _reader: HeadReader, body: SignedHeadBody) -> HeadCheckOut:
    try:
        head = SignedHead.from_json(body.as_json())
    except HeadFormatError as error:
        raise HTTPException(422, str(error)) from error
    with _reading(node) as connection:
        check = check_external_head(connection, head, _keys(node), node.settings.node_name)
    return HeadCheckOut.of(check)


@audit_api.get(
    "/trail",
    response_model=TrailOut,
    summary="Who saw this value's data, when, why and on what legal basis (admin)",
    responses={**ERRORS, 422: PROBLEM},
)
def get_trail(
    node: Node,
    admin: Auditor,
    q: Annotated[str, Query(min_length=1, max_length=2048, description="The value, any form")],
    indicator_type: Annotated[
        IndicatorType | None, Query(alias="type", description="Skip type detection")
    ] = None,
    purpose: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Why the trail is read (audited)"),
    ] = None,
) -> TrailOut:
    try:
        indicator = node.registry.canonicalise(q, indicator_type, node.context)
    except InvalidIndicatorError as error:
        raise HTTPException(422, f"{q!r} cannot be read: {error.reason}") from error
    # The trail says who handled the value and why: reading it is itself audited.
    with _reading(node, write=True) as connection:
        indicator_id = indicator_id_of(connection, indicator)
        trail = audit_trail(
            connection, indicator_id, indicator=indicator, sealer=node.database.sealer
        )
        record_trail_read(
            connection,
            indicator,
            indicator_id,
            actor=admin.actor,
            purpose=purpose,
            entries=len(trail),
        )
    return TrailOut(
        type=indicator.type.value,
        value=indicator.value,
        held=indicator_id is not None,
        note=None if indicator_id is not None else NOT_HELD,
        entries=[TrailEntryOut.of(entry) for entry in trail],
    )
