"""A peer that misbehaves cannot send this node's key elsewhere, hold the sync for ever, or
make it store what it should not: each case ends the peer's sync with an error that says
what happened."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from scamintel.federation.sync import (
    SyncError,
    SyncOptions,
    TaxiiClient,
    choose_collection,
    resolve_api_root,
)
from scamintel.federation.taxii import LISTINGS_COLLECTION_ID


class Hostile(BaseHTTPRequestHandler):
    """Answers every GET with the JSON body its class holds for the path."""

    answers: ClassVar[dict[str, Any]] = {}
    seen_authorization: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen_authorization.append(self.headers.get("Authorization", ""))
        body = json.dumps(self.answers.get(self.path.split("?")[0], {})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/taxii+json;version=2.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def hostile(answers: dict[str, Any]) -> Iterator[str]:
    handler = type("Handler", (Hostile,), {"answers": answers, "seen_authorization": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def client() -> TaxiiClient:
    options = SyncOptions(page_size=10, retries=0, backoff_base=0.01, backoff_cap=0.01, timeout=5)
    return TaxiiClient("si_secret_key", "bearer", options, lambda _delay: False)


def test_a_discovery_naming_another_site_does_not_get_the_key() -> None:
    with (
        hostile(
            {"/taxii2/": {"default": "http://169.254.169.254/latest/", "api_roots": []}}
        ) as url,
        pytest.raises(SyncError, match="names an API root on another site"),
    ):
        resolve_api_root(client(), f"{url}/taxii2/")


def test_the_collection_is_the_one_under_an_agreement_never_a_silent_fallback() -> None:
    mine = {"id": "c-1", "title": "Shared with TH-AOC (agreement v1)", "can_read": True}
    listings = {"id": LISTINGS_COLLECTION_ID, "title": "listings", "can_read": True}
    assert choose_collection([listings, mine]) == "c-1"
    with pytest.raises(SyncError, match="no collection under an agreement"):
        choose_collection([listings])
    with pytest.raises(SyncError, match="several readable collections"):
        choose_collection([mine, {**mine, "id": "c-2"}])
