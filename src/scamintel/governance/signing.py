"""The node's audit-signing key and the signed tree heads made with it.

The Ed25519 key is derived from the node's secret key under its own label, so every
stateless worker of a node holds the same key without storing one, and no other use of the
secret key can produce it. A signed head binds the node's name, the log's size, the Merkle
root of its entry hashes (governance/merkle.py), the hash of its last entry and the time."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KEY_LABEL = b"scamintel/audit-signing/v1\0"
# What a signature covers starts with this, so no other message of the node verifies as one.
HEAD_CONTEXT = "scamintel/audit-head/v1"
HASH_HEX = 64


class HeadFormatError(ValueError):
    """A signed head that cannot be read; the message says which field to fix."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def key_id_of(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()


@dataclass(frozen=True, slots=True)
class PublicKey:
    """What a partner or auditor needs to check this node's heads."""

    raw: bytes

    @property
    def key_id(self) -> str:
        return key_id_of(self.raw)

    @property
    def base64(self) -> str:
        return _b64(self.raw)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


def parse_public_key(text: str) -> PublicKey:
    """A public key as `scamintel audit key` prints it (base64 of the raw 32 bytes); a
    ValueError says what is wrong with another text."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{text!r} is not base64") from None
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an Ed25519 public key (32 bytes, as `scamintel audit key` prints)"
        ) from None
    return PublicKey(raw)


REDACTION_LABEL = b"scamintel/audit-redaction/v1\x00"


def redaction_message(redacted_through: int) -> bytes:
    return REDACTION_LABEL + str(redacted_through).encode("ascii")


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The keys whose heads this node accepts: its own, and the ones it signed with before
    its secret key changed (SCAMINTEL_AUDIT_RETIRED_KEYS). A head under any other key id is
    not this node's, whatever its content: a rewritten log re-signed with a new key must
    not pass as a rotation."""

    current: PublicKey
    retired: tuple[PublicKey, ...] = ()

    def key_for(self, key_id: str) -> PublicKey | None:
        for key in (self.current, *self.retired):
            if key.key_id == key_id:
                return key
        return None

    def is_retired(self, key_id: str) -> bool:
        return key_id != self.current.key_id and self.key_for(key_id) is not None

    def vouches_for_redaction(self, redacted_through: int, signature: str) -> bool:
        """Whether ``signature`` (base64) is this node's, current or retired key, over
        ``redacted_through``."""
        try:
            raw = base64.b64decode(signature, validate=True)
        except (ValueError, TypeError):
            return False
        message = redaction_message(redacted_through)
        return any(key.verify(message, raw) for key in (self.current, *self.retired))


class AuditSigner:
    """The node's Ed25519 key pair, derived from its secret key."""

    def __init__(self, secret_key: str) -> None:
        seed = hashlib.sha256(KEY_LABEL + secret_key.encode("utf-8")).digest()
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public = PublicKey(
            self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        )

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def key_ring(self, retired: Iterable[str] = ()) -> KeyRing:
        """This key and the retired ones (base64, as settings.audit_retired_keys lists them)."""
        keys = tuple(parse_public_key(text) for text in retired)
        return KeyRing(self.public, tuple(key for key in keys if key != self.public))

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def sign_redaction(self, redacted_through: int) -> str:
        """The signature a purge puts beside ``redacted_through`` (base64): only the holder of
        the node's key can vouch for blanking entries, so a forged purge entry cannot."""
        return _b64(self.sign(redaction_message(redacted_through)))

    def sign_head(
        self, *, node: str, size: int, root_hash: str, head_hash: str, signed_at: datetime
    ) -> SignedHead:
        unsigned = SignedHead(
            node=node,
            size=size,
            root_hash=root_hash,
            head_hash=head_hash,
            signed_at=signed_at,
            key_id=self.key_id,
            public_key=self.public.base64,
            signature="",
        )
        return unsigned.with_signature(_b64(self.sign(unsigned.message())))


@dataclass(frozen=True, slots=True)
class SignedHead:
    """A tree head of the audit log, signed: the log had ``size`` entries, the Merkle root of
    their hashes was ``root_hash`` and the last one's hash ``head_hash``."""

    node: str
    size: int
    root_hash: str
    head_hash: str
    signed_at: datetime
    key_id: str
    public_key: str  # base64 of the raw Ed25519 public key
    signature: str  # base64

    def message(self) -> bytes:
        """The canonical bytes the signature covers: every field but the signature and the
        public key (named by its id), as compact JSON."""
        fields = [
            HEAD_CONTEXT,
            self.node,
            self.size,
            self.root_hash,
            self.head_hash,
            self.signed_at.isoformat(timespec="microseconds"),
            self.key_id,
        ]
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def with_signature(self, signature: str) -> SignedHead:
        return SignedHead(
            self.node,
            self.size,
            self.root_hash,
            self.head_hash,
            self.signed_at,
            self.key_id,
            self.public_key,
            signature,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["signed_at"] = self.signed_at.isoformat(timespec="microseconds")
        return data

    @classmethod
    def from_json(cls, data: object) -> SignedHead:
        """A head as ``to_json`` wrote it (a partner's copy); HeadFormatError names what is
        wrong with a malformed one."""
        if not isinstance(data, dict):
            raise HeadFormatError(
                "a signed head is a JSON object (as `scamintel audit head --json` prints)"
            )
        missing = [name for name in _FIELDS if name not in data]
        if missing:
            raise HeadFormatError(f"the signed head lacks: {', '.join(missing)}")
        for name in (
            "node",
            "root_hash",
            "head_hash",
            "key_id",
            "public_key",
            "signature",
            "signed_at",
        ):
            if not isinstance(data[name], str):
                raise HeadFormatError(f"{name} must be a string")
        size = data["size"]
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise HeadFormatError("size must be a whole number of entries, 1 or more")
        for name in ("root_hash", "head_hash", "key_id"):
            if not _is_hash(data[name]):
                raise HeadFormatError(f"{name} must be {HASH_HEX} hexadecimal digits")
        try:
            signed_at = datetime.fromisoformat(data["signed_at"])
        except ValueError:
            raise HeadFormatError("signed_at must be an ISO 8601 date and time") from None
        if signed_at.tzinfo is None:
            raise HeadFormatError("signed_at must carry its UTC offset")
        for name in ("public_key", "signature"):
            try:
                base64.b64decode(data[name], validate=True)
            except (binascii.Error, ValueError):
                raise HeadFormatError(f"{name} must be base64") from None
        return cls(
            node=data["node"],
            size=size,
            root_hash=data["root_hash"].lower(),
            head_hash=data["head_hash"].lower(),
            signed_at=signed_at,
            key_id=data["key_id"].lower(),
            public_key=data["public_key"],
            signature=data["signature"],
        )


_FIELDS = tuple(SignedHead.__dataclass_fields__)


def _is_hash(value: str) -> bool:
    return len(value) == HASH_HEX and all(c in "0123456789abcdefABCDEF" for c in value)


def signature_problem(
    head: SignedHead, keys: PublicKey | KeyRing, node: str | None = None
) -> str | None:
    """Why ``head`` is not a head signed by one of ``keys`` (and, when given, for ``node``),
    or None. A key id that is neither the node's key nor a retired one is a problem."""
    ring = keys if isinstance(keys, KeyRing) else KeyRing(keys)
    key = ring.key_for(head.key_id)
    if key is None:
        retired = " nor a retired key in SCAMINTEL_AUDIT_RETIRED_KEYS" if ring.retired else ""
        return (
            f"the head of size {head.size} was signed with key {head.key_id[:16]}…, not this "
            f"node's key {ring.current.key_id[:16]}…{retired}"
        )
    if node is not None and head.node != node:
        return f"the head of size {head.size} names node {head.node!r}, not {node!r}"
    try:
        signature = base64.b64decode(head.signature, validate=True)
    except (binascii.Error, ValueError):
        return f"the signature of the head of size {head.size} is not base64"
    if not key.verify(head.message(), signature):
        return f"the signature of the head of size {head.size} does not match its content"
    return None


def verify_signature(head: SignedHead, keys: PublicKey | KeyRing, node: str | None = None) -> bool:
    return signature_problem(head, keys, node) is None
