"""Cross-border requests between two real nodes on loopback (SQLite and PostgreSQL): KH-NCC
asks TH-AOC to freeze a mule account; TH-AOC accepts, works on it and freezes it; KH-NCC sees
every step after a sync and its own verdict engine learns the account was frozen. Also: a
partner that is offline when the request is sent, an SLA that runs out on both sides, a
rejection with its reason, partner keys that read only their own requests, and the HTTP
errors an investigator gets."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from e2e.conftest import make_key
from e2e.nodes import Node, second_node, serving
from helpers import free_port, indicator_outcomes
from scamintel.access.keys import OrganisationKind, Role
from scamintel.cases.requests import CrossBorderRequest, RequestStatus
from scamintel.cli_common import region_context
from scamintel.federation.agreement import Agreement, blind_selector
from scamintel.federation.request_transport import deliver_requests
from scamintel.indicators import Indicator, IndicatorType, default_registry
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.reports.reading import Reading
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.peers_repo import add_peer
from scamintel.storage.requests_repo import SqlRequests
from scamintel.storage.store import read_audit_entries
from scamintel.storage.tables import cases

A_NAME, B_NAME = "TH-AOC", "KH-NCC"
MULE = Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890", "TH")
REASON = "Case KH-2026-114: 41 victims paid into this account"
REQUESTS = "/api/v1/requests"
FEDERATION = "/api/v1/federation/requests"


def agreement(partner: str, **changes: Any) -> Agreement:
    return Agreement.model_validate(
        {
            "partner": partner,
            "version": 1,
            "types": ["phone", "bank_account"],
            "markings": ["amber"],
            "share_as": "amber",
            "purposes": ["investigation"],
            "retention_days": 90,
        }
        | changes
    )


def report_about(database: NodeDatabase, indicator: Indicator) -> None:
    report = NewReport(
        id=uuid.uuid4(),
        source=ReportSource.API,
        scam_type=ScamType.INVESTMENT,
        channel=Channel.LINE,
        received_at=datetime.now(UTC),
        indicators=(ReportedIndicator(indicator, indicator.value, "given"),),
        trust="verified_agency",
        source_key="org:1",
    )
    with database.transaction() as store:
        store.add_reports([report])
        store.refresh_listings(store.touched_indicator_ids)


def audited(database: NodeDatabase) -> list[str]:
    with database.engine.connect() as connection:
        return [
            e.event.action
            for e in read_audit_entries(connection)
            if e.event.object_type == "cross_border_request"
        ]


def held(node: Node, request_id: str) -> CrossBorderRequest:
    with node.database.engine.connect() as connection:
        found = SqlRequests(connection, node.database.sealer).get(uuid.UUID(request_id))
    assert found is not None
    return found


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# -- two nodes ------------------------------------------------------------------------------------
@pytest.fixture
def node_a(settings: Settings, node_database: NodeDatabase, tmp_path: Path) -> Node:
    """The partner asked: TH-AOC, with an agreement with KH-NCC and a report on the mule."""
    with node_database.engine.begin() as connection:
        apply_agreement(
            connection, agreement(B_NAME), node_database.sealer, "test", datetime.now(UTC)
        )
    report_about(node_database, MULE)
    (tmp_path / "a").mkdir()
    return Node(settings.model_copy(update={"node_name": A_NAME}), node_database, tmp_path / "a")


@pytest.fixture
def node_b(second_database_url: str, tmp_path: Path) -> Iterator[Node]:
    """The requester: KH-NCC, which also holds a report on the mule account."""
    node = second_node(
        second_database_url, tmp_path, name=B_NAME, country="KH", agreement=agreement(A_NAME)
    )
    report_about(node.database, MULE)
    yield node
    node.database.dispose()


@pytest.fixture
def partner_key(node_a: Node) -> str:
    """The key TH-AOC issued to KH-NCC's node."""
    return make_key(
        node_a.database.engine, Role.PARTNER, B_NAME, kind=OrganisationKind.PARTNER_NODE
    )


@pytest.fixture
def a_investigator(node_a: Node) -> str:
    return make_key(node_a.database.engine, Role.INVESTIGATOR, "Royal Thai Police CCIB")


def cli_json(node: Node, *arguments: str, env: dict[str, str] | None = None) -> Any:
    done = node.cli(*arguments, "--json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def send_freeze(node: Node, env: dict[str, str] | None = None) -> dict[str, Any]:
    sent: dict[str, Any] = cli_json(
        node,
        "request",
        "send",
        A_NAME,
        "--kind",
        "freeze_account",
        "--type",
        "bank_account",
        "--value",
        MULE.value,
        "--reason",
        REASON,
        env=env,
    )
    return sent


def test_a_request_travels_to_the_partner_and_its_answer_and_outcome_come_back(
    node_a: Node, node_b: Node, partner_key: str, a_investigator: str
) -> None:
    with ExitStack() as stack, serving(node_a) as (a_url, _):
        added = node_b.cli("peer", "add", A_NAME, f"{a_url}/taxii2/", "--key", partner_key)
        assert added.returncode == 0, added.stderr

        sent = send_freeze(node_b)
        request_id = sent["request_id"]
        # Delivered at once: the partner holds it as received.
        assert (sent["status"], sent["direction"], sent["last_error"]) == (
            "received",
            "outgoing",
            None,
        )
        assert sent["delivered_at"] is not None

        a = stack.enter_context(
            httpx.Client(base_url=a_url, headers=bearer(a_investigator), timeout=30)
        )
        queue = a.get(REQUESTS, params={"direction": "incoming"}).json()["requests"]
        assert [(r["request_id"], r["partner"], r["status"], r["value"]) for r in queue] == [
            (request_id, B_NAME, "received", MULE.value)
        ]
        assert queue[0]["due_at"] == sent["due_at"]  # the requester's SLA clock, on both sides
        assert queue[0]["next_steps"] == ["accepted", "rejected"]

        early = a.post(f"{REQUESTS}/{request_id}/fulfil")
        assert early.status_code == 409
        # The statuses it can go to, and the endpoints that take it there.
        assert early.json()["detail"] == (
            f"request {request_id} is received; it can go to accepted or rejected (next: "
            f"accept or reject): POST {REQUESTS}/{request_id}/accept or "
            f"POST {REQUESTS}/{request_id}/reject"
        )
        assert a.post(f"{REQUESTS}/{request_id}/accept").json()["status"] == "accepted"
        assert a.post(f"{REQUESTS}/{request_id}/start").json()["status"] == "in_progress"
        wrong = a.post(f"{REQUESTS}/{request_id}/fulfil", json={"outcome": "blocked"})
        assert wrong.status_code == 422
        assert "frozen, false_positive" in wrong.json()["detail"]
        done = a.post(
            f"{REQUESTS}/{request_id}/fulfil",
            json={"outcome": "frozen", "reason": "KBANK froze it at 10:02"},
        )
        assert done.status_code == 200, done.text
        partner_view = done.json()
        assert (partner_view["status"], partner_view["outcome"]) == ("fulfilled", "frozen")
        # TH-AOC holds a report on the account: the outcome is on its own verdicts too.
        assert (partner_view["outcome_recorded"], partner_view["note"]) == (True, None)
        late = a.post(f"{REQUESTS}/{request_id}/accept")
        assert late.status_code == 409
        assert late.json()["detail"].endswith("is fulfilled; it is final: no step follows")

        synced = node_b.cli("sync")
        assert f"request {request_id} to {A_NAME}: fulfilled (3 new steps)" in synced.stdout
        shown = cli_json(node_b, "request", "show", request_id)
        assert (shown["status"], shown["outcome"], shown["status_reason"]) == (
            "fulfilled",
            "frozen",
            "KBANK froze it at 10:02",
        )
        partner_steps = [(e["status"], e["at"]) for e in partner_view["events"]]
        assert [(e["status"], e["at"]) for e in shown["events"]][1:] == partner_steps
        assert {e["actor"] for e in shown["events"][1:]} == {f"partner:{A_NAME}"}

        # A later sync adds nothing and the outcome is recorded once.
        again = node_b.cli("request", "deliver")
        assert "No open requests" in again.stdout

    # Both verdict engines know the account was frozen.
    assert indicator_outcomes(node_a.database) == [
        (MULE.value, "frozen", partner_view["events"][-1]["actor"])
    ]
    assert indicator_outcomes(node_b.database) == [(MULE.value, "frozen", f"partner:{A_NAME}")]
    check = cli_json(node_b, "check", MULE.value, "--type", "bank_account")
    assert "frozen" in check["explanation"]
    assert audited(node_b.database) == [
        "cross_border_request.sent",
        "cross_border_request.delivered",
        "cross_border_request.received",
        "cross_border_request.accepted",
        "cross_border_request.in_progress",
        "cross_border_request.fulfilled",
        "cross_border_request.viewed",  # `request show`
    ]
    assert audited(node_a.database) == [
        "cross_border_request.received",
        "cross_border_request.listed",  # the investigator's queue
        "cross_border_request.accepted",
        "cross_border_request.in_progress",
        "cross_border_request.fulfilled",
    ]


def test_an_offline_partner_gets_the_request_later_and_an_expired_sla_shows_on_both_sides(
    node_a: Node, node_b: Node, partner_key: str, a_investigator: str
) -> None:
    port = free_port()
    added = node_b.cli(
        "peer", "add", A_NAME, f"http://127.0.0.1:{port}/taxii2/", "--key", partner_key
    )
    assert added.returncode == 0, added.stderr
    # 0.001 hours: 3.6 seconds to answer.
    short = {"SCAMINTEL_REQUEST_SLA_HOURS": '{"freeze_account": 0.001, "preserve_data": 48}'}
    sent = send_freeze(node_b, short)
    request_id = sent["request_id"]
    assert (sent["status"], sent["delivered_at"]) == ("sent", None)
    assert "cannot reach TH-AOC" in sent["last_error"]
    due = datetime.fromisoformat(sent["due_at"])
    assert due - datetime.fromisoformat(sent["created_at"]) == timedelta(seconds=3.6)

    offline_sync = node_b.cli("sync")  # never an exception out of sync: the error is recorded
    assert "Traceback" not in offline_sync.stderr
    assert "not reached, tried again at the next sync" in offline_sync.stdout
    still = held(node_b, request_id)
    assert still.status is RequestStatus.SENT
    assert still.last_attempt_at is not None
    assert still.last_attempt_at > datetime.fromisoformat(sent["last_attempt_at"])

    background = {"SCAMINTEL_SYNC_INTERVAL_SECONDS": "1"}
    with (
        ExitStack() as stack,
        serving(node_a, port=port) as (a_url, _),
        serving(node_b, background),  # serve's background sync delivers and follows
    ):
        assert wait_for(node_b, request_id, RequestStatus.RECEIVED).last_error is None
        a = stack.enter_context(
            httpx.Client(base_url=a_url, headers=bearer(a_investigator), timeout=30)
        )
        time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.5)
        overdue_at_a = a.get(REQUESTS, params={"overdue": "true"}).json()["requests"]
        assert [(r["request_id"], r["overdue"]) for r in overdue_at_a] == [(request_id, True)]
        listed = node_b.cli("request", "list", "--overdue")
        assert request_id in listed.stdout
        assert "OVERDUE" in listed.stdout

        # Rejected with a reason: the requester reads the reason, and it is no longer overdue.
        rejected = a.post(
            f"{REQUESTS}/{request_id}/reject", json={"reason": "no MLAT reference given"}
        )
        assert rejected.status_code == 200, rejected.text
        final = wait_for(node_b, request_id, RequestStatus.REJECTED)
        assert final.status_reason == "no MLAT reference given"
        assert not final.overdue(datetime.now(UTC))
    log = "".join(path.read_text() for path in node_b.cwd.glob("serve-*.log"))
    assert "Traceback" not in log


def wait_for(node: Node, request_id: str, status: RequestStatus) -> CrossBorderRequest:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = held(node, request_id)
        if found.status is status:
            return found
        time.sleep(0.3)
    raise AssertionError(f"request {request_id} is still {found.status.value}")


# -- the HTTP side, in process ---------------------------------------------------------------------
@pytest.fixture
def partner_node(node_database: NodeDatabase) -> str:
    """This node has an agreement with KH-NCC; the key it gave KH-NCC's node."""
    with node_database.engine.begin() as connection:
        apply_agreement(
            connection, agreement(B_NAME), node_database.sealer, "test", datetime.now(UTC)
        )
    return make_key(node_database.engine, Role.PARTNER, B_NAME, kind=OrganisationKind.PARTNER_NODE)


def delivery(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "request_id": str(uuid.uuid4()),
        "kind": "freeze_account",
        "type": "bank_account",
        "value": MULE.value,
        "purpose": "investigation",
        "reason": REASON,
        "created_at": now.isoformat(),
        "due_at": (now + timedelta(hours=24)).isoformat(),
    } | changes


def test_a_partner_delivers_once_and_reads_only_its_own_requests(
    client: TestClient, node_database: NodeDatabase, partner_node: str
) -> None:
    body = delivery()
    first = client.post(FEDERATION, json=body, headers=bearer(partner_node))
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "received"
    again = client.post(FEDERATION, json=body, headers=bearer(partner_node))
    assert again.status_code == 200  # a lost answer: sending again stores nothing twice
    assert again.json()["events"] == first.json()["events"]

    read = client.get(f"{FEDERATION}/{body['request_id']}", headers=bearer(partner_node))
    assert read.status_code == 200
    assert "actor" not in read.json()["events"][0]  # no staff or key names leave the node

    with node_database.engine.begin() as connection:
        apply_agreement(
            connection, agreement("VN-CSC"), node_database.sealer, "test", datetime.now(UTC)
        )
    other = make_key(node_database.engine, Role.PARTNER, "VN-CSC")
    stranger = client.get(f"{FEDERATION}/{body['request_id']}", headers=bearer(other))
    assert stranger.status_code == 404
    assert stranger.headers["content-type"] == "application/problem+json"
    taken = client.post(FEDERATION, json=body, headers=bearer(other))
    assert taken.status_code == 403


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"purpose": "prevention"}, 403, "purpose prevention is not in the agreement"),
        (
            {"kind": "take_down_domain", "type": "domain", "value": "scam-shop.com"},
            403,
            "type domain is not in the agreement",
        ),
        ({"kind": "suspend_number"}, 422, "cannot be about a bank_account"),
        ({"value": "not an account"}, 422, "cannot be read"),
        ({"value": None}, 422, "neither a value nor a blind selector was given"),
        ({"selector": "ab" * 32}, 422, "either the value or the blind selector, not both"),
        ({"created_at": "2026-11-29T08:00:00"}, 422, "timezone"),
        (
            {
                "created_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
                "due_at": (datetime.now(UTC) + timedelta(hours=3)).isoformat(),
            },
            422,
            "is in the future",
        ),
        (
            {"due_at": (datetime.now(UTC) + timedelta(days=60)).isoformat()},
            422,
            "at most 720 hours after it",
        ),
    ],
)
def test_a_partner_request_outside_the_agreement_or_malformed_is_refused(
    client: TestClient, partner_node: str, changes: dict[str, Any], status: int, words: str
) -> None:
    answer = client.post(FEDERATION, json=delivery(**changes), headers=bearer(partner_node))
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]


def test_partner_times_are_held_in_utc(client: TestClient, partner_node: str) -> None:
    bangkok = timezone(timedelta(hours=7))
    created = datetime.now(UTC).replace(microsecond=0)
    body = delivery(
        created_at=created.astimezone(bangkok).isoformat(),
        due_at=(created + timedelta(hours=24)).astimezone(bangkok).isoformat(),
    )
    answer = client.post(FEDERATION, json=body, headers=bearer(partner_node))
    assert answer.status_code == 201, answer.text
    held_at = datetime.fromisoformat(answer.json()["created_at"])
    assert (held_at, held_at.utcoffset()) == (created, timedelta(0))


def test_without_an_agreement_a_partner_cannot_deliver(
    client: TestClient, node_database: NodeDatabase
) -> None:
    key = make_key(node_database.engine, Role.PARTNER, "LA-MPS")
    answer = client.post(FEDERATION, json=delivery(), headers=bearer(key))
    assert answer.status_code == 403
    assert "LA-MPS has no sharing agreement" in answer.json()["detail"]


def test_investigator_errors_say_what_to_fix(
    client: TestClient, node_database: NodeDatabase, investigator_key: str, reporter_key: str
) -> None:
    blind_key = "k" * 40
    with node_database.engine.begin() as connection:
        for name in (A_NAME, "VN-CSC"):
            add_peer(
                connection,
                node_database.sealer,
                name=name,
                url="http://127.0.0.1:9/taxii2/",
                api_key="si_test",
                now=datetime.now(UTC),
            )
        # Phones go to TH-AOC only blind; VN-CSC has no agreement at all.
        terms = agreement(A_NAME, blind=["phone"], blind_key=blind_key)
        apply_agreement(connection, terms, node_database.sealer, "test", datetime.now(UTC))
        closed = connection.execute(
            cases.insert()
            .values(
                title="closed ring",
                status="closed",
                created_by="test",
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
            .returning(cases.c.id)
        ).scalar_one()
    body = {
        "peer": A_NAME,
        "kind": "freeze_account",
        "type": "bank_account",
        "value": MULE.value,
        "reason": REASON,
    }
    headers = bearer(investigator_key)

    def refused(changes: dict[str, Any], status: int) -> str:
        answer = client.post(REQUESTS, json=body | changes, headers=headers)
        assert answer.status_code == status, answer.text
        return str(answer.json()["detail"])

    assert client.post(REQUESTS, json=body, headers=bearer(reporter_key)).status_code == 403
    assert "no peer named 'XX'" in refused({"peer": "XX"}, 422)
    assert refused({"case_id": 424242}, 404) == "no case 424242 on this node"
    assert "takes: bank_account, crypto_wallet, ewallet" in refused({"type": "phone"}, 422)
    # The exporter enforces its agreement: nothing outside it leaves this node.
    assert "no sharing agreement with VN-CSC" in refused({"peer": "VN-CSC"}, 422)
    assert "it allows: investigation" in refused({"purpose": "prevention"}, 422)
    domain = {"kind": "take_down_domain", "type": "domain", "value": "scam-shop.com"}
    assert "it allows: bank_account, phone" in refused(domain, 422)
    assert "blind types: phone" in refused(
        {"kind": "share_raw_value", "value": None, "selector": "ab" * 32}, 422
    )
    assert f"case {closed} is closed" in refused({"case_id": closed}, 409)

    raw = client.post(
        REQUESTS,
        json=body
        | {"kind": "share_raw_value", "type": "phone", "value": None, "selector": "ab" * 32},
        headers=headers,
    )
    assert raw.status_code == 201, raw.text
    assert raw.json()["selector"] == "ab" * 32
    # A phone value leaves as its selector, computed with the agreement's key.
    number = client.post(
        REQUESTS,
        json=body | {"kind": "suspend_number", "type": "phone", "value": "+66812345678"},
        headers=headers,
    )
    assert number.status_code == 201, number.text
    phone = Indicator(IndicatorType.PHONE, "+66812345678")
    assert number.json()["selector"] == blind_selector(blind_key, phone)

    created = client.post(REQUESTS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    stored = created.json()
    # The peer is not listening: stored as sent, with the reason, for the next sync.
    assert (stored["status"], stored["partner"], stored["delivery"]) == ("sent", A_NAME, "pending")
    assert "cannot reach" in stored["last_error"]
    assert created.headers["location"].endswith(f"{REQUESTS}/{stored['request_id']}")
    own = client.post(f"{REQUESTS}/{stored['request_id']}/accept", headers=headers)
    assert own.status_code == 409
    assert "moves when the partner answers" in own.json()["detail"]
    missing = client.get(f"{REQUESTS}/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404
    assert client.get(REQUESTS, params={"status": "nonsense"}, headers=headers).status_code == 422

    # Reading requests is audited: one entry per view and per list.
    assert client.get(f"{REQUESTS}/{stored['request_id']}", headers=headers).status_code == 200
    assert (
        client.get(REQUESTS, params={"direction": "outgoing"}, headers=headers).status_code == 200
    )
    assert audited(node_database)[-2:] == [
        "cross_border_request.viewed",
        "cross_border_request.listed",
    ]


def test_a_case_is_named_as_the_case_api_names_it(
    client: TestClient, node_database: NodeDatabase, investigator_key: str
) -> None:
    with node_database.engine.begin() as connection:
        add_peer(
            connection,
            node_database.sealer,
            name=A_NAME,
            url="http://127.0.0.1:9/taxii2/",
            api_key="si_test",
            now=datetime.now(UTC),
        )
        apply_agreement(
            connection, agreement(A_NAME), node_database.sealer, "test", datetime.now(UTC)
        )
    headers = bearer(investigator_key)
    case = client.post("/api/v1/cases", json={"title": "KBANK mules"}, headers=headers).json()
    number = case["number"]
    body = {
        "peer": A_NAME,
        "kind": "freeze_account",
        "type": "bank_account",
        "value": MULE.value,
        "reason": REASON,
    }

    # CASE-7, case-7, 7 and "7": one case, shown as the case API shows it.
    for given in (case["id"], case["id"].lower(), number, str(number)):
        sent = client.post(REQUESTS, json=body | {"case_id": given}, headers=headers)
        assert sent.status_code == 201, sent.text
        assert sent.json()["case_id"] == case["id"] == f"CASE-{number}"
    for given in (case["id"], case["id"].lower(), str(number)):
        listed = client.get(REQUESTS, params={"case_id": given}, headers=headers)
        assert listed.status_code == 200, listed.text
        assert [r["case_id"] for r in listed.json()["requests"]] == [case["id"]] * 4

    bad_body = client.post(REQUESTS, json=body | {"case_id": "KBANK"}, headers=headers)
    bad_query = client.get(REQUESTS, params={"case_id": "CASE-x"}, headers=headers)
    for bad in (bad_body, bad_query):
        assert bad.status_code == 422, bad.text
        assert "write it as 7 or CASE-7" in bad.json()["detail"]


def test_fulfilling_with_an_outcome_this_node_cannot_record_says_so(
    client: TestClient, partner_node: str, investigator_key: str
) -> None:
    body = delivery(value="TH:SCB:9876543210")  # no report on this node names it
    assert client.post(FEDERATION, json=body, headers=bearer(partner_node)).status_code == 201
    path = f"{REQUESTS}/{body['request_id']}"
    headers = bearer(investigator_key)
    for step in ("accept", "start"):
        assert client.post(f"{path}/{step}", headers=headers).status_code == 200

    done = client.post(f"{path}/fulfil", json={"outcome": "frozen"}, headers=headers)

    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["outcome"]) == ("fulfilled", "frozen")
    assert done.json()["outcome_recorded"] is False
    assert "not recorded on this node: no report here names this value" in done.json()["note"]
    # A step without an outcome says nothing about recording one.
    shown = client.get(path, headers=headers).json()
    assert (shown["outcome_recorded"], shown["note"]) == (None, None)


def test_a_partner_that_is_down_gives_each_request_an_error_about_the_node_only(
    node_database: NodeDatabase, settings: Settings, investigator_key: str, client: TestClient
) -> None:
    port = free_port()  # nothing listens there
    with node_database.engine.begin() as connection:
        add_peer(
            connection,
            node_database.sealer,
            name=A_NAME,
            url=f"http://127.0.0.1:{port}/taxii2/",
            api_key="si_test",
            now=datetime.now(UTC),
        )
        apply_agreement(
            connection, agreement(A_NAME), node_database.sealer, "test", datetime.now(UTC)
        )
    body = {
        "peer": A_NAME,
        "kind": "freeze_account",
        "type": "bank_account",
        "value": MULE.value,
        "reason": REASON,
    }
    sent = [
        client.post(REQUESTS, json=body, headers=bearer(investigator_key)).json()["request_id"]
        for _ in range(3)
    ]

    results = deliver_requests(
        node_database,
        Reading(default_registry(), region_context(None, settings), Warninglist()),
        actor="test",
        timeout=2,
    )

    assert sorted(str(r.request_id) for r in results) == sorted(sent)
    errors = {held_error(node_database, request_id) for request_id in sent}
    # One error for the node, true for each of its requests: no other request's path in it.
    assert len(errors) == 1
    (error,) = errors
    assert error.startswith(f"cannot reach {A_NAME} at http://127.0.0.1:{port}: ")
    assert "/api/" not in error


def held_error(database: NodeDatabase, request_id: str) -> str:
    with database.engine.connect() as connection:
        found = SqlRequests(connection, database.sealer).get(uuid.UUID(request_id))
    assert found is not None
    assert found.last_error is not None
    return found.last_error
