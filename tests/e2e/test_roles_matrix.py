"""access/roles.py PERMISSIONS (the table docs/governance.md's roles matrix is generated from)
names every API route that asks for a role, with exactly the roles the route enforces, and
every API route open to anyone in a public row; every route and analyst page it names exists
with those roles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from scamintel.access.keys import Role
from scamintel.access.roles import PERMISSIONS, Permission
from scamintel.web.analyst.access import PAGE_ROLES


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        # FastAPI keeps an included router as one entry that holds the router.
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from api_routes(inner.routes)
        elif isinstance(route, APIRoute):
            yield route


def roles_asked(dependant: Dependant) -> set[Role] | None:
    """The roles of the route's require_role dependency; None when it asks for none."""
    asked: tuple[Role, ...] | None = getattr(dependant.call, "roles", None)
    if asked is not None:
        return set(asked)
    for dependency in dependant.dependencies:
        found = roles_asked(dependency)
        if found is not None:
            return found
    return None


def keyed_routes(client: TestClient) -> dict[str, set[Role] | None]:
    found: dict[str, set[Role] | None] = {}
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        if route.path.startswith("/analyst"):
            continue  # the analyst pages: PAGE_ROLES, checked below
        for method in route.methods or ():
            found[f"{method} {route.path}"] = roles_asked(route.dependant)
    return found


def open_api_routes(client: TestClient) -> list[str]:
    """The routes of the API (the OpenAPI document's, and any under /api/ or /taxii2/ left out
    of it) that ask for no role: the public pages and static files are not API routes."""
    found = []
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        api = route.include_in_schema or route.path.startswith(("/api/", "/taxii2/"))
        if api and roles_asked(route.dependant) is None:
            found.extend(f"{method} {route.path}" for method in sorted(route.methods or ()))
    return found


def patterns(permission: Permission) -> list[str]:
    # API routes only; "…?include_reporter=true" names a condition inside a route that another
    # row gives, enforced in the route's body (tests/e2e/test_victim_data_by_role.py).
    return [route for route in permission.routes if " " in route and "?" not in route]


def test_every_route_that_asks_for_a_role_is_in_the_table_with_those_roles(
    client: TestClient,
) -> None:
    missing = []
    for route, roles in keyed_routes(client).items():
        if roles is None:
            continue
        covering = [p for p in PERMISSIONS if any(fnmatchcase(route, x) for x in patterns(p))]
        if not covering:
            missing.append(f"{route} ({', '.join(sorted(r.value for r in roles))})")
        for permission in covering:
            assert set(permission.roles) == roles, (
                f"{route} asks for {sorted(roles)}; access/roles.py says {permission.what!r}"
            )
    assert missing == [], (
        "these API routes ask for a role but access/roles.py PERMISSIONS does not name them "
        f"(add a row, then run `scamintel governance docs`): {missing}"
    )


def test_every_api_route_open_to_anyone_is_in_a_public_row(client: TestClient) -> None:
    public = [p for p in PERMISSIONS if p.public]
    missing = [
        route
        for route in open_api_routes(client)
        if not any(fnmatchcase(route, x) for p in public for x in patterns(p))
    ]
    assert missing == [], (
        "these API routes are open to anyone but no public row of access/roles.py PERMISSIONS "
        f"names them (add them, then run `scamintel governance docs`): {missing}"
    )


def test_every_route_the_table_names_exists_with_the_roles_it_gives(client: TestClient) -> None:
    routes = keyed_routes(client)
    pages = {rule.path: set(rule.roles) for rule in PAGE_ROLES if rule.method == "GET"}
    for permission in PERMISSIONS:
        for named in permission.routes:
            if " " not in named:
                assert pages.get(named) == set(permission.roles), (named, permission.what)
                continue
            matched = {
                r: roles for r, roles in routes.items() if fnmatchcase(r, named.partition("?")[0])
            }
            assert matched, f"access/roles.py names {named}, which no route matches"
            expected = None if permission.public else set(permission.roles)
            if "?" not in named:
                assert all(roles == expected for roles in matched.values()), (named, matched)
