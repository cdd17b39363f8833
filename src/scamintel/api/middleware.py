"""ASGI middleware written against the raw protocol: it runs on every request, so it stays
cheap (no BaseHTTPMiddleware)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scamintel.api.problems import PROBLEM_MEDIA_TYPE, TITLES
from scamintel.federation.taxii import TAXII_MEDIA_TYPE, TaxiiError

# On every response, unless the route set the header itself.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]
# JSON, feeds and files load nothing and are framed by nobody. An HTML answer without a policy
# of its own (the OpenAPI viewers at /docs and /redoc load their script from a CDN) still may
# not be framed; the pages set a full policy (web/security.py).
NON_HTML_CONTENT_SECURITY_POLICY = b"default-src 'none'; frame-ancestors 'none'"
HTML_FALLBACK_CONTENT_SECURITY_POLICY = b"frame-ancestors 'none'"
# Two years with subdomains, the figure the HSTS preload list asks for.
STRICT_TRANSPORT_SECURITY = b"max-age=63072000; includeSubDomains"
# As problems.py words an unhandled error.
UNEXPECTED_ERROR_DETAIL = "Something went wrong on this node; the operator has been told."
# Titles of the refusals that problems.TITLES does not name.
_EXTRA_TITLES = {414: "Query string too long", 431: "Request headers too large"}


@dataclass
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram

    @classmethod
    def create(cls) -> Metrics:
        registry = CollectorRegistry()
        requests = Counter(
            "scamintel_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=registry,
        )
        latency = Histogram(
            "scamintel_http_request_seconds",
            "HTTP request latency by route",
            ["route"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )
        return cls(registry, requests, latency)


class BodyTooLargeError(Exception):
    pass


class BodyLimitMiddleware:
    """Refuses bodies over the limit before they are read into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLargeError:
            if not response_started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = f"The request body is larger than {self.max_bytes} bytes; send less."
        await send_refusal(scope, send, 413, detail)


def is_taxii(scope: Scope) -> bool:
    return str(scope.get("path", "")).startswith("/taxii2/")


async def send_refusal(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """A refusal made before the app ran: TAXII clients read a TAXII error message, everyone
    else problem details."""
    title = TITLES.get(status) or _EXTRA_TITLES.get(status, "Error")
    if is_taxii(scope):
        media_type = TAXII_MEDIA_TYPE
        error = TaxiiError(status, title, detail).body()
    else:
        media_type = PROBLEM_MEDIA_TYPE
        error = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body = json.dumps(error).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class MetricsAndHeadersMiddleware:
    """Counts requests by route template (not raw path, which would explode the label set)
    and adds the security headers to every response. It is the outermost of the node's
    middleware, so the refusals of the others (413, 414, 431, 429) carry the headers too.
    ``always_https``: the node runs in production, where only https reaches it (through its
    proxy), so browsers are told to keep to https; otherwise only an https request is."""

    def __init__(self, app: ASGIApp, metrics: Metrics, always_https: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.always_https = always_https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                https = self.always_https or scope.get("scheme") == "https"
                message["headers"] = with_security_headers(message.get("headers", []), https)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette answers an unhandled error outside every middleware, so without this
            # the 500 would go out bare. Its handler still runs (and logs); the server logs the
            # exception, re-raised.
            if not response_started:
                await send_refusal(scope, send_with_headers, 500, UNEXPECTED_ERROR_DETAIL)
            raise
        finally:
            route = _route_template(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)


def with_security_headers(
    headers: Iterable[tuple[bytes, bytes]], https: bool
) -> list[tuple[bytes, bytes]]:
    """``headers`` with each security header the response does not already carry."""
    result = list(headers)
    present = {name.lower() for name, _value in result}
    added = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
    if b"content-security-policy" not in present:
        added.append((b"content-security-policy", _fallback_policy(result)))
    if https and b"strict-transport-security" not in present:
        added.append((b"strict-transport-security", STRICT_TRANSPORT_SECURITY))
    return result + added


def _fallback_policy(headers: list[tuple[bytes, bytes]]) -> bytes:
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    if content_type.lower().startswith(b"text/html"):
        return HTML_FALLBACK_CONTENT_SECURITY_POLICY
    return NON_HTML_CONTENT_SECURITY_POLICY


def _route_template(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "unmatched"
