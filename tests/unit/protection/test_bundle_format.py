"""The blocklist bundle: its bytes, lookups, deltas, and the property that a bundle brought
forward by deltas is exactly the bundle built at the later version."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamintel.protection.bundle import (
    HEADER,
    MAGIC,
    RECORD_BYTES,
    Bundle,
    BundleDelta,
    BundleFormatError,
    BundleListing,
    ListedRow,
    parse_any,
)
from scamintel.protection.listing import value_hash

PHONES = [f"+66812{n:06d}" for n in range(40)]


def rows_of(values: dict[str, tuple[str, bool]]) -> list[ListedRow]:
    return [(value_hash(value), verdict, review) for value, (verdict, review) in values.items()]


def a_bundle(version: int = 7, count: int = 10) -> Bundle:
    verdicts = {
        phone: ("scam" if n % 3 else "suspicious", n % 4 == 0)
        for n, phone in enumerate(PHONES[:count])
    }
    return Bundle.of_listed(version, rows_of(verdicts))


def test_a_bundle_is_a_32_byte_header_then_9_bytes_per_value() -> None:
    data = a_bundle(version=7, count=10).encode()
    magic, form, kind, width, _reserved, version, since, count, removals = HEADER.unpack_from(data)
    assert (magic, form, kind, width, version, since, count, removals) == (
        MAGIC, 1, 0, 8, 7, 0, 10, 0,
    )  # fmt: skip
    assert len(data) == 32 + 10 * RECORD_BYTES
    keys = [data[32 + i * 9 : 32 + i * 9 + 8] for i in range(10)]
    assert keys == sorted(keys)
    assert set(keys) == {hashlib.sha256(p.encode()).digest()[:8] for p in PHONES[:10]}


def test_a_bundle_reads_back_as_itself() -> None:
    bundle = a_bundle()
    assert Bundle.parse(bundle.encode()) == bundle
    empty = Bundle.of_listed(0, [])
    assert Bundle.parse(empty.encode()) == empty
    assert len(empty.encode()) == HEADER.size


def test_a_bundle_finds_its_values_with_their_verdicts_and_nothing_else() -> None:
    bundle = a_bundle(count=10)
    assert bundle.lookup(PHONES[0]) == BundleListing("suspicious", under_review=True)
    assert bundle.lookup(PHONES[1]) == BundleListing("scam", under_review=False)
    assert all(bundle.contains(phone) for phone in PHONES[:10])
    assert not any(bundle.contains(phone) for phone in PHONES[10:])


def test_the_false_positive_rate_is_the_share_of_the_key_space_taken() -> None:
    assert a_bundle(count=10).false_positive_rate == 10 / 2**64


def test_values_sharing_a_key_share_one_record_with_the_stronger_verdict() -> None:
    key = "0123456789abcdef"
    rows = [
        (key + "0" * 48, "suspicious", False),
        (key + "1" * 48, "scam", True),
        (key + "2" * 48, "scam", False),
    ]
    bundle = Bundle.of_listed(1, rows)
    assert len(bundle) == 1
    assert bundle.lookup_key(int(key, 16)) == BundleListing("scam", under_review=False)


def test_a_delta_reads_back_as_itself_and_says_what_it_is() -> None:
    before = a_bundle(version=7, count=10)
    changed = rows_of({PHONES[0]: ("scam", False), PHONES[20]: ("suspicious", False)})
    changed += [(value_hash(PHONES[1]), "removed", False)]
    delta = BundleDelta.of_touched(7, 9, changed)
    data = delta.encode()
    assert HEADER.unpack_from(data)[2] == 1
    assert len(data) == HEADER.size + 2 * RECORD_BYTES + 1 * 8
    again = BundleDelta.parse(data)
    assert (again.since, again.version) == (7, 9)
    assert isinstance(parse_any(data), BundleDelta)
    after = before.apply(again)
    assert after.version == 9
    assert after.lookup(PHONES[0]) == BundleListing("scam", under_review=False)
    assert after.contains(PHONES[20])
    assert not after.contains(PHONES[1])
    assert len(after) == 10


def test_a_delta_applies_only_to_the_version_it_starts_from() -> None:
    delta = BundleDelta.of_touched(5, 9, rows_of({PHONES[0]: ("scam", False)}))
    with pytest.raises(BundleFormatError, match="bundle is at version 7"):
        a_bundle(version=7).apply(delta)


def test_an_empty_delta_changes_only_the_version() -> None:
    bundle = a_bundle(version=7)
    after = bundle.apply(BundleDelta.of_touched(7, 8, []))
    assert after.version == 8
    assert np.array_equal(after.keys, bundle.keys)


def corrupt(data: bytes, offset: int, replacement: bytes) -> bytes:
    return data[:offset] + replacement + data[offset + len(replacement) :]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[:20], "shorter than a bundle header"),
        (lambda data: corrupt(data, 0, b"XXXX"), "does not start with SIBL"),
        (lambda data: corrupt(data, 4, b"\x09"), "format 9"),
        (lambda data: corrupt(data, 6, b"\x04"), "keys of 4 bytes"),
        (lambda data: corrupt(data, 5, b"\x01"), "expected a full bundle"),
        (lambda data: data[:-1], "the data ends before its last record"),
        (lambda data: data + b"\x00", "announces"),
        (lambda data: corrupt(data, 32 + 8, b"\x07"), "flags"),
        (lambda data: corrupt(data, 32, b"\xff" * 8), "ascending"),
    ],
)
def test_a_damaged_bundle_is_refused_with_the_reason(damage: object, message: str) -> None:
    data = a_bundle(count=3).encode()
    assert callable(damage)
    with pytest.raises(BundleFormatError, match=message):
        Bundle.parse(damage(data))


def test_a_delta_cannot_go_back_in_versions() -> None:
    header = struct.pack(">4sBBBBQQII", MAGIC, 1, 1, 8, 0, 3, 5, 0, 0)
    with pytest.raises(BundleFormatError, match="cannot go back"):
        BundleDelta.parse(header)


# -- the property: full(A) + delta(A -> B) == full(B) ---------------------------------------------
@dataclass
class ListingTable:
    """The published rows as the listings table holds them: hash -> (verdict, review, seq)."""

    rows: dict[str, tuple[str, bool, int]] = field(default_factory=dict)
    version: int = 0

    def publish(self, changes: dict[str, tuple[str, bool]]) -> None:
        for value_hash_, (verdict, review) in changes.items():
            self.version += 1
            self.rows[value_hash_] = (verdict, review, self.version)

    def full(self) -> Bundle:
        listed = [(h, v, r) for h, (v, r, _seq) in self.rows.items() if v != "removed"]
        return Bundle.of_listed(self.version, listed)

    def delta_since(self, since: int) -> BundleDelta:
        """What storage's rows_sharing_changed_keys hands the delta builder."""
        touched = {h[:16] for h, (_v, _r, seq) in self.rows.items() if seq > since}
        sharing = [(h, v, r) for h, (v, r, _seq) in self.rows.items() if h[:16] in touched]
        return BundleDelta.of_touched(since, self.version, sharing)


# Few keys and few tails, so that values often share a key and changes often repeat.
HASHES = st.builds(
    lambda key, tail: f"{key:016x}" + f"{tail:048x}",
    st.integers(0, 12).map(lambda n: n * 0x0101010101010101),
    st.integers(0, 3),
)
STATES = st.tuples(st.sampled_from(["scam", "suspicious", "removed"]), st.booleans())
ROUNDS = st.lists(st.dictionaries(HASHES, STATES, max_size=12), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(initial=st.dictionaries(HASHES, STATES, max_size=20), rounds=ROUNDS)
def test_a_bundle_brought_forward_by_deltas_equals_the_full_bundle_of_the_later_version(
    initial: dict[str, tuple[str, bool]], rounds: list[dict[str, tuple[str, bool]]]
) -> None:
    table = ListingTable()
    table.publish(initial)
    client = Bundle.parse(table.full().encode())
    for changes in rounds:
        since = client.version
        table.publish(changes)
        delta = BundleDelta.parse(table.delta_since(since).encode())
        client = client.apply(delta)
        assert client == table.full()
        assert client.encode() == table.full().encode()
