"""Cross-border requests in storage, on SQLite and PostgreSQL: both directions, every step an
event and an audit entry, idempotent receipt (also when two deliveries cross), the agreement and
the case checked before sending, times held in UTC, the list filters, a case's requests, views
audited, delivery bookkeeping and the delivery loop (peer by peer, refusals, a partner that lost
a request, stopping), and outcomes into the verdict engine only for values the node holds."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, select

from helpers import indicator_outcomes
from scamintel.cases.requests import (
    AgreementTermsError,
    CaseClosedError,
    CrossBorderRequest,
    Delivery,
    Direction,
    NewRequest,
    Outcome,
    RequestEvent,
    RequestKind,
    RequestNotFoundError,
    RequestStatus,
    advance,
    copy_remote_steps,
    open_outgoing,
    receive_incoming,
    sla_hours,
)
from scamintel.federation import request_transport
from scamintel.federation.agreement import Agreement, blind_selector
from scamintel.federation.markings import Purpose
from scamintel.federation.peer_http import PeerCallError
from scamintel.federation.request_transport import deliver_requests
from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.reports.reading import Reading
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.peers_repo import Peer, add_peer
from scamintel.storage.requests_repo import RequestFilter, SqlRequests, requests_of_case
from scamintel.storage.sql import as_utc
from scamintel.storage.store import read_audit_entries
from scamintel.storage.tables import (
    cases,
    cross_border_request_events,
    cross_border_requests,
)

NOW = datetime.now(UTC).replace(microsecond=0)
MULE = Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890", "TH")
READING = Reading(default_registry(), ParseContext("TH"), Warninglist())
SLA = sla_hours({})
BLIND_KEY = "b" * 40


@pytest.fixture(autouse=True)
def agreement_with_mm_ccd(node_database: NodeDatabase) -> None:
    """The requests here go to MM-CCD, under an agreement that shares phones only blind."""
    agreement = Agreement.model_validate(
        {
            "partner": "MM-CCD",
            "version": 1,
            "types": ["phone", "bank_account"],
            "blind": ["phone"],
            "blind_key": BLIND_KEY,
            "markings": ["amber"],
            "share_as": "amber",
            "purposes": ["investigation"],
            "retention_days": 30,
        }
    )
    with node_database.engine.begin() as connection:
        apply_agreement(connection, agreement, node_database.sealer, "test", NOW)


def freeze(value: str = MULE.value) -> NewRequest:
    return NewRequest(
        RequestKind.FREEZE_ACCOUNT,
        IndicatorType.BANK_ACCOUNT,
        value,
        None,
        Purpose.INVESTIGATION,
        "case 114: victims paid into it",
    )


def store_of(connection: Connection, database: NodeDatabase) -> SqlRequests:
    return SqlRequests(connection, database.sealer, READING)


def a_case(database: NodeDatabase, status: str = "open") -> int:
    with database.engine.begin() as connection:
        return int(
            connection.execute(
                cases.insert()
                .values(
                    title="KBANK mule ring",
                    status=status,
                    created_by="cli:test",
                    created_at=NOW,
                    updated_at=NOW,
                )
                .returning(cases.c.id)
            ).scalar_one()
        )


def report_about(database: NodeDatabase, indicator: Indicator) -> None:
    report = NewReport(
        id=uuid.uuid4(),
        source=ReportSource.API,
        scam_type=ScamType.INVESTMENT,
        channel=Channel.LINE,
        received_at=NOW,
        indicators=(ReportedIndicator(indicator, indicator.value, "given"),),
        trust="verified_agency",
        source_key="org:1",
    )
    with database.transaction() as store:
        store.add_reports([report])
        store.refresh_listings(store.touched_indicator_ids)


def audit_details(database: NodeDatabase) -> list[tuple[str, dict[str, Any]]]:
    with database.engine.connect() as connection:
        return [
            (entry.event.action, dict(entry.event.details))
            for entry in read_audit_entries(connection)
            if entry.event.object_type == "cross_border_request"
        ]


def audit_actions(database: NodeDatabase) -> list[str]:
    with database.engine.connect() as connection:
        return [
            entry.event.action
            for entry in read_audit_entries(connection)
            if entry.event.object_type == "cross_border_request"
        ]


def send(
    database: NodeDatabase,
    case_id: int | None = None,
    now: datetime = NOW,
    asked: NewRequest | None = None,
    peer: str = "MM-CCD",
) -> uuid.UUID:
    with database.engine.begin() as connection:
        sent = open_outgoing(
            store_of(connection, database),
            asked or freeze(),
            request_id=uuid.uuid4(),
            peer=peer,
            case_id=case_id,
            actor="cli:somchai",
            now=now,
            sla=SLA,
        )
    return sent.request_id


def receive(
    database: NodeDatabase,
    request_id: uuid.UUID,
    partner: str = "KH-NCC",
    created_at: datetime = NOW,
) -> bool:
    with database.engine.begin() as connection:
        _stored, created = receive_incoming(
            store_of(connection, database),
            freeze(),
            request_id=request_id,
            partner=partner,
            created_at=created_at,
            due=created_at + timedelta(hours=24),
            actor="key:abc",
            now=NOW,
        )
    return created


def move(
    database: NodeDatabase,
    request_id: uuid.UUID,
    target: RequestStatus,
    reason: str | None = None,
    outcome: Outcome | None = None,
) -> None:
    with database.engine.begin() as connection:
        advance(
            store_of(connection, database),
            request_id,
            target,
            reason=reason,
            outcome=outcome,
            actor="cli:malee",
            now=datetime.now(UTC),
        )


def get(
    database: NodeDatabase, request_id: uuid.UUID, direction: Direction | None = None
) -> CrossBorderRequest | None:
    with database.engine.connect() as connection:
        return store_of(connection, database).get(request_id, direction)


def test_an_outgoing_request_belongs_to_an_existing_case(node_database: NodeDatabase) -> None:
    case_id = a_case(node_database)
    request_id = send(node_database, case_id)
    stored = get(node_database, request_id)
    assert stored is not None
    assert (stored.direction, stored.status, stored.case_id, stored.partner) == (
        Direction.OUTGOING,
        RequestStatus.SENT,
        case_id,
        "MM-CCD",
    )
    assert stored.due_at == NOW + timedelta(hours=24)
    assert [(e.status, e.actor) for e in stored.events] == [(RequestStatus.SENT, "cli:somchai")]
    with pytest.raises(RequestNotFoundError, match="no case 999999"):
        send(node_database, 999_999)
    with node_database.engine.connect() as connection:
        of_case = requests_of_case(connection, case_id)
    assert [(r.request_id, len(r.events)) for r in of_case] == [(request_id, 1)]
    assert audit_actions(node_database) == ["cross_border_request.sent"]


def test_a_request_outside_the_agreement_or_from_a_closed_case_is_refused(
    node_database: NodeDatabase,
) -> None:
    with pytest.raises(AgreementTermsError, match="no sharing agreement with VN-CSC"):
        send(node_database, peer="VN-CSC")
    prevention = replace(freeze(), purpose=Purpose.PREVENTION)
    with pytest.raises(AgreementTermsError, match="it allows: investigation"):
        send(node_database, asked=prevention)
    closed = a_case(node_database, status="closed")
    with pytest.raises(CaseClosedError, match=f"case {closed} is closed"):
        send(node_database, closed)
    assert audit_actions(node_database) == []  # nothing refused was stored

    # A phone (shared only blind) leaves as its selector; the value stays on this node.
    number = NewRequest(
        RequestKind.SUSPEND_NUMBER,
        IndicatorType.PHONE,
        "+66812345678",
        None,
        Purpose.INVESTIGATION,
        "case 114: call-centre number",
    )
    stored = get(node_database, send(node_database, asked=number))
    assert stored is not None
    phone = Indicator(IndicatorType.PHONE, "+66812345678")
    assert (stored.value, stored.selector) == ("+66812345678", blind_selector(BLIND_KEY, phone))
    assert request_transport.wire_request(stored)["value"] is None


def test_an_incoming_request_is_stored_once_and_every_step_is_an_event_and_audited(
    node_database: NodeDatabase,
) -> None:
    request_id = uuid.uuid4()
    assert receive(node_database, request_id) is True
    assert receive(node_database, request_id) is False  # delivered again: nothing new
    move(node_database, request_id, RequestStatus.ACCEPTED)
    move(node_database, request_id, RequestStatus.IN_PROGRESS)
    move(node_database, request_id, RequestStatus.FULFILLED, "frozen at 10:02", Outcome.FROZEN)
    stored = get(node_database, request_id, Direction.INCOMING)
    assert stored is not None
    assert (stored.status, stored.outcome, stored.status_reason) == (
        RequestStatus.FULFILLED,
        Outcome.FROZEN,
        "frozen at 10:02",
    )
    assert [e.status.value for e in stored.events] == [
        "received",
        "accepted",
        "in_progress",
        "fulfilled",
    ]
    assert audit_actions(node_database) == [
        "cross_border_request.received",
        "cross_border_request.accepted",
        "cross_border_request.in_progress",
        "cross_border_request.fulfilled",
    ]
    # This node never had a report about the value: no indicator is made up for the outcome.
    assert indicator_outcomes(node_database) == []


def test_the_partner_records_the_outcome_on_a_value_it_holds(node_database: NodeDatabase) -> None:
    report_about(node_database, MULE)
    request_id = uuid.uuid4()
    receive(node_database, request_id)
    move(node_database, request_id, RequestStatus.ACCEPTED)
    move(node_database, request_id, RequestStatus.IN_PROGRESS)
    move(node_database, request_id, RequestStatus.FULFILLED, None, Outcome.FROZEN)
    assert indicator_outcomes(node_database) == [(MULE.value, "frozen", "cli:malee")]


def test_the_requester_copies_the_partner_steps_and_its_outcome_once(
    node_database: NodeDatabase,
) -> None:
    report_about(node_database, MULE)
    request_id = send(node_database)
    at = [NOW + timedelta(minutes=m) for m in range(4)]
    remote = [
        RequestEvent(RequestStatus.RECEIVED, at[0], "partner"),
        RequestEvent(RequestStatus.ACCEPTED, at[1], "partner"),
        RequestEvent(RequestStatus.IN_PROGRESS, at[2], "partner"),
        RequestEvent(RequestStatus.FULFILLED, at[3], "partner", "done", Outcome.FROZEN),
    ]
    for _ in range(2):  # a second pull of the same answer adds nothing
        with node_database.engine.begin() as connection:
            store = store_of(connection, node_database)
            held = store.get(request_id, Direction.OUTGOING, for_update=True)
            assert held is not None
            copy_remote_steps(store, held, remote)
    stored = get(node_database, request_id)
    assert stored is not None
    assert [(e.status.value, e.at, e.actor) for e in stored.events][1:] == [
        ("received", at[0], "partner:MM-CCD"),
        ("accepted", at[1], "partner:MM-CCD"),
        ("in_progress", at[2], "partner:MM-CCD"),
        ("fulfilled", at[3], "partner:MM-CCD"),
    ]
    assert (stored.status, stored.outcome) == (RequestStatus.FULFILLED, Outcome.FROZEN)
    assert indicator_outcomes(node_database) == [(MULE.value, "frozen", "partner:MM-CCD")]


def test_delivery_attempts_keep_the_error_and_the_first_success_is_audited(
    node_database: NodeDatabase,
) -> None:
    request_id = send(node_database)
    later = NOW + timedelta(minutes=5)
    for error, delivered, at in [("cannot reach MM-CCD", False, NOW), (None, True, later)]:
        with node_database.engine.begin() as connection:
            store = store_of(connection, node_database)
            held = store.get(request_id)
            assert held is not None
            store.record_attempt(held, at=at, error=error, delivered=delivered, actor="sync")
            if error:
                stored = store.get(request_id)
                assert stored is not None
                assert (stored.last_error, stored.delivered_at) == (error, None)
    stored = get(node_database, request_id)
    assert stored is not None
    assert (stored.last_error, stored.delivered_at, stored.last_attempt_at) == (None, later, later)
    assert audit_actions(node_database) == [
        "cross_border_request.sent",
        "cross_border_request.delivered",
    ]
    with node_database.engine.connect() as connection:
        assert [r.request_id for r in store_of(connection, node_database).awaiting_partner()] == [
            request_id
        ]


def test_the_partner_times_are_stored_in_utc(node_database: NodeDatabase) -> None:
    request_id = uuid.uuid4()
    bangkok = NOW.astimezone(timezone(timedelta(hours=7)))
    receive(node_database, request_id, created_at=bangkok)
    with node_database.engine.connect() as connection:
        raw = connection.execute(
            select(cross_border_requests.c.created_at, cross_border_requests.c.due_at)
        ).one()
    # The same instant, whatever the backend keeps (SQLite: the UTC wall clock).
    assert (as_utc(raw.created_at), as_utc(raw.due_at)) == (NOW, NOW + timedelta(hours=24))
    stored = get(node_database, request_id)
    assert stored is not None
    assert stored.created_at == NOW
    assert stored.created_at.utcoffset() == timedelta(0)


def test_two_deliveries_of_one_request_that_cross_store_it_once(
    node_database: NodeDatabase,
) -> None:
    request_id = uuid.uuid4()
    assert receive(node_database, request_id) is True

    class Crossed(SqlRequests):
        """The second delivery looked before the first committed: its first look finds nothing."""

        looked = False

        def get(self, *args: Any, **kwargs: Any) -> CrossBorderRequest | None:
            if not self.looked:
                self.looked = True
                return None
            return super().get(*args, **kwargs)

    with node_database.engine.begin() as connection:
        stored, created = receive_incoming(
            Crossed(connection, node_database.sealer, READING),
            freeze(),
            request_id=request_id,
            partner="KH-NCC",
            created_at=NOW,
            due=NOW + timedelta(hours=24),
            actor="key:abc",
            now=NOW + timedelta(seconds=1),
        )
    # No unique-constraint error: the stored request, once, with its one step.
    assert (created, stored.request_id, len(stored.events)) == (False, request_id, 1)
    with node_database.engine.connect() as connection:
        rows = connection.execute(select(cross_border_requests.c.id)).all()
        events = connection.execute(select(cross_border_request_events.c.id)).all()
    assert (len(rows), len(events)) == (1, 1)
    assert audit_actions(node_database) == ["cross_border_request.received"]


def test_views_and_lists_are_audited_with_the_case(node_database: NodeDatabase) -> None:
    case_id = a_case(node_database)
    request_id = send(node_database, case_id)
    with node_database.engine.begin() as connection:
        store = store_of(connection, node_database)
        held = store.get(request_id)
        assert held is not None
        store.record_view([held], "cli:malee")
        store.record_attempt(held, at=NOW, error=None, delivered=True, actor="sync")
        store.record_view([held], "cli:malee", direction=Direction.OUTGOING, status=None)
    trail = audit_details(node_database)
    assert [action for action, _ in trail] == [
        "cross_border_request.sent",
        "cross_border_request.viewed",
        "cross_border_request.delivered",
        "cross_border_request.listed",
    ]
    # Every entry about the request names its case, so the case's trail can show them.
    assert all(details["case_id"] == case_id for _, details in trail[:3])
    assert trail[3][1] == {"filters": {"direction": "outgoing"}, "requests": [str(request_id)]}


# -- the delivery loop, against a partner played by a fake call_peer ------------------------------
class FakePartner:
    """Answers call_peer as the partner would, and counts the calls."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers  # method -> an answer or a PeerCallError to raise
        self.calls: list[tuple[str, str]] = []
        self.after_call: threading.Event | None = None

    def __call__(
        self, peer: Peer, method: str, path: str, body: Any, *, timeout: float
    ) -> dict[str, Any]:
        self.calls.append((method, path))
        if self.after_call is not None:
            self.after_call.set()
        answer = self.answers[method]
        if isinstance(answer, PeerCallError):
            raise answer
        return dict(answer)


RECEIVED = {"events": [{"status": "received", "at": NOW.isoformat()}]}


def a_peer(database: NodeDatabase, name: str = "MM-CCD") -> None:
    with database.engine.begin() as connection:
        add_peer(
            connection,
            database.sealer,
            name=name,
            url="http://127.0.0.1:9/taxii2/",
            api_key="si_test",
            now=NOW,
        )


def deliver(database: NodeDatabase, **options: Any) -> list[Any]:
    return deliver_requests(database, READING, actor="sync", timeout=0.1, **options)


def test_an_unreachable_peer_costs_one_try_per_run_and_stop_is_honoured(
    node_database: NodeDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_peer(node_database)
    sent = [send(node_database) for _ in range(3)]
    partner = FakePartner({"POST": PeerCallError("cannot reach MM-CCD: refused")})
    monkeypatch.setattr(request_transport, "call_peer", partner)
    results = deliver(node_database)
    assert len(partner.calls) == 1  # the other two get the same error without a wait
    assert [r.error for r in results] == ["cannot reach MM-CCD: refused"] * 3
    for request_id in sent:
        stored = get(node_database, request_id)
        assert stored is not None
        assert (stored.last_error, stored.delivery) == (
            "cannot reach MM-CCD: refused",
            Delivery.PENDING,
        )

    only = deliver(node_database, only=sent[1])
    assert [r.request_id for r in only] == [sent[1]]

    stop = threading.Event()
    stop.set()
    assert deliver(node_database, stop=stop) == []
    stop.clear()
    partner.after_call = stop  # shutting down while the first request is on its way
    partner.answers["POST"] = RECEIVED
    assert len(deliver(node_database, stop=stop)) == 1


def test_a_refusal_is_kept_until_delivered_explicitly(
    node_database: NodeDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_peer(node_database)
    request_id = send(node_database)
    partner = FakePartner({"POST": PeerCallError("MM-CCD answered 403: no agreement", 403)})
    monkeypatch.setattr(request_transport, "call_peer", partner)
    (result,) = deliver(node_database)
    assert result.refused
    stored = get(node_database, request_id)
    assert stored is not None
    assert (stored.delivery, stored.refused_because) == (
        Delivery.REFUSED,
        "MM-CCD answered 403: no agreement",
    )
    assert deliver(node_database) == []  # the syncs leave it
    assert len(partner.calls) == 1
    partner.answers["POST"] = RECEIVED  # the partner's operator fixed the agreement
    (again,) = deliver(node_database, with_refused=True)  # `scamintel request deliver`
    assert (again.status, again.error) == (RequestStatus.RECEIVED, None)
    stored = get(node_database, request_id)
    assert stored is not None
    assert (stored.delivery, stored.last_error) == (Delivery.DELIVERED, None)
    assert audit_actions(node_database) == [
        "cross_border_request.sent",
        "cross_border_request.refused",
        "cross_border_request.delivered",
        "cross_border_request.received",
    ]
    # A busy partner (429) or one down (5xx) is not a refusal: the next sync tries again.
    busy = send(node_database)
    partner.answers["POST"] = PeerCallError("MM-CCD answered 429: slow down", 429)
    deliver(node_database, only=busy)
    assert (held := get(node_database, busy)) is not None
    assert held.delivery is Delivery.PENDING


def test_a_request_the_partner_lost_is_sent_again(
    node_database: NodeDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_peer(node_database)
    request_id = send(node_database)
    partner = FakePartner({"POST": RECEIVED})
    monkeypatch.setattr(request_transport, "call_peer", partner)
    deliver(node_database)
    # The partner restored an old backup: it answers 404, then cannot be reached.
    partner.answers = {
        "GET": PeerCallError("MM-CCD answered 404: no request", 404),
        "POST": PeerCallError("cannot reach MM-CCD"),
    }
    deliver(node_database)
    assert [method for method, _ in partner.calls] == ["POST", "GET", "POST"]
    stored = get(node_database, request_id)
    assert stored is not None
    assert (stored.delivery, stored.delivered_at) == (Delivery.PENDING, None)
    partner.answers["POST"] = RECEIVED
    deliver(node_database)
    assert partner.calls[-1][0] == "POST"  # sent again, not read
    stored = get(node_database, request_id)
    assert stored is not None
    assert stored.delivery is Delivery.DELIVERED


def test_the_list_filters(node_database: NodeDatabase) -> None:
    case_id = a_case(node_database)
    late = send(node_database, case_id, now=NOW - timedelta(days=3))
    fresh = send(node_database)
    incoming = uuid.uuid4()
    receive(node_database, incoming)
    move(node_database, incoming, RequestStatus.REJECTED, "no legal basis for this")

    def listed(**wanted: object) -> set[uuid.UUID]:
        with node_database.engine.connect() as connection:
            found = store_of(connection, node_database).listed(
                RequestFilter(**wanted),  # type: ignore[arg-type]
                datetime.now(UTC),
            )
        return {r.request_id for r in found}

    assert listed() == {late, fresh, incoming}
    assert listed(direction=Direction.OUTGOING) == {late, fresh}
    assert listed(direction=Direction.INCOMING) == {incoming}
    assert listed(status=RequestStatus.REJECTED) == {incoming}
    assert listed(overdue=True) == {late}
    assert listed(overdue=False) == {fresh, incoming}
    assert listed(partner="KH-NCC") == {incoming}
    assert listed(case_id=case_id) == {late}
    assert listed(direction=Direction.OUTGOING, limit=1) == {fresh}  # newest first
