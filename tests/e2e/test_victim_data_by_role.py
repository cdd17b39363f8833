"""Who sees which field of a report through GET /api/v1/reports/{id}: the matrix of
docs/privacy.md ("Who sees victim data"), checked role by role and field by field."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from e2e.conftest import make_key
from scamintel.access.keys import Role
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import audit_log, reporter_contacts

PRIVACY_DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"
PURPOSE = "investigation"

REPORTER = {
    "name": "มาลี ใจดี",
    "phone": "0898765432",
    "email": "malee.victim@example.com",
    "id_number": "1101700230705",
}
REPORT = {
    "narrative": "Caller said he was DSI police and told me to move my savings",
    "scam_type": "officials_impersonated",
    "channel": "call",
    "victim_country": "TH",
    "indicators": [{"type": "phone", "value": "081-234-5678"}],
    "evidence": [{"sha256": hashlib.sha256(b"call recording").hexdigest(), "name": "call.m4a"}],
    "reporter": REPORTER,
}

CONTENT = ("narrative", "indicators", "evidence")
PERSONAL = tuple(f"reporter.{key}" for key in REPORTER)
FIELDS = CONTENT + PERSONAL

# role (None: no key) → (status, fields seen) for a plain read, then for a read with
# ?include_reporter=true&purpose=… . docs/privacy.md shows the same table.
MATRIX: dict[Role | None, tuple[tuple[int, tuple[str, ...]], tuple[int, tuple[str, ...]]]] = {
    None: ((401, ()), (401, ())),
    Role.REPORTER: ((403, ()), (403, ())),
    Role.PARTNER: ((403, ()), (403, ())),
    Role.ANALYST: ((200, CONTENT), (403, ())),
    Role.INVESTIGATOR: ((200, CONTENT), (200, FIELDS)),
    Role.ADMIN: ((200, CONTENT), (200, FIELDS)),
}
CASES = [
    pytest.param(role, personal, id=f"{role.value if role else 'public'}-{kind}")
    for role in MATRIX
    for personal, kind in ((False, "report"), (True, "with-reporter"))
]


def fields_seen(body: dict[str, Any]) -> tuple[str, ...]:
    seen = {
        "narrative": body.get("narrative") == REPORT["narrative"],
        "indicators": bool(body.get("indicators")),
        "evidence": bool(body.get("evidence")),
    }
    reporter = body.get("reporter") or {}
    for key, value in REPORTER.items():
        seen[f"reporter.{key}"] = reporter.get(key) == value
    return tuple(field for field in FIELDS if seen[field])


def read_actions(node_database: NodeDatabase) -> list[tuple[str, str, str | None]]:
    with node_database.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action, audit_log.c.actor, audit_log.c.purpose)
            .where(audit_log.c.action.like("report.read%"))
            .order_by(audit_log.c.seq)
        )
        return [(row.action, row.actor, row.purpose) for row in rows]


@pytest.mark.parametrize(("role", "personal"), CASES)
def test_each_role_sees_exactly_the_fields_of_the_matrix(
    client: TestClient, node_database: NodeDatabase, role: Role | None, personal: bool
) -> None:
    report_id = client.post("/api/v1/reports", json=REPORT).json()["id"]
    headers = {}
    if role is not None:
        headers["Authorization"] = f"Bearer {make_key(node_database.engine, role)}"
    params = {"include_reporter": "true", "purpose": PURPOSE} if personal else {}
    response = client.get(f"/api/v1/reports/{report_id}", headers=headers, params=params)

    status, expected = MATRIX[role][personal]
    assert response.status_code == status, response.text
    assert fields_seen(response.json()) == expected
    if "reporter.phone" not in expected:
        for value in REPORTER.values():
            assert value not in response.text
    audited = [action for action, _, _ in read_actions(node_database)]
    if status != 200:
        assert audited == []  # a refused read discloses nothing
    else:
        assert audited == ["report.read_personal_data" if personal else "report.read"]


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.ADMIN])
def test_reading_personal_data_writes_an_audit_entry_with_the_reader_and_purpose(
    client: TestClient, node_database: NodeDatabase, role: Role
) -> None:
    report_id = client.post("/api/v1/reports", json=REPORT).json()["id"]
    key = make_key(node_database.engine, role)
    key_id = key.split("_")[1]
    url = f"/api/v1/reports/{report_id}"
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get(url, headers=headers).status_code == 200
    with_reporter = {"include_reporter": "true", "purpose": PURPOSE}
    assert client.get(url, headers=headers, params=with_reporter).status_code == 200
    assert read_actions(node_database) == [
        ("report.read", f"key:{key_id}", None),
        ("report.read_personal_data", f"key:{key_id}", PURPOSE),
    ]


def test_an_investigator_without_a_purpose_gets_no_personal_data_and_no_read_entry(
    client: TestClient, node_database: NodeDatabase
) -> None:
    report_id = client.post("/api/v1/reports", json=REPORT).json()["id"]
    key = make_key(node_database.engine, Role.INVESTIGATOR)
    response = client.get(
        f"/api/v1/reports/{report_id}",
        params={"include_reporter": "true"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 422
    assert REPORTER["phone"] not in response.text
    assert read_actions(node_database) == []


def test_the_reporters_contact_is_not_stored_in_clear(
    client: TestClient, node_database: NodeDatabase
) -> None:
    report_id = UUID(client.post("/api/v1/reports", json=REPORT).json()["id"])
    with node_database.engine.connect() as connection:
        sealed = connection.scalar(
            select(reporter_contacts.c.sealed).where(reporter_contacts.c.report_id == report_id)
        )
    assert sealed is not None
    stored = bytes(sealed)
    for value in REPORTER.values():
        assert value.encode("utf-8") not in stored
    assert b"+66898765432" not in stored


def test_the_matrix_in_docs_privacy_is_the_one_tested() -> None:
    section = PRIVACY_DOC.read_text(encoding="utf-8").split("## Who sees victim data", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip(" `") for cell in rows[0].strip("|").split("|")]
    assert header[1:] == list(FIELDS)
    documented: dict[str, list[str]] = {}
    for line in rows[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        documented[re.sub(r"[`*]", "", cells[0])] = cells[1:]
    for role, ((_, plain), (_, with_reporter)) in MATRIX.items():
        name = role.value if role else "public (no key)"
        expected = [_mark(field, plain, with_reporter) for field in FIELDS]
        assert documented[name] == expected, name


def _mark(field: str, plain: tuple[str, ...], with_reporter: tuple[str, ...]) -> str:
    if field in plain:
        return "yes"
    if field in with_reporter:
        return "with purpose"
    return "no"
