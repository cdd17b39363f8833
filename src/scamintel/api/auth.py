"""Who is calling: an API key in ``Authorization: Bearer`` (or ``X-API-Key``), or nobody."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from scamintel.access.keys import Principal, Role
from scamintel.api.state import NodeState, node_state

# Where the rate limiter (api/rate_limits.py) leaves a key it verified for this request:
# (token, principal or None).
VERIFIED_KEY_STATE = "verified_api_key"

WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="scamintel"'}


class MalformedAuthorizationError(ValueError):
    pass


def token_from(authorization: str | None, api_key: str | None) -> str | None:
    """The API key a request presents, unchecked: ``Authorization: Bearer <key>`` first, then
    ``X-API-Key``. The rate limiter (api/rate_limits.py) reads keys with this too, so the two
    never disagree on whether a request carries one. Raises
    :class:`MalformedAuthorizationError` for an Authorization header of another scheme."""
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        raise MalformedAuthorizationError(authorization)
    if api_key is None:
        return None
    return api_key.strip() or None


def _presented_token(request: Request) -> str | None:
    try:
        return token_from(request.headers.get("authorization"), request.headers.get("x-api-key"))
    except MalformedAuthorizationError:
        raise HTTPException(
            401,
            "The Authorization header must be 'Bearer <api key>'.",
            headers=WWW_AUTHENTICATE,
        ) from None


def optional_principal(
    request: Request, node: Annotated[NodeState, Depends(node_state)]
) -> Principal | None:
    token = _presented_token(request)
    if token is None:
        return None
    # The rate limiter may have verified this very key already (api/rate_limits.py).
    checked: tuple[str, Principal | None] | None = getattr(request.state, VERIFIED_KEY_STATE, None)
    principal: Principal | None
    if checked is not None and checked[0] == token:
        principal = checked[1]
    else:
        principal = node.keys.principal_for(token)
    if principal is None:
        raise HTTPException(
            401,
            "The API key is not valid or was revoked; ask the node operator for a new one.",
            headers=WWW_AUTHENTICATE,
        )
    return principal


def require_role(*roles: Role) -> Callable[..., Principal]:
    allowed = ", ".join(role.value for role in roles)

    def dependency(
        principal: Annotated[Principal | None, Depends(optional_principal)],
    ) -> Principal:
        if principal is None:
            raise HTTPException(
                401,
                f"This needs an API key with one of the roles: {allowed}.",
                headers=WWW_AUTHENTICATE,
            )
        if principal.role not in roles:
            raise HTTPException(
                403, f"A {principal.role.value} key cannot do this; it needs one of: {allowed}."
            )
        return principal

    # Read by the roles-matrix test, which checks every route against access/roles.py.
    dependency.roles = roles  # type: ignore[attr-defined]
    return dependency
