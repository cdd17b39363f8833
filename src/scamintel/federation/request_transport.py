"""Cross-border requests over the federation link (docs/cross-border-requests.md).

The requesting node POSTs each new request to the partner's
``POST /api/v1/federation/requests`` with the partner key stored for that peer, then reads its
status with ``GET /api/v1/federation/requests/{id}``, during ``scamintel sync``, the background
sync of ``serve`` and ``scamintel request deliver``. A partner that cannot be reached leaves the
request as it was, with ``last_error`` and ``last_attempt_at``, and the next run tries again
(one failed connection per peer and run: its other requests get the same error). A partner that
refuses a request (4xx) marks it refused: the syncs leave it, ``scamintel request deliver`` tries
it again. A partner that answers 404 to a request it had is sent it again. Nothing here raises
into the sync."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import structlog

from scamintel.cases.requests import (
    CrossBorderRequest,
    Direction,
    Outcome,
    RequestEvent,
    RequestStatus,
    copy_remote_steps,
)
from scamintel.federation.peer_http import PeerAddressError, PeerCallError, call_peer
from scamintel.reports.reading import Reading
from scamintel.storage.node import NodeDatabase
from scamintel.storage.peers_repo import Peer, find_peer
from scamintel.storage.requests_repo import SqlRequests

REQUESTS_PATH = "/api/v1/federation/requests"
# What an investigator waits for when a request is sent from the API or the CLI: a partner
# slower than this is reached by the next sync instead.
IMMEDIATE_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """One request after one try: its status now, and the error when the partner failed."""

    request_id: UUID
    peer: str
    status: RequestStatus
    new_steps: int
    error: str | None = None
    refused: bool = False

    @property
    def failed(self) -> bool:
        return self.error is not None

    def details(self) -> dict[str, Any]:
        return {
            "request_id": str(self.request_id),
            "peer": self.peer,
            "status": self.status.value,
            "new_steps": self.new_steps,
            "error": self.error,
            "refused": self.refused,
        }


def wire_request(request: CrossBorderRequest) -> dict[str, Any]:
    """The body of the POST to the partner: the request as asked, with its due time. A value
    the agreement shares only blind travels as its selector alone (the value stays here)."""
    return {
        "request_id": str(request.request_id),
        "kind": request.kind.value,
        "type": request.indicator_type.value,
        "value": request.value if request.selector is None else None,
        "selector": request.selector,
        "purpose": request.purpose.value,
        "reason": request.reason,
        "created_at": request.created_at.isoformat(),
        "due_at": request.due_at.isoformat(),
    }


def remote_events(answer: dict[str, Any]) -> list[RequestEvent]:
    """The partner's steps from its answer (``events``), with its timestamps (in UTC; a time
    without a zone is taken as UTC) and reasons."""
    events = []
    for item in answer.get("events") or []:
        at = datetime.fromisoformat(str(item["at"]))
        events.append(
            RequestEvent(
                status=RequestStatus(item["status"]),
                at=at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC),
                actor="partner",
                reason=item.get("reason"),
                outcome=Outcome(item["outcome"]) if item.get("outcome") else None,
            )
        )
    return events


@dataclass(frozen=True, slots=True)
class _Answer:
    """What one try at the partner gave: its steps, or the error and what kind of error."""

    events: list[RequestEvent] | None = None
    error: str | None = None
    unreachable: bool = False  # no answer at all: the peer's other requests are not tried
    refused: bool = False  # a 4xx: the partner will not take it as it is
    lost: bool = False  # the partner no longer held a request it had (GET 404)


# 4xx answers that are worth trying again at the next sync: not a refusal.
_TRANSIENT = frozenset({408, 425, 429})


def deliver_requests(
    database: NodeDatabase,
    reading: Reading,
    *,
    actor: str,
    timeout: float,
    peer: str | None = None,
    only: UUID | None = None,
    with_refused: bool = False,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[DeliveryResult]:
    """Send what is not delivered yet and read the status of what is open; one result per
    request tried. Requests go peer by peer: once a peer cannot be reached, its other requests
    get the same error without another wait. Requests the partner refused (4xx) are tried
    again only ``with_refused``. Stops between requests once ``stop`` is set. Never raises: a
    failure is recorded on its request and logged."""
    with database.engine.connect() as connection:
        waiting = SqlRequests(connection, database.sealer).awaiting_partner(
            peer, only=only, with_refused=with_refused
        )
        peers = {name: find_peer(connection, name, database.sealer) for name in _names(waiting)}
    results = []
    down: dict[str, str] = {}  # peer name -> why it could not be reached in this run
    for request in waiting:
        if stop is not None and stop.is_set():
            break
        try:
            if request.partner in down:
                answer = _Answer(error=down[request.partner], unreachable=True)
            else:
                answer = _ask_partner(request, peers.get(request.partner), timeout)
            if answer.unreachable and answer.error is not None:
                down[request.partner] = answer.error
            result = _record(database, reading, request, answer, actor, clock)
        except Exception as error:  # a bug or a locked database must not stop the sync
            structlog.get_logger("scamintel.requests").exception(
                "cross_border_request.delivery_crashed", request_id=str(request.request_id)
            )
            result = DeliveryResult(
                request.request_id, request.partner, request.status, 0, repr(error)
            )
        results.append(result)
    return results


def _names(requests: list[CrossBorderRequest]) -> list[str]:
    return sorted({request.partner for request in requests})


def _ask_partner(request: CrossBorderRequest, peer: Peer | None, timeout: float) -> _Answer:
    """Deliver the request (the first time, or again when the partner lost it) or read its
    status: the partner's steps, or why not."""
    if peer is None:
        error = f"no peer named {request.partner}; add it with `scamintel peer add`"
        return _Answer(error=error, unreachable=True)
    if not peer.api_key:
        error = f"peer {peer.name} has no API key stored; its operator issues a partner key"
        return _Answer(error=error, unreachable=True)
    lost = False
    try:
        if request.delivered_at is not None:
            try:
                path = f"{REQUESTS_PATH}/{request.request_id}"
                return _read_events(request, call_peer(peer, "GET", path, None, timeout=timeout))
            except PeerCallError as failure:
                if failure.status != HTTPStatus.NOT_FOUND:
                    raise
                lost = True  # the partner lost it (a restored backup): send it again
        answer = call_peer(peer, "POST", REQUESTS_PATH, wire_request(request), timeout=timeout)
    except PeerAddressError as failure:
        return _Answer(error=str(failure), unreachable=True, lost=lost)
    except PeerCallError as failure:
        if failure.status is None or failure.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            return _Answer(error=str(failure), unreachable=failure.status is None, lost=lost)
        refused = failure.status not in _TRANSIENT
        return _Answer(error=str(failure), refused=refused, lost=lost)
    return replace(_read_events(request, answer), lost=lost)


def _read_events(request: CrossBorderRequest, answer: dict[str, Any]) -> _Answer:
    try:
        return _Answer(events=remote_events(answer))
    except (KeyError, TypeError, ValueError) as failure:
        # Not delivered as far as this node knows: the next try sends it again, and the
        # partner answers with the request it holds.
        return _Answer(error=f"{request.partner} answered with an unreadable status: {failure}")


def _record(
    database: NodeDatabase,
    reading: Reading,
    request: CrossBorderRequest,
    answer: _Answer,
    actor: str,
    clock: Callable[[], datetime],
) -> DeliveryResult:
    error = answer.error
    with database.engine.begin() as connection:
        store = SqlRequests(connection, database.sealer, reading)
        current = store.get(request.request_id, Direction.OUTGOING, for_update=True)
        if current is None:  # deleted meanwhile: nothing to record
            return DeliveryResult(request.request_id, request.partner, request.status, 0, error)
        store.record_attempt(
            current,
            at=clock(),
            error=error,
            delivered=answer.events is not None,
            actor=actor,
            refused=answer.refused,
            lost=answer.lost,
        )
        if answer.events is None:
            return DeliveryResult(
                current.request_id, current.partner, current.status, 0, error, answer.refused
            )
        updated = copy_remote_steps(store, current, answer.events)
    new_steps = len(updated.events) - len(current.events)
    return DeliveryResult(updated.request_id, updated.partner, updated.status, new_steps)


def deliver_and_log(
    database: NodeDatabase,
    reading: Reading,
    *,
    actor: str,
    timeout: float,
    stop: threading.Event | None = None,
) -> list[DeliveryResult]:
    """``deliver_requests`` for serve's background sync: each result is a log line."""
    log = structlog.get_logger("scamintel.requests")
    results = deliver_requests(database, reading, actor=actor, timeout=timeout, stop=stop)
    for result in results:
        event = "cross_border_request.delivery_failed" if result.failed else "cross_border_request"
        (log.warning if result.failed else log.info)(event, **result.details())
    return results


def delivery_line(result: DeliveryResult) -> str:
    """One result for people (``scamintel sync``, ``scamintel request deliver``)."""
    line = f"request {result.request_id} to {result.peer}: {result.status.value}"
    if result.new_steps:
        line += f" ({result.new_steps} new step{'s' if result.new_steps > 1 else ''})"
    if result.refused:
        line += (
            f"; refused by the partner, not retried by the syncs (once fixed, "
            f"`scamintel request deliver` sends it again): {result.error}"
        )
    elif result.error:
        line += f"; not reached, tried again at the next sync: {result.error}"
    return line
