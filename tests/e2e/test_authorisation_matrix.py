"""Every route of the app, read from the app itself, called with every HTTP method it has, as
a caller without a key and as a key of every role, and the answer checked against the one
table of who may do what (access/roles.py PERMISSIONS):

- a caller the table does not allow is refused: on the API and TAXII with 401 (no key, with a
  ``WWW-Authenticate`` header) or 403 (a key of another role); on the analyst pages with a
  redirect to the sign-in page (no session) or 403 (a session of another role);
- a caller the table allows is never refused: a 404 for a made-up id or a 422 for an empty body
  shows that the guard let it through;
- no route answers with a 5xx, and no route is missing from the table.

Conditions inside a route that another row opens (``?include_reporter=true``) are called too,
with a stated purpose so that only the role can refuse them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from e2e.app_routes import ServedRoute, served_routes
from e2e.conftest import make_key
from scamintel.access.keys import OrganisationKind, Role, split_token
from scamintel.access.roles import Permission, allows, conditions_of, governing_permission
from scamintel.federation.taxii import TAXII_MEDIA_TYPE
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.web.analyst.access import LOGIN_PATH, SESSION_COOKIE, session_token
from scamintel.web.security import CSRF_COOKIE, CSRF_FIELD

IDENTITIES: tuple[Role | None, ...] = (None, *Role)  # None: no key, no session
MADE_UP_UUID = "00000000-0000-4000-8000-00000000a11d"
# A plausible made-up value for each path parameter, by its name; a route with a parameter
# not named here fails the test, which says which one to add.
PATH_EXAMPLES: dict[str, str] = {
    "report_id": MADE_UP_UUID,
    "dispute_id": MADE_UP_UUID,
    "release_id": MADE_UP_UUID,
    "request_id": MADE_UP_UUID,
    "alert_id": MADE_UP_UUID,
    "status_id": MADE_UP_UUID,
    "operation_id": "1",
    "case_id": "1",
    "item_id": "1",
    "kind": "report",
    "ref": MADE_UP_UUID,
    "prefix": "5BAA6",
    "collection_id": MADE_UP_UUID,
    "object_id": f"indicator--{MADE_UP_UUID}",
    "path": "site.css",
}
PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")
# The API's surfaces: a key in the Authorization header, refusals as 401 and 403.
API_PREFIXES = ("/api/", "/taxii2/", "/healthz", "/metrics", "/openapi.json", "/docs", "/redoc")
SIGN_IN = ("POST", LOGIN_PATH)
PURPOSE = "authorisation-matrix"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FOLLOWED_BY_BODY = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True, slots=True)
class Call:
    route: ServedRoute
    url: str
    # The rows that decide who may make this call: the route's, and its condition's if any.
    rows: tuple[Permission, ...]

    @property
    def api(self) -> bool:
        return self.route.path.startswith(API_PREFIXES)

    @property
    def name(self) -> str:
        query = self.url.partition("?")[2]
        return f"{self.route.line}{'?' + query if query else ''}"


def example_path(route: ServedRoute) -> str:
    unknown = [name for name in PARAMETER.findall(route.path) if name not in PATH_EXAMPLES]
    assert unknown == [], f"{route.line}: add an example value for {unknown} to PATH_EXAMPLES"
    return PARAMETER.sub(lambda found: PATH_EXAMPLES[found.group(1)], route.path)


def calls_of(app: FastAPI) -> Iterator[Call]:
    for route in served_routes(app):
        permission = governing_permission(route.method, route.path)
        assert permission is not None, (
            f"{route.line} is in no row of access/roles.py PERMISSIONS: add it to the row that "
            "says who may use it, then run `scamintel governance docs`"
        )
        path = example_path(route)
        yield Call(route, path, (permission,))
        for condition, conditional in conditions_of(route.method, route.path):
            yield Call(route, f"{path}?{condition}&purpose={PURPOSE}", (permission, conditional))


class Caller:
    """One identity sending each call the way its surface expects it: a key in the
    Authorization header for the API, a signed session cookie for the pages, the key itself
    in the sign-in form; forms carry a valid CSRF token so only the role can refuse them."""

    def __init__(self, client: TestClient, settings: Settings, role: Role | None, key: str):
        self.client = client
        self.role = role
        self.key = key
        parts = split_token(key) if key else None
        self.session = session_token(settings.secret_key, parts[0]) if parts else None
        client.get(LOGIN_PATH)
        self.csrf_cookie = client.cookies.get(CSRF_COOKIE) or ""
        found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(LOGIN_PATH).text)
        assert found is not None
        self.csrf_token = found.group(1)

    def send(self, call: Call) -> Response:
        method = call.route.method
        headers = {}
        # Every call starts from the same cookies: signing out or in must not leak into the next.
        self.client.cookies.clear()
        self.client.cookies.set(CSRF_COOKIE, self.csrf_cookie)
        if call.api:
            if self.key:
                headers["Authorization"] = f"Bearer {self.key}"
            if call.route.path.startswith("/taxii2/"):
                headers["Accept"] = TAXII_MEDIA_TYPE
            if method not in BODY_METHODS:
                return self.client.request(method, call.url, headers=headers)
            content_type = TAXII_MEDIA_TYPE if "/taxii2/" in call.url else "application/json"
            headers["Content-Type"] = content_type
            body = b"{}" if method in FOLLOWED_BY_BODY else b""
            return self.client.request(method, call.url, headers=headers, content=body)
        if self.session is not None:
            self.client.cookies.set(SESSION_COOKIE, self.session)
        if method not in BODY_METHODS:
            return self.client.request(method, call.url, follow_redirects=False)
        form = {CSRF_FIELD: self.csrf_token}
        if (method, call.route.path) == SIGN_IN:
            form["api_key"] = self.key
        return self.client.request(method, call.url, data=form, follow_redirects=False)


def sent_to_sign_in(response: Response) -> bool:
    return response.status_code == 303 and response.headers.get("location", "").startswith(
        f"{LOGIN_PATH}?next="
    )


def mismatch(call: Call, role: Role | None, response: Response) -> str | None:
    """What is wrong with the answer, or None when it is what the table says."""
    status = response.status_code
    if status >= 500:
        return f"{status} (a server error)"
    allowed = all(allows(row, role) for row in call.rows)
    if allowed:
        if status in (401, 403) or sent_to_sign_in(response):
            return f"refused with {status}, though the table allows it"
        return None
    if call.api or (call.route.method, call.route.path) == SIGN_IN:
        expected = 401 if role is None else 403
        if status != expected:
            return f"{status}, expected {expected}"
        if status == 401 and call.api and "www-authenticate" not in response.headers:
            return "401 without a WWW-Authenticate header"
        return None
    if role is None:
        return None if sent_to_sign_in(response) else f"{status}, expected a redirect to sign in"
    return None if status == 403 else f"{status}, expected 403"


def key_for(node_database: NodeDatabase, role: Role | None) -> str:
    if role is None:
        return ""
    kind = {
        Role.REPORTER: OrganisationKind.BANK,
        Role.PARTNER: OrganisationKind.PARTNER_NODE,
    }.get(role, OrganisationKind.AGENCY)
    return make_key(node_database.engine, role, f"Matrix {role.value}", kind=kind, verified=True)


@pytest.mark.parametrize("role", IDENTITIES, ids=lambda role: role.value if role else "no-key")
def test_every_route_answers_each_identity_as_the_roles_table_says(
    client: TestClient, settings: Settings, node_database: NodeDatabase, role: Role | None
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    calls = list(calls_of(app))
    caller = Caller(client, settings, role, key_for(node_database, role))
    wrong = [
        f"{call.name}: {problem}"
        for call in calls
        if (problem := mismatch(call, role, caller.send(call))) is not None
    ]
    assert wrong == [], f"as {role.value if role else 'a caller without a key'}: {wrong}"
    # Every route and method was called, and every condition inside a route.
    assert {call.route for call in calls} == set(served_routes(app))
    assert any(len(call.rows) > 1 for call in calls)
