"""Due process over HTTP: a holder disputes a listing, an analyst decides with a reason, the
public check shows the review; organisations record outcomes that move the verdict."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import audit_log, disputes

REPORT = {
    "narrative": "Caller said he was from customs, asked for a fee",
    "scam_type": "officials_impersonated",
    "channel": "call",
    "indicators": [{"type": "phone", "value": "081-234-5678"}],
}
SHOP_CLAIM = {
    "value": "0812345678",
    "claim": "This number was assigned to my noodle shop in March; I never called anyone.",
    "contact": {"name": "Somsak", "phone": "+66899999999"},
}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def check(client: TestClient) -> dict[str, object]:
    body: dict[str, object] = client.get("/api/v1/check", params={"q": "0812345678"}).json()
    return body


def test_an_upheld_dispute_removes_the_listing_and_the_check_says_it_was_reviewed(
    client: TestClient, police_key: str, analyst_key: str, node_database: NodeDatabase
) -> None:
    assert client.post("/api/v1/reports", json=REPORT, headers=bearer(police_key)).is_success
    assert check(client)["verdict"] == "scam"

    opened = client.post("/api/v1/disputes", json=SHOP_CLAIM)
    assert opened.status_code == 201
    dispute = opened.json()
    assert dispute["status"] == "pending"
    assert dispute["indicator"]["value"] == "+66812345678"
    assert "claim" not in dispute
    assert "contact" not in dispute
    contested = check(client)
    assert contested["verdict"] == "scam"
    assert contested["review"]["status"] == "pending"
    assert "Someone who says they hold this value contests the listing" in str(
        contested["explanation"]
    )
    again = client.post("/api/v1/disputes", json=SHOP_CLAIM)
    assert (again.status_code, again.json()["id"]) == (200, dispute["id"])
    assert "your claim was not added" in again.json()["message"]

    queue = client.get("/api/v1/review-queue", headers=bearer(analyst_key)).json()
    assert [d["claim"] for d in queue["disputes"]] == [SHOP_CLAIM["claim"]]
    assert queue["disputes"][0]["contact"] is None

    decided = client.post(
        f"/api/v1/disputes/{dispute['id']}/decision",
        json={"decision": "upheld", "reason": "number reassigned to a shop in March"},
        headers=bearer(analyst_key),
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "upheld"
    after = check(client)
    assert (after["verdict"], after["report_count"], after["score"]) == ("no_reports", 0, 0.0)
    assert after["review"]["status"] == "upheld"
    assert "dispute was upheld (number reassigned to a shop in March)" in str(after["explanation"])

    public = client.get(f"/api/v1/disputes/{dispute['id']}").json()
    assert public["reason"] == "number reassigned to a shop in March"
    assert "claim" not in public
    twice = client.post(
        f"/api/v1/disputes/{dispute['id']}/decision",
        json={"decision": "rejected", "reason": "changed my mind"},
        headers=bearer(analyst_key),
    )
    assert twice.status_code == 409
    assert "already upheld" in twice.json()["detail"]
    with node_database.engine.connect() as connection:
        sealed = connection.execute(select(disputes.c.contact_sealed)).scalar_one()
        actions = set(connection.execute(select(audit_log.c.action)).scalars())
    assert b"+66899999999" not in sealed
    assert {"dispute.open", "dispute.upheld"} <= actions


def test_a_rejected_dispute_keeps_the_listing_and_gives_the_reason(
    client: TestClient, police_key: str, analyst_key: str
) -> None:
    client.post("/api/v1/reports", json=REPORT, headers=bearer(police_key))
    dispute = client.post("/api/v1/disputes", json=SHOP_CLAIM).json()
    client.post(
        f"/api/v1/disputes/{dispute['id']}/decision",
        json={"decision": "rejected", "reason": "the number called victims on 12 November"},
        headers=bearer(analyst_key),
    )
    after = check(client)
    assert after["verdict"] == "scam"
    assert after["review"]["status"] == "rejected"
    assert "rejected (the number called victims on 12 November)" in str(after["explanation"])


def test_only_a_listed_value_can_be_disputed(client: TestClient) -> None:
    unlisted = client.post("/api/v1/disputes", json=SHOP_CLAIM)
    assert unlisted.status_code == 422
    assert "no report about +66812345678" in unlisted.json()["detail"]
    official = client.post("/api/v1/disputes", json={**SHOP_CLAIM, "value": "1441"})
    assert official.status_code == 422


def test_deciding_and_reading_the_queue_needs_an_analyst_key(
    client: TestClient, police_key: str, reporter_key: str
) -> None:
    client.post("/api/v1/reports", json=REPORT, headers=bearer(police_key))
    dispute = client.post("/api/v1/disputes", json=SHOP_CLAIM).json()
    decision = {"decision": "upheld", "reason": "looks fine to me"}
    url = f"/api/v1/disputes/{dispute['id']}/decision"
    assert client.post(url, json=decision).status_code == 401
    assert client.post(url, json=decision, headers=bearer(reporter_key)).status_code == 403
    assert client.get("/api/v1/review-queue", headers=bearer(reporter_key)).status_code == 403
    contact = client.get(
        f"/api/v1/disputes/{dispute['id']}", params={"include_contact": True, "purpose": "x"}
    )
    assert contact.status_code == 401  # no key at all
    assert "www-authenticate" in contact.headers


def test_a_claimants_contact_is_read_only_with_a_purpose_and_is_audited(
    client: TestClient, police_key: str, analyst_key: str, node_database: NodeDatabase
) -> None:
    client.post("/api/v1/reports", json=REPORT, headers=bearer(police_key))
    dispute = client.post("/api/v1/disputes", json=SHOP_CLAIM).json()
    url = f"/api/v1/disputes/{dispute['id']}"
    no_purpose = client.get(url, params={"include_contact": True}, headers=bearer(analyst_key))
    assert no_purpose.status_code == 422
    full = client.get(
        url,
        params={"include_contact": True, "purpose": "call back the holder"},
        headers=bearer(analyst_key),
    ).json()
    assert full["contact"] == {"name": "Somsak", "phone": "+66899999999", "email": None}
    with node_database.engine.connect() as connection:
        purposes = connection.execute(
            select(audit_log.c.purpose).where(audit_log.c.action == "dispute.read_personal_data")
        ).scalars()
        assert list(purposes) == ["call back the holder"]


def test_outcomes_from_organisations_move_the_verdict(
    client: TestClient, reporter_key: str, citizen_app_key: str
) -> None:
    client.post("/api/v1/reports", json=REPORT)
    assert check(client)["verdict"] == "suspicious"
    frozen = client.post(
        "/api/v1/outcomes",
        json={"value": "0812345678", "outcome": "blocked", "note": "SIM suspended"},
        headers=bearer(reporter_key),
    )
    assert frozen.status_code == 201
    assert frozen.json()["verdict"] == "scam"
    assert "reported it blocked" in frozen.json()["explanation"]
    not_trusted = client.post(
        "/api/v1/outcomes",
        json={"value": "0812345678", "outcome": "frozen"},
        headers=bearer(citizen_app_key),
    )
    assert not_trusted.status_code == 403
    assert "banks, telcos and verified agencies" in not_trusted.json()["detail"]
    false_positive = client.post(
        "/api/v1/outcomes",
        json={"value": "0812345678", "outcome": "false_positive"},
        headers=bearer(reporter_key),
    )
    assert false_positive.json()["verdict"] == "suspicious"
    assert "false positive" in false_positive.json()["explanation"]
    anonymous = client.post("/api/v1/outcomes", json={"value": "0812345678", "outcome": "frozen"})
    assert anonymous.status_code == 401
    hotline = client.post(
        "/api/v1/outcomes",
        json={"value": "1441", "outcome": "blocked"},
        headers=bearer(reporter_key),
    )
    assert hotline.status_code == 422
    assert "official" in hotline.json()["detail"]
    unknown = client.post(
        "/api/v1/outcomes",
        json={"value": "0812345678", "outcome": "arrested"},
        headers=bearer(reporter_key),
    )
    assert unknown.status_code == 422


def test_a_held_burst_is_listed_for_analysts_and_can_be_closed(
    client: TestClient, analyst_key: str
) -> None:
    sent = [client.post("/api/v1/reports", json=REPORT).json()["id"] for _ in range(4)]
    queue = client.get("/api/v1/review-queue", headers=bearer(analyst_key)).json()
    assert sorted(queue["bursts"][0]["report_ids"]) == sorted(sent)
    assert [(b["indicator"]["value"], b["report_count"]) for b in queue["bursts"]] == [
        ("+66812345678", 4)
    ]
    item = queue["bursts"][0]["id"]
    closed = client.post(
        f"/api/v1/review-queue/bursts/{item}/close",
        json={"note": "one victim resubmitting; no sign of poisoning"},
        headers=bearer(analyst_key),
    )
    assert closed.status_code == 204
    assert client.get("/api/v1/review-queue", headers=bearer(analyst_key)).json()["bursts"] == []
    # The same sender goes on: the item reopens with what the analyst has not seen.
    client.post("/api/v1/reports", json=REPORT)
    reopened = client.get("/api/v1/review-queue", headers=bearer(analyst_key)).json()["bursts"]
    assert [(b["id"], b["report_count"]) for b in reopened] == [(item, 5)]
