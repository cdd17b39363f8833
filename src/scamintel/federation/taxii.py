"""TAXII 2.1 resources over the published listings, free of HTTP frameworks and SQL.

One API root with one collection, ``listings``: for every row of the published listings the
STIX ``indicator`` of its value (a removed listing is the same indicator with
``revoked: true``). Each indicator has one version, the listing's current state: its
``modified`` and its TAXII "date added" are the listing's ``changed_at``. Pages follow the
listings' change sequence, and the ``next`` cursor is the last sequence number served, so
paging is exact even when thousands of objects share one timestamp (docs/federation.md).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scamintel.federation.markings import SCAMINTEL_NAMESPACE, Purpose, SharingContext, Tlp
from scamintel.federation.stix import indicator_object
from scamintel.indicators import Indicator, IndicatorType

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
LISTINGS_COLLECTION_ID = str(uuid.uuid5(SCAMINTEL_NAMESPACE, "taxii-collection:listings"))
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
REMOVED = "removed"
_CURSOR_PREFIX = "seq:"
_VERSION_KEYWORDS = frozenset({"first", "last", "all"})


class TaxiiError(Exception):
    """A failure that a TAXII client receives as a TAXII error message (section 3.6.1)."""

    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.description = description

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title, "http_status": str(self.status)}
        if self.description:
            body["description"] = self.description
        return body


# -- resources ------------------------------------------------------------------------------------
def discovery(node_name: str, api_root: str) -> dict[str, Any]:
    return {
        "title": f"scamintel node {node_name}",
        "description": "Published scam listings of this node as STIX 2.1 indicators.",
        "default": api_root,
        "api_roots": [api_root],
    }


def api_root_resource(node_name: str, max_content_length: int) -> dict[str, Any]:
    return {
        "title": f"{node_name} listings",
        "description": "Read-only: the values this node lists as scams, and their removals.",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": max_content_length,
    }


def listings_collection() -> dict[str, Any]:
    return {
        "id": LISTINGS_COLLECTION_ID,
        "title": "listings",
        "description": "One STIX indicator per published listing; removals are revocations.",
        "can_read": True,
        "can_write": False,
        "media_types": [STIX_MEDIA_TYPE],
    }


# -- content negotiation --------------------------------------------------------------------------
def _acceptable_range(media_range: str) -> bool:
    kind, *parameters = (part.strip().lower() for part in media_range.split(";"))
    params = dict(p.partition("=")[::2] for p in parameters)
    if params.get("q", "1").strip() in ("0", "0.0", "0.00", "0.000"):
        return False
    if kind in ("*/*", "application/*"):
        return True
    return kind == "application/taxii+json" and params.get("version", "2.1") == "2.1"


def accepts_taxii(accept: str | None) -> bool:
    """Whether an ``Accept`` header admits ``application/taxii+json;version=2.1``."""
    if accept is None or not accept.strip():
        return True
    return any(_acceptable_range(media_range) for media_range in accept.split(","))


# -- the cursor -----------------------------------------------------------------------------------
def encode_cursor(change_seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{change_seq}".encode()).decode().rstrip("=")


def decode_cursor(token: str) -> int:
    """The change_seq a ``next`` token stands for; 400 if the token is not ours."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if text.startswith(_CURSOR_PREFIX):
            seq = int(text.removeprefix(_CURSOR_PREFIX))
            if seq >= 0:
                return seq
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise TaxiiError(400, "Invalid next", "Pass back the 'next' value of the previous page.")


# -- query parameters -----------------------------------------------------------------------------
def parse_timestamp(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        detail = f"{text!r} is not an RFC 3339 timestamp."
        raise TaxiiError(400, f"Invalid {name}", detail) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if limit < 1:
        raise TaxiiError(400, "Invalid limit", "limit must be a positive integer.")
    return min(limit, MAX_LIMIT)


def _split(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True, slots=True)
class VersionFilter:
    """``match[version]``: keywords (first, last, all: one version is kept, so all equal the
    current one) or exact ``modified`` timestamps."""

    keywords: frozenset[str] = frozenset({"last"})
    timestamps: frozenset[datetime] = frozenset()

    @classmethod
    def parse(cls, text: str | None) -> VersionFilter:
        values = _split(text)
        if not values:
            return cls()
        keywords = frozenset(v for v in values if v in _VERSION_KEYWORDS)
        stamps = frozenset(
            parse_timestamp(v, "match[version]") for v in values if v not in keywords
        )
        return cls(keywords, stamps)

    def admits(self, modified: datetime) -> bool:
        return bool(self.keywords) or modified in self.timestamps


@dataclass(frozen=True, slots=True)
class ObjectQuery:
    """What a Get Objects (or manifest, or versions) request asks for."""

    limit: int = DEFAULT_LIMIT
    after_seq: int = 0
    added_after: datetime | None = None
    ids: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    versions: VersionFilter = field(default_factory=VersionFilter)
    spec_versions: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, params: dict[str, str], *, object_id: str | None = None) -> ObjectQuery:
        after = params.get("added_after")
        ids = frozenset(_split(params.get("match[id]")))
        if object_id is not None:
            ids = frozenset({object_id})
        return cls(
            limit=parse_limit(params.get("limit")),
            after_seq=decode_cursor(params["next"]) if params.get("next") else 0,
            added_after=parse_timestamp(after, "added_after") if after else None,
            ids=ids,
            types=frozenset(_split(params.get("match[type]"))),
            versions=VersionFilter.parse(params.get("match[version]")),
            spec_versions=frozenset(_split(params.get("match[spec_version]"))),
        )

    def matches_nothing(self) -> bool:
        """Every object is a 2.1 ``indicator``: other types or spec versions match none."""
        wrong_type = bool(self.types) and "indicator" not in self.types
        wrong_spec = bool(self.spec_versions) and "2.1" not in self.spec_versions
        return wrong_type or wrong_spec


# -- objects --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PublishedListing:
    """One row of the published listings, with when its value was first seen."""

    type: str
    value: str
    verdict: str
    score: float
    change_seq: int
    changed_at: datetime
    first_seen: datetime

    def stix(self, context: SharingContext) -> dict[str, Any]:
        removed = self.verdict == REMOVED
        created = min(self.first_seen, self.changed_at)
        return indicator_object(
            Indicator(IndicatorType(self.type), self.value),
            context,
            created=created,
            valid_from=created,
            modified=self.changed_at,
            score=0.0 if removed else self.score,
            verdict=None if removed else self.verdict,
            revoked=removed,
        )


def listings_context(node_name: str) -> SharingContext:
    """Listings are public already: TLP:CLEAR, for prevention, from this node."""
    return SharingContext(origin=node_name, tlp=Tlp.CLEAR, purpose=Purpose.PREVENTION)


def stix_version(moment: datetime) -> datetime:
    """``modified`` as STIX writes it (milliseconds): the version a client names."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def taxii_timestamp(moment: datetime) -> str:
    """A TAXII timestamp with microseconds, so ``added_after`` can be exact."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Entry:
    """One object of a page: its listing and its STIX form."""

    listing: PublishedListing
    stix: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    entries: Sequence[Entry]
    more: bool

    @property
    def next(self) -> str | None:
        return encode_cursor(self.entries[-1].listing.change_seq) if self.more else None

    def headers(self) -> dict[str, str]:
        if not self.entries:
            return {}
        return {
            "X-TAXII-Date-Added-First": taxii_timestamp(self.entries[0].listing.changed_at),
            "X-TAXII-Date-Added-Last": taxii_timestamp(self.entries[-1].listing.changed_at),
        }

    def _paged(self, key: str, items: list[Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"more": self.more}
        if self.more:
            body["next"] = self.next
        if items:
            body[key] = items
        return body

    def envelope(self) -> dict[str, Any]:
        return self._paged("objects", [entry.stix for entry in self.entries])

    def manifest(self) -> dict[str, Any]:
        return self._paged("objects", [_manifest_record(entry) for entry in self.entries])

    def versions(self) -> dict[str, Any]:
        return self._paged("versions", [entry.stix["modified"] for entry in self.entries])


def _manifest_record(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.stix["id"],
        "date_added": taxii_timestamp(entry.listing.changed_at),
        "version": entry.stix["modified"],
        "media_type": STIX_MEDIA_TYPE,
    }


#: Reads up to ``count`` listings with change_seq above ``after_seq`` (and changed after
#: ``added_after``), in change_seq order.
ListingReader = Callable[[int, datetime | None, int], Sequence[PublishedListing]]

# Id filters are applied to the STIX ids, which are computed, so those reads scan in batches.
SCAN_BATCH = 5_000


def read_page(read: ListingReader, query: ObjectQuery, context: SharingContext) -> Page:
    """The page ``query`` asks for: up to ``limit`` objects after the cursor, and whether more
    follow. Filters other than added_after run here, over batches read in sequence order."""
    if query.matches_nothing():
        return Page((), False)
    filtered = bool(query.ids) or bool(query.versions.timestamps)
    batch = SCAN_BATCH if filtered else query.limit + 1
    found: list[Entry] = []
    after = query.after_seq
    while len(found) <= query.limit:
        rows = read(after, query.added_after, batch)
        found += [entry for row in rows if (entry := _matching(row, query, context))]
        if len(rows) < batch:
            break
        after = rows[-1].change_seq
    return Page(found[: query.limit], len(found) > query.limit)


def _matching(row: PublishedListing, query: ObjectQuery, context: SharingContext) -> Entry | None:
    stix = row.stix(context)
    if query.ids and stix["id"] not in query.ids:
        return None
    if not query.versions.admits(stix_version(row.changed_at)):
        return None
    return Entry(row, stix)
