"""Every route the app serves, read from the app itself, for the tests that check each one
against the roles table (access/roles.py PERMISSIONS)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Route

from scamintel.access.keys import Role


@dataclass(frozen=True, slots=True)
class ServedRoute:
    method: str
    path: str  # the template, "/api/v1/cases/{case_id}"
    # The roles its require_role dependency asks for; None when it asks for none.
    roles_asked: frozenset[Role] | None

    @property
    def line(self) -> str:
        return f"{self.method} {self.path}"


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        # Some FastAPI versions keep an included router as one entry that holds the router.
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def roles_asked(dependant: Dependant) -> frozenset[Role] | None:
    """The roles of the route's require_role dependency; None when it asks for none."""
    asked: tuple[Role, ...] | None = getattr(dependant.call, "roles", None)
    if asked is not None:
        return frozenset(asked)
    for dependency in dependant.dependencies:
        found = roles_asked(dependency)
        if found is not None:
            return found
    return None


def served_routes(app: FastAPI) -> list[ServedRoute]:
    """Each method of each route (HEAD included), in the app's order. A kind of route this
    does not know how to call (a mount, a websocket) fails here rather than go unchecked."""
    found = []
    for route in _routes(app.routes):
        if not isinstance(route, Route):
            raise TypeError(f"{route!r} is not an HTTP route: teach tests/e2e/app_routes.py it")
        asked = roles_asked(route.dependant) if isinstance(route, APIRoute) else None
        for method in sorted(route.methods or ()):
            found.append(ServedRoute(method, route.path, asked))
    return found
