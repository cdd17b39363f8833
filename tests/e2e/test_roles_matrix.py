"""access/roles.py PERMISSIONS (the table docs/governance.md's roles matrix is generated from)
names every route of the app, read from the app itself: each route is in exactly one row, an
API route that asks for a role asks for exactly that row's roles, one that asks for none is in
a public row, the analyst pages take their roles from it, and every route it names exists.
tests/e2e/test_authorisation_matrix.py then calls each route as every role to see it enforced."""

from __future__ import annotations

from fnmatch import fnmatchcase

from fastapi import FastAPI
from fastapi.testclient import TestClient

from e2e.app_routes import ServedRoute, served_routes
from scamintel.access.roles import PERMISSIONS, Permission, governing_permission
from scamintel.web.analyst.access import PAGE_ROLES

# The routes that check their caller's role in their own body rather than by require_role:
# the analyst pages (current_analyst reads PAGE_ROLES) and the sign-in form (the key it is sent).
CHECKED_IN_THE_BODY = ("* /analyst/*",)


def routes_of(client: TestClient) -> list[ServedRoute]:
    app = client.app
    assert isinstance(app, FastAPI)
    # HEAD follows the rule of GET; the table names GET.
    return [route for route in served_routes(app) if route.method != "HEAD"]


def rows_naming(route: ServedRoute) -> list[Permission]:
    return [
        permission
        for permission in PERMISSIONS
        if any("?" not in named and fnmatchcase(route.line, named) for named in permission.routes)
    ]


def test_every_route_of_the_app_is_in_exactly_one_row(client: TestClient) -> None:
    missing = [route.line for route in routes_of(client) if not rows_naming(route)]
    assert missing == [], (
        "these routes are in no row of access/roles.py PERMISSIONS (add them to the row that "
        f"says who may use them, then run `scamintel governance docs`): {missing}"
    )
    doubled = {
        route.line: [p.what for p in rows_naming(route)]
        for route in routes_of(client)
        if len(rows_naming(route)) > 1
    }
    assert doubled == {}, f"these routes are in more than one row of PERMISSIONS: {doubled}"


def test_every_route_that_asks_for_a_role_asks_for_its_rows_roles(client: TestClient) -> None:
    wrong = []
    for route in routes_of(client):
        if any(fnmatchcase(route.line, pattern) for pattern in CHECKED_IN_THE_BODY):
            continue
        permission = governing_permission(route.method, route.path)
        assert permission is not None, route.line
        expected = None if permission.public else frozenset(permission.roles)
        if route.roles_asked != expected:
            asked = sorted(route.roles_asked or ())
            wrong.append(f"{route.line} asks for {asked or 'no key'}; the table: {permission.what}")
    assert wrong == [], wrong


def test_the_analyst_pages_take_their_roles_from_the_table() -> None:
    for rule in PAGE_ROLES:
        permission = governing_permission(rule.method, rule.path)
        assert permission is not None, rule
        assert not permission.public, rule
        assert rule.roles == permission.roles, rule


def test_every_route_the_table_names_exists(client: TestClient) -> None:
    lines = [route.line for route in routes_of(client)]
    for permission in PERMISSIONS:
        for named in permission.routes:
            pattern = named.partition("?")[0]
            assert any(fnmatchcase(line, pattern) for line in lines), (
                f"access/roles.py names {named}, which no route matches"
            )
