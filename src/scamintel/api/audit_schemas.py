"""Bodies of the audit endpoints (docs/governance.md, section audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scamintel.governance.signing import SignedHead
from scamintel.storage.audit_repo import ConsistencyProof, HeadCheck, LogVerification, TrailEntry


class SignedHeadBody(BaseModel):
    """A signed tree head of the audit log, as GET /api/v1/audit/head gives it."""

    model_config = ConfigDict(extra="forbid")

    node: str = Field(max_length=200)
    size: int = Field(ge=1, description="Entries the head covers")
    root_hash: str = Field(
        min_length=64, max_length=64, description="RFC 9162 Merkle root of their entry hashes"
    )
    head_hash: str = Field(min_length=64, max_length=64, description="Hash of entry `size`")
    signed_at: datetime
    key_id: str = Field(min_length=64, max_length=64, description="SHA-256 of the public key")
    public_key: str = Field(max_length=200, description="Ed25519 public key, base64")
    signature: str = Field(max_length=200, description="Ed25519 signature, base64")

    @classmethod
    def of(cls, head: SignedHead) -> SignedHeadBody:
        return cls.model_validate(head.to_json())

    def as_json(self) -> dict[str, Any]:
        data = self.model_dump()
        data["signed_at"] = self.signed_at.isoformat(timespec="microseconds")
        return data


class VerificationOut(BaseModel):
    ok: bool
    entries: int
    redacted: int = Field(description="Oldest entries blanked by retention; checked by link")
    size: int = Field(description="Entries the head row says the log holds")
    head_hash: str
    root_hash: str | None
    signed_heads: int
    problems: list[str] = Field(description="Each thing that shows the log was edited")
    notes: list[str]

    @classmethod
    def of(cls, report: LogVerification) -> VerificationOut:
        return cls.model_validate(report.to_json())


class RetiredKeyOut(BaseModel):
    public_key: str = Field(description="base64 of the raw 32-byte public key")
    key_id: str = Field(description="SHA-256 of the raw public key, hex")


class KeyOut(BaseModel):
    node: str
    algorithm: str = "Ed25519"
    public_key: str = Field(description="base64 of the raw 32-byte public key")
    key_id: str = Field(description="SHA-256 of the raw public key, hex")
    retired: list[RetiredKeyOut] = Field(
        default_factory=list,
        description="Keys this node signed heads with before its secret key changed",
    )


class ConsistencyOut(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str] = Field(description="RFC 9162 §2.1.4.1 PROOF(first, D[second]), hex")
    algorithm: str

    @classmethod
    def of(cls, proof: ConsistencyProof) -> ConsistencyOut:
        return cls.model_validate(proof.to_json())


class HeadCheckOut(BaseModel):
    consistent: bool
    problems: list[str]
    head: SignedHeadBody
    size: int = Field(description="Entries the log holds today")
    latest: SignedHeadBody | None = Field(description="Today's latest signed head")
    proof: ConsistencyOut | None = Field(description="From the given head to `latest`")

    @classmethod
    def of(cls, check: HeadCheck) -> HeadCheckOut:
        return cls.model_validate(check.to_json())


class TrailEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str | None
    purpose: str | None
    legal_basis: str | None
    details: dict[str, Any]
    redacted: bool

    @classmethod
    def of(cls, entry: TrailEntry) -> TrailEntryOut:
        return cls.model_validate(entry.to_json())


class TrailOut(BaseModel):
    type: str
    value: str
    held: bool = Field(description="Whether this node holds a row for the value")
    note: str | None = Field(default=None, description="Set when the node holds no row")
    entries: list[TrailEntryOut]
