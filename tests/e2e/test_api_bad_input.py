"""Hostile and broken input gets a 4xx that says what to fix, and changes nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from scamintel.classify.service import is_message
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import audit_log, indicators, report_indicators, reports

GOOD_REPORT = {
    "scam_type": "fake_seller",
    "channel": "facebook",
    "narrative": "Paid for a phone that never came",
    "indicators": [{"type": "bank_account", "value": "SCB 123-4-56789-0"}],
}
PROBLEM_JSON = "application/problem+json"


def snapshot(node_database: NodeDatabase) -> dict[str, Any]:
    with node_database.engine.connect() as connection:
        counts = {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in (reports, indicators, report_indicators, audit_log)
        }
        counts["values"] = sorted(connection.scalars(select(indicators.c.value)))
    return counts


@pytest.fixture
def stored(client: TestClient, node_database: NodeDatabase) -> dict[str, Any]:
    """One good report already on the node; every test checks it survives."""
    assert client.post("/api/v1/reports", json=GOOD_REPORT).status_code == 201
    return snapshot(node_database)


def assert_problem(response: Any, status: int, *phrases: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    for phrase in phrases:
        assert phrase in body["detail"], body["detail"]
    return body


def test_malformed_json_is_a_400_naming_the_problem(
    client: TestClient, node_database: NodeDatabase, stored: dict[str, Any]
) -> None:
    response = client.post(
        "/api/v1/reports",
        content=b'{"narrative": "x",',
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 400, "not valid JSON")
    assert snapshot(node_database) == stored


@pytest.mark.parametrize(
    ("body", "field", "phrase"),
    [
        ({"narrative": "x", "amount": "lots", "currency": "THB"}, "amount", "decimal"),
        ({"narrative": "x", "indicators": "0812345678"}, "indicators", "list"),
        ({"narrative": "x", "victim_country": "Thailand"}, "victim_country", "pattern"),
        ({"narrative": 12}, "narrative", "string"),
        ({"narrative": "x", "colour": "red"}, "colour", "unknown field"),
        ({"narrative": "x", "scam_type": "pig_butcher"}, "scam_type", "investment"),
        ({"narrative": "x", "occurred_at": "yesterday"}, "occurred_at", "datetime"),
    ],
)
def test_wrong_types_and_unknown_fields_are_named(
    client: TestClient,
    node_database: NodeDatabase,
    stored: dict[str, Any],
    body: dict[str, Any],
    field: str,
    phrase: str,
) -> None:
    problem = assert_problem(client.post("/api/v1/reports", json=body), 422, field)
    [error] = [item for item in problem["errors"] if item["field"].startswith(field)]
    assert phrase in error["message"].lower() or phrase in error["message"]
    assert snapshot(node_database) == stored


def test_an_unreadable_indicator_is_refused_with_its_reason(
    client: TestClient, node_database: NodeDatabase, stored: dict[str, Any]
) -> None:
    body = {**GOOD_REPORT, "indicators": [{"type": "phone", "value": "081-234"}]}
    problem = assert_problem(client.post("/api/v1/reports", json=body), 422, "081-234")
    assert problem["errors"][0]["field"] == "indicators.0.value"
    assert "Thailand" in problem["errors"][0]["message"]
    assert snapshot(node_database) == stored


def test_an_oversized_body_is_refused_before_it_is_read(
    client: TestClient, node_database: NodeDatabase, stored: dict[str, Any]
) -> None:
    huge = {**GOOD_REPORT, "narrative": "x" * 2_000_000}
    assert_problem(client.post("/api/v1/reports", json=huge), 413, "larger than")
    assert snapshot(node_database) == stored


def test_a_too_long_narrative_is_named(
    client: TestClient, node_database: NodeDatabase, stored: dict[str, Any]
) -> None:
    body = {**GOOD_REPORT, "narrative": "x" * 10_001}
    assert_problem(client.post("/api/v1/reports", json=body), 422, "narrative")
    assert snapshot(node_database) == stored


@pytest.mark.parametrize(
    "value",
    [
        "' OR 1=1 --",
        "0812345678'; DROP TABLE reports; --",
        "<script>alert(1)</script>",
        "\u0000\u0001",
        "%00",
        "𝟎𝟖𝟏",
    ],
)
def test_injection_strings_in_the_check_are_unreadable_values_not_errors(
    client: TestClient, node_database: NodeDatabase, stored: dict[str, Any], value: str
) -> None:
    response = client.get("/api/v1/check", params={"q": value})
    if is_message(value):
        # Text that is not one value but has words or letters enough is a pasted message.
        assert response.status_code == 200
        assert response.json()["indicator"] is None
        assert response.json()["verdict"] == "no_reports"
    else:
        assert_problem(response, 422, "cannot be read")
    assert snapshot(node_database) == stored


def test_injection_strings_in_a_narrative_are_stored_as_plain_text(
    client: TestClient, node_database: NodeDatabase, stored: dict[str, Any], analyst_key: str
) -> None:
    narrative = "<script>alert('x')</script>'); DELETE FROM reports; --"
    created = client.post("/api/v1/reports", json={"narrative": narrative})
    assert created.status_code == 201
    read = client.get(
        f"/api/v1/reports/{created.json()['id']}",
        headers={"Authorization": f"Bearer {analyst_key}"},
    )
    assert read.json()["narrative"] == narrative
    assert snapshot(node_database)["reports"] == stored["reports"] + 1


def test_check_without_a_query_or_with_an_unknown_type_says_what_is_missing(
    client: TestClient,
) -> None:
    assert_problem(client.get("/api/v1/check"), 422, "q")
    assert_problem(client.get("/api/v1/check", params={"q": "x", "type": "fax"}), 422, "type")


def test_a_malformed_authorization_header_is_a_401(client: TestClient) -> None:
    response = client.post(
        "/api/v1/reports", json=GOOD_REPORT, headers={"Authorization": "Token abc"}
    )
    assert_problem(response, 401, "Bearer")


def test_unknown_paths_and_methods_are_problem_details(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing"), 404)
    assert_problem(client.delete("/api/v1/check"), 405)


def test_a_non_uuid_report_id_is_a_422(client: TestClient, analyst_key: str) -> None:
    response = client.get(
        "/api/v1/reports/1;DROP", headers={"Authorization": f"Bearer {analyst_key}"}
    )
    assert_problem(response, 422, "report_id")


def test_a_body_that_is_not_utf8_is_refused(
    client: TestClient, node_database: NodeDatabase, stored: dict[str, Any]
) -> None:
    response = client.post(
        "/api/v1/reports",
        content=b'{"narrative": "\xff\xfe lost money"}',
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 400, "send a UTF-8 encoded JSON object")
    assert snapshot(node_database) == stored
