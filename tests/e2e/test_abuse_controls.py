"""Abuse controls, against the real app and database: public requests over the rate limits are
refused with 429 and told when to come back (API, pages, TAXII), the hash-prefix range cannot
be walked faster than the limit, keys are not a way around it, over-long query strings and
headers are refused by a real server, and API keys are stored and checked as argon2 hashes."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from e2e.conftest import make_key
from scamintel.access import keys as api_keys_module
from scamintel.access.keys import OrganisationKind, Role
from scamintel.api import create_app
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import api_keys

CLIENT_LIMIT = 30
PUBLIC_OPERATIONS = [
    ("get", "/api/v1/check"),
    ("get", "/api/v1/range/{prefix}"),
    ("post", "/api/v1/classify"),
    ("post", "/api/v1/extract"),
    ("post", "/api/v1/reports"),
    ("post", "/api/v1/disputes"),
    ("post", "/api/v1/subject-requests"),
    ("get", "/api/v1/subject-requests/{request_id}"),
    ("get", "/api/v1/transparency"),
    ("get", "/api/v1/alerts"),
    ("get", "/api/v1/bundle"),
    ("get", "/api/v1/audit/consistency"),
    ("post", "/api/v1/audit/heads/check"),
    ("get", "/taxii2/api/collections/"),
]


def limited_app(
    settings: Settings, database: NodeDatabase, client_per_minute: int, global_per_second: int
) -> FastAPI:
    limited = settings.model_copy(
        update={
            "rate_limit_client_per_minute": client_per_minute,
            "rate_limit_global_per_second": global_per_second,
        }
    )
    return create_app(limited, database=database)


def client_at(app: FastAPI, address: str) -> TestClient:
    """A client calling from ``address`` (the ASGI scope's client, as uvicorn gives it)."""
    return TestClient(app, client=(address, 40_000))


def walk_prefixes(get: Callable[[str], httpx.Response], count: int) -> list[httpx.Response]:
    return [get(f"/api/v1/range/{prefix:05x}") for prefix in range(count)]


def raw_status_line(server: str, target: str) -> bytes:
    """The status line for a request httpx would not send (it refuses URLs over 64 KiB)."""
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        return connection.recv(4096).split(b"\r\n", 1)[0]


def assert_told_when_to_come_back(answer: httpx.Response) -> None:
    assert answer.status_code == 429
    assert answer.headers["content-type"] == "application/problem+json"
    retry_after = int(answer.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert f"try again in {retry_after} seconds" in answer.json()["detail"]


def test_walking_the_range_from_one_address_is_refused_after_the_limit_and_stays_refused(
    settings: Settings, node_database: NodeDatabase
) -> None:
    app = limited_app(settings, node_database, CLIENT_LIMIT, 0)
    walker = client_at(app, "198.51.100.20")
    answers = walk_prefixes(walker.get, 100)
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200] * CLIENT_LIMIT + [429] * (100 - CLIENT_LIMIT)
    for answer in answers[CLIENT_LIMIT:]:
        assert_told_when_to_come_back(answer)
    # Still refused from the same address, whatever it asks for: check, pages, reports.
    assert walker.get("/api/v1/check", params={"q": "0812345678"}).status_code == 429
    assert walker.post("/api/v1/extract", json={"text": "call 0812345678"}).status_code == 429
    assert walker.get("/check", params={"q": "0812345678"}).status_code == 429
    # Another address is served.
    assert client_at(app, "198.51.100.21").get("/api/v1/range/fffff").status_code == 200


def test_a_valid_key_is_not_held_to_the_address_limit_but_a_made_up_key_is(
    settings: Settings, node_database: NodeDatabase
) -> None:
    bank_key = make_key(
        node_database.engine, Role.REPORTER, "Example Bank", kind=OrganisationKind.BANK
    )
    app = limited_app(settings, node_database, CLIENT_LIMIT, 0)
    shared_address = client_at(app, "198.51.100.30")
    keyed = {"Authorization": f"Bearer {bank_key}"}
    assert shared_address.get("/api/v1/range/00000", headers=keyed).status_code == 200
    assert 429 in {answer.status_code for answer in walk_prefixes(shared_address.get, 40)}

    served = [shared_address.get(f"/api/v1/range/{n:05x}", headers=keyed) for n in range(60)]
    assert {answer.status_code for answer in served} == {200}
    served_by_header = shared_address.get("/api/v1/range/0abcd", headers={"X-API-Key": bank_key})
    assert served_by_header.status_code == 200

    for made_up in (bank_key[:-4] + "AAAA", "si_000000000000_guess", "not-a-key"):
        refused = shared_address.get("/api/v1/range/00001", headers={"X-API-Key": made_up})
        assert_told_when_to_come_back(refused)


def test_made_up_keys_use_up_the_address_bucket_like_keyless_requests(
    settings: Settings, node_database: NodeDatabase
) -> None:
    # A low figure: each guess costs an argon2 verification (slow on purpose).
    limit = 3
    app = limited_app(settings, node_database, limit, 0)
    guesser = client_at(app, "198.51.100.40")
    guesses = [
        guesser.get("/api/v1/range/00000", headers={"Authorization": f"Bearer si_{n:012x}_x"})
        for n in range(limit)
    ]
    assert 429 not in {answer.status_code for answer in guesses}
    assert_told_when_to_come_back(guesser.get("/api/v1/range/00000"))


def test_a_crowd_of_addresses_meets_the_global_limit(
    settings: Settings, node_database: NodeDatabase
) -> None:
    per_second = 5
    app = limited_app(settings, node_database, 0, per_second)
    started = time.monotonic()
    answers = [client_at(app, f"203.0.113.{n}").get("/api/v1/range/00000") for n in range(30)]
    elapsed = time.monotonic() - started
    allowed = sum(answer.status_code == 200 for answer in answers)
    assert per_second <= allowed <= per_second + int(elapsed * per_second) + 1
    refused = [answer for answer in answers if answer.status_code == 429]
    assert len(refused) == len(answers) - allowed
    assert_told_when_to_come_back(refused[0])
    assert "too many requests without an API key just now" in refused[0].json()["detail"]


def test_a_keyed_caller_is_served_while_a_crowd_has_used_up_the_global_limit(
    settings: Settings, node_database: NodeDatabase
) -> None:
    bank_key = make_key(
        node_database.engine, Role.REPORTER, "Siam Bank", kind=OrganisationKind.BANK
    )
    app = limited_app(settings, node_database, 60, 2)
    crowd = [client_at(app, f"203.0.113.{n}").get("/api/v1/range/00000") for n in range(10)]
    assert 429 in {answer.status_code for answer in crowd}
    bank = client_at(app, "198.51.100.77")
    # A fresh app's key cache is empty: the key is verified past the global refusal.
    answer = bank.get("/api/v1/range/00000", headers={"X-API-Key": bank_key})
    assert answer.status_code == 200, answer.text
    # A made-up key is not let through, and each try costs its address a token.
    guesser = client_at(app, "198.51.100.78")
    made_up = guesser.get("/api/v1/range/00000", headers={"X-API-Key": "si_0123456789ab_x"})
    assert made_up.status_code == 429
    assert "just now" in made_up.json()["detail"]


def test_a_refused_page_reader_gets_a_page_in_their_language_and_taxii_a_taxii_error(
    settings: Settings, node_database: NodeDatabase
) -> None:
    app = limited_app(settings, node_database, 1, 0)
    reader = client_at(app, "198.51.100.50")
    assert reader.get("/?lang=th").status_code == 200
    page = reader.get("/check", params={"q": "0812345678"}, headers={"Accept": "text/html"})
    assert page.status_code == 429
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="th"' in page.text
    assert "โปรดรอสักครู่" in page.text  # "Please wait a moment"
    assert int(page.headers["retry-after"]) >= 1
    assert "script-src 'self'" in page.headers["content-security-policy"]  # the pages' own

    taxii = reader.get("/taxii2/", headers={"Accept": "application/taxii+json;version=2.1"})
    assert taxii.status_code == 429
    assert taxii.headers["content-type"] == "application/taxii+json;version=2.1"
    assert taxii.json()["http_status"] == "429"
    assert "try again in" in taxii.json()["description"]


def test_the_operators_probes_and_files_are_not_counted(
    settings: Settings, node_database: NodeDatabase
) -> None:
    app = limited_app(settings, node_database, 1, 1)
    operator = client_at(app, "198.51.100.60")
    for _ in range(5):
        assert operator.get("/healthz").status_code == 200
        assert operator.get("/metrics").status_code == 200


def test_the_openapi_document_says_which_operations_answer_429_and_413(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    for method, path in PUBLIC_OPERATIONS:
        responses = document["paths"][path][method]["responses"]
        assert "429" in responses, f"{method.upper()} {path}"
        assert "Retry-After" in responses["429"]["headers"]
        if method == "post":
            assert "413" in responses, f"{method.upper()} {path}"
    assert "429" not in document["paths"]["/healthz"]["get"]["responses"]


def test_over_long_query_strings_and_headers_are_refused_by_the_real_server(
    server: str,
) -> None:
    long_query = server + "/api/v1/check?q=" + "a" * 62_000
    refused = httpx.get(long_query, timeout=30)
    assert refused.status_code == 414
    assert refused.headers["content-type"] == "application/problem+json"
    assert "reads at most 61440" in refused.json()["detail"]
    assert refused.headers["x-content-type-options"] == "nosniff"

    page = httpx.get(server + "/check?lang=vi&q=" + "a" * 62_000, headers={"Accept": "text/html"})
    assert page.status_code == 414
    assert "Văn bản này quá dài để kiểm tra tại đây" in page.text

    # Past 64 KiB uvicorn itself refuses the request line (docs/security.md): never a 5xx.
    assert raw_status_line(server, "/api/v1/check?q=" + "a" * 70_000).startswith(b"HTTP/1.1 400")

    too_long_value = httpx.get(server + "/api/v1/check", params={"q": "1" * 3_000})
    assert too_long_value.status_code == 422
    assert "q" in too_long_value.json()["detail"]

    headers = httpx.get(server + "/api/v1/check?q=1", headers={"X-Padding": "a" * 40_000})
    assert headers.status_code == 431
    assert "reads at most 32768" in headers.json()["detail"]
    many = {f"X-Padding-{n}": "a" * 100 for n in range(400)}
    assert httpx.get(server + "/healthz", headers=many).status_code == 431

    body = httpx.post(server + "/api/v1/extract", content=b"{" + b" " * 2_000_000 + b"}")
    assert body.status_code == 413
    assert "larger than 1000000 bytes" in body.json()["detail"]
    assert httpx.get(server + "/healthz").status_code == 200


def test_a_key_is_stored_as_an_argon2id_hash_never_as_the_token(
    node_database: NodeDatabase,
) -> None:
    token = make_key(node_database.engine, Role.ANALYST)
    _prefix, key_id, secret = token.split("_", 2)
    with node_database.engine.connect() as connection:
        row = connection.execute(select(api_keys).where(api_keys.c.key_id == key_id)).one()
    assert row.secret_hash.startswith("$argon2id$")
    stored = " ".join(str(value) for value in row)
    assert secret not in stored
    assert token not in stored


def test_an_unknown_key_id_and_a_wrong_secret_take_the_same_path(
    client: TestClient,
    node_database: NodeDatabase,
    analyst_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[str] = []
    real_check = api_keys_module.secret_matches

    def recording_check(secret_hash: str, secret: str) -> bool:
        checked.append(secret_hash)
        return real_check(secret_hash, secret)

    monkeypatch.setattr(api_keys_module, "secret_matches", recording_check)
    _prefix, key_id, secret = analyst_key.split("_", 2)
    wrong_secret = f"si_{key_id}_{secret[::-1]}"
    unknown_id = f"si_{'0' * 12}_{secret}"
    answers = [
        client.get("/api/v1/clusters", headers={"Authorization": f"Bearer {token}"})
        for token in (wrong_secret, unknown_id)
    ]
    assert [answer.status_code for answer in answers] == [401, 401]
    assert answers[0].json() == answers[1].json()
    # One argon2id verification each: the stored hash, then a stand-in for the unknown id.
    assert len(checked) == 2
    assert all(secret_hash.startswith("$argon2id$") for secret_hash in checked)
    assert checked[0] != checked[1]


def test_settings_are_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCAMINTEL_RATE_LIMIT_CLIENT_PER_MINUTE", "7")
    monkeypatch.setenv("SCAMINTEL_RATE_LIMIT_GLOBAL_PER_SECOND", "0")
    read = Settings(home=tmp_path)
    assert (read.rate_limit_client_per_minute, read.rate_limit_global_per_second) == (7, 0)
    assert Settings(home=tmp_path / "defaults").rate_limit_client_burst == 0
