"""Two real nodes on loopback: node B pulls node A's listings over TAXII with `scamintel sync`
(and in the background of `scamintel serve`), once each, revocations included, and a peer
that dies mid-sync costs nothing."""

from __future__ import annotations

import json
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from e2e.conftest import make_key
from e2e.nodes import Node, second_node, serving
from scamintel.access.keys import Role
from scamintel.federation.agreement import Agreement
from scamintel.federation.stix import indicator_id
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.peers_repo import find_peer
from scamintel.storage.tables import listings

A_NAME, B_NAME = "TH-AOC", "KH-NCC"
PHONES = [Indicator(IndicatorType.PHONE, f"+6681234560{i}", "TH") for i in range(5)]
URLS = [Indicator(IndicatorType.URL, f"https://scam-shop-{i}.com/pay") for i in range(2)]


def agreement(partner: str) -> Agreement:
    return Agreement.model_validate(
        {
            "partner": partner,
            "version": 1,
            "types": ["phone", "url"],
            "markings": ["clear", "green", "amber"],
            "share_as": "amber",
            "purposes": ["prevention"],
            "retention_days": 90,
            "legal_basis": "Thailand-Cambodia MoU on online fraud",
        }
    )


@pytest.fixture
def node_a(settings: Settings, node_database: NodeDatabase, tmp_path: Path) -> Node:
    """Node A: listings from a verified agency's reports, an agreement with B."""
    a_settings = settings.model_copy(update={"node_name": A_NAME})
    reports = [
        NewReport(
            id=uuid.uuid4(),
            source=ReportSource.API,
            scam_type=ScamType.INVESTMENT,
            channel=Channel.LINE,
            received_at=datetime.now(UTC),
            indicators=(ReportedIndicator(indicator, indicator.value, "given"),),
            trust="verified_agency",
            source_key="org:1",
        )
        for indicator in PHONES + URLS
    ]
    with node_database.transaction() as store:
        store.add_reports(reports)
        store.refresh_listings(store.touched_indicator_ids)
    with node_database.engine.begin() as connection:
        apply_agreement(
            connection, agreement(B_NAME), node_database.sealer, "test", datetime.now(UTC)
        )
        listed = connection.execute(select(listings.c.value)).scalars().all()
    assert sorted(listed) == sorted(i.value for i in PHONES + URLS)
    (tmp_path / "a").mkdir(exist_ok=True)
    return Node(a_settings, node_database, tmp_path / "a")


@pytest.fixture
def node_b(second_database_url: str, tmp_path: Path) -> Iterator[Node]:
    node = second_node(
        second_database_url, tmp_path, name=B_NAME, country="KH", agreement=agreement(A_NAME)
    )
    yield node
    node.database.dispose()


@pytest.fixture
def partner_key(node_a: Node) -> str:
    """The key node A issued to node B."""
    return make_key(node_a.database.engine, Role.PARTNER, B_NAME)


def expected_ids() -> set[str]:
    return {indicator_id(i) for i in PHONES + URLS}


def test_b_pulls_a_listings_once_and_a_removal_arrives_as_a_revocation(
    node_a: Node, node_b: Node, partner_key: str
) -> None:
    with serving(node_a) as (a_url, _):
        added = node_b.cli("peer", "add", A_NAME, f"{a_url}/taxii2/", "--key", partner_key)
        assert added.returncode == 0, added.stderr
        first = node_b.cli("sync", "--page-size", "2")
        assert first.returncode == 0, first.stdout + first.stderr
        # 7 objects at 2 a page: 4 pages.
        assert f"{A_NAME}: 4 pages, 7 objects received, 7 stored, 0 refused" in first.stdout
        held = node_b.received()
        assert set(held) == expected_ids()
        assert {value for value, _ in held.values()} == {i.value for i in PHONES + URLS}
        assert not any(revoked for _, revoked in held.values())

        second = node_b.cli("sync", "--page-size", "2", "--json")
        assert second.returncode == 0, second.stderr
        [again] = json.loads(second.stdout)
        assert (again["stored"], again["error"], again["next"]) == (0, None, None)
        assert node_b.received() == held

        disputed = PHONES[0]
        opened = node_a.cli(
            "dispute", "open", disputed.value, "--claim", "a pharmacy's number", "--json"
        )
        assert opened.returncode == 0, opened.stderr
        decided = node_a.cli(
            "dispute",
            "decide",
            json.loads(opened.stdout)["id"],
            "--decision",
            "upheld",
            "--reason",
            "the pharmacy's number since June",
        )
        assert decided.returncode == 0, decided.stderr
        third = node_b.cli("sync", "--json")
        assert third.returncode == 0, third.stderr
        [after] = json.loads(third.stdout)
        assert (after["received"], after["stored"]) == (1, 1)
    now_held = node_b.received()
    # Withdrawn: the record is deleted; the value (often an innocent party's) is forgotten,
    # and so is its STIX id (derived from the value).
    assert indicator_id(disputed) not in now_held
    assert {k: v for k, v in now_held.items() if k != indicator_id(disputed)} == {
        k: v for k, v in held.items() if k != indicator_id(disputed)
    }
    with node_b.database.engine.connect() as connection:
        peer = find_peer(connection, A_NAME, node_b.database.sealer)
    assert peer is not None
    assert (peer.next_cursor, peer.last_error) == (None, None)
    assert peer.added_after is not None


class DyingProxy(BaseHTTPRequestHandler):
    """Forwards to node A, but while ``dead`` drops the connection from the third objects
    page on, as a peer that goes down mid-sync."""

    upstream = ""
    dead = False
    object_pages = 0

    def do_GET(self) -> None:
        cls = type(self)
        if "/objects/" in self.path:
            cls.object_pages += 1
            if cls.dead and cls.object_pages >= 3:
                self.close_connection = True
                return
        request = urllib.request.Request(
            cls.upstream + self.path, headers={k: v for k, v in self.headers.items() if k != "Host"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                self._relay(answer.status, dict(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as error:
            self._relay(error.code, dict(error.headers.items()), error.read())

    def _relay(self, status: int, headers: dict[str, Any], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in (
                "content-length",
                "connection",
                "transfer-encoding",
                "date",
                "server",
            ):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def dying_proxy(upstream: str) -> Iterator[tuple[str, type[DyingProxy]]]:
    handler = type("Proxy", (DyingProxy,), {"upstream": upstream, "dead": True})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_a_peer_dying_mid_sync_keeps_the_committed_pages_and_the_next_sync_completes(
    node_a: Node, node_b: Node, partner_key: str
) -> None:
    with serving(node_a) as (a_url, _), dying_proxy(a_url) as (proxy_url, proxy):
        # The API root's URL, so every request goes through the proxy.
        node_b.cli("peer", "add", A_NAME, f"{proxy_url}/taxii2/api/", "--key", partner_key)
        broken = node_b.cli("sync", "--page-size", "2", "--json")
        assert broken.returncode == 1
        [failed] = json.loads(broken.stdout)
        assert (failed["pages"], failed["stored"]) == (2, 4)
        assert "cannot reach" in failed["error"]
        assert failed["next"] is not None
        assert len(node_b.received()) == 4
        with node_b.database.engine.connect() as connection:
            peer = find_peer(connection, A_NAME, node_b.database.sealer)
        assert peer is not None
        assert peer.last_error is not None
        assert peer.next_cursor == failed["next"]

        proxy.dead = False
        resumed = node_b.cli("sync", "--page-size", "2", "--json")
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        [done] = json.loads(resumed.stdout)
        # Resumed from the saved next: the two pages left, nothing read twice.
        assert (done["pages"], done["received"], done["stored"], done["error"]) == (2, 3, 3, None)
    assert set(node_b.received()) == expected_ids()
    with node_b.database.engine.connect() as connection:
        peer = find_peer(connection, A_NAME, node_b.database.sealer)
    assert peer is not None
    assert (peer.last_error, peer.next_cursor) == (None, None)


def test_serve_syncs_its_peers_in_the_background_and_stops_cleanly(
    node_a: Node, node_b: Node, partner_key: str
) -> None:
    with serving(node_a) as (a_url, _):
        node_b.cli("peer", "add", A_NAME, f"{a_url}/taxii2/", "--key", partner_key)
        with serving(node_b, {"SCAMINTEL_SYNC_INTERVAL_SECONDS": "1"}) as (_, b_process):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and set(node_b.received()) != expected_ids():
                time.sleep(0.5)
            assert set(node_b.received()) == expected_ids()
            b_process.terminate()
            # uvicorn shuts down gracefully, then re-raises the signal it caught.
            assert b_process.wait(timeout=60) in (0, -signal.SIGTERM)
    log = "".join(path.read_text() for path in node_b.cwd.glob("serve-*.log"))
    assert "federation.sync " in log
    assert "peer=TH-AOC" in log
    assert "Traceback" not in log
    assert "shutdown failed" not in log
    with node_b.database.engine.connect() as connection:
        peer = find_peer(connection, A_NAME, node_b.database.sealer)
    assert peer is not None
    assert peer.last_sync_at is not None
    assert peer.last_error is None
