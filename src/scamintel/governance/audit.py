"""The audit chain: each entry's hash covers its content and the previous entry's hash, so
no entry can be altered, removed or reordered without the chain breaking."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64
# The keys of a retention purge's entry that vouch for the audit entries it redacted: the
# highest seq blanked, and the node's signature over it (governance/signing.py).
REDACTED_THROUGH = "redacted_through"
REDACTED_THROUGH_SIGNATURE = "redacted_through_signature"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened, before it is placed in the chain."""

    actor: str
    action: str
    object_type: str
    object_id: str | None = None
    purpose: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # The ground the node acted on (governance/legal_basis.py); filled from the action when
    # the caller names none.
    legal_basis: str | None = None
    # The values (indicator ids) this entry disclosed or changed: "who saw this number's data".
    subjects: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    event: AuditEvent
    prev_hash: str
    entry_hash: str


def canonical_details(details: dict[str, Any]) -> str:
    return json.dumps(
        details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def entry_hash(seq: int, at: datetime, event: AuditEvent, prev_hash: str) -> str:
    fields: list[Any] = [
        seq,
        at.isoformat(timespec="microseconds"),
        event.actor,
        event.action,
        event.object_type,
        event.object_id,
        event.purpose,
        canonical_details(event.details),
        prev_hash,
    ]
    # Entries written before the legal basis and the subjects were recorded hash without them,
    # so an upgraded node's older chain still verifies.
    if event.legal_basis is not None or event.subjects:
        fields += [event.legal_basis, sorted(set(event.subjects))]
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def seal(seq: int, at: datetime, event: AuditEvent, prev_hash: str) -> AuditEntry:
    return AuditEntry(seq, at, event, prev_hash, entry_hash(seq, at, event, prev_hash))


@dataclass(frozen=True, slots=True)
class ChainVerification:
    ok: bool
    entries: int
    head_hash: str
    problem: str | None = None


def verify_chain(entries: Iterable[AuditEntry]) -> ChainVerification:
    """Recompute the chain from the first entry; report the first entry that does not fit."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainVerification(
                False, count, expected_prev, f"entry {expected_seq} is missing (found {entry.seq})"
            )
        if entry.prev_hash != expected_prev:
            return ChainVerification(
                False, count, expected_prev, f"entry {entry.seq} does not follow the one before it"
            )
        if entry_hash(entry.seq, entry.at, entry.event, entry.prev_hash) != entry.entry_hash:
            return ChainVerification(
                False, count, expected_prev, f"entry {entry.seq} was altered after it was written"
            )
        expected_prev = entry.entry_hash
        expected_seq += 1
        count += 1
    return ChainVerification(True, count, expected_prev)
