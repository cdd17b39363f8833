"""Every answer of the app carries the security headers, once each: every route of the app
(API, TAXII, pages, static files, OpenAPI viewers) called anonymously and with an admin key,
and the refusals made before any route runs (404, 405, 413, 414, 422, 429, 431)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import httpx2 as httpx
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Route

from e2e.conftest import make_key
from scamintel.access.keys import Role
from scamintel.api import create_app
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
PAGE_POLICY_MARK = "script-src 'self'"  # web/security.py: the pages' own policy
PATH_VALUES = {"path": "site.css", "prefix": "00000", "format": "csv"}


def every_route(routes: Iterable[BaseRoute]) -> Iterator[Route]:
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from every_route(inner.routes)
        elif isinstance(route, Route):
            yield route


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda found: PATH_VALUES.get(found.group(1), "1"), path)


def assert_security_headers(answer: httpx.Response, https: bool = False) -> None:
    where = f"{answer.request.method} {answer.request.url.path} -> {answer.status_code}"
    for name, value in EVERYWHERE.items():
        assert answer.headers.get_list(name) == [value], where
    assert "permissions-policy" in answer.headers, where
    policies = answer.headers.get_list("content-security-policy")
    assert len(policies) == 1, where
    # A page's own policy, the strict one of every other answer, or (the OpenAPI viewers'
    # HTML, which loads a CDN script) framing refused alone.
    assert "frame-ancestors 'none'" in policies[0], where
    if not answer.headers.get("content-type", "").startswith("text/html"):
        assert policies[0].startswith("default-src 'none'"), where
    assert ("strict-transport-security" in answer.headers) == https, where


def test_every_route_answers_with_the_security_headers(
    client: TestClient, node_database: NodeDatabase
) -> None:
    admin = {"Authorization": f"Bearer {make_key(node_database.engine, Role.ADMIN)}"}
    calls = 0
    for route in every_route(client.app.routes):  # type: ignore[attr-defined]
        for method in sorted(route.methods or ()):
            for headers in ({}, admin):
                answer = client.request(
                    method,
                    concrete(route.path),
                    headers=headers,
                    json={} if method in {"POST", "PUT", "PATCH"} else None,
                    follow_redirects=False,
                )
                assert_security_headers(answer)
                calls += 1
    assert calls >= 2 * 120  # every method of every route (129 when written), both ways


def test_a_page_keeps_its_own_policy(client: TestClient) -> None:
    for path in ("/", "/check?q=0812345678", "/report", "/analyst/login"):
        answer = client.get(path)
        assert PAGE_POLICY_MARK in answer.headers["content-security-policy"], path
        assert_security_headers(answer)


def test_the_refusals_made_before_any_route_carry_them_too(
    settings: Settings, node_database: NodeDatabase
) -> None:
    # Four answers counted (404, 405, 413, 422; 414 and 431 are refused before counting),
    # then the fifth is refused.
    limited = settings.model_copy(update={"rate_limit_client_per_minute": 4})
    client = TestClient(create_app(limited, database=node_database), raise_server_exceptions=False)
    answers = {
        404: client.get("/api/v1/no-such-thing"),
        405: client.delete("/api/v1/check"),
        413: client.post("/api/v1/extract", content=b"x" * (settings.max_body_bytes + 1)),
        414: client.get("/api/v1/check?q=" + "a" * (settings.max_query_bytes + 1)),
        431: client.get("/healthz", headers={"X-Padding": "a" * settings.max_header_bytes}),
    }
    answers[422] = client.get("/api/v1/range/not-hex")
    answers[429] = client.get("/api/v1/range/00000")
    for status, answer in answers.items():
        assert answer.status_code == status, answer.text
        assert_security_headers(answer)


def test_https_and_production_answers_tell_browsers_to_keep_to_https(
    settings: Settings, node_database: NodeDatabase
) -> None:
    over_https = TestClient(
        create_app(settings, database=node_database), base_url="https://node.example"
    )
    assert_security_headers(over_https.get("/api/v1/check?q=0812345678"), https=True)
    production = settings.model_copy(update={"environment": "production"})
    behind_proxy = TestClient(create_app(production, database=node_database))
    assert_security_headers(behind_proxy.get("/healthz"), https=True)
    assert_security_headers(behind_proxy.get("/"), https=True)


def test_the_answer_to_an_unhandled_error_carries_them_too(
    settings: Settings, node_database: NodeDatabase
) -> None:
    app = create_app(settings, database=node_database)

    @app.get("/api/v1/fails-for-the-test")
    def fails() -> None:
        raise RuntimeError("a bug")

    answer = TestClient(app, raise_server_exceptions=False).get("/api/v1/fails-for-the-test")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert "the operator has been told" in answer.json()["detail"]
    assert_security_headers(answer)
