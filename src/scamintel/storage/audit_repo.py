"""The audit log as evidence: signed tree heads, the full verification of the chain and of
every stored head, consistency proofs for a head a partner or auditor kept, redaction of
entries past their retention, and the trail of everything the log says about one value
(docs/governance.md, section audit)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, func, or_, select, update

from scamintel.governance.audit import (
    GENESIS_HASH,
    REDACTED_THROUGH,
    REDACTED_THROUGH_SIGNATURE,
    AuditEntry,
    AuditEvent,
    entry_hash,
)
from scamintel.governance.merkle import (
    TreeAccumulator,
    leaf_of,
    streamed_proof,
    verify_consistency,
)
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.governance.signing import (
    AuditSigner,
    KeyRing,
    PublicKey,
    SignedHead,
    signature_problem,
)
from scamintel.indicators import Indicator, IndicatorType
from scamintel.storage.partner_repo import all_agreements
from scamintel.storage.sql import as_utc, chunked, insert_ignoring_conflicts
from scamintel.storage.store import append_audit, audit_entry_of, subjects_of
from scamintel.storage.tables import (
    audit_head,
    audit_log,
    audit_signed_heads,
    audit_subjects,
    blind_releases,
    cross_border_requests,
    disputes,
    indicators,
    report_indicators,
)

HEAD_SIGNED = "audit.head_signed"
TRAIL_READ = "audit.trail_read"
# The retention purge's entry (storage/retention_repo.py) names the last entry it left
# redacted in its details: the only thing that makes a blanked entry legitimate.
PURGE_ACTION = "retention.purge"
READ_BATCH = 5_000
# A log rewritten from end to end would otherwise produce one line per entry.
MAX_PROBLEMS = 200
REDACTED_DETAILS = "{}"


class AuditLogBrokenError(RuntimeError):
    """The log cannot be signed or proved as it stands; `scamintel audit verify` says why."""


class AuditRangeError(ValueError):
    """Sizes outside the log; the message names the sizes that are possible."""


# -- reading -----------------------------------------------------------------------------


def log_size(connection: Connection) -> int:
    """The number of entries the head row says the log holds."""
    return int(connection.scalar(select(audit_head.c.seq).where(audit_head.c.id == 1)) or 0)


def _leaves(connection: Connection, size: int) -> Iterator[bytes]:
    """The leaves of the log's first ``size`` entries, read in batches of the hash column
    only: a tree over a large log costs one pass and little memory. Entries 1..size never
    change once written (redaction keeps their hashes), so no lock is needed."""
    expected = 1
    while expected <= size:
        rows = connection.execute(
            select(audit_log.c.seq, audit_log.c.entry_hash)
            .where(audit_log.c.seq >= expected, audit_log.c.seq <= size)
            .order_by(audit_log.c.seq)
            .limit(READ_BATCH)
        ).all()
        for row in rows:
            if row.seq != expected:
                break
            yield leaf_of(row.entry_hash)
            expected += 1
        if not rows or expected <= rows[-1].seq:
            raise AuditLogBrokenError(
                f"the log's first {size} entries are not all there (entry {expected} is "
                "missing); run `scamintel audit verify` to see what was removed"
            )


def _entry_hash_at(connection: Connection, seq: int) -> str | None:
    return connection.scalar(select(audit_log.c.entry_hash).where(audit_log.c.seq == seq))


def _stored_heads(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(audit_signed_heads).order_by(audit_signed_heads.c.size)))


def _ring(keys: PublicKey | KeyRing) -> KeyRing:
    return keys if isinstance(keys, KeyRing) else KeyRing(keys)


def _head_of(row: Row[Any], node: str, keys: PublicKey | KeyRing) -> SignedHead:
    """A stored head as the signed object (the node's name and public key are not stored:
    they are this node's, or the retired key its key id names)."""
    ring = _ring(keys)
    key = ring.key_for(row.key_id) or ring.current
    return SignedHead(
        node=node,
        size=int(row.size),
        root_hash=row.root_hash,
        head_hash=row.head_hash,
        signed_at=(as_utc(row.signed_at) or row.signed_at),
        key_id=row.key_id,
        public_key=key.base64,
        signature=row.signature,
    )


def latest_signed_head(
    connection: Connection, node: str, keys: PublicKey | KeyRing
) -> SignedHead | None:
    row = connection.execute(
        select(audit_signed_heads).order_by(audit_signed_heads.c.size.desc()).limit(1)
    ).first()
    return _head_of(row, node, keys) if row is not None else None


# -- signing -----------------------------------------------------------------------------


def sign_head(
    connection: Connection,
    signer: AuditSigner,
    node_name: str,
    now: datetime,
    *,
    actor: str = "audit",
) -> SignedHead | None:
    """Sign the Merkle root of the log as it stands, store the head and write
    ``audit.head_signed``. None when nothing was written since the latest head (its own
    ``audit.head_signed`` entry aside), so an idle node does not grow its log by signing,
    and None when another worker stored a head of the same size first.

    Every worker signs on its own schedule, so this must not stall the log: the tree is
    built from the head row's (seq, hash) read without a lock (entries 1..size never change
    once written, and appends only add after them); only the head's insert and the entry
    appended after it write, which takes the head row's lock for a moment."""
    head = connection.execute(
        select(audit_head.c.seq, audit_head.c.entry_hash).where(audit_head.c.id == 1)
    ).one()
    size = int(head.seq)
    if size == 0:
        return None
    latest = connection.scalar(select(func.max(audit_signed_heads.c.size)))
    if latest is not None and (
        latest >= size or (latest == size - 1 and _is_head_entry(connection, size))
    ):
        return None
    tree = TreeAccumulator()
    last = b""
    for leaf in _leaves(connection, size):
        tree.append(leaf)
        last = leaf
    if last != leaf_of(head.entry_hash):
        raise AuditLogBrokenError(
            f"the head row and entry {size} disagree; run `scamintel audit verify`"
        )
    root = tree.root().hex()
    signed = signer.sign_head(
        node=node_name,
        size=size,
        root_hash=root,
        head_hash=head.entry_hash,
        signed_at=now.astimezone(UTC),
    )
    # Two workers may sign the same size at once: the first insert wins, the other is a no-op.
    inserted = connection.execute(
        insert_ignoring_conflicts(connection, audit_signed_heads)
        .values(
            size=size,
            root_hash=root,
            head_hash=signed.head_hash,
            signed_at=signed.signed_at,
            key_id=signed.key_id,
            signature=signed.signature,
        )
        .returning(audit_signed_heads.c.size)
    ).first()
    if inserted is None:
        return None
    append_audit(
        connection,
        AuditEvent(
            actor=actor,
            action=HEAD_SIGNED,
            object_type="audit_log",
            object_id=str(size),
            details={"size": size, "root": root},
        ),
    )
    return signed


def _is_head_entry(connection: Connection, seq: int) -> bool:
    action = connection.scalar(select(audit_log.c.action).where(audit_log.c.seq == seq))
    return bool(action == HEAD_SIGNED)


# -- verification ------------------------------------------------------------------------


@dataclass(slots=True)
class LogVerification:
    """What `audit verify` found: ``problems`` break the proof; ``notes`` do not (a head
    signed with a retired key, checked against that key)."""

    entries: int = 0
    redacted: int = 0
    size: int = 0
    head_hash: str = GENESIS_HASH
    root_hash: str | None = None
    signed_heads: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.more_problems += 1

    def to_json(self) -> dict[str, Any]:
        problems = list(self.problems)
        if self.more_problems:
            problems.append(f"… and {self.more_problems} more problems")
        return {
            "ok": self.ok,
            "entries": self.entries,
            "redacted": self.redacted,
            "size": self.size,
            "head_hash": self.head_hash,
            "root_hash": self.root_hash,
            "signed_heads": self.signed_heads,
            "problems": problems,
            "notes": self.notes,
        }


@dataclass(slots=True)
class _Walk:
    """State of one pass over the log."""

    report: LogVerification
    wanted_sizes: set[int]
    # Only a purge entry signed with the node's key vouches for redactions: anyone who can
    # write the database could append an unsigned one.
    keys: KeyRing
    expected_seq: int = 1
    expected_prev: str = GENESIS_HASH
    seen_unredacted: bool = False
    last_redacted: int = 0
    # The highest seq that an intact retention.purge entry written after it says it redacted.
    redaction_authorised: int = 0
    tree: TreeAccumulator = field(default_factory=TreeAccumulator)
    roots: dict[int, tuple[str, str]] = field(default_factory=dict)  # size -> (root, hash)
    head_entries: dict[int, tuple[int, str | None]] = field(default_factory=dict)

    def step(self, entry: AuditEntry, redacted_at: datetime | None) -> None:
        report = self.report
        seq = entry.seq
        if seq != self.expected_seq:
            missing = (
                f"entry {self.expected_seq} is"
                if seq == self.expected_seq + 1
                else f"entries {self.expected_seq} to {seq - 1} are"
            )
            report.problem(f"{missing} missing: removed from the log")
        elif entry.prev_hash != self.expected_prev:
            report.problem(f"entry {seq} does not follow the one before it (its link was changed)")
        if redacted_at is not None:
            self._redacted(entry, redacted_at)
        else:
            self.seen_unredacted = True
            if entry_hash(seq, entry.at, entry.event, entry.prev_hash) != entry.entry_hash:
                report.problem(f"entry {seq} was altered after it was written")
            elif entry.event.action == PURGE_ACTION:
                through = entry.event.details.get(REDACTED_THROUGH)
                signature = entry.event.details.get(REDACTED_THROUGH_SIGNATURE)
                if (
                    isinstance(through, int)
                    and not isinstance(through, bool)
                    and isinstance(signature, str)
                    and self.keys.vouches_for_redaction(through, signature)
                ):
                    # Only entries before the purge's own can be vouched for by it.
                    authorised = min(through, seq - 1)
                    self.redaction_authorised = max(self.redaction_authorised, authorised)
            if entry.event.action == HEAD_SIGNED:
                size = entry.event.details.get("size")
                root = entry.event.details.get("root")
                if isinstance(size, int):
                    self.head_entries[size] = (seq, root if isinstance(root, str) else None)
        self.tree.append(leaf_of(entry.entry_hash))
        if self.tree.size in self.wanted_sizes:
            self.roots[self.tree.size] = (self.tree.root().hex(), entry.entry_hash)
        report.entries += 1
        self.expected_seq = seq + 1
        self.expected_prev = entry.entry_hash

    def _redacted(self, entry: AuditEntry, redacted_at: datetime) -> None:
        """A redacted entry's hash cannot be recomputed (its content is gone): what is kept
        must still fit (a blank body, a well-formed hash, written before it was redacted),
        it must belong to the oldest entries, and a purge entry must vouch for it (checked
        once the whole log was read, ``unauthorised_redaction``)."""
        report, seq = self.report, entry.seq
        report.redacted += 1
        self.last_redacted = seq
        if self.seen_unredacted:
            report.problem(
                f"entry {seq} is marked redacted after entries that are not: only the "
                "oldest entries are ever redacted"
            )
        if not _is_blank(entry):
            report.problem(f"entry {seq} is marked redacted but still holds content")
        if leaf_of(entry.entry_hash) == entry.entry_hash.encode("utf-8"):
            report.problem(f"entry {seq} is redacted and its hash is not a SHA-256 hash")
        if entry.at > redacted_at:
            report.problem(f"entry {seq} is marked redacted before it was written")

    def unauthorised_redaction(self) -> None:
        """Redaction keeps the hashes, so blanking entries by hand would leave every hash and
        head intact: only a retention.purge entry, itself intact and written after them,
        that records ``redacted_through`` makes redacted entries legitimate."""
        if self.last_redacted <= self.redaction_authorised:
            return
        first = self.redaction_authorised + 1
        which = (
            f"entry {first} is"
            if first == self.last_redacted
            else f"entries {first} to {self.last_redacted} are"
        )
        self.report.problem(
            f"{which} redacted, but no retention purge entry after them records redacting "
            f"them ({REDACTED_THROUGH}, signed with the node's key): their content was "
            "blanked outside a purge"
        )


def _is_blank(entry: AuditEntry) -> bool:
    event = entry.event
    return (
        event.actor == ""
        and event.object_id is None
        and event.purpose is None
        and not event.details
        and not event.subjects
    )


def _rows_with_state(connection: Connection) -> Iterator[tuple[AuditEntry, datetime | None]]:
    after = 0
    while True:
        rows = connection.execute(
            select(audit_log)
            .where(audit_log.c.seq > after)
            .order_by(audit_log.c.seq)
            .limit(READ_BATCH)
        ).all()
        if not rows:
            return
        subjects = subjects_of(connection, [row.seq for row in rows])
        for row in rows:
            yield audit_entry_of(row, subjects.get(row.seq, ())), as_utc(row.redacted_at)
        after = rows[-1].seq


def verify_log(
    connection: Connection, keys: PublicKey | KeyRing, node_name: str
) -> LogVerification:
    """Check everything that proves the log was not edited, and list every problem: each
    entry's hash and link (redacted entries by their link only, only as the oldest entries,
    and only as far as a later retention.purge entry says it redacted), the head row against
    the last entry, and every stored signed head: its signature under this node's key or a
    retired one, and that the log's first ``size`` entries still have its root and last hash.
    A tail cut off together with the head row is caught by a signed head that covers it
    (a stored one, or one a partner holds: ``check_external_head``)."""
    report = LogVerification()
    heads = _stored_heads(connection)
    walk = _Walk(report, {int(row.size) for row in heads}, _ring(keys))
    for entry, redacted_at in _rows_with_state(connection):
        walk.step(entry, redacted_at)
    walk.unauthorised_redaction()
    head = connection.execute(select(audit_head).where(audit_head.c.id == 1)).first()
    report.size = int(head.seq) if head is not None else 0
    report.head_hash = head.entry_hash if head is not None else GENESIS_HASH
    last_seq = walk.expected_seq - 1
    if head is None:
        report.problem("the head row of the log is missing")
    elif int(head.seq) != last_seq or head.entry_hash != walk.expected_prev:
        report.problem(
            f"the head row names entry {head.seq}, but the log ends at entry {last_seq}: "
            "entries were removed from its end or the head row was changed"
        )
    if report.entries:
        report.root_hash = walk.tree.root().hex()
    report.signed_heads = len(heads)
    _check_stored_heads(report, walk, heads, _ring(keys), node_name)
    return report


def _check_stored_heads(
    report: LogVerification,
    walk: _Walk,
    heads: Sequence[Row[Any]],
    ring: KeyRing,
    node_name: str,
) -> None:
    stored = {int(row.size): row for row in heads}
    for size, row in stored.items():
        signed = _head_of(row, node_name, ring)
        # A key id that is neither this node's nor a listed retired one is a problem, not a
        # note: whoever rewrote the log could re-sign every head with a key of their own.
        problem = signature_problem(signed, ring, node_name)
        if problem is not None:
            report.problem(f"{problem} (the stored head was changed, or the node renamed)")
        elif ring.is_retired(signed.key_id):
            report.notes.append(
                f"the head of size {size} was signed with the retired key "
                f"{signed.key_id[:16]}… (SCAMINTEL_AUDIT_RETIRED_KEYS); its signature verifies"
            )
        if size not in walk.roots:
            report.problem(
                f"the signed head of size {size} covers more entries than the log holds "
                f"({report.entries}): entries were removed from its end"
            )
            continue
        root, last_hash = walk.roots[size]
        if root != row.root_hash:
            report.problem(
                f"the log's first {size} entries no longer have the root signed for them: an "
                "entry among them was changed, removed or reordered (or the head was altered)"
            )
        if last_hash != row.head_hash:
            report.problem(f"entry {size} is not the last entry the head of size {size} signed")
    for size, (seq, entry_root) in walk.head_entries.items():
        if size not in stored:
            report.problem(f"the signed head of size {size} (written at entry {seq}) was deleted")
        elif entry_root is not None and entry_root != stored[size].root_hash:
            report.problem(f"the signed head of size {size} differs from its entry {seq}")


# -- consistency -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """RFC 9162 §2.1.4: the hashes that show the tree of size ``second`` extends the tree of
    size ``first``."""

    first: int
    second: int
    first_root: str
    second_root: str
    proof: tuple[str, ...]

    def verifies(self) -> bool:
        return verify_consistency(
            self.first,
            self.second,
            bytes.fromhex(self.first_root),
            bytes.fromhex(self.second_root),
            [bytes.fromhex(item) for item in self.proof],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "first_root": self.first_root,
            "second_root": self.second_root,
            "proof": list(self.proof),
            "algorithm": "RFC 9162 section 2.1.4, SHA-256, leaves: entry hashes",
        }


def _proof_of(connection: Connection, first: int, second: int) -> ConsistencyProof:
    """The proof computed in one pass over the hash column (partners can ask for it: the
    cost is a read of ``second`` hashes, never the whole log in memory; rate limiting the
    callers is the API's job, issue 10)."""
    first_root, second_root, proof = streamed_proof(first, second, _leaves(connection, second))
    return ConsistencyProof(
        first=first,
        second=second,
        first_root=first_root.hex(),
        second_root=second_root.hex(),
        proof=tuple(item.hex() for item in proof),
    )


def consistency(connection: Connection, first: int, second: int | None = None) -> ConsistencyProof:
    """The proof that the log of ``second`` entries (default: all of today's) extends the log
    of its first ``first`` entries."""
    size = log_size(connection)
    second = size if second is None else second
    if not 1 <= first <= second <= size:
        raise AuditRangeError(
            f"a consistency proof needs 1 <= first <= second <= {size} (the log's size); got "
            f"first={first}, second={second}"
        )
    return _proof_of(connection, first, second)


@dataclass(frozen=True, slots=True)
class HeadCheck:
    """Whether a head given out earlier is consistent with today's log."""

    head: SignedHead
    problems: tuple[str, ...]
    size: int
    latest: SignedHead | None = None
    proof: ConsistencyProof | None = None

    @property
    def consistent(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "consistent": self.consistent,
            "problems": list(self.problems),
            "head": self.head.to_json(),
            "size": self.size,
            "latest": self.latest.to_json() if self.latest is not None else None,
            "proof": self.proof.to_json() if self.proof is not None else None,
        }


def check_external_head(
    connection: Connection, head: SignedHead, keys: PublicKey | KeyRing, node_name: str
) -> HeadCheck:
    """Check a head a partner or auditor kept: this node's signature (or a retired key's), a
    size today's log still reaches, the same root over its first ``size`` entries, and the
    proof from it to today's latest signed head (to today's log where no later head was
    signed yet)."""
    ring = _ring(keys)
    problems: list[str] = []
    size = log_size(connection)
    latest = latest_signed_head(connection, node_name, ring)
    signature = signature_problem(head, ring, node_name)
    if signature is not None:
        # A head without this node's valid signature proves nothing about the log: it is the
        # kept copy that is wrong (altered, or another node's), not the log.
        problems.append(f"the head you hold is not genuine: {signature}")
        return HeadCheck(head, tuple(problems), size, latest)
    if head.size > size:
        problems.append(
            f"the head covers {head.size} entries, but the log holds only {size}: entries "
            "were removed from its end"
        )
        return HeadCheck(head, tuple(problems), size, latest)
    target = latest.size if latest is not None and latest.size >= head.size else size
    try:
        proof = _proof_of(connection, head.size, target)
    except AuditLogBrokenError as error:
        return HeadCheck(head, (*problems, str(error)), size, latest)
    if proof.first_root != head.root_hash:
        problems.append(
            f"the log's first {head.size} entries no longer have the root this head signed: "
            "an entry among them was changed, removed or reordered"
        )
    if leaf_of(_entry_hash_at(connection, head.size) or "") != leaf_of(head.head_hash):
        problems.append(f"entry {head.size} is not the entry this head signed last")
    if latest is not None and latest.size == target and proof.second_root != latest.root_hash:
        problems.append(f"the latest signed head (size {latest.size}) no longer matches the log")
    if not problems and not verify_consistency(
        head.size,
        target,
        bytes.fromhex(head.root_hash),
        bytes.fromhex(proof.second_root),
        [bytes.fromhex(item) for item in proof.proof],
    ):
        problems.append("the consistency proof does not verify")
    return HeadCheck(head, tuple(problems), size, latest, proof)


# -- redaction ---------------------------------------------------------------------------


def redact_entries(connection: Connection, before: datetime, now: datetime) -> int:
    """Blank the content of the entries written before ``before`` (who, which object, why,
    the details and the values concerned) and mark them redacted; their hashes stay, so the
    chain and every signed head still verify. Only a prefix of the log is ever redacted:
    the first entry at or after ``before`` (clocks of several workers can disagree) ends it.

    Returns ``redacted_through``: the highest seq the log now holds redacted (0 when none),
    whether this call or an earlier one redacted it. The purge records it in its
    ``retention.purge`` entry's details under ``redacted_through``: `audit verify` accepts
    a redacted entry only when an intact purge entry written after it says so. The number of
    entries this call redacted is the difference from the value before the call."""
    first_kept = connection.scalar(
        select(func.min(audit_log.c.seq)).where(audit_log.c.at >= before)
    )
    bound = first_kept if first_kept is not None else (log_size(connection) + 1)
    connection.execute(delete(audit_subjects).where(audit_subjects.c.seq < bound))
    connection.execute(
        update(audit_log)
        .where(audit_log.c.seq < bound, audit_log.c.redacted_at.is_(None))
        .values(
            actor="",
            object_id=None,
            purpose=None,
            details=REDACTED_DETAILS,
            redacted_at=now,
        )
    )
    return redacted_through(connection)


def redacted_through(connection: Connection) -> int:
    """The highest seq of a redacted entry (0 when none): redaction is always a prefix."""
    found = connection.scalar(
        select(func.max(audit_log.c.seq)).where(audit_log.c.redacted_at.is_not(None))
    )
    return int(found or 0)


# -- the trail of one value --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrailEntry:
    """One audit entry about a value: who, when, what, why and on what ground."""

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

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "details": self.details,
            "redacted": self.redacted,
        }


def _value_of(connection: Connection, indicator_id: int) -> Indicator | None:
    row = connection.execute(
        select(indicators.c.type, indicators.c.value).where(indicators.c.id == indicator_id)
    ).first()
    return Indicator(IndicatorType(row.type), row.value) if row is not None else None


def _requests_about(
    connection: Connection, indicator: Indicator, sealer: PersonalDataSealer | None
) -> list[str]:
    """Cross-border requests naming the value, in plain or (with the sealer, which opens the
    agreements' blind keys) as the blind selector its partner's agreement makes of it: a
    request can be the only trace of a value this node holds no row for."""
    named = [
        and_(
            cross_border_requests.c.indicator_type == indicator.type.value,
            cross_border_requests.c.indicator_value == indicator.value,
        )
    ]
    if sealer is not None:
        for agreement in all_agreements(connection, sealer):
            if agreement.blind_key is not None and agreement.is_blind(indicator.type):
                named.append(
                    and_(
                        cross_border_requests.c.partner == agreement.partner,
                        cross_border_requests.c.indicator_type == indicator.type.value,
                        cross_border_requests.c.blind_selector == agreement.selector(indicator),
                    )
                )
    requests = connection.scalars(
        select(cross_border_requests.c.request_id).where(or_(*named)).distinct()
    )
    return [str(item) for item in requests]


def _objects_of(
    connection: Connection,
    indicator_id: int | None,
    indicator: Indicator | None,
    sealer: PersonalDataSealer | None,
) -> dict[str, list[str]]:
    """The audited objects tied to a value, by object type."""
    objects: dict[str, list[str]] = {"indicator": []}
    if indicator is not None:
        objects["indicator"].append(f"{indicator.type.value}:{indicator.value}")
        objects["cross_border_request"] = _requests_about(connection, indicator, sealer)
    if indicator_id is None:
        return objects
    objects["indicator"].append(str(indicator_id))
    linked = (
        ("report", report_indicators.c.report_id, report_indicators.c.indicator_id),
        ("dispute", disputes.c.id, disputes.c.indicator_id),
        ("blind_release", blind_releases.c.id, blind_releases.c.indicator_id),
    )
    for object_type, id_column, indicator_column in linked:
        ids = connection.scalars(select(id_column).where(indicator_column == indicator_id))
        objects[object_type] = [str(item) for item in ids]
    return objects


def audit_trail(
    connection: Connection,
    indicator_id: int | None,
    *,
    indicator: Indicator | None = None,
    sealer: PersonalDataSealer | None = None,
) -> list[TrailEntry]:
    """ "Who saw this value's data, and why": the entries that name the value among their
    subjects, and those about an object tied to it (the reports naming it, its disputes and
    blind releases, cross-border requests about it, the value itself), in log order.

    ``indicator_id`` is the value's row, None when the node holds none; ``indicator`` (read
    from the row when not given) also finds the cross-border requests and entries that name
    the value without a row, and ``sealer`` the requests that name it by blind selector."""
    if indicator is None and indicator_id is not None:
        indicator = _value_of(connection, indicator_id)
    seqs: set[int] = set()
    if indicator_id is not None:
        seqs.update(
            connection.scalars(
                select(audit_subjects.c.seq).where(audit_subjects.c.indicator_id == indicator_id)
            )
        )
    for object_type, object_ids in _objects_of(connection, indicator_id, indicator, sealer).items():
        for chunk in chunked(object_ids):
            seqs.update(
                connection.scalars(
                    select(audit_log.c.seq).where(
                        audit_log.c.object_type == object_type, audit_log.c.object_id.in_(chunk)
                    )
                )
            )
    found: list[TrailEntry] = []
    for chunk in chunked(sorted(seqs)):
        rows = connection.execute(
            select(audit_log).where(audit_log.c.seq.in_(chunk)).order_by(audit_log.c.seq)
        )
        found.extend(_trail_entry(row) for row in rows)
    return found


def record_trail_read(
    connection: Connection,
    indicator: Indicator,
    indicator_id: int | None,
    *,
    actor: str,
    purpose: str | None,
    entries: int,
) -> None:
    """Reading a value's trail discloses who handled it and why: that read is audited too."""
    append_audit(
        connection,
        AuditEvent(
            actor=actor,
            action=TRAIL_READ,
            object_type="indicator",
            object_id=str(indicator_id) if indicator_id is not None else None,
            purpose=purpose,
            details={
                "type": indicator.type.value,
                "held": indicator_id is not None,
                "entries": entries,
            },
            subjects=(indicator_id,) if indicator_id is not None else (),
        ),
    )


def _trail_entry(row: Row[Any]) -> TrailEntry:
    return TrailEntry(
        seq=int(row.seq),
        at=as_utc(row.at) or row.at,
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        purpose=row.purpose,
        legal_basis=row.legal_basis,
        details=json.loads(row.details),
        redacted=row.redacted_at is not None,
    )
