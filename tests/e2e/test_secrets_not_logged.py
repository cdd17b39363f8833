"""Secrets never reach the logs: a real server (``scamintel serve``) with a known secret key and,
on PostgreSQL, a database address with a password, answers keyed requests, a failed and a
successful sign-in, a made-up key and a malformed request, and none of the secret key, the
database password, the API keys or the session cookie appears in what it wrote; the CLI's
``init`` and ``apikey create`` print the new key once on purpose, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import httpx2 as httpx
from sqlalchemy.engine import make_url

from e2e.conftest import csrf_token_of, make_key
from e2e.nodes import Node, serving
from helpers import run_scamintel
from scamintel.access.keys import Role
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase

KNOWN_SECRET_KEY = "known-secret-key-for-the-log-test-0123456789-abcdefghij"
DATABASE_PASSWORD = "db-password-that-must-not-be-logged"
SESSION_COOKIE = "scamintel_analyst"


def with_password(database_url: str) -> str:
    """The PostgreSQL address with a password (the test server trusts any); SQLite has none."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return database_url
    return url.set(password=DATABASE_PASSWORD).render_as_string(hide_password=False)


def secret_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "secret_key": KNOWN_SECRET_KEY,
            "database_url": with_password(settings.database_url),
        }
    )


def assert_nothing_secret(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{where} shows a secret ({secret[:6]}…)"
    # Neither the secret part of any API key nor a session cookie value.
    assert not re.search(r"si_[0-9a-f]{12}_[A-Za-z0-9_-]{20,}", text), where


def test_a_server_logs_no_secret_key_password_api_key_or_session(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    node = Node(secret_settings(settings), node_database, tmp_path)
    analyst_key = make_key(node_database.engine, Role.ANALYST)
    session = ""
    with serving(node) as (base, _process):
        keyed = {"Authorization": f"Bearer {analyst_key}"}
        assert httpx.get(base + "/api/v1/clusters", headers=keyed).status_code == 200
        assert httpx.get(base + "/api/v1/check?q=0812345678", headers=keyed).status_code == 200
        assert httpx.get(base + "/api/v1/clusters", headers={"X-API-Key": "si_0_bad"}).is_error
        bad_json = httpx.post(base + "/api/v1/reports", content=b"{not json")
        assert bad_json.status_code in {400, 422}
        assert httpx.get(base + "/api/v1/range/zzzzz").status_code == 422
        with httpx.Client(base_url=base) as browser:
            for key, expected in ((analyst_key[:-3] + "abc", 401), (analyst_key, 303)):
                form = browser.get("/analyst/login")
                signed_in = browser.post(
                    "/analyst/login",
                    data={"csrf_token": csrf_token_of(form.text), "api_key": key, "next": "/"},
                    follow_redirects=False,
                )
                assert signed_in.status_code == expected
            session = browser.cookies[SESSION_COOKIE]
            assert browser.get("/analyst/").status_code == 200
    written = next(tmp_path.glob("serve-*.log")).read_text()
    assert "Serving node" in written  # the server's own output, read back
    secrets = [KNOWN_SECRET_KEY, DATABASE_PASSWORD, analyst_key, session]
    assert_nothing_secret(written, secrets, "the server's output")


def test_the_cli_prints_a_new_key_once_and_logs_no_secret(
    settings: Settings, tmp_path: Path
) -> None:
    node_settings = secret_settings(settings)
    initialised = run_scamintel(node_settings, tmp_path, "init")
    assert initialised.returncode == 0, initialised.stderr
    created = run_scamintel(
        node_settings, tmp_path, "apikey", "create", "--org", "Example Bank", "--role", "reporter"
    )
    assert created.returncode == 0, created.stderr
    printed = created.stdout.decode()
    token = re.search(r"si_[0-9a-f]{12}_[A-Za-z0-9_-]+", printed)
    assert token is not None  # shown once, on purpose: the operator hands it over
    assert printed.count(token.group(0)) == 1
    secrets = [KNOWN_SECRET_KEY, DATABASE_PASSWORD, token.group(0)]
    assert_nothing_secret(created.stderr.decode(), secrets, "apikey create's log")
    for run in (initialised,):
        for stream in (run.stdout.decode(), run.stderr.decode()):
            assert_nothing_secret(stream, secrets, "init")
