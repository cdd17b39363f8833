"""What one node sends and the other reads (federation.request_transport and the federation
request schemas) fit together, both ways; and how a peer is called (federation.peer_http)."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from uuid import uuid4

import pytest
from pydantic import ValidationError

from scamintel.api.requests_schemas import FederationRequestIn, FederationRequestOut
from scamintel.cases.requests import (
    CrossBorderRequest,
    Direction,
    Outcome,
    RequestEvent,
    RequestKind,
    RequestStatus,
)
from scamintel.federation.markings import Purpose
from scamintel.federation.peer_http import authorization, call_peer
from scamintel.federation.request_transport import (
    DeliveryResult,
    delivery_line,
    remote_events,
    wire_request,
)
from scamintel.federation.sync import AUTH_BASIC, AUTH_BEARER
from scamintel.indicators import IndicatorType
from scamintel.storage.peers_repo import Peer

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def request(status: RequestStatus, events: tuple[RequestEvent, ...]) -> CrossBorderRequest:
    return CrossBorderRequest(
        request_id=uuid4(),
        direction=Direction.OUTGOING,
        partner="TH-AOC",
        kind=RequestKind.FREEZE_ACCOUNT,
        indicator_type=IndicatorType.BANK_ACCOUNT,
        value="TH:KBANK:1234567890",
        selector=None,
        purpose=Purpose.INVESTIGATION,
        reason="case 114",
        status=status,
        created_by="cli:me",
        created_at=NOW,
        updated_at=NOW,
        due_at=NOW + timedelta(hours=24),
        events=events,
    )


def test_the_partner_reads_the_request_as_sent() -> None:
    sent = request(RequestStatus.SENT, ())
    read = FederationRequestIn.model_validate_json(
        FederationRequestIn.model_validate(wire_request(sent)).model_dump_json()
    )
    assert (read.request_id, read.kind, read.type, read.value, read.due_at) == (
        sent.request_id,
        sent.kind,
        sent.indicator_type,
        sent.value,
        sent.due_at,
    )


def test_the_requester_reads_the_partner_steps_with_their_times_reasons_and_outcome() -> None:
    steps = (
        RequestEvent(RequestStatus.RECEIVED, NOW, "key:abc"),
        RequestEvent(RequestStatus.ACCEPTED, NOW + timedelta(minutes=1), "cli:malee"),
        RequestEvent(RequestStatus.IN_PROGRESS, NOW + timedelta(minutes=2), "cli:malee"),
        RequestEvent(
            RequestStatus.FULFILLED, NOW + timedelta(minutes=3), "cli:x", "done", Outcome.FROZEN
        ),
    )
    answered = FederationRequestOut.of(request(RequestStatus.FULFILLED, steps), NOW)
    read = remote_events(answered.model_dump(mode="json"))
    assert [(e.status, e.at, e.reason, e.outcome) for e in read] == [
        (e.status, e.at, e.reason, e.outcome) for e in steps
    ]
    assert {e.actor for e in read} == {"partner"}  # the partner's staff stay unnamed


def test_a_delivery_line_says_what_happened() -> None:
    request_id = uuid4()
    done = DeliveryResult(request_id, "TH-AOC", RequestStatus.ACCEPTED, 2)
    assert delivery_line(done) == f"request {request_id} to TH-AOC: accepted (2 new steps)"
    failed = DeliveryResult(request_id, "TH-AOC", RequestStatus.SENT, 0, "cannot reach TH-AOC")
    assert delivery_line(failed).endswith("tried again at the next sync: cannot reach TH-AOC")
    assert failed.details()["error"] == "cannot reach TH-AOC"


def test_a_value_shared_only_blind_travels_as_its_selector_alone() -> None:
    blind = replace(request(RequestStatus.SENT, ()), selector="ab" * 32)
    body = wire_request(blind)
    assert (body["value"], body["selector"]) == (None, "ab" * 32)


def test_times_without_a_zone_are_refused_and_others_read_in_utc() -> None:
    body = wire_request(request(RequestStatus.SENT, ()))
    with pytest.raises(ValidationError, match="timezone"):
        FederationRequestIn.model_validate(body | {"created_at": "2026-11-29T08:00:00"})
    partner = {"events": [{"status": "received", "at": "2026-11-29T15:00:00+07:00"}]}
    (event,) = remote_events(partner)
    assert event.at == NOW
    assert event.at.utcoffset() == timedelta(0)


def test_a_refusal_says_it_is_not_retried_by_the_syncs() -> None:
    request_id = uuid4()
    refused = DeliveryResult(
        request_id, "TH-AOC", RequestStatus.SENT, 0, "TH-AOC answered 403: no agreement", True
    )
    assert "refused by the partner, not retried by the syncs" in delivery_line(refused)
    assert refused.details()["refused"] is True


def test_a_peer_added_with_basic_auth_is_called_with_basic_auth() -> None:
    """call_peer honours ``peer.auth`` as the TAXII sync does (federation.sync)."""
    seen: list[str | None] = []

    class Partner(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            body = json.dumps({"events": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Partner)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/taxii2/"
        for auth in (AUTH_BASIC, AUTH_BEARER):
            peer = Peer("TH-AOC", url, None, "user:secret", None, None, None, None, auth)
            assert call_peer(peer, "GET", "/api/v1/federation/requests/x", None, timeout=5) == {
                "events": []
            }
    finally:
        server.shutdown()
        server.server_close()
    basic = "Basic " + base64.b64encode(b"user:secret").decode()
    assert seen == [basic, "Bearer user:secret"]
    assert authorization(replace(peer, auth=AUTH_BASIC)) == basic
