"""API keys: shown once at creation, stored only as an argon2 hash."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

KEY_PREFIX = "si"


class Role(StrEnum):
    REPORTER = "reporter"
    ANALYST = "analyst"
    INVESTIGATOR = "investigator"
    ADMIN = "admin"
    PARTNER = "partner"


class OrganisationKind(StrEnum):
    AGENCY = "agency"
    BANK = "bank"
    TELCO = "telco"
    POLICE = "police"
    PARTNER_NODE = "partner_node"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key_id: str
    secret: str

    @property
    def token(self) -> str:
        """What the holder sends in ``Authorization: Bearer``; never stored."""
        return f"{KEY_PREFIX}_{self.key_id}_{self.secret}"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request once its key is verified."""

    organisation_id: int
    organisation_name: str
    role: Role
    key_id: str
    organisation_kind: OrganisationKind = OrganisationKind.OTHER
    organisation_verified: bool = False

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}"


def issue_key() -> IssuedKey:
    return IssuedKey(key_id=secrets.token_hex(6), secret=secrets.token_urlsafe(32))


def split_token(token: str) -> tuple[str, str] | None:
    """The key id and secret of a presented token, or None when it is not shaped like one."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    # Key ids are hexadecimal; anything else (a NUL byte, say) is no key and never reaches
    # the database.
    if not (parts[1].isascii() and parts[1].isalnum()):
        return None
    return parts[1], parts[2]


def hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_secret(secret: str) -> str:
    return hasher().hash(secret)


def secret_matches(secret_hash: str, secret: str) -> bool:
    # argon2's verify compares in constant time.
    try:
        return hasher().verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _stand_in_hash() -> str:
    """The hash of a random secret nobody holds, made once per process: an unknown key id is
    checked against it, so it costs the same argon2 work as a known id with a wrong secret."""
    return hash_secret(secrets.token_urlsafe(32))


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    """Whether ``secret`` is the one behind ``secret_hash``. ``None`` (no key has that id)
    goes down the same path against a stand-in hash and is refused: how long a refusal takes
    must not tell a guesser which key ids exist."""
    if secret_hash is None:
        secret_matches(_stand_in_hash(), secret)
        return False
    return secret_matches(secret_hash, secret)
