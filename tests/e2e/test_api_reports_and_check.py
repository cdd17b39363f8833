"""Submitting reports and checking values over HTTP, as citizens and agencies do."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import audit_log, reports, review_items

MULE_NUMBER_REPORT = {
    "narrative": "Caller said he was DSI police, told me to transfer to a safe account",
    "scam_type": "officials_impersonated",
    "channel": "call",
    "victim_country": "TH",
    "amount": "50000",
    "currency": "THB",
    "occurred_at": "2026-10-20T09:30:00Z",
    "indicators": [{"type": "phone", "value": "081-234-5678"}],
    "reporter": {"name": "Malee", "phone": "0898765432"},
}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_number_never_reported_is_no_reports_and_never_called_safe(client: TestClient) -> None:
    response = client.get("/api/v1/check", params={"q": "+66 81 234 5678"})
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "no_reports"
    assert body["indicator"] == {"type": "phone", "value": "+66812345678", "country": "TH"}
    assert body["report_count"] == 0
    text = (body["explanation"] + " " + body["advice"]).lower()
    assert "not proof that it is safe" in text
    for negated in ("not proof that it is safe", "does not mean it is safe"):
        text = text.replace(negated, "")
    assert "safe" not in text


def test_anonymous_reports_from_one_sender_stay_suspicious_until_a_trusted_reporter_confirms(
    client: TestClient, police_key: str, node_database: NodeDatabase
) -> None:
    first = client.post("/api/v1/reports", json=MULE_NUMBER_REPORT)
    assert first.status_code == 201
    assert first.json()["reference"].startswith("R-")
    one = client.get("/api/v1/check", params={"q": "0812345678"}).json()
    assert one["verdict"] == "suspicious"
    assert one["report_count"] == 1
    assert "one anonymous reporter is never enough" in one["explanation"]
    for _ in range(2):
        assert client.post("/api/v1/reports", json=MULE_NUMBER_REPORT).status_code == 201
    burst = client.get("/api/v1/check", params={"q": "+66812345678"}).json()
    assert (burst["verdict"], burst["score"], burst["report_count"]) == ("suspicious", 0.2, 3)
    assert (
        "3 of these reports came from one sender (one organisation or one network) within a day"
        in burst["explanation"]
    )
    with node_database.engine.connect() as connection:
        held = connection.execute(select(review_items.c.kind, review_items.c.report_count)).all()
    assert [tuple(row) for row in held] == [("burst", 3)]

    confirmed = client.post("/api/v1/reports", json=MULE_NUMBER_REPORT, headers=bearer(police_key))
    assert confirmed.status_code == 201
    four = client.get("/api/v1/check", params={"q": "+66812345678"}).json()
    assert four["verdict"] == "scam"
    assert four["report_count"] == 4
    assert four["scam_types"] == ["officials_impersonated"]
    assert four["first_seen"].startswith("2026-10-20T09:30:00")
    assert "1 from a verified agency" in four["explanation"]


def test_indicators_in_the_narrative_are_extracted_and_linked(client: TestClient) -> None:
    body = {
        "narrative": (
            "They sent me to hxxps://kbank-verify[.]com/login and called from 081 999 8888"
        ),
        "scam_type": "bank_impersonation",
        "channel": "sms",
    }
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 201
    assert response.json()["indicator_count"] == 2
    check = client.get("/api/v1/check", params={"q": "https://kbank-verify.com/login"}).json()
    assert check["verdict"] == "suspicious"


def test_resending_with_the_same_idempotency_key_stores_one_report(
    client: TestClient, node_database: NodeDatabase
) -> None:
    headers = {"Idempotency-Key": "c5d1b2a0-retry-1"}
    first = client.post("/api/v1/reports", json=MULE_NUMBER_REPORT, headers=headers)
    again = client.post("/api/v1/reports", json=MULE_NUMBER_REPORT, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["created"] is False
    with node_database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(reports)) == 1


def test_reusing_an_idempotency_key_for_another_report_is_refused(client: TestClient) -> None:
    headers = {"Idempotency-Key": "same-key"}
    client.post("/api/v1/reports", json=MULE_NUMBER_REPORT, headers=headers)
    other = {**MULE_NUMBER_REPORT, "amount": "1"}
    response = client.post("/api/v1/reports", json=other, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "already used for a different report" in response.json()["detail"]


def test_an_analyst_reads_a_report_and_the_read_is_audited(
    client: TestClient, analyst_key: str, node_database: NodeDatabase
) -> None:
    created = client.post("/api/v1/reports", json=MULE_NUMBER_REPORT).json()
    response = client.get(f"/api/v1/reports/{created['id']}", headers=bearer(analyst_key))
    assert response.status_code == 200
    body = response.json()
    assert body["scam_type"] == "officials_impersonated"
    assert body["reporter"] is None
    assert [(i["type"], i["value"], i["raw"]) for i in body["indicators"]] == [
        ("phone", "+66812345678", "081-234-5678")
    ]
    with node_database.engine.connect() as connection:
        actions = list(connection.scalars(select(audit_log.c.action).order_by(audit_log.c.seq)))
    assert actions == ["report.create", "report.read"]


def test_reporter_contacts_need_an_investigator_key_and_a_purpose(
    client: TestClient, analyst_key: str, investigator_key: str
) -> None:
    created = client.post("/api/v1/reports", json=MULE_NUMBER_REPORT).json()
    url = f"/api/v1/reports/{created['id']}"
    analyst = client.get(url, params={"include_reporter": True}, headers=bearer(analyst_key))
    assert analyst.status_code == 403
    no_purpose = client.get(
        url, params={"include_reporter": True}, headers=bearer(investigator_key)
    )
    assert no_purpose.status_code == 422
    allowed = client.get(
        url,
        params={"include_reporter": True, "purpose": "investigation"},
        headers=bearer(investigator_key),
    )
    assert allowed.status_code == 200
    assert allowed.json()["reporter"] == {"name": "Malee", "phone": "0898765432"}


def test_reading_a_report_needs_a_key_with_the_right_role(
    client: TestClient, reporter_key: str
) -> None:
    created = client.post("/api/v1/reports", json=MULE_NUMBER_REPORT).json()
    url = f"/api/v1/reports/{created['id']}"
    anonymous = client.get(url)
    assert anonymous.status_code == 401
    assert "analyst" in anonymous.json()["detail"]
    assert client.get(url, headers=bearer(reporter_key)).status_code == 403
    assert client.get(url, headers=bearer("si_nothere_forged")).status_code == 401


def test_a_keyed_submission_is_attributed_to_its_organisation(
    client: TestClient, reporter_key: str, node_database: NodeDatabase
) -> None:
    response = client.post("/api/v1/reports", json=MULE_NUMBER_REPORT, headers=bearer(reporter_key))
    assert response.status_code == 201
    with node_database.engine.connect() as connection:
        organisation = connection.scalar(select(reports.c.organisation_id))
    assert organisation is not None


def test_an_official_hotline_is_named_as_official(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": "1441"}).json()
    assert body["verdict"] == "official"
    assert "Anti Online Scam" in body["explanation"]


def test_a_banks_number_and_domain_are_official_with_the_banks_name(client: TestClient) -> None:
    for query in ["+66 2 888 8888", "https://www.kasikornbank.com/th/personal"]:
        body = client.get("/api/v1/check", params={"q": query}).json()
        assert body["verdict"] == "official"
        assert "Kasikornbank" in body["explanation"]


def test_a_platforms_own_domain_is_official_but_a_page_on_it_is_judged_by_reports(
    client: TestClient,
) -> None:
    home = client.get("/api/v1/check", params={"q": "facebook.com"}).json()
    assert home["verdict"] == "official"
    assert "Facebook" in home["explanation"]
    page = client.get("/api/v1/check", params={"q": "https://www.facebook.com/Kbank.Refund"}).json()
    assert page["verdict"] == "no_reports"


def test_a_shortened_link_is_said_to_hide_its_destination(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": "https://bit.ly/3xYzAbc"}).json()
    assert body["verdict"] == "no_reports"
    assert "link shortener" in body["explanation"]
    assert "hides where it leads" in body["explanation"]


def test_a_lookalike_domain_names_the_brand_it_imitates(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": "hxxps://kbank-secure[.]com/login"}).json()
    assert body["verdict"] == "no_reports"
    assert "imitates Kasikornbank (kasikornbank.com)" in body["explanation"]
    assert "not proof that it is safe" in body["explanation"]
    plain = client.get("/api/v1/check", params={"q": "banking-news.com"}).json()
    assert "imitates" not in plain["explanation"]


def test_health_metrics_and_openapi_are_served(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    client.get("/api/v1/check", params={"q": "0812345678"})
    metrics = client.get("/metrics").text
    assert (
        'scamintel_http_requests_total{method="GET",route="/api/v1/check",status="200"}' in metrics
    )
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/check", "/api/v1/reports", "/api/v1/reports/{report_id}"} <= set(paths)


def test_local_numbers_are_read_in_the_victims_country(client: TestClient) -> None:
    report = {
        "victim_country": "MY",
        "scam_type": "officials_impersonated",
        "channel": "call",
        "indicators": [{"type": "phone", "value": "016-500 3591"}],
    }
    assert client.post("/api/v1/reports", json=report).status_code == 201
    answer = client.get("/api/v1/check", params={"q": "+60 16-500 3591"}).json()
    assert answer["verdict"] == "suspicious"
    assert answer["indicator"]["country"] == "MY"
