"""`scamintel agreement`, `peer`, `sync` and `refusals` run as processes against the real
database; failing peers are tiny real HTTP servers on loopback."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import free_port, scamintel_command, settings_environment
from scamintel.federation.agreement import parse_agreement
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.peers_repo import add_peer, find_peer
from scamintel.storage.store import read_audit_entries

PARTNER = "KH-NCC"
BLIND_KEY = "a-blind-key-both-nodes-share-0123456789"
# Fast retries, so a failing peer fails in well under a second.
QUICK_RETRIES = {
    "SCAMINTEL_SYNC_RETRIES": "2",
    "SCAMINTEL_SYNC_BACKOFF_BASE_SECONDS": "0.01",
    "SCAMINTEL_SYNC_TIMEOUT_SECONDS": "5",
}


def agreement_text(version: int = 1, retention_days: int = 90, partner: str = PARTNER) -> str:
    return (
        f"partner: {partner}\n"
        f"version: {version}\n"
        "types: [phone, url, domain, ip, bank_account]\n"
        "markings: [clear, green, amber]\n"
        "share_as: amber\n"
        "purposes: [prevention]\n"
        "blind: [bank_account]\n"
        f"blind_key: {BLIND_KEY}\n"
        f"retention_days: {retention_days}\n"
        "legal_basis: Thailand-Cambodia MoU on online fraud, 2025\n"
    )


def cli(
    settings: Settings, cwd: Path, *arguments: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        scamintel_command(*arguments),
        env={**settings_environment(settings), **QUICK_RETRIES, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def agree(node_database: NodeDatabase, text: str) -> None:
    """Setup, not under test: an agreement put in force in process."""
    with node_database.engine.begin() as connection:
        apply_agreement(
            connection, parse_agreement(text), node_database.sealer, "test", datetime.now(UTC)
        )


def peer_at(node_database: NodeDatabase, name: str, url: str) -> None:
    with node_database.engine.begin() as connection:
        add_peer(
            connection, node_database.sealer, name=name, url=url, api_key="k", now=datetime.now(UTC)
        )


def apply(settings: Settings, tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "agreement.yaml"
    path.write_text(text, encoding="utf-8")
    return cli(settings, tmp_path, "agreement", "apply", str(path))


def test_an_agreement_is_applied_versioned_listed_and_shown_without_its_key(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    first = apply(settings, tmp_path, agreement_text(1))
    assert first.returncode == 0, first.stderr
    assert "applied agreement with KH-NCC v1 (new partner)" in first.stdout
    assert "unchanged" in apply(settings, tmp_path, agreement_text(1)).stdout
    second = apply(settings, tmp_path, agreement_text(2, retention_days=30))
    assert "applied agreement with KH-NCC v2 (was v1)" in second.stdout
    older = apply(settings, tmp_path, agreement_text(1))
    assert older.returncode == 2
    assert "version 1 is older" in older.stderr

    listed = json.loads(cli(settings, tmp_path, "agreement", "list", "--json").stdout)
    assert [(a["partner"], a["version"], a["retention_days"]) for a in listed] == [(PARTNER, 2, 30)]
    shown = cli(settings, tmp_path, "agreement", "show", PARTNER)
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["has_blind_key"] is True
    assert BLIND_KEY not in shown.stdout
    assert "blind_key" not in document


def test_a_bad_agreement_file_is_refused_with_the_reason_and_nothing_is_stored(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    bad = agreement_text().replace("retention_days: 90", "retention_days: 0")
    refused = apply(settings, tmp_path, bad + "onward: yes\n")
    assert refused.returncode == 2
    assert "retention_days" in refused.stderr
    assert "onward" in refused.stderr
    assert json.loads(cli(settings, tmp_path, "agreement", "list", "--json").stdout) == []


def test_a_peer_needs_an_agreement_and_its_key_is_never_shown(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    url = "http://127.0.0.1:9/taxii2/"
    without = cli(settings, tmp_path, "peer", "add", PARTNER, url, "--key", "k-secret")
    assert without.returncode == 2
    assert "no agreement with KH-NCC" in without.stderr
    agree(node_database, agreement_text())
    added = cli(settings, tmp_path, "peer", "add", PARTNER, url, "--key", "k-secret")
    assert added.returncode == 0, added.stderr
    again = cli(settings, tmp_path, "peer", "add", PARTNER, url, "--key", "k-secret")
    assert again.returncode == 2
    assert "exists already" in again.stderr
    listed = cli(settings, tmp_path, "peer", "list", "--json")
    assert "k-secret" not in listed.stdout
    assert [(p["name"], p["url"], p["last_sync_at"]) for p in json.loads(listed.stdout)] == [
        (PARTNER, url, None)
    ]
    assert cli(settings, tmp_path, "peer", "remove", PARTNER).returncode == 0
    assert cli(settings, tmp_path, "peer", "remove", PARTNER).returncode == 2
    with node_database.engine.connect() as connection:
        actions = [e.event.action for e in read_audit_entries(connection)]
    assert actions.count("peer.added") == 1
    assert actions.count("peer.removed") == 1


def test_sync_without_peers_says_so_and_an_unknown_peer_is_refused(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    done = cli(settings, tmp_path, "sync")
    assert done.returncode == 0, done.stderr
    assert "No peers to sync" in done.stdout
    assert cli(settings, tmp_path, "sync", "--peer", "nobody").returncode == 2
    nothing = cli(settings, tmp_path, "refusals")
    assert (nothing.returncode, nothing.stdout.strip()) == (0, "Nothing refused.")


class FailingPeer(BaseHTTPRequestHandler):
    """Answers every request with one status and a TAXII error message."""

    status = 503
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = json.dumps(
            {"title": "Peer down", "description": "maintenance", "http_status": str(self.status)}
        ).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/taxii+json;version=2.1")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def failing_peer() -> Iterator[tuple[str, type[FailingPeer]]]:
    handler = type("Handler", (FailingPeer,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/taxii2/", handler
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("status", "attempts"), [(503, 3), (401, 1)])
def test_a_failing_peer_is_retried_only_when_worth_it_and_its_error_recorded(
    settings: Settings,
    node_database: NodeDatabase,
    tmp_path: Path,
    failing_peer: tuple[str, type[FailingPeer]],
    status: int,
    attempts: int,
) -> None:
    url, handler = failing_peer
    handler.status = status
    agree(node_database, agreement_text())
    peer_at(node_database, PARTNER, url)
    done = cli(settings, tmp_path, "sync")
    assert done.returncode == 1
    assert f"{status} Peer down: maintenance" in done.stdout
    # Two retries after the first try for transient failures; none for a refusal.
    assert len(handler.requests) == attempts
    with node_database.engine.connect() as connection:
        peer = find_peer(connection, PARTNER, node_database.sealer)
        audited = [e.event for e in read_audit_entries(connection)]
    assert peer is not None
    assert peer.last_error == f"{status} Peer down: maintenance"
    assert peer.last_sync_at is not None
    assert audited[-1].action == "federation.sync"
    assert audited[-1].details["error"] == f"{status} Peer down: maintenance"


def test_an_unreachable_peer_fails_the_sync_but_not_the_others(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/taxii2/"
    for partner in (PARTNER, "LA-MPS"):
        agree(node_database, agreement_text(partner=partner))
        peer_at(node_database, partner, closed)
    done = cli(settings, tmp_path, "sync", "--json")
    assert done.returncode == 1
    results = json.loads(done.stdout)
    assert [r["peer"] for r in results] == [PARTNER, "LA-MPS"]
    assert all("cannot reach" in r["error"] for r in results)
