"""Data-subject requests over HTTP: anyone asks and follows their request by its id (never
seeing the value again), only admin keys open the person's data, verify, complete, refuse and
read the access report; the /my-data page files the same request."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from e2e.conftest import csrf_token_of, make_key
from scamintel.access.keys import Role
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import report_indicators, subject_requests

BASE = "/api/v1/subject-requests"
NUMBER = "0812345678"
CANONICAL = "+66812345678"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def ask(client: TestClient, kind: str = "access", value: str = NUMBER) -> dict[str, object]:
    sent = client.post(
        BASE,
        json={
            "kind": kind,
            "identifier": {"value": value},
            "contact": {"email": "holder@example.com"},
            "details": "I want to know why my number is listed",
        },
    )
    assert sent.status_code == 201, sent.text
    assert sent.headers["location"].endswith(f"{BASE}/{sent.json()['id']}")
    body: dict[str, object] = sent.json()
    return body


def test_a_person_asks_and_follows_the_request_without_the_value_shown_again(
    client: TestClient,
) -> None:
    body = ask(client)
    assert body["status"] == "received"
    assert str(body["reference"]).startswith("SR-")
    assert "confirm that the number" in str(body["next_steps"])
    status = client.get(f"{BASE}/{body['id']}")
    assert status.status_code == 200
    assert status.json()["due_at"] == body["due_at"]
    assert CANONICAL not in status.text
    assert NUMBER not in status.text
    assert "holder@example.com" not in status.text
    missing = client.get(f"{BASE}/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_bad_identifiers_are_problems_that_say_what_to_fix(client: TestClient) -> None:
    contact = {"email": "holder@example.com"}
    unreadable = client.post(
        BASE, json={"kind": "access", "identifier": {"value": "??"}, "contact": contact}
    )
    assert unreadable.status_code == 422
    site = client.post(
        BASE,
        json={
            "kind": "erasure",
            "identifier": {"type": "domain", "value": "example.com"},
            "contact": contact,
        },
    )
    assert site.status_code == 422
    assert "dispute" in site.json()["detail"]
    unknown_kind = client.post(
        BASE, json={"kind": "delete", "identifier": {"value": NUMBER}, "contact": contact}
    )
    assert unknown_kind.status_code == 422


def test_a_request_needs_an_email_or_phone_to_reach_the_person(
    client: TestClient, node_database: NodeDatabase
) -> None:
    for contact in (None, {"name": "Somchai"}):
        body: dict[str, object] = {"kind": "erasure", "identifier": {"value": NUMBER}}
        if contact is not None:
            body["contact"] = contact
        sent = client.post(BASE, json=body)
        assert sent.status_code == 422, sent.text
        assert "contact.email or contact.phone" in sent.json()["detail"]
    by_phone = client.post(
        BASE,
        json={
            "kind": "access",
            "identifier": {"value": NUMBER},
            "contact": {"phone": "0899999999"},
        },
    )
    assert by_phone.status_code == 201
    with node_database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(subject_requests)) == 1


def test_purposes_longer_than_the_audit_log_holds_are_422(
    client: TestClient, investigator_key: str, police_key: str, node_database: NodeDatabase
) -> None:
    request_id = ask(client)["id"]
    admin = bearer(make_key(node_database.engine, Role.ADMIN, "Data protection office"))
    too_long = "p" * 61
    opened = client.get(
        f"{BASE}/{request_id}/personal-data", params={"purpose": too_long}, headers=admin
    )
    assert opened.status_code == 422
    sent = client.post(
        "/api/v1/reports",
        json={"narrative": "Fake police", "indicators": [{"value": NUMBER}]},
        headers=bearer(police_key),
    )
    report_id = sent.json()["id"]
    read = client.get(
        f"/api/v1/reports/{report_id}",
        params={"include_reporter": "true", "purpose": too_long},
        headers=bearer(investigator_key),
    )
    assert read.status_code == 422
    assert read.headers["content-type"].startswith("application/problem+json")


def test_only_admin_keys_work_the_queue(
    client: TestClient, analyst_key: str, node_database: NodeDatabase
) -> None:
    body = ask(client)
    request_id = body["id"]
    assert client.get(BASE).status_code == 401
    assert client.get(BASE, headers=bearer(analyst_key)).status_code == 403
    assert client.post(f"{BASE}/{request_id}/verify", json={}).status_code == 401
    forbidden = client.post(f"{BASE}/{request_id}/verify", json={}, headers=bearer(analyst_key))
    assert forbidden.status_code == 403
    assert (
        client.get(
            f"{BASE}/{request_id}/personal-data?purpose=x", headers=bearer(analyst_key)
        ).status_code
        == 403
    )
    admin = bearer(make_key(node_database.engine, Role.ADMIN, "Data protection office"))
    listed = client.get(BASE, headers=admin)
    assert [r["id"] for r in listed.json()["requests"]] == [request_id]
    assert client.get(f"{BASE}?overdue=true", headers=admin).json()["requests"] == []
    no_purpose = client.get(f"{BASE}/{request_id}/personal-data", headers=admin)
    assert no_purpose.status_code == 422
    opened = client.get(
        f"{BASE}/{request_id}/personal-data?purpose=verify the caller", headers=admin
    )
    assert opened.status_code == 200
    assert opened.json()["identifier"]["value"] == CANONICAL
    assert opened.json()["contact"] == {"email": "holder@example.com"}


def test_an_admin_verifies_reports_and_completes_an_erasure(
    client: TestClient, police_key: str, node_database: NodeDatabase
) -> None:
    report = {"narrative": "Fake police", "indicators": [{"value": NUMBER}]}
    assert client.post("/api/v1/reports", json=report, headers=bearer(police_key)).is_success
    admin = bearer(make_key(node_database.engine, Role.ADMIN, "Data protection office"))
    request_id = ask(client, "erasure")["id"]
    early = client.get(f"{BASE}/{request_id}/access-report", headers=admin)
    assert early.status_code == 409
    unverified = client.post(f"{BASE}/{request_id}/complete", json={}, headers=admin)
    assert unverified.status_code == 409
    assert "verify" in unverified.json()["detail"]
    verified = client.post(
        f"{BASE}/{request_id}/verify", json={"note": "called the number"}, headers=admin
    )
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    again = client.post(f"{BASE}/{request_id}/verify", json={}, headers=admin)
    assert again.status_code == 409
    report_json = client.get(f"{BASE}/{request_id}/access-report", headers=admin).json()
    assert report_json["identifier"]["value"] == CANONICAL
    assert report_json["reports"]["count"] == 1
    assert "Fake police" not in str(report_json)
    assert report_json["disclosures"]
    for disclosure in report_json["disclosures"]:
        assert set(disclosure) == {"at", "recipient", "action", "legal_basis"}
        assert not disclosure["recipient"].startswith("key:")
    assert "law enforcement" in report_json["not_listed"]
    held = client.post(f"{BASE}/{request_id}/complete", json={}, headers=admin)
    assert held.status_code == 409
    assert "kept for fraud prevention" in held.json()["detail"]
    assert "override_ground" in held.json()["detail"]
    with node_database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(report_indicators)) == 1
    done = client.post(
        f"{BASE}/{request_id}/complete",
        json={"override_ground": "listing wrong: dispute upheld"},
        headers=admin,
    )
    assert done.status_code == 200, done.text
    assert "listing wrong: dispute upheld" in done.json()["outcome"]
    assert done.json()["status"] == "completed"
    with node_database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(report_indicators)) == 0
    public = client.get(f"{BASE}/{request_id}").json()
    assert public["status"] == "completed"
    assert "erased" in public["outcome"]
    refused = client.post(f"{BASE}/{request_id}/refuse", json={"reason": "x"}, headers=admin)
    assert refused.status_code == 409


def test_delisting_a_value_that_is_not_listed_is_409_not_500(
    client: TestClient, node_database: NodeDatabase
) -> None:
    admin = bearer(make_key(node_database.engine, Role.ADMIN, "Data protection office"))
    request_id = ask(client, "correction")["id"]
    assert client.post(f"{BASE}/{request_id}/verify", json={}, headers=admin).status_code == 200
    delisted = client.post(
        f"{BASE}/{request_id}/complete",
        json={"note": "the holder says the listing is wrong", "delist": True},
        headers=admin,
    )
    assert delisted.status_code == 409, delisted.text
    assert "no listing to withdraw" in delisted.json()["detail"]
    assert client.get(f"{BASE}/{request_id}").json()["status"] == "verified"


def test_the_my_data_page_files_a_request_and_shows_its_status(
    client: TestClient, node_database: NodeDatabase
) -> None:
    form = client.get("/my-data")
    assert form.status_code == 200
    assert 'name="kind"' in form.text
    assert "Erasure can be refused while the data is needed to prevent fraud" in form.text
    token = csrf_token_of(form.text)
    without_contact = client.post(
        "/my-data", data={"csrf_token": token, "kind": "erasure", "value": NUMBER}
    )
    assert without_contact.status_code == 422
    assert "where we can reach you" in without_contact.text
    sent = client.post(
        "/my-data",
        data={
            "csrf_token": token,
            "kind": "erasure",
            "value": NUMBER,
            "contact_email": "holder@example.com",
        },
    )
    assert sent.status_code == 200, sent.text
    assert 'id="request-reference"' in sent.text
    with node_database.engine.connect() as connection:
        [row] = connection.execute(select(subject_requests)).all()
    assert (row.kind, row.status, row.identifier_type) == ("erasure", "received", "phone")
    status = client.get(f"/my-data/{row.id}")
    assert status.status_code == 200
    assert 'id="request-status"' in status.text
    assert NUMBER not in status.text
    assert CANONICAL not in status.text
    assert client.get("/my-data/not-a-uuid").status_code == 404
    refused_token = client.post(
        "/my-data", data={"csrf_token": "forged", "kind": "access", "value": NUMBER}
    )
    assert refused_token.status_code == 403
    assert NUMBER in refused_token.text
