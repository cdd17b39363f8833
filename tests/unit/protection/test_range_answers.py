"""Range answers: every answer of a node has the same length, decoys are stable for one
listing version, and a client finds exactly its own listed value."""

from __future__ import annotations

import hashlib

import pytest

from scamintel.protection.range import (
    LINE_LENGTH,
    PADDED_LINES,
    PADDING_VERDICT,
    RESPONSE_LENGTH,
    InvalidPrefixError,
    MalformedRangeAnswerError,
    RangeEntry,
    RangeSnapshot,
    build_answer,
    decoy_suffixes,
    find_in_answer,
    normalise_prefix,
    parse_answer,
    parse_line,
    split_hash,
)

SECRET = "unit-test-secret-key-0123456789abcdef"
PREFIX = "3a7bd"


def hash_in_bucket(prefix: str, number: int) -> str:
    """A 64-hex hash starting with ``prefix`` (as a listed value's would)."""
    return prefix + hashlib.sha256(f"value {number}".encode()).hexdigest()[len(prefix) :]


def listed(prefix: str, count: int, verdict: str = "scam") -> RangeSnapshot:
    entries = tuple(
        RangeEntry(split_hash(hash_in_bucket(prefix, n))[1], verdict, 0.5 + n / 1000, n % 2 == 1)
        for n in range(count)
    )
    return RangeSnapshot(version=42, entries=entries)


@pytest.mark.parametrize("count", [0, 1, 7, PADDED_LINES])
def test_an_answer_has_the_padded_length_whatever_the_bucket_holds(count: int) -> None:
    answer = build_answer(PREFIX, listed(PREFIX, count), SECRET)
    lines = answer.body.decode("ascii").splitlines(keepends=True)
    assert len(answer.body) == RESPONSE_LENGTH == PADDED_LINES * LINE_LENGTH
    assert len(lines) == PADDED_LINES
    assert {len(line) for line in lines} == {LINE_LENGTH}
    assert answer.listed == count


def test_a_bucket_fuller_than_the_padding_is_returned_whole() -> None:
    answer = build_answer(PREFIX, listed(PREFIX, PADDED_LINES + 5), SECRET)
    entries = parse_answer(answer.body.decode())
    assert len(entries) == PADDED_LINES + 5
    assert not any(entry.is_padding for entry in entries)


def test_lines_are_sorted_so_decoys_sit_among_the_real_entries() -> None:
    lines = build_answer(PREFIX, listed(PREFIX, 5), SECRET).body.decode().splitlines()
    assert lines == sorted(lines)


def test_decoys_are_the_same_for_one_version_and_change_with_the_listing() -> None:
    snapshot = listed(PREFIX, 3)
    first = build_answer(PREFIX, snapshot, SECRET)
    again = build_answer(PREFIX, snapshot, SECRET)
    newer = build_answer(PREFIX, RangeSnapshot(43, snapshot.entries), SECRET)
    assert first.body == again.body
    assert first.etag == again.etag != newer.etag
    assert first.body != newer.body


def test_decoys_depend_on_the_node_secret_and_the_prefix() -> None:
    mine = decoy_suffixes(SECRET, PREFIX, 1, 10)
    assert mine != decoy_suffixes("another-secret-key-0123456789abcdef", PREFIX, 1, 10)
    assert mine != decoy_suffixes(SECRET, "3a7bc", 1, 10)
    assert all(len(suffix) == 59 and int(suffix, 16) >= 0 for suffix in mine)
    assert len(set(mine)) == 10


def test_decoys_never_repeat_a_real_suffix() -> None:
    wanted = decoy_suffixes(SECRET, PREFIX, 1, 5)
    avoided = decoy_suffixes(SECRET, PREFIX, 1, 5, taken=wanted[:2])
    assert not set(avoided) & set(wanted[:2])
    assert avoided[:3] == wanted[2:]


def test_a_client_finds_its_listed_value_and_not_a_decoy_or_another_value() -> None:
    value_hash = hash_in_bucket(PREFIX, 1)
    answer = build_answer(PREFIX, listed(PREFIX, 3, verdict="suspicious"), SECRET)
    found = find_in_answer(answer.body.decode(), value_hash)
    assert found == RangeEntry(value_hash[5:], "suspicious", pytest.approx(0.5, abs=0.01), True)
    assert find_in_answer(answer.body.decode(), hash_in_bucket(PREFIX, 99)) is None
    decoy = next(e for e in parse_answer(answer.body.decode()) if e.verdict == PADDING_VERDICT)
    assert find_in_answer(answer.body.decode(), PREFIX + decoy.suffix) is None


def test_a_line_reads_back_as_the_entry_it_was_made_from() -> None:
    entry = RangeEntry("a" * 59, "scam", 0.87, False)
    line = build_answer(PREFIX, RangeSnapshot(1, (entry,)), SECRET).body.decode().splitlines()
    assert f"{'a' * 59}:scam      :0.87:0" in line
    assert parse_line(f"{'a' * 59}:scam      :0.87:0") == entry


@pytest.mark.parametrize("raw", ["3A7BD", " 3a7bd ", "3a7bd"])
def test_a_prefix_is_read_in_either_case(raw: str) -> None:
    assert normalise_prefix(raw) == "3a7bd"


@pytest.mark.parametrize("raw", ["", "3a7b", "3a7bd0", "3a7bg", "3a7b-", "ๅa7bd", "3a 7b"])
def test_a_prefix_that_is_not_five_hex_characters_is_refused_with_what_to_send(raw: str) -> None:
    with pytest.raises(InvalidPrefixError, match="first 5 hexadecimal characters"):
        normalise_prefix(raw)


@pytest.mark.parametrize(
    "line", ["abc:scam:0.5:0", f"{'a' * 59}:scam:0.5", f"{'a' * 59}:scam:high:0", "x" * 78]
)
def test_a_malformed_line_is_reported(line: str) -> None:
    with pytest.raises(MalformedRangeAnswerError):
        parse_line(line)
