"""``scamintel request`` as an operator runs it: answering a partner's request step by step,
following its own (not delivered, refused), and the errors that say what to fix (exit status
2), ``serve`` included."""

from __future__ import annotations

import json
import subprocess
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from helpers import free_port, run_scamintel, scamintel_command, settings_environment
from scamintel.cases.requests import NewRequest, RequestKind, receive_incoming
from scamintel.federation.agreement import Agreement
from scamintel.federation.markings import Purpose
from scamintel.indicators import IndicatorType
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.peers_repo import add_peer
from scamintel.storage.requests_repo import SqlRequests
from scamintel.storage.store import read_audit_entries

NUMBER = "+66812345678"


def received(database: NodeDatabase, due: datetime) -> str:
    """A partner's suspend_number request, as the federation route stores it."""
    request_id = uuid.uuid4()
    asked = NewRequest(
        RequestKind.SUSPEND_NUMBER,
        IndicatorType.PHONE,
        NUMBER,
        None,
        Purpose.INVESTIGATION,
        "Case MM-2026-7: call-centre number",
    )
    with database.engine.begin() as connection:
        receive_incoming(
            SqlRequests(connection, database.sealer),
            asked,
            request_id=request_id,
            partner="MM-CCD",
            created_at=due - timedelta(hours=48),
            due=due,
            actor="key:test",
            now=datetime.now(UTC),
        )
    return str(request_id)


def test_answering_a_partner_request_from_the_cli(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    late = received(node_database, datetime.now(UTC) - timedelta(hours=1))
    listed = run_scamintel(settings, tmp_path, "request", "list", "--direction", "incoming")
    assert listed.returncode == 0, listed.stderr
    line = listed.stdout.decode()
    assert late in line
    assert "← MM-CCD suspend_number phone +66812345678: received OVERDUE" in " ".join(line.split())

    assert run_scamintel(settings, tmp_path, "request", "accept", late).returncode == 0
    skipped = run_scamintel(settings, tmp_path, "request", "fulfil", late, "--outcome", "blocked")
    assert skipped.returncode == 2
    # The statuses, then the commands that take the request there.
    assert (
        f"request {late} is accepted; it can go to in_progress or rejected (next: start or "
        f"reject): scamintel request start|reject {late}"
    ) in words(skipped.stderr)
    curt = run_scamintel(settings, tmp_path, "request", "reject", late, "--reason", "no")
    assert curt.returncode == 2
    assert "a rejection needs a reason the requester can act on (at least 3 characters)" in words(
        curt.stderr
    )
    assert run_scamintel(settings, tmp_path, "request", "start", late).returncode == 0
    wrong = run_scamintel(settings, tmp_path, "request", "fulfil", late, "--outcome", "frozen")
    assert wrong.returncode == 2
    assert "can be fulfilled with outcome: blocked, false_positive" in " ".join(
        wrong.stderr.decode().split()
    )
    done = run_scamintel(
        settings, tmp_path, "request", "fulfil", late, "--outcome", "blocked", "--reason", "AIS"
    )
    assert done.returncode == 0, done.stderr
    # No report on this node names the number: the outcome goes to the requester only.
    assert "note: the outcome was not recorded on this node: no report here names" in words(
        done.stdout
    )
    shown = run_scamintel(settings, tmp_path, "request", "show", late, "--json")
    answer = json.loads(shown.stdout)
    assert (answer["status"], answer["outcome"], answer["overdue"]) == (
        "fulfilled",
        "blocked",
        False,
    )
    assert [e["status"] for e in answer["events"]] == [
        "received",
        "accepted",
        "in_progress",
        "fulfilled",
    ]


def test_send_errors_say_what_to_fix(settings: Settings, tmp_path: Path) -> None:
    base = ("request", "send", "MM-CCD", "--reason", "Case 7: a mule account")
    mismatch = run_scamintel(
        settings, tmp_path, *base, "--kind", "suspend_number", "--type", "bank_account",
        "--value", "KBANK 123-4-56789-0",
    )  # fmt: skip
    assert mismatch.returncode == 2
    assert "cannot be about a bank_account; it takes: phone" in mismatch.stderr.decode()
    no_peer = run_scamintel(
        settings, tmp_path, *base, "--kind", "suspend_number", "--type", "phone",
        "--value", NUMBER,
    )  # fmt: skip
    assert no_peer.returncode == 2
    assert "no peer named 'MM-CCD'" in no_peer.stderr.decode()
    bad_sla = subprocess.run(
        scamintel_command(*base, "--kind", "suspend_number", "--type", "phone", "--value", NUMBER),
        env=settings_environment(settings) | {"SCAMINTEL_REQUEST_SLA_HOURS": '{"suspend": 4}'},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad_sla.returncode == 2
    assert "names 'suspend', which is not a request kind" in " ".join(bad_sla.stderr.split())
    phone = ("--kind", "suspend_number", "--type", "phone")
    neither = run_scamintel(settings, tmp_path, *base, *phone)
    assert neither.returncode == 2
    assert "neither a value nor a blind selector was given" in words(neither.stderr)
    both = run_scamintel(
        settings, tmp_path, *base, *phone, "--value", NUMBER, "--selector", "ab" * 32
    )
    assert both.returncode == 2
    assert "either the value or the blind selector, not both" in words(both.stderr)


def words(output: bytes) -> str:
    return " ".join(output.decode().split())


def test_following_a_request_that_is_not_delivered_or_refused(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    terms = {
        "version": 1,
        "types": ["phone"],
        "markings": ["amber"],
        "share_as": "amber",
        "purposes": ["investigation"],
        "retention_days": 30,
    }
    with node_database.engine.begin() as connection:
        for name in ("MM-CCD", "VN-CSC"):
            url = f"http://127.0.0.1:{free_port()}/taxii2/"  # nobody listens there
            add_peer(connection, node_database.sealer, name=name, url=url, api_key="k", now=now)
        agreement = Agreement.model_validate(terms | {"partner": "MM-CCD"})
        apply_agreement(connection, agreement, node_database.sealer, "test", now)
    base = ("request", "send", "--kind", "suspend_number", "--type", "phone", "--value", NUMBER)
    reason = ("--reason", "Case 7: call-centre number")
    unagreed = run_scamintel(settings, tmp_path, *base[:2], "VN-CSC", *base[2:], *reason)
    assert unagreed.returncode == 2
    assert "no sharing agreement with VN-CSC" in words(unagreed.stderr)
    sent = run_scamintel(settings, tmp_path, *base[:2], "MM-CCD", *base[2:], *reason, "--json")
    assert sent.returncode == 0, sent.stderr
    request_id = json.loads(sent.stdout)["request_id"]
    pending = run_scamintel(settings, tmp_path, "request", "list")
    assert f"{request_id} → MM-CCD suspend_number phone {NUMBER}: sent NOT DELIVERED" in words(
        pending.stdout
    )

    with node_database.engine.begin() as connection:
        store = SqlRequests(connection, node_database.sealer)
        held = store.get(uuid.UUID(request_id))
        assert held is not None
        store.record_attempt(
            held, at=now, error="MM-CCD answered 403: no agreement", delivered=False,
            actor="sync", refused=True,
        )  # fmt: skip
    refused = run_scamintel(settings, tmp_path, "request", "list")
    assert "sent REFUSED BY PARTNER" in words(refused.stdout)
    shown = run_scamintel(settings, tmp_path, "request", "show", request_id)
    assert "refused by the partner: MM-CCD answered 403: no agreement" in words(shown.stdout)
    as_json = json.loads(
        run_scamintel(settings, tmp_path, "request", "show", request_id, "--json").stdout
    )
    assert (as_json["delivery"], as_json["refused_because"]) == (
        "refused",
        "MM-CCD answered 403: no agreement",
    )
    # `request deliver` tries a refused request again (here: the partner is not up).
    again = run_scamintel(settings, tmp_path, "request", "deliver")
    assert "not reached, tried again at the next sync" in words(again.stdout)

    with node_database.engine.connect() as connection:
        actions = [e.event.action for e in read_audit_entries(connection)]
    assert actions.count("cross_border_request.listed") == 2
    assert actions.count("cross_border_request.viewed") == 2


class Refusing(BaseHTTPRequestHandler):
    """A partner node that refuses every request it is sent, as a node does (403, problem)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"detail": "type phone is not in the agreement with TH-AOC"}).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def refusing_partner() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/taxii2/"
    server.shutdown()
    server.server_close()


def test_send_says_refused_or_not_delivered_never_both_and_names_the_case(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path, refusing_partner: str
) -> None:
    now = datetime.now(UTC)
    terms = {
        "version": 1,
        "types": ["phone"],
        "markings": ["amber"],
        "share_as": "amber",
        "purposes": ["investigation"],
        "retention_days": 30,
    }
    offline = f"http://127.0.0.1:{free_port()}/taxii2/"  # nobody listens there
    with node_database.engine.begin() as connection:
        for name, url in (("MM-CCD", refusing_partner), ("VN-CSC", offline)):
            add_peer(connection, node_database.sealer, name=name, url=url, api_key="k", now=now)
            agreement = Agreement.model_validate(terms | {"partner": name})
            apply_agreement(connection, agreement, node_database.sealer, "test", now)
    opened = run_scamintel(settings, tmp_path, "case", "open", "--title", "Call centre", "--json")
    case = json.loads(opened.stdout)["id"]
    asked = ("--kind", "suspend_number", "--type", "phone", "--value", NUMBER)
    reason = ("--reason", "Case 7: call-centre number", "--case", case.lower())

    refused = run_scamintel(settings, tmp_path, "request", "send", "MM-CCD", *asked, *reason)
    unreached = run_scamintel(settings, tmp_path, "request", "send", "VN-CSC", *asked, *reason)
    listed = run_scamintel(settings, tmp_path, "request", "list", "--case", case, "--json")

    assert refused.returncode == 0, refused.stderr
    assert (
        "refused by the partner: MM-CCD answered 403: type phone is not in the agreement with "
        "TH-AOC; once fixed, `scamintel request deliver` sends it again"
    ) in words(refused.stdout)
    assert "not delivered yet" not in words(refused.stdout)
    assert unreached.returncode == 0, unreached.stderr
    assert "not delivered yet; `scamintel sync` or `scamintel request deliver` tries again" in (
        words(unreached.stdout)
    )
    assert "refused by the partner" not in words(unreached.stdout)
    assert f"last error: cannot reach VN-CSC at {offline.removesuffix('/taxii2/')}: " in words(
        unreached.stdout
    )
    # The case as the case API and `case show` name it, in the CLI's JSON as in the API's.
    assert [(r["partner"], r["delivery"], r["case_id"]) for r in json.loads(listed.stdout)] == [
        ("VN-CSC", "pending", case),
        ("MM-CCD", "refused", case),
    ]


def test_serve_refuses_an_unknown_kind_in_the_sla_settings(settings: Settings) -> None:
    bad = subprocess.run(
        scamintel_command("serve", "--port", str(free_port())),
        env=settings_environment(settings) | {"SCAMINTEL_REQUEST_SLA_HOURS": '{"freeze": 4}'},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    message = " ".join(bad.stderr.split())
    assert "names 'freeze', which is not a request kind; use one of:" in message
    assert "freeze_account" in message
    assert "Traceback" not in bad.stderr
