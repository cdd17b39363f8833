"""The blocklist bundle: every listed value as a compact hashed set that an app or a telco
downloads once, keeps current with deltas, and checks entirely on its own side.

Byte by byte (docs/privacy.md, "Blocklist bundle"); integers are big-endian:

    header, 32 bytes
      0   4  magic b"SIBL"
      4   1  format version (1)
      5   1  kind: 0 full bundle, 1 delta
      6   1  key width in bytes (8)
      7   1  reserved (0)
      8   8  listing version the set is at
     16   8  full: 0; delta: the version it starts from
     24   4  full: number of records; delta: number of upserts
     28   4  full: 0; delta: number of removals
    records, 9 bytes each, strictly ascending by key
      0   8  key: the first 8 bytes of the SHA-256 of the canonical value (UTF-8)
      8   1  flags: bits 0-1 the verdict (1 suspicious, 2 scam), bit 4 under review
    delta only, after its upserts: removals, 8-byte keys, strictly ascending

A value that is not listed matches a key of a bundle of n records with probability n / 2^64
(about 5 in 10^14 at a million records). Two listed values whose keys are equal share one
record carrying the stronger verdict.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

MAGIC: Final = b"SIBL"
FORMAT_VERSION: Final = 1
FULL: Final = 0
DELTA: Final = 1
KEY_BYTES: Final = 8
HEADER = struct.Struct(">4sBBBBQQII")
RECORD = np.dtype([("key", ">u8"), ("flags", "u1")])
RECORD_BYTES: Final = RECORD.itemsize
VERDICT_CODES: Final = {"suspicious": 1, "scam": 2}
VERDICT_NAMES: Final = {code: name for name, code in VERDICT_CODES.items()}
VERDICT_MASK: Final = 0x03
UNDER_REVIEW: Final = 0x10
KEY_SPACE: Final = 2 ** (8 * KEY_BYTES)

Keys = npt.NDArray[np.uint64]
Flags = npt.NDArray[np.uint8]
# A published listing as the bundle needs it: value hash (hex), verdict, under review.
ListedRow = tuple[str, str, bool]


class BundleFormatError(ValueError):
    """The bytes are not a bundle (or delta) of this format, or it cannot apply."""


@dataclass(frozen=True, slots=True)
class BundleListing:
    """What a bundle says of a value it holds."""

    verdict: str
    under_review: bool


def key_of_value(canonical_value: str) -> int:
    digest = hashlib.sha256(canonical_value.encode("utf-8")).digest()
    return int.from_bytes(digest[:KEY_BYTES], "big")


def key_of_hash(value_hash: str) -> int:
    """The key of a value whose SHA-256 is ``value_hash`` (hex, at least 16 characters)."""
    return int(value_hash[: 2 * KEY_BYTES], 16)


def flags_of(verdict: str, under_review: bool) -> int:
    return VERDICT_CODES[verdict] | (UNDER_REVIEW if under_review else 0)


def listing_of_flags(flags: int) -> BundleListing:
    return BundleListing(VERDICT_NAMES[flags & VERDICT_MASK], bool(flags & UNDER_REVIEW))


def false_positive_rate(records: int) -> float:
    """Chance that a value not listed matches one of ``records`` keys."""
    return records / KEY_SPACE


class Bundle:
    """The set of listed values at one listing version, as sorted unique keys with flags."""

    __slots__ = ("flags", "keys", "version")

    def __init__(self, version: int, keys: Keys, flags: Flags) -> None:
        if len(keys) != len(flags):
            raise BundleFormatError("keys and flags differ in number")
        if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
            raise BundleFormatError("records are not in strictly ascending key order")
        _check_flags(flags)
        self.version = version
        self.keys = keys
        self.flags = flags

    @classmethod
    def of_listed(cls, version: int, rows: Iterable[ListedRow]) -> Bundle:
        """The bundle of every listed row at ``version`` (colliding keys merged)."""
        keys, flags = _keys_and_flags(rows)
        unique_keys, merged = _merge_collisions(keys, flags)
        return cls(version, unique_keys, merged)

    @classmethod
    def parse(cls, data: bytes) -> Bundle:
        header = _read_header(data, FULL)
        if header.removals:
            raise BundleFormatError("a full bundle has no removals")
        records = _records(data, HEADER.size, header.count)
        _expect_length(data, HEADER.size + header.count * RECORD_BYTES)
        return cls(header.version, *records)

    def encode(self) -> bytes:
        header = HEADER.pack(
            MAGIC, FORMAT_VERSION, FULL, KEY_BYTES, 0, self.version, 0, len(self), 0
        )
        return header + _record_bytes(self.keys, self.flags)

    def lookup(self, canonical_value: str) -> BundleListing | None:
        return self.lookup_key(key_of_value(canonical_value))

    def lookup_key(self, key: int) -> BundleListing | None:
        index = int(np.searchsorted(self.keys, np.uint64(key)))
        if index < len(self.keys) and int(self.keys[index]) == key:
            return listing_of_flags(int(self.flags[index]))
        return None

    def contains(self, canonical_value: str) -> bool:
        return self.lookup(canonical_value) is not None

    def apply(self, delta: BundleDelta) -> Bundle:
        """The bundle at the delta's version; the delta must start from this bundle's."""
        if delta.since != self.version:
            raise BundleFormatError(
                f"this delta goes from version {delta.since} to {delta.version}, but the "
                f"bundle is at version {self.version}"
            )
        touched = np.concatenate([delta.upsert_keys, delta.removals])
        kept = ~np.isin(self.keys, touched)
        keys = np.concatenate([self.keys[kept], delta.upsert_keys])
        flags = np.concatenate([self.flags[kept], delta.upsert_flags])
        order = np.argsort(keys, kind="stable")
        return Bundle(delta.version, keys[order], flags[order])

    @property
    def false_positive_rate(self) -> float:
        return false_positive_rate(len(self))

    def __len__(self) -> int:
        return len(self.keys)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bundle):
            return NotImplemented
        return (
            self.version == other.version
            and np.array_equal(self.keys, other.keys)
            and np.array_equal(self.flags, other.flags)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Bundle(version={self.version}, records={len(self)})"


class BundleDelta:
    """What changed between two listing versions: keys to set (upserts) and keys to drop."""

    __slots__ = ("removals", "since", "upsert_flags", "upsert_keys", "version")

    def __init__(
        self, since: int, version: int, upsert_keys: Keys, upsert_flags: Flags, removals: Keys
    ) -> None:
        if version < since:
            raise BundleFormatError(f"a delta cannot go back from version {since} to {version}")
        for name, keys in (("upserts", upsert_keys), ("removals", removals)):
            if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
                raise BundleFormatError(f"{name} are not in strictly ascending key order")
        if len(upsert_keys) != len(upsert_flags):
            raise BundleFormatError("upsert keys and flags differ in number")
        _check_flags(upsert_flags)
        self.since = since
        self.version = version
        self.upsert_keys = upsert_keys
        self.upsert_flags = upsert_flags
        self.removals = removals

    @classmethod
    def of_touched(cls, since: int, version: int, rows: Iterable[ListedRow]) -> BundleDelta:
        """The delta from the published rows (value hash, verdict, under review) of every
        value whose key is that of a value changed after ``since``, the changed ones
        included; a row whose verdict is not a listed one (a removal) lists nothing."""
        hashes: list[str] = []
        listed: list[ListedRow] = []
        for row in rows:
            hashes.append(row[0])
            if row[1] in VERDICT_CODES:
                listed.append(row)
        touched = np.unique(_keys_of(hashes))
        keys, flags = _merge_collisions(*_keys_and_flags(listed))
        removals = np.setdiff1d(touched, keys, assume_unique=True)
        return cls(since, version, keys, flags, removals)

    @classmethod
    def parse(cls, data: bytes) -> BundleDelta:
        header = _read_header(data, DELTA)
        keys, flags = _records(data, HEADER.size, header.count)
        start = HEADER.size + header.count * RECORD_BYTES
        _expect_length(data, start + header.removals * KEY_BYTES)
        removals = np.frombuffer(data, ">u8", header.removals, start).astype(np.uint64)
        return cls(header.since, header.version, keys, flags, removals)

    def encode(self) -> bytes:
        header = HEADER.pack(
            MAGIC,
            FORMAT_VERSION,
            DELTA,
            KEY_BYTES,
            0,
            self.version,
            self.since,
            len(self.upsert_keys),
            len(self.removals),
        )
        removals = self.removals.astype(">u8").tobytes()
        return header + _record_bytes(self.upsert_keys, self.upsert_flags) + removals

    def __repr__(self) -> str:
        return (
            f"BundleDelta({self.since} -> {self.version}, upserts={len(self.upsert_keys)}, "
            f"removals={len(self.removals)})"
        )


def parse_any(data: bytes) -> Bundle | BundleDelta:
    """A full bundle or a delta, as its header says."""
    kind = _read_header(data, None).kind
    return Bundle.parse(data) if kind == FULL else BundleDelta.parse(data)


@dataclass(frozen=True, slots=True)
class _Header:
    kind: int
    version: int
    since: int
    count: int
    removals: int


def _read_header(data: bytes, expected_kind: int | None) -> _Header:
    if len(data) < HEADER.size:
        raise BundleFormatError(f"{len(data)} bytes is shorter than a bundle header")
    magic, form, kind, width, _reserved, version, since, count, removals = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise BundleFormatError("not a scamintel bundle (the file does not start with SIBL)")
    if form != FORMAT_VERSION:
        raise BundleFormatError(
            f"bundle format {form} is not known here (this reads {FORMAT_VERSION})"
        )
    if width != KEY_BYTES:
        raise BundleFormatError(f"keys of {width} bytes are not known here")
    if kind not in (FULL, DELTA) or (expected_kind is not None and kind != expected_kind):
        names = {FULL: "a full bundle", DELTA: "a delta"}
        raise BundleFormatError(
            f"expected {names.get(expected_kind, 'a bundle')}, found kind {kind}"
            if expected_kind is not None
            else f"unknown bundle kind {kind}"
        )
    return _Header(kind, version, since, count, removals)


def _expect_length(data: bytes, length: int) -> None:
    if len(data) != length:
        raise BundleFormatError(f"the header announces {length} bytes, the data has {len(data)}")


def _records(data: bytes, offset: int, count: int) -> tuple[Keys, Flags]:
    if len(data) < offset + count * RECORD_BYTES:
        raise BundleFormatError("the data ends before its last record")
    records = np.frombuffer(data, RECORD, count, offset)
    return records["key"].astype(np.uint64), records["flags"].astype(np.uint8)


def _record_bytes(keys: Keys, flags: Flags) -> bytes:
    records = np.empty(len(keys), RECORD)
    records["key"] = keys
    records["flags"] = flags
    return records.tobytes()


def _check_flags(flags: Flags) -> None:
    codes = flags & VERDICT_MASK
    if bool(np.any((flags & ~np.uint8(VERDICT_MASK | UNDER_REVIEW)) != 0)) or bool(
        np.any(~np.isin(codes, list(VERDICT_NAMES)))
    ):
        raise BundleFormatError("a record has flags this format does not define")


def _keys_of(hashes: list[str]) -> Keys:
    packed = bytes.fromhex("".join(value_hash[: 2 * KEY_BYTES] for value_hash in hashes))
    return np.frombuffer(packed, ">u8").astype(np.uint64)


def _keys_and_flags(rows: Iterable[ListedRow]) -> tuple[Keys, Flags]:
    hashes: list[str] = []
    flags = bytearray()
    for value_hash, verdict, under_review in rows:
        hashes.append(value_hash)
        flags.append(flags_of(verdict, under_review))
    return _keys_of(hashes), np.frombuffer(bytes(flags), np.uint8).copy()


def _merge_collisions(keys: Keys, flags: Flags) -> tuple[Keys, Flags]:
    """Sorted unique keys; where keys repeat, the strongest record wins: scam over
    suspicious, and a listing not under review over one that is."""
    rank = (flags & VERDICT_MASK).astype(np.int16) * 2 + ((flags & UNDER_REVIEW) == 0)
    order = np.lexsort((rank, keys))
    keys, flags = keys[order], flags[order]
    last_of_key = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        last_of_key[:-1] = keys[1:] != keys[:-1]
    return keys[last_of_key], flags[last_of_key]


# -- building from the published listings -------------------------------------------------------
# Beyond this many changed rows a delta costs about what the full bundle costs to build and to
# download, so an update request is answered with the full bundle.
MAX_DELTA_CHANGES = 100_000


class BundleSource(Protocol):
    """What building bundles needs from storage; every read must see one listing version."""

    def listing_version(self) -> int: ...

    def listed_rows(self) -> Iterable[ListedRow]:
        """Every listed value (hash, verdict, under review)."""
        ...

    def changed_count(self, since: int) -> int:
        """How many published rows changed after version ``since``."""
        ...

    def rows_sharing_changed_keys(self, since: int) -> Iterable[ListedRow]:
        """Every published row, listed or not, whose key is that of a row changed after
        ``since`` (those rows included)."""
        ...


class BundleAheadError(ValueError):
    """The client's bundle claims a version this node has not reached."""

    def __init__(self, since: int, version: int) -> None:
        super().__init__(
            f"version {since} is ahead of this node's listing version {version}; download "
            "the full bundle again"
        )
        self.since = since
        self.version = version


def build_bundle(source: BundleSource) -> Bundle:
    return Bundle.of_listed(source.listing_version(), source.listed_rows())


def build_delta(source: BundleSource, since: int) -> BundleDelta | None:
    """The delta from version ``since`` to now; None when the full bundle is the better
    download (``since`` is 0, or more than ``MAX_DELTA_CHANGES`` rows changed)."""
    version = source.listing_version()
    if since > version:
        raise BundleAheadError(since, version)
    if since == 0 or source.changed_count(since) > MAX_DELTA_CHANGES:
        return None
    return BundleDelta.of_touched(since, version, source.rows_sharing_changed_keys(since))
