"""Calling a peer node's REST API with the partner key stored for it (``scamintel peer add``):
blind releases (cli_release) and cross-border requests (federation.request_transport)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from scamintel import __version__
from scamintel.federation.sync import authorization_header
from scamintel.storage.peers_repo import Peer


class PeerAddressError(ValueError):
    """The peer's stored address is not an http(s) URL."""


class PeerCallError(RuntimeError):
    """The peer could not be reached (``status`` None) or answered with an error status; the
    message carries the peer's own words (its problem detail) when it gave them."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def node_base_url(peer_url: str) -> str:
    """scheme://host:port of the peer's TAXII address: the node's REST API lives there."""
    parsed = urllib.parse.urlsplit(peer_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise PeerAddressError(f"the peer's address {peer_url!r} is not an http:// or https:// URL")
    return f"{parsed.scheme}://{parsed.netloc}"


def call_peer(
    peer: Peer, method: str, path: str, body: dict[str, Any] | None, *, timeout: float
) -> dict[str, Any]:
    """One JSON call to the peer's REST API; raises PeerCallError (or PeerAddressError)."""
    base = node_base_url(peer.url)
    url = base + path
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - node_base_url checks the scheme
        url,
        data=data,
        method=method,
        headers={
            "Authorization": authorization(peer),
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": f"scamintel/{__version__}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise PeerCallError(
            f"{peer.name} answered {error.code}: {_problem_detail(error)}", error.code
        ) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        # The node's address, not this call's path: a peer that is down is down for every
        # call, and request_transport gives this error to each of the peer's requests.
        raise PeerCallError(f"cannot reach {peer.name} at {base}: {reason}") from error
    try:
        answer = json.loads(raw)
    except ValueError as error:
        raise PeerCallError(
            f"{peer.name} answered {url} with something that is not JSON"
        ) from error
    if not isinstance(answer, dict):
        raise PeerCallError(f"{peer.name} answered {url} with JSON that is not an object")
    return answer


def authorization(peer: Peer) -> str:
    """The Authorization header the peer was added with (``scamintel peer add --auth``), as
    the TAXII sync sends it: Basic for ``user:password`` peers, Bearer otherwise."""
    return authorization_header(peer.api_key or "", peer.auth)


def _problem_detail(error: urllib.error.HTTPError) -> str:
    """The peer's own words (its problem detail) when it gives them."""
    try:
        return str(json.loads(error.read()).get("detail") or error.reason)
    except (ValueError, AttributeError, OSError):
        return str(error.reason)
