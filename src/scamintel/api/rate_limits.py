"""Refuses, before any work is done, what the node will not serve: a query string or headers
over their size limits (414, 431) and public requests over the rate limits (429).

The rate limits apply to requests without a valid API key: banks, telcos and partner nodes
are known, counted and revocable, so their keys are not held to a per-address figure, and a
crowd of anonymous callers cannot starve them through the global bucket either. A key counts
as valid once the API has verified it (remembered for a minute, api/state.py); a request with
a key not verified yet (a bogus one, or the first after a pause) takes a token like a keyless
one, so making up keys is no way around the limit. The bucket logic is in
access/rate_limits.py; see docs/security.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from scamintel.access.rate_limits import Decision, RateLimiter, Refusal
from scamintel.api.auth import VERIFIED_KEY_STATE, MalformedAuthorizationError, token_from
from scamintel.api.middleware import is_taxii, send_refusal
from scamintel.api.problems import PROBLEM_MEDIA_TYPE
from scamintel.api.state import KeyVerifier
from scamintel.federation.taxii import TAXII_MEDIA_TYPE

# Not counted: files a page loads, the operator's probes, and the analyst pages behind their
# sign-in (the sign-in form itself is counted: it is where keys would be guessed).
UNLIMITED_PREFIXES = ("/static/", "/healthz", "/metrics", "/analyst/")
COUNTED_ANALYST_PATHS = ("/analyst/login",)
# Read by programs: their refusals stay JSON whatever the Accept header says (web/setup.py).
MACHINE_PREFIXES = ("/api", "/taxii2", "/static")


class RequestLimitsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        keys: KeyVerifier,
        max_query_bytes: int,
        max_header_bytes: int,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.keys = keys
        self.max_query_bytes = max_query_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query_bytes = len(scope.get("query_string", b""))
        if query_bytes > self.max_query_bytes:
            await self._refuse_long_query(scope, receive, send, query_bytes)
            return
        header_bytes = sum(len(name) + len(value) for name, value in scope["headers"])
        if header_bytes > self.max_header_bytes:
            detail = (
                f"The request headers come to {header_bytes} bytes; this node reads at most "
                f"{self.max_header_bytes}. Send fewer or shorter headers (cookies included)."
            )
            await send_refusal(scope, send, 431, detail)
            return
        if self._counted(scope):
            client = scope.get("client")
            address = client[0] if client else None
            token = presented_token(scope["headers"])
            decision = self.limiter.take(address)
            if decision.allowed:
                # Checked here even when the route asks for no key, so that the key is known
                # (and free) from now on.
                if token is not None and await self._valid_key(scope, token):
                    self.limiter.give_back(address)
            elif not await self._keyed_past_global_limit(scope, decision, token, address):
                await self._refuse_busy(scope, receive, send, decision)
                return
        await self.app(scope, receive, send)

    async def _keyed_past_global_limit(
        self, scope: Scope, decision: Decision, token: str | None, address: str | None
    ) -> bool:
        """A crowd of anonymous callers must not starve keyed ones: a request refused only by
        the global bucket goes on when its key is valid. Its address's own bucket pays for the
        check, so made-up keys cost argon2 work at the per-address rate at most."""
        if token is None or decision.refused_by is not Refusal.GLOBAL:
            return False
        if not self.limiter.take_client(address):
            return False
        if await self._valid_key(scope, token):
            self.limiter.give_back(address, global_too=False)
            return True
        return False

    async def _valid_key(self, scope: Scope, token: str) -> bool:
        """Verify ``token`` (argon2 is slow, so off the event loop) and leave the answer in
        the request's state for the route's own key check (api/auth.py), which then does not
        verify it a second time. A database that cannot be reached leaves the key unverified:
        the route meets the same outage and answers 503."""
        try:
            principal = await run_in_threadpool(self.keys.principal_for, token)
        except (DBAPIError, PoolTimeoutError):
            return False
        scope.setdefault("state", {})[VERIFIED_KEY_STATE] = (token, principal)
        return principal is not None

    def _counted(self, scope: Scope) -> bool:
        if not self.limiter.limits.any:
            return False
        path = str(scope.get("path", ""))
        if path.startswith(UNLIMITED_PREFIXES) and path not in COUNTED_ANALYST_PATHS:
            return False
        token = presented_token(scope["headers"])
        return token is None or not self.keys.recently_verified(token)

    async def _refuse_busy(
        self, scope: Scope, receive: Receive, send: Send, decision: Decision
    ) -> None:
        seconds = decision.retry_after_s
        headers = [(b"retry-after", str(seconds).encode())]
        if wants_a_page(scope):
            kind = "busy_client" if decision.refused_by is Refusal.CLIENT else "busy_node"
            await _send_page(scope, receive, send, 429, kind, seconds, headers)
            return
        if decision.refused_by is Refusal.CLIENT:
            limits = self.limiter.limits
            detail = (
                f"Too many requests without an API key from your address (at most "
                f"{limits.client_per_minute} a minute); try again in {seconds} seconds."
            )
        else:
            detail = (
                "This node is answering too many requests without an API key just now; try "
                f"again in {seconds} seconds."
            )
        await send_refusal(scope, send, 429, detail, headers)

    async def _refuse_long_query(
        self, scope: Scope, receive: Receive, send: Send, query_bytes: int
    ) -> None:
        if wants_a_page(scope):
            await _send_page(scope, receive, send, 414, "long_query", 0)
            return
        detail = (
            f"The query string is {query_bytes} bytes; this node reads at most "
            f"{self.max_query_bytes}. Send long text in a request body instead "
            "(POST /api/v1/extract or /api/v1/classify)."
        )
        await send_refusal(scope, send, 414, detail)


def presented_token(headers: Sequence[tuple[bytes, bytes]]) -> str | None:
    """The API key a request carries, unchecked (api/auth.py ``token_from``); a malformed
    Authorization header carries none (the route refuses it with 401)."""
    found: dict[bytes, str] = {}
    for name, value in headers:
        if name in (b"authorization", b"x-api-key"):
            found.setdefault(name, value.decode("latin-1"))
    try:
        return token_from(found.get(b"authorization"), found.get(b"x-api-key"))
    except MalformedAuthorizationError:
        return None


def wants_a_page(scope: Scope) -> bool:
    """A browser asking for a page: it gets HTML in its reader's language, not JSON."""
    if is_taxii(scope) or str(scope.get("path", "")).startswith(MACHINE_PREFIXES):
        return False
    accept = next((value for name, value in scope["headers"] if name == b"accept"), b"")
    return b"text/html" in accept


async def _send_page(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    kind: str,
    seconds: int,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """The page web/templates/error_limit.html says for ``kind``, in the reader's language."""
    # Imported here: the pages import the API's schemas (see create_app).
    from scamintel.web.rendering import page_for

    page = page_for(Request(scope, receive))
    response = page.render("error_limit.html", status=status, kind=kind, seconds=seconds)
    for name, value in headers:
        response.headers[name.decode()] = value.decode()
    await response(scope, receive, send)


def document_refusals(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds to an OpenAPI document the refusals the middleware makes before any route runs:
    429 (with ``Retry-After``) on every operation the rate limits count, 413 on every one
    that takes a body, 414 and 431 on all. TAXII operations answer them as TAXII error
    messages."""
    for path, operations in schema.get("paths", {}).items():
        media_type = TAXII_MEDIA_TYPE if path.startswith("/taxii2/") else PROBLEM_MEDIA_TYPE
        body: dict[str, Any] = {"content": {media_type: {}}}
        counted = not path.startswith(UNLIMITED_PREFIXES)
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if counted:
                responses.setdefault(
                    "429",
                    {
                        "description": "Too many requests without an API key; come back after "
                        "`Retry-After` seconds (docs/security.md)",
                        "headers": {
                            "Retry-After": {
                                "description": "Seconds to wait before trying again",
                                "schema": {"type": "integer", "minimum": 1},
                            }
                        },
                        "content": {media_type: {}},
                    },
                )
            if "requestBody" in operation:
                responses.setdefault(
                    "413",
                    {
                        "description": "The body is over the node's size limit",
                        "content": {media_type: {}},
                    },
                )
            # Refused before any route runs, whatever the operation.
            responses.setdefault(
                "414",
                {"description": "The query string is over the node's size limit", **body},
            )
            responses.setdefault(
                "431",
                {"description": "The request headers are over the node's size limit", **body},
            )
    return schema


def install_refusal_docs(app: FastAPI) -> None:
    """The app's OpenAPI document, built once, with :func:`document_refusals` applied."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_refusals(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
