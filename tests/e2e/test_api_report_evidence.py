"""Evidence file hashes sent with a report over HTTP and read back by an analyst."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def report_with(evidence: list[dict[str, object]]) -> dict[str, object]:
    return {
        "narrative": "Fake courier SMS asked for a redelivery fee",
        "scam_type": "phishing_parcel_utility",
        "channel": "sms",
        "indicators": [{"value": "hxxps://thaipost-th[.]top/pay"}],
        "evidence": evidence,
    }


def test_evidence_hashes_sent_with_a_report_are_read_back_lower_case_with_their_details(
    client: TestClient, analyst_key: str
) -> None:
    screenshot, recording = sha256_of(b"screenshot"), sha256_of(b"recording")
    sent = report_with(
        [
            {
                "sha256": screenshot.upper(),
                "name": "sms.png",
                "media_type": "image/png",
                "size": 48213,
            },
            {"sha256": recording},
        ]
    )
    created = client.post("/api/v1/reports", json=sent)
    assert created.status_code == 201, created.text
    body = client.get(f"/api/v1/reports/{created.json()['id']}", headers=bearer(analyst_key)).json()
    assert body["evidence"] == sorted(
        [
            {"sha256": screenshot, "name": "sms.png", "media_type": "image/png", "size": 48213},
            {"sha256": recording, "name": None, "media_type": None, "size": None},
        ],
        key=lambda item: str(item["sha256"]),
    )


def test_a_report_without_evidence_reads_back_an_empty_list(
    client: TestClient, analyst_key: str
) -> None:
    created = client.post("/api/v1/reports", json=report_with([])).json()
    body = client.get(f"/api/v1/reports/{created['id']}", headers=bearer(analyst_key)).json()
    assert body["evidence"] == []


def test_an_evidence_hash_that_is_not_sha256_is_refused_naming_the_field(
    client: TestClient,
) -> None:
    response = client.post("/api/v1/reports", json=report_with([{"sha256": "d41d8cd98f00b204"}]))
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["field"] == "evidence.0.sha256"
    assert "64 hexadecimal characters" in problem["message"]


def test_resending_a_report_with_its_evidence_and_idempotency_key_stores_it_once(
    client: TestClient,
) -> None:
    sent = report_with([{"sha256": sha256_of(b"chat")}])
    headers = {"Idempotency-Key": "evidence-retry-1"}
    first = client.post("/api/v1/reports", json=sent, headers=headers)
    again = client.post("/api/v1/reports", json=sent, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
