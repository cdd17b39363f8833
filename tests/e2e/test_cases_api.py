"""Cases over HTTP: who may use them, what bad input is told, and the audit trail a case's
reader sees."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from e2e.conftest import make_key
from integration.test_cases_repo import store_request
from scamintel.access.keys import Role
from scamintel.cases.requests import CrossBorderRequest, RequestEvent, RequestStatus
from scamintel.storage.node import NodeDatabase
from scamintel.storage.requests_repo import SqlRequests
from scamintel.storage.tables import operations

PROBLEM = "application/problem+json"
REPORT = {
    "narrative": "Caller said he was from the police and asked me to transfer money",
    "scam_type": "officials_impersonated",
    "channel": "call",
    "victim_country": "TH",
    "indicators": [{"type": "phone", "value": "081-234-5678"}],
}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def store_operation(node_database: NodeDatabase, merged_into: int | None = None) -> int:
    now = datetime.now(UTC)
    with node_database.engine.begin() as connection:
        inserted: int = connection.execute(
            operations.insert()
            .values(
                merged_into=merged_into,
                report_count=12,
                victim_count=11,
                total_loss_usd=5000,
                harm_score=1.5,
                cross_border=True,
                summary=json.dumps({"title": "job_task · 12 reports · KH, TH", "report_count": 12}),
                created_at=now,
                updated_at=now,
            )
            .returning(operations.c.id)
        ).scalar_one()
    return inserted


def open_case(client: TestClient, key: str, **body: object) -> dict[str, object]:
    created = client.post("/api/v1/cases", json=body, headers=bearer(key))
    assert created.status_code == 201, created.text
    result: dict[str, object] = created.json()
    return result


def test_an_investigator_works_a_case_and_reads_its_audit_trail(
    client: TestClient, investigator_key: str, analyst_key: str
) -> None:
    assert client.post("/api/v1/reports", json=REPORT).is_success
    created = client.post(
        "/api/v1/cases", json={"title": "Fake police calls"}, headers=bearer(investigator_key)
    )
    assert created.status_code == 201
    case = created.json()
    assert case["id"].startswith("CASE-")
    assert case["status"] == "open"
    assert created.headers["location"].endswith(f"/api/v1/cases/{case['id']}")
    number = case["number"]
    writer = bearer(investigator_key)

    changed = client.patch(
        f"/api/v1/cases/{number}",
        json={"assignee": "Lt. Nok", "status": "in_progress"},
        headers=writer,
    )
    note = client.post(
        f"/api/v1/cases/{number}/notes", json={"text": "Called the bank"}, headers=writer
    )
    linked = client.post(
        f"/api/v1/cases/CASE-{number}/links",
        json={"kind": "indicator", "ref": "phone:0812345678"},
        headers=writer,
    )
    shown = client.get(f"/api/v1/cases/case-{number}", headers=bearer(analyst_key))
    unlinked = client.delete(
        f"/api/v1/cases/{number}/links/indicator/phone:+66812345678", headers=writer
    )
    closed = client.patch(
        f"/api/v1/cases/{number}",
        json={"status": "closed", "reason": "actioned", "comment": "Account frozen"},
        headers=writer,
    )
    trail = client.get(f"/api/v1/cases/{number}/audit", headers=bearer(analyst_key))

    assert changed.json()["assignee"] == "Lt. Nok"
    assert changed.json()["status"] == "in_progress"
    assert note.status_code == 201
    assert note.json()["text"] == "Called the bank"
    assert linked.status_code == 201
    assert linked.json()["link"]["label"] == "phone:+66812345678"
    assert [n["text"] for n in shown.json()["notes"]] == ["Called the bank"]
    assert [link["label"] for link in shown.json()["links"]] == ["phone:+66812345678"]
    assert unlinked.status_code == 204
    assert closed.json()["close_reason"] == "actioned"
    assert closed.json()["closed_at"]
    assert [e["action"] for e in trail.json()["entries"]] == [
        "case.opened",
        "case.assigned",
        "case.status_changed",
        "case.note_added",
        "case.link_added",
        "case.viewed",
        "case.link_removed",
        "case.status_changed",
        "case.audit_viewed",
    ]
    actors = {e["actor"] for e in trail.json()["entries"]}
    assert len(actors) == 2
    assert all(actor.startswith("key:") for actor in actors)


def test_a_case_from_a_merged_operation_links_the_survivor_and_says_so(
    client: TestClient, investigator_key: str, node_database: NodeDatabase
) -> None:
    survivor = store_operation(node_database)
    absorbed = store_operation(node_database, merged_into=survivor)

    case = open_case(client, investigator_key, operation_id=absorbed)

    assert case["title"] == f"Operation {survivor}: job_task · 12 reports · KH, TH"
    assert case["links"] == [
        {
            "kind": "operation",
            "ref": str(survivor),
            "label": "12 reports",
            "added_by": case["created_by"],
            "added_at": case["links"][0]["added_at"],  # type: ignore[index]
        }
    ]
    assert f"merged into operation {survivor}" in str(case["message"])


def test_cases_need_an_investigator_analyst_or_admin_key(
    client: TestClient, node_database: NodeDatabase, reporter_key: str
) -> None:
    admin_key = make_key(node_database.engine, Role.ADMIN)
    partner_key = make_key(node_database.engine, Role.PARTNER, "KH-NCC")

    anonymous = client.get("/api/v1/cases")
    as_reporter = client.get("/api/v1/cases", headers=bearer(reporter_key))
    as_partner = client.post("/api/v1/cases", json={"title": "x"}, headers=bearer(partner_key))
    as_admin = client.get("/api/v1/cases", headers=bearer(admin_key))

    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == PROBLEM
    assert as_reporter.status_code == 403
    assert as_partner.status_code == 403
    assert as_admin.status_code == 200
    assert as_admin.json() == {"cases": []}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"operation_id": 999}, "no operation 999"),
        ({"title": "ok", "status": "open"}, "status"),
    ],
)
def test_bad_input_when_opening_a_case_says_what_to_fix(
    client: TestClient, investigator_key: str, body: dict[str, object], says: str
) -> None:
    refused = client.post("/api/v1/cases", json=body, headers=bearer(investigator_key))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == PROBLEM
    assert says in refused.text


def test_unknown_cases_are_404_and_bad_transitions_409(
    client: TestClient, investigator_key: str
) -> None:
    number = open_case(client, investigator_key, title="Transitions")["number"]
    key = bearer(investigator_key)

    missing = client.get("/api/v1/cases/CASE-999", headers=key)
    garbled = client.get("/api/v1/cases/CASE-x", headers=key)
    again = client.patch(f"/api/v1/cases/{number}", json={"status": "open"}, headers=key)
    no_reason = client.patch(f"/api/v1/cases/{number}", json={"status": "closed"}, headers=key)
    bad_reason = client.patch(
        f"/api/v1/cases/{number}", json={"status": "closed", "reason": "bored"}, headers=key
    )
    client.patch(
        f"/api/v1/cases/{number}", json={"status": "closed", "reason": "duplicate"}, headers=key
    )
    to_progress = client.patch(
        f"/api/v1/cases/{number}", json={"status": "in_progress"}, headers=key
    )
    link_closed = client.post(
        f"/api/v1/cases/{number}/links", json={"kind": "operation", "ref": "1"}, headers=key
    )

    assert missing.status_code == 404
    assert "CASE-999" in missing.json()["detail"]
    assert garbled.status_code == 404
    assert "CASE-7" in garbled.json()["detail"]
    assert again.status_code == 409
    assert "already open" in again.json()["detail"]
    assert no_reason.status_code == 422
    assert "actioned" in no_reason.json()["detail"]
    assert bad_reason.status_code == 422
    assert to_progress.status_code == 409
    assert "it can become: open" in to_progress.json()["detail"]
    assert link_closed.status_code == 409
    assert "reopen" in link_closed.json()["detail"]


def test_links_to_things_not_on_this_node_are_refused_with_the_reason(
    client: TestClient, investigator_key: str
) -> None:
    number = open_case(client, investigator_key, title="Links")["number"]
    key = bearer(investigator_key)

    def link(kind: str, ref: str) -> tuple[int, str]:
        answer = client.post(
            f"/api/v1/cases/{number}/links", json={"kind": kind, "ref": ref}, headers=key
        )
        return answer.status_code, answer.json()["detail"]

    assert link("report", "not-a-uuid") == (
        422,
        "'not-a-uuid' is not a report id: give the report's UUID.",
    )
    assert link("operation", "77")[0] == 422
    assert link("indicator", "phone:+66899999999") == (
        422,
        "No report on this node mentions phone:+66899999999.",
    )
    assert link("indicator", "phone:12")[0] == 422
    assert link("account", "1")[0] == 422
    gone = client.delete(f"/api/v1/cases/{number}/links/report/{'0' * 32}", headers=key)
    assert gone.status_code == 404


def test_the_list_filters_by_status_and_assignee(client: TestClient, investigator_key: str) -> None:
    key = bearer(investigator_key)
    mine = open_case(client, investigator_key, title="Mine", assignee="Lt. Nok")
    open_case(client, investigator_key, title="Theirs", assignee="Sgt. Dao")
    client.patch(f"/api/v1/cases/{mine['number']}", json={"status": "in_progress"}, headers=key)

    by_assignee = client.get("/api/v1/cases", params={"assignee": "lt. nok"}, headers=key)
    open_ones = client.get("/api/v1/cases", params={"status": "open"}, headers=key)

    assert [c["title"] for c in by_assignee.json()["cases"]] == ["Mine"]
    assert [c["title"] for c in open_ones.json()["cases"]] == ["Theirs"]


def test_a_patch_changes_only_what_it_sends_and_null_unassigns(
    client: TestClient, investigator_key: str
) -> None:
    key = bearer(investigator_key)
    number = open_case(client, investigator_key, title="Before", assignee="Lt. Nok")["number"]

    retitled = client.patch(f"/api/v1/cases/{number}", json={"title": "After"}, headers=key)
    unassigned = client.patch(f"/api/v1/cases/{number}", json={"assignee": None}, headers=key)
    empty = client.patch(f"/api/v1/cases/{number}", json={}, headers=key)
    untitled = client.patch(f"/api/v1/cases/{number}", json={"title": None}, headers=key)

    assert retitled.json()["title"] == "After"
    assert retitled.json()["assignee"] == "Lt. Nok"
    assert unassigned.json()["assignee"] is None
    assert unassigned.json()["title"] == "After"
    assert empty.status_code == 422
    assert "nothing to change" in empty.json()["detail"].lower()
    assert untitled.status_code == 422


@pytest.mark.parametrize("odd", ["\x00", "\x00\x01x", "a\x00b", "\u202e", "%00"])
def test_control_characters_anywhere_get_an_answer_not_a_server_error(
    client: TestClient, investigator_key: str, odd: str
) -> None:
    key = bearer(investigator_key)
    number = open_case(client, investigator_key, title="Odd input")["number"]
    answers = [
        client.post("/api/v1/cases", json={"title": odd, "assignee": odd}, headers=key),
        client.get("/api/v1/cases", params={"assignee": odd}, headers=key),
        client.post(f"/api/v1/cases/{number}/notes", json={"text": odd}, headers=key),
        client.post(
            f"/api/v1/cases/{number}/links", json={"kind": "indicator", "ref": odd}, headers=key
        ),
        client.post(
            f"/api/v1/cases/{number}/links", json={"kind": "report", "ref": odd}, headers=key
        ),
        client.patch(
            f"/api/v1/cases/{number}",
            json={"status": "in_progress", "comment": odd},
            headers=key,
        ),
        client.get(f"/api/v1/cases/{quote(odd)}", headers=key),
    ]
    assert all(answer.status_code < 500 for answer in answers), [a.text for a in answers]


def test_a_case_shows_its_cross_border_requests_and_their_steps_are_in_its_trail(
    client: TestClient, investigator_key: str, node_database: NodeDatabase
) -> None:
    key = bearer(investigator_key)
    case = open_case(client, investigator_key, title="KBANK mule ring")
    assert case["requests"] == []
    sent_at = datetime.now(UTC) - timedelta(days=2)
    request = store_request(node_database, int(str(case["number"])), created_at=sent_at)

    shown = client.get(f"/api/v1/cases/{case['id']}", headers=key)
    trail = client.get(f"/api/v1/cases/{case['id']}/audit", headers=key)

    assert shown.json()["requests"] == [
        {
            "request_id": str(request.request_id),
            "partner": "MM-CCD",
            "kind": "freeze_account",
            "indicator_type": "bank_account",
            "status": "sent",
            "due_at": shown.json()["requests"][0]["due_at"],
            "overdue": True,
            "outcome": None,
            "status_reason": None,
            "delivery": "pending",
            "refused_because": None,
        }
    ]
    assert datetime.fromisoformat(shown.json()["requests"][0]["due_at"]) == request.due_at
    assert [e["action"] for e in trail.json()["entries"]] == [
        "case.opened",
        "cross_border_request.sent",
        "case.viewed",
        "case.audit_viewed",
    ]
    assert trail.json()["entries"][1]["details"]["case_id"] == case["number"]


REFUSAL = "KH-NCC answered 403: type url is not in the agreement with TH-AOC"
REJECTION = "no MLAT reference given"


def requests_in_trouble(
    node_database: NodeDatabase, case_number: int
) -> dict[str, CrossBorderRequest]:
    """Three requests sent from the case, newest first: one the partner received and rejected
    with a reason, one it refused (4xx) and one it never got; the last two are both `sent`."""
    now = datetime.now(UTC)
    made = {
        name: store_request(node_database, case_number, created_at=now - timedelta(minutes=n))
        for n, name in enumerate(("rejected", "refused", "pending"))
    }
    with node_database.engine.begin() as connection:
        store = SqlRequests(connection, node_database.sealer)
        unreached = "cannot reach MM-CCD at http://127.0.0.1:9: connection refused"
        store.record_attempt(made["pending"], at=now, error=unreached, delivered=False, actor="t")
        store.record_attempt(
            made["refused"], at=now, error=REFUSAL, delivered=False, actor="t", refused=True
        )
        rejected = made["rejected"]
        store.record_attempt(rejected, at=now, error=None, delivered=True, actor="t")
        store.save_step(rejected, RequestEvent(RequestStatus.RECEIVED, now, "partner:MM-CCD"))
        store.save_step(
            rejected, RequestEvent(RequestStatus.REJECTED, now, "partner:MM-CCD", REJECTION)
        )
    return made


def test_a_case_shows_each_request_s_delivery_refusal_and_rejection(
    client: TestClient, investigator_key: str, node_database: NodeDatabase
) -> None:
    case = open_case(client, investigator_key, title="Requests in trouble")
    made = requests_in_trouble(node_database, int(str(case["number"])))

    shown = client.get(f"/api/v1/cases/{case['id']}", headers=bearer(investigator_key)).json()

    assert [
        (r["request_id"], r["status"], r["delivery"], r["refused_because"], r["status_reason"])
        for r in shown["requests"]
    ] == [
        (str(made["rejected"].request_id), "rejected", "delivered", None, REJECTION),
        (str(made["refused"].request_id), "sent", "refused", REFUSAL, None),
        (str(made["pending"].request_id), "sent", "pending", None, None),
    ]


def test_a_closed_case_is_reopened_and_reassigned_in_one_patch(
    client: TestClient, investigator_key: str
) -> None:
    key = bearer(investigator_key)
    number = open_case(client, investigator_key, title="Back again")["number"]
    client.patch(
        f"/api/v1/cases/{number}", json={"status": "closed", "reason": "referred"}, headers=key
    )

    reopened = client.patch(
        f"/api/v1/cases/{number}", json={"status": "open", "assignee": "Sgt. Dao"}, headers=key
    )
    edited = client.patch(f"/api/v1/cases/{number}", json={"title": "x"}, headers=key)

    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["assignee"]) == ("open", "Sgt. Dao")
    assert reopened.json()["close_reason"] is None
    assert edited.status_code == 200


def test_a_patch_may_resend_the_current_status_with_other_fields(
    client: TestClient, investigator_key: str
) -> None:
    key = bearer(investigator_key)
    number = open_case(client, investigator_key, title="Form", assignee="Lt. Nok")["number"]

    resent = client.patch(
        f"/api/v1/cases/{number}",
        json={"title": "Form v2", "assignee": "Lt. Nok", "status": "open"},
        headers=key,
    )
    alone = client.patch(f"/api/v1/cases/{number}", json={"status": "open"}, headers=key)
    with_comment = client.patch(
        f"/api/v1/cases/{number}",
        json={"title": "Form v3", "status": "open", "comment": "why"},
        headers=key,
    )
    trail = client.get(f"/api/v1/cases/{number}/audit", headers=key)

    assert resent.status_code == 200, resent.text
    assert (resent.json()["title"], resent.json()["status"]) == ("Form v2", "open")
    assert alone.status_code == 409
    assert "already open" in alone.json()["detail"]
    assert with_comment.status_code == 422
    assert "use a note" in with_comment.json()["detail"]
    assert [e["action"] for e in trail.json()["entries"]] == [
        "case.opened",
        "case.retitled",
        "case.audit_viewed",
    ]
