"""An investigator's session at the console: `scamintel case` open, assign, note, link, show
and audit, run as processes against the real database; then `audit verify` still passes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from e2e.test_cases_api import REFUSAL, REJECTION, requests_in_trouble
from helpers import run_scamintel
from integration.test_cases_repo import store_request
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase

REPORT = {
    "scam_type": "officials_impersonated",
    "channel": "call",
    "indicators": [{"type": "phone", "value": "081-234-5678"}],
}


def case_cli(settings: Settings, tmp_path: Path, *arguments: str) -> str:
    done = run_scamintel(settings, tmp_path, "case", *arguments)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def case_json(settings: Settings, tmp_path: Path, *arguments: str) -> Any:
    return json.loads(case_cli(settings, tmp_path, *arguments, "--json"))


def test_a_console_session_on_a_case_is_shown_and_audited_in_order(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path, client: TestClient
) -> None:
    assert client.post("/api/v1/reports", json=REPORT).is_success

    opened = case_json(settings, tmp_path, "open", "--title", "Fake police calls")
    number = opened["id"]
    case_cli(settings, tmp_path, "assign", number, "Lt. Nok")
    case_cli(settings, tmp_path, "status", number, "in_progress")
    case_cli(settings, tmp_path, "note", str(opened["number"]), "Bank asked to hold the account")
    linked = case_cli(settings, tmp_path, "link", number, "indicator", "phone:0812345678")
    sent_at = datetime.now(UTC) - timedelta(days=2)
    request = store_request(node_database, opened["number"], created_at=sent_at)
    shown = case_json(settings, tmp_path, "show", number.lower())
    shown_text = " ".join(case_cli(settings, tmp_path, "show", number).split())
    listed = case_json(settings, tmp_path, "list", "--status", "in_progress")
    audited = case_json(settings, tmp_path, "audit", number)
    trail = audited["entries"]
    verified = run_scamintel(settings, tmp_path, "audit", "verify")

    assert "phone:+66812345678" in linked
    assert shown["assignee"] == "Lt. Nok"
    assert shown["status"] == "in_progress"
    assert [n["text"] for n in shown["notes"]] == ["Bank asked to hold the account"]
    assert [link["label"] for link in shown["links"]] == ["phone:+66812345678"]
    assert [(r["request_id"], r["status"], r["overdue"]) for r in shown["requests"]] == [
        (str(request.request_id), "sent", True)
    ]
    assert f"request {request.request_id} freeze_account (bank_account) to MM-CCD" in shown_text
    assert "OVERDUE" in shown_text
    # The same shape as GET /api/v1/cases.
    assert list(listed) == ["cases"]
    assert [c["id"] for c in listed["cases"]] == [number]
    assert audited["case"] == number
    assert [e["action"] for e in trail] == [
        "case.opened",
        "case.assigned",
        "case.status_changed",
        "case.note_added",
        "case.link_added",
        "cross_border_request.sent",
        "case.viewed",
        "case.viewed",
        "case.audit_viewed",
    ]
    case_actors = {e["actor"] for e in trail if e["action"].startswith("case.")}
    assert len(case_actors) == 1
    assert trail[0]["actor"].startswith("cli")
    assert verified.returncode == 0, verified.stderr


def request_text(lines: list[str], request_id: str) -> str:
    """The request's line in `case show` and the indented lines under it, as one line."""
    start = next(i for i, line in enumerate(lines) if request_id in line)
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line)
    return " ".join(" ".join(block).split())


def test_case_show_says_which_requests_were_not_delivered_refused_or_rejected(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    opened = case_json(settings, tmp_path, "open", "--title", "Requests in trouble")
    made = requests_in_trouble(node_database, opened["number"])

    shown = case_json(settings, tmp_path, "show", opened["id"])
    lines = case_cli(settings, tmp_path, "show", opened["id"]).splitlines()

    assert [
        (r["delivery"], r["refused_because"], r["status_reason"]) for r in shown["requests"]
    ] == [
        ("delivered", None, REJECTION),
        ("refused", REFUSAL, None),
        ("pending", None, None),
    ]
    text = {name: request_text(lines, str(r.request_id)) for name, r in made.items()}
    assert "to MM-CCD: sent, NOT DELIVERED" in text["pending"]
    assert "to MM-CCD: sent, REFUSED BY PARTNER" in text["refused"]
    assert f"refused by the partner: {REFUSAL}" in text["refused"]
    assert "NOT DELIVERED" not in text["refused"]
    assert "to MM-CCD: rejected, due" in text["rejected"]
    assert f"rejected: {REJECTION}" in text["rejected"]


def test_the_console_refuses_bad_case_input_with_exit_2_and_the_reason(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    number = case_json(settings, tmp_path, "open", "--title", "Refusals")["id"]

    def refused(*arguments: str) -> str:
        done = run_scamintel(settings, tmp_path, "case", *arguments)
        assert done.returncode == 2, done.stdout
        return " ".join(done.stderr.decode().split())

    assert "--title" in refused("open")
    assert "no case CASE-99" in refused("show", "CASE-99")
    assert "write it as 7 or CASE-7" in refused("show", "seven")
    assert "needs a reason" in refused("status", number, "closed")
    assert "already open" in refused("status", number, "open")
    assert "no operation 5" in refused("link", number, "operation", "5")
