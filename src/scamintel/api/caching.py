"""Conditional GET for the public answers that caches and CDNs may keep (the range API, the
bundle, the alert feeds): the ETag and Cache-Control they carry, and ``304 Not Modified``
when the client's If-None-Match names the current ETag (RFC 9110 §8.8.3, §13.1.2)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Unchanged since the ETag sent in If-None-Match"}
}


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag``: ``*`` or a list of entity tags,
    compared weakly (a ``W/`` prefix on either side is ignored, RFC 9110 §13.1.2)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def content_etag(body: bytes) -> str:
    """A strong ETag from the bytes themselves, for answers rendered deterministically."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def cacheable(
    request: Request,
    body: bytes,
    media_type: str,
    etag: str,
    max_age: int,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``body`` with its ETag, ``Cache-Control: public, max-age=…`` and ``headers``, or a
    bodiless 304 with the same headers when the client already holds it."""
    sent = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", **(headers or {})}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=sent)
    return Response(body, media_type=media_type, headers=sent)
