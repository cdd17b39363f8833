"""Private lookups by hash prefix (k-anonymity), in the manner of Have I Been Pwned's range API.

A client hashes the canonical value itself (SHA-256, lower-case hex), sends only the first
``PREFIX_LENGTH`` characters and finds its own suffix in the answer; the node never learns which
of the values in that bucket, if any, was asked about. There are 16^5 = 1,048,576 buckets, so
with n listed values a bucket holds n / 1,048,576 real entries on average (about 1 at a million
values, about 10 at ten million). Every answer is padded with decoy lines to ``PADDED_LINES``
fixed-width lines, so all answers of a node have the same length and their size says nothing
about how many listed values a bucket holds. The largest of 1,048,576 buckets exceeds 128 real
entries only beyond about 75 million listed values; a bucket that ever holds more real entries
than the padding is returned whole, longer than the others (docs/privacy.md).

Decoys are drawn from a keyed hash of the node's secret, the prefix and the listing version, so
an answer is the same bytes until the listing changes and can be cached and revalidated by its
ETag; they carry the verdict ``padding`` so that no client can mistake one for a listing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from scamintel.protection.listing import LISTED_VERDICTS

PREFIX_LENGTH = 5
HASH_LENGTH = 64
SUFFIX_LENGTH = HASH_LENGTH - PREFIX_LENGTH
BUCKETS = 16**PREFIX_LENGTH
PADDED_LINES = 128
PADDING_VERDICT = "padding"
VERDICT_WIDTH = max(len(verdict) for verdict in (*LISTED_VERDICTS, PADDING_VERDICT))
# <59-hex suffix>:<verdict, space-padded to 10>:<score 0.00>:<under review 0 or 1>\n
LINE_LENGTH = SUFFIX_LENGTH + 1 + VERDICT_WIDTH + 1 + 4 + 1 + 1 + 1
RESPONSE_LENGTH = PADDED_LINES * LINE_LENGTH
PADDING_TAIL = f":{PADDING_VERDICT:<{VERDICT_WIDTH}}:0.00:0\n"
HEX_DIGITS = frozenset("0123456789abcdef")
DECOY_CONTEXT = b"scamintel range decoys v1"


class InvalidPrefixError(ValueError):
    """The prefix is not exactly five hexadecimal characters."""


@dataclass(frozen=True, slots=True)
class RangeEntry:
    """One line of an answer: a listed value's hash suffix and what the node says of it."""

    suffix: str
    verdict: str
    score: float
    under_review: bool

    @property
    def is_padding(self) -> bool:
        return self.verdict == PADDING_VERDICT


@dataclass(frozen=True, slots=True)
class RangeSnapshot:
    """The listed values of one bucket as of one listing version (read in one statement)."""

    version: int
    entries: tuple[RangeEntry, ...]


class RangeSource(Protocol):
    """What a range lookup needs from storage."""

    def range_of(self, prefix: str) -> RangeSnapshot: ...


@dataclass(frozen=True, slots=True)
class RangeAnswer:
    """The bytes served for one prefix at one listing version."""

    prefix: str
    version: int
    body: bytes
    listed: int

    @property
    def etag(self) -> str:
        # The body depends only on the prefix (the URL) and the listing version.
        return f'"{self.version}"'


def normalise_prefix(raw: str) -> str:
    """The prefix in lower case; raises :class:`InvalidPrefixError` with what to send."""
    prefix = raw.strip().lower()
    if len(prefix) != PREFIX_LENGTH or not HEX_DIGITS.issuperset(prefix):
        raise InvalidPrefixError(
            f"{raw!r} is not a hash prefix: send the first {PREFIX_LENGTH} hexadecimal "
            "characters of the SHA-256 of the canonical value, e.g. /api/v1/range/3a7bd"
        )
    return prefix


def split_hash(value_hash: str) -> tuple[str, str]:
    """(prefix, suffix) of a lower-case hex SHA-256."""
    return value_hash[:PREFIX_LENGTH], value_hash[PREFIX_LENGTH:]


def range_lookup(source: RangeSource, raw_prefix: str, secret_key: str) -> RangeAnswer:
    """What ``GET /api/v1/range/{prefix}`` answers (the route and the benchmark call this)."""
    prefix = normalise_prefix(raw_prefix)
    return build_answer(prefix, source.range_of(prefix), secret_key)


def build_answer(prefix: str, snapshot: RangeSnapshot, secret_key: str) -> RangeAnswer:
    """The padded answer: real and decoy lines together, sorted by suffix."""
    taken = {entry.suffix for entry in snapshot.entries}
    needed = max(0, PADDED_LINES - len(snapshot.entries))
    decoys = decoy_suffixes(secret_key, prefix, snapshot.version, needed, taken)
    lines = [format_line(entry) for entry in snapshot.entries]
    lines += [suffix + PADDING_TAIL for suffix in decoys]
    lines.sort()
    return RangeAnswer(prefix, snapshot.version, "".join(lines).encode("ascii"), len(taken))


def format_line(entry: RangeEntry) -> str:
    score = min(1.0, max(0.0, entry.score))
    return (
        f"{entry.suffix}:{entry.verdict:<{VERDICT_WIDTH}}:{score:.2f}:"
        f"{1 if entry.under_review else 0}\n"
    )


def decoy_suffixes(
    secret_key: str, prefix: str, version: int, count: int, taken: Iterable[str] = ()
) -> list[str]:
    """``count`` random-looking suffixes, the same for the same secret, prefix and version."""
    if count <= 0:
        return []
    seed = hmac.new(
        _decoy_key(secret_key), f"{prefix}:{version}".encode("ascii"), hashlib.sha256
    ).digest()
    avoid = set(taken)
    found: list[str] = []
    round_number = 0
    while len(found) < count:
        stream = hashlib.shake_256(seed + round_number.to_bytes(4, "big")).hexdigest(32 * count)
        drawn = dict.fromkeys(
            stream[start : start + SUFFIX_LENGTH] for start in range(0, len(stream), 64)
        )
        fresh = [suffix for suffix in drawn if suffix not in avoid]
        avoid.update(fresh)
        found += fresh[: count - len(found)]
        round_number += 1
    return found


@lru_cache(maxsize=8)
def _decoy_key(secret_key: str) -> bytes:
    """A key for decoys alone, derived from the node's secret (never the secret itself)."""
    return hmac.new(secret_key.encode("utf-8"), DECOY_CONTEXT, hashlib.sha256).digest()


# -- the client's side ---------------------------------------------------------------------------
class MalformedRangeAnswerError(ValueError):
    """A line of a range answer does not have the documented shape."""


def parse_answer(body: str) -> list[RangeEntry]:
    """Every line of an answer, decoys included (a client skips them with ``is_padding``)."""
    return [parse_line(line) for line in body.splitlines() if line]


def parse_line(line: str) -> RangeEntry:
    parts = line.split(":")
    if len(parts) != 4 or len(parts[0]) != SUFFIX_LENGTH or parts[3] not in ("0", "1"):
        raise MalformedRangeAnswerError(f"not a range line: {line[:80]!r}")
    try:
        score = float(parts[2])
    except ValueError as error:
        raise MalformedRangeAnswerError(f"not a score in {line[:80]!r}") from error
    return RangeEntry(parts[0].lower(), parts[1].strip(), score, parts[3] == "1")


def find_in_answer(body: str, value_hash: str) -> RangeEntry | None:
    """The listing of the value whose full hash is ``value_hash``, or None if not listed."""
    _prefix, suffix = split_hash(value_hash.lower())
    for entry in parse_answer(body):
        if entry.suffix == suffix and not entry.is_padding:
            return entry
    return None
