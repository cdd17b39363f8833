"""What one running app holds: built by create_app, reached from requests."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from fastapi import Request

from scamintel.access.keys import Principal, split_token, verify_secret
from scamintel.classify.service import MessageContext, message_context
from scamintel.indicators import IndicatorRegistry, ParseContext
from scamintel.indicators.lookalike import BrandLookalikes
from scamintel.indicators.warninglist import Warninglist
from scamintel.settings import Settings
from scamintel.storage.access_repo import find_api_key
from scamintel.storage.node import NodeDatabase

# A revoked key stops working within this many seconds on every worker.
KEY_CACHE_SECONDS = 60.0


@dataclass
class KeyVerifier:
    """Verifies API keys against their argon2 hashes. Argon2 is slow on purpose, so a key
    verified recently is remembered by the SHA-256 of the token for a short while."""

    database: NodeDatabase
    _recent: dict[str, tuple[float, Principal]] = field(default_factory=dict)

    def principal_for(self, token: str) -> Principal | None:
        fingerprint = hashlib.sha256(token.encode()).hexdigest()
        cached = self._recent.get(fingerprint)
        now = time.monotonic()
        if cached is not None and now - cached[0] < KEY_CACHE_SECONDS:
            return cached[1]
        principal = self._verify(token)
        if principal is not None:
            if len(self._recent) > 10_000:
                self._recent.clear()
            self._recent[fingerprint] = (now, principal)
        return principal

    def recently_verified(self, token: str) -> bool:
        """Whether ``token`` was verified as a live key in the last KEY_CACHE_SECONDS: a hash
        and a dictionary look-up, cheap enough for the rate limiter to ask on every request."""
        cached = self._recent.get(hashlib.sha256(token.encode()).hexdigest())
        return cached is not None and time.monotonic() - cached[0] < KEY_CACHE_SECONDS

    def _verify(self, token: str) -> Principal | None:
        parts = split_token(token)
        if parts is None:
            return None
        key_id, secret = parts
        with self.database.engine.connect() as connection:
            stored = find_api_key(connection, key_id)
        # Unknown id, revoked key and wrong secret all cost one argon2 verification: a
        # refusal's timing does not tell a guesser which key ids exist.
        matches = verify_secret(stored.secret_hash if stored else None, secret)
        if stored is None or stored.revoked or not matches:
            return None
        return Principal(
            stored.organisation_id,
            stored.organisation_name,
            stored.role,
            key_id,
            stored.organisation_kind,
            stored.organisation_verified,
        )


@dataclass
class NodeState:
    settings: Settings
    database: NodeDatabase
    registry: IndicatorRegistry
    warninglist: Warninglist
    lookalikes: BrandLookalikes
    keys: KeyVerifier

    @property
    def messages(self) -> MessageContext:
        """What assessing a pasted message needs; the classifier is read on first use."""
        return message_context(
            self.registry, self.warninglist, self.lookalikes, self.settings.node_country
        )

    @property
    def context(self) -> ParseContext:
        return ParseContext(self.settings.node_country)


async def node_state(request: Request) -> NodeState:
    # async so that FastAPI does not hop to a worker thread just to read app state.
    state: NodeState = request.app.state.node
    return state
