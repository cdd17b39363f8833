"""What keeps the pages safe: the Content-Security-Policy, cookie flags, signed values and
the CSRF check of every form.

CSRF uses a signed double submit: the browser holds a random token in an HttpOnly cookie,
and every form carries the HMAC of that token under the node's secret key. A page on another
site can make the browser send the cookie, but it cannot read the cookie or compute the HMAC,
so it cannot fill in the field."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping

# No inline script or style anywhere: everything comes from the node's own /static/.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
CSRF_COOKIE = "scamintel_csrf"
CSRF_FIELD = "csrf_token"
LANGUAGE_COOKIE = "lang"
COUNTRY_COOKIE = "country"
# A year: the reader's language and country are preferences, not secrets.
PREFERENCE_MAX_AGE_S = 365 * 24 * 3600
# A day, not the browser session: phone browsers drop session cookies when they put a tab
# away, and a reader writing a long report would lose it on sending.
CSRF_MAX_AGE_S = 24 * 3600


class CsrfRejectedError(Exception):
    """A form came without the token of the page it was served on; nothing was stored.
    ``fields`` is what the form carried, so a long form can be shown again as typed."""

    def __init__(self, fields: Mapping[str, list[str]] | None = None) -> None:
        super().__init__("the form's CSRF token does not match")
        self.fields: Mapping[str, list[str]] = fields or {}


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(32)


def sign(secret_key: str, purpose: str, value: str) -> str:
    """An HMAC-SHA256 of ``value`` for one ``purpose`` (a token for one use cannot pass
    for another), URL-safe."""
    digest = hmac.new(
        secret_key.encode("utf-8"), f"{purpose}\x00{value}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def signed(secret_key: str, purpose: str, value: str) -> str:
    """``value`` with its signature appended, for a cookie the node reads back (login)."""
    return f"{value}.{sign(secret_key, purpose, value)}"


def unsigned(secret_key: str, purpose: str, token: str | None) -> str | None:
    """The value of a :func:`signed` token, or None when the signature does not match."""
    if not token or "." not in token:
        return None
    value, _, signature = token.rpartition(".")
    if not hmac.compare_digest(signature, sign(secret_key, purpose, value)):
        return None
    return value


def csrf_token_for(secret_key: str, cookie_value: str) -> str:
    return sign(secret_key, "csrf", cookie_value)


def csrf_is_valid(secret_key: str, cookie_value: str | None, submitted: str | None) -> bool:
    if not cookie_value or not submitted:
        return False
    return hmac.compare_digest(submitted, csrf_token_for(secret_key, cookie_value))
