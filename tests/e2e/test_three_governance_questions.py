"""The three questions a data-protection officer asks the node, answered by its console:
who saw this number's data and why, when will it be deleted, and was the log edited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from tests.helpers import run_scamintel

from scamintel.settings import Settings

NUMBER = "081-555-0199"
CANONICAL = "+66815550199"


def test_the_console_answers_who_saw_a_number_when_it_goes_and_that_the_log_is_intact(
    client: TestClient, settings: Settings, investigator_key: str, tmp_path: Path
) -> None:
    sent = client.post(
        "/api/v1/reports",
        json={
            "narrative": f"Caller from {NUMBER} said he was police",
            "indicators": [{"value": NUMBER}],
        },
    )
    assert sent.status_code == 201, sent.text
    report_id = sent.json()["id"]
    read = client.get(
        f"/api/v1/reports/{report_id}",
        params={"include_reporter": "true", "purpose": "case 4711"},
        headers={"Authorization": f"Bearer {investigator_key}"},
    )
    assert read.status_code == 200

    trail = run_scamintel(settings, tmp_path, "audit", "trail", NUMBER, "--json")
    when = run_scamintel(settings, tmp_path, "retention", "when", NUMBER, "--json")
    verified = run_scamintel(settings, tmp_path, "audit", "verify", "--json")

    assert trail.returncode == 0, trail.stderr
    entries = [json.loads(line) for line in trail.stdout.splitlines()]
    personal = [e for e in entries if e["action"] == "report.read_personal_data"]
    assert len(personal) == 1
    assert personal[0]["purpose"] == "case 4711"
    assert personal[0]["legal_basis"] == "public_task"
    assert personal[0]["actor"].startswith("key:")
    assert personal[0]["object_id"] == report_id

    assert when.returncode == 0, when.stderr
    answer = json.loads(when.stdout)
    assert answer["indicator"] == {"type": "phone", "value": CANONICAL}
    held = {item["kind"]: item for item in answer["held"]}
    newest = datetime.fromisoformat(held["report"]["newest"])
    assert held["report"]["count"] == 1
    assert datetime.fromisoformat(held["report"]["deleted_on"]) == newest + timedelta(days=1825)
    assert datetime.fromisoformat(held["narrative"]["deleted_on"]) == newest + timedelta(days=730)

    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["ok"] is True
