"""TAXII 2.1 resources over the published listings, free of HTTP frameworks and SQL.

One API root. The ``listings`` collection serves, to every partner and to this node's staff,
the STIX ``indicator`` of every published listing (a removed listing is the same indicator
with ``revoked: true``), TLP:CLEAR. Each sharing agreement adds a collection of its own
(``federation.export``): the same listings, filtered and marked as the agreement says, read by
that partner only, and written to by it when the agreement allows pushes.

Each indicator has one version, the listing's current state: its ``modified`` and its TAXII
"date added" are the listing's ``changed_at``. Pages follow the listings' change sequence, and
the ``next`` cursor is the last sequence number served, so paging is exact even when thousands
of objects share one timestamp (docs/federation.md).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scamintel.access.keys import Principal, Role
from scamintel.federation.agreement import Agreement
from scamintel.federation.intake import (
    Canonicaliser,
    Intake,
    ReceivedIndicator,
    Refusal,
    take_objects,
)
from scamintel.federation.markings import SCAMINTEL_NAMESPACE, Purpose, SharingContext, Tlp
from scamintel.federation.stix import indicator_id, indicator_object
from scamintel.indicators import Indicator, IndicatorType

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
LISTINGS_COLLECTION_ID = str(uuid.uuid5(SCAMINTEL_NAMESPACE, "taxii-collection:listings"))
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
REMOVED = "removed"
_CURSOR_PREFIX = "seq:"
# The enum's own constructor costs more than the rest of a listing's row, for every object.
_INDICATOR_TYPES: dict[str, IndicatorType] = {member.value: member for member in IndicatorType}
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
        "description": "Published scam listings of this node as STIX 2.1 indicators, and what "
        "it shares with each partner under a sharing agreement.",
        "default": api_root,
        "api_roots": [api_root],
    }


def api_root_resource(node_name: str, max_content_length: int) -> dict[str, Any]:
    return {
        "title": f"{node_name} listings",
        "description": "The values this node lists as scams, and their removals; partners "
        "with a sharing agreement read their own collection and may push to it.",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": max_content_length,
    }


@dataclass(frozen=True, slots=True)
class TaxiiCollection:
    """A collection as one caller sees it. ``agreement`` is None for ``listings``."""

    id: str
    title: str
    description: str
    can_read: bool
    can_write: bool
    agreement: Agreement | None = None

    def resource(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "can_read": self.can_read,
            "can_write": self.can_write,
            "media_types": [STIX_MEDIA_TYPE],
        }


LISTINGS_COLLECTION = TaxiiCollection(
    id=LISTINGS_COLLECTION_ID,
    title="listings",
    description="One STIX indicator per published listing; removals are revocations.",
    can_read=True,
    can_write=False,
)


def listings_collection() -> dict[str, Any]:
    return LISTINGS_COLLECTION.resource()


def agreement_collection(agreement: Agreement, principal: Principal) -> TaxiiCollection | None:
    """The agreement's collection as ``principal`` sees it, or None when it may not know the
    collection exists: the partner itself reads it (and writes when the agreement allows
    pushes); this node's analysts and admins read it, never write."""
    if principal.role is Role.PARTNER:
        if principal.organisation_name != agreement.partner:
            return None
        can_write = agreement.push
    elif principal.role in (Role.ANALYST, Role.ADMIN):
        can_write = False
    else:
        return None
    return TaxiiCollection(
        id=agreement.collection_id,
        title=f"Shared with {agreement.partner} (agreement v{agreement.version})",
        description="This node's listings as the sharing agreement allows them to "
        f"{agreement.partner}: types {', '.join(sorted(agreement.types))}, "
        f"marked TLP:{agreement.share_as.value.upper()}"
        + ("; blind types go as keyed-hash selectors." if agreement.blind else "."),
        can_read=True,
        can_write=can_write,
        agreement=agreement,
    )


def visible_collections(
    principal: Principal, agreements: Sequence[Agreement]
) -> list[TaxiiCollection]:
    """``listings`` for this node's staff, then the agreement collections ``principal`` may
    know of. A partner reads only under its agreement: ``listings`` holds every type raw,
    blind ones included, so it would undo the agreement's ``types`` and ``blind``."""
    found = [agreement_collection(agreement, principal) for agreement in agreements]
    staff = [LISTINGS_COLLECTION] if principal.role in (Role.ANALYST, Role.ADMIN) else []
    return [*staff, *(collection for collection in found if collection)]


def find_collection(
    collection_id: str, principal: Principal, agreements: Sequence[Agreement]
) -> TaxiiCollection:
    """The collection, or 404: another partner's collection is not revealed to exist."""
    for collection in visible_collections(principal, agreements):
        if collection.id == collection_id:
            return collection
    raise TaxiiError(404, "Unknown collection", f"No collection {collection_id!r} here.")


def require_read(collection: TaxiiCollection) -> None:
    if not collection.can_read:
        raise TaxiiError(403, "Forbidden", "This collection cannot be read with this key.")


def writable_agreement(collection: TaxiiCollection) -> Agreement:
    """The agreement objects added to ``collection`` are checked under; 403 when the caller
    may not add objects there."""
    if not collection.can_write or collection.agreement is None:
        raise TaxiiError(
            403,
            "Forbidden",
            "This collection does not take objects from this key; a partner may add objects "
            "to its own collection only when its sharing agreement says push: true.",
        )
    return collection.agreement


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


def is_taxii_content(content_type: str | None) -> bool:
    """Whether a request body is ``application/taxii+json;version=2.1`` (the version is
    required: a TAXII 2.0 body is shaped differently)."""
    if content_type is None:
        return False
    kind, *parameters = (part.strip().lower() for part in content_type.split(";"))
    params = {
        name.strip(): value.strip().strip('"')
        for name, _, value in (p.partition("=") for p in parameters)
    }
    return kind == "application/taxii+json" and params.get("version") == "2.1"


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
    # The row of the value in ``indicators``: what report counts are grouped by.
    indicator_id: int = 0

    @property
    def indicator(self) -> Indicator:
        return Indicator(_INDICATOR_TYPES[self.type], self.value)

    def stix(self, context: SharingContext, indicator: Indicator | None = None) -> dict[str, Any]:
        """The STIX indicator; ``indicator`` is this listing's, when the caller has it."""
        removed = self.verdict == REMOVED
        created = min(self.first_seen, self.changed_at)
        return indicator_object(
            indicator or self.indicator,
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


@dataclass(frozen=True, slots=True)
class CollectionView:
    """How a collection shows listings: the STIX id of one (cheap, for ``match[id]``) and
    the objects of a whole page at once (so per-page facts cost one query, not one each)."""

    object_id: Callable[[PublishedListing], str]
    render: Callable[[Sequence[PublishedListing]], list[dict[str, Any]]]


def listings_view(node_name: str) -> CollectionView:
    context = listings_context(node_name)
    return CollectionView(
        object_id=lambda row: indicator_id(row.indicator),
        render=lambda rows: [row.stix(context) for row in rows],
    )


# Id filters are applied to the STIX ids, which are computed, so those reads scan in batches.
SCAN_BATCH = 5_000


def read_page(read: ListingReader, query: ObjectQuery, view: CollectionView) -> Page:
    """The page ``query`` asks for: up to ``limit`` objects after the cursor, and whether more
    follow. Filters other than added_after run here, over batches read in sequence order."""
    if query.matches_nothing():
        return Page((), False)
    filtered = bool(query.ids) or bool(query.versions.timestamps)
    batch = SCAN_BATCH if filtered else query.limit + 1
    found: list[PublishedListing] = []
    after = query.after_seq
    while len(found) <= query.limit:
        rows = read(after, query.added_after, batch)
        found += [row for row in rows if _matches(row, query, view)]
        if len(rows) < batch:
            break
        after = rows[-1].change_seq
    served = found[: query.limit]
    entries = [Entry(row, obj) for row, obj in zip(served, view.render(served), strict=True)]
    return Page(entries, len(found) > query.limit)


def _matches(row: PublishedListing, query: ObjectQuery, view: CollectionView) -> bool:
    if query.ids and view.object_id(row) not in query.ids:
        return False
    return query.versions.admits(stix_version(row.changed_at))


# -- adding objects -------------------------------------------------------------------------------
def envelope_objects(body: bytes) -> list[Any]:
    """The ``objects`` of a posted TAXII envelope; 400 with the reason when it is not one."""
    try:
        envelope = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise TaxiiError(400, "Invalid envelope", "The body is not JSON.") from None
    if not isinstance(envelope, dict):
        raise TaxiiError(400, "Invalid envelope", 'Send an envelope: {"objects": [...]}.')
    if envelope.get("type") == "bundle":
        detail = 'TAXII 2.1 takes an envelope {"objects": [...]}, not a STIX bundle.'
        raise TaxiiError(400, "Invalid envelope", detail)
    objects = envelope.get("objects")
    if not isinstance(objects, list):
        detail = 'The envelope needs "objects": a list of STIX objects.'
        raise TaxiiError(400, "Invalid envelope", detail)
    return objects


@dataclass(frozen=True, slots=True)
class StatusDetail:
    """One object of a request in a status resource (TAXII 2.1 section 4.3.1)."""

    id: str
    version: str
    message: str | None = None

    def resource(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "version": self.version}
        if self.message:
            body["message"] = self.message
        return body

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> StatusDetail:
        return cls(str(data["id"]), str(data["version"]), data.get("message"))


#: Why an object that is not an indicator counts as a success: it was read and understood;
#: a node keeps partners' indicators only (definitions and the rest are not intelligence).
SKIPPED_MESSAGE = "read; not kept: this node keeps only indicators from partners"


def _detail(obj: object, message: str | None) -> StatusDetail:
    fields = obj if isinstance(obj, Mapping) else {}
    object_id = fields.get("id")
    version = fields.get("modified") or fields.get("created") or ""
    return StatusDetail(
        object_id if isinstance(object_id, str) else "",
        version if isinstance(version, str) else "",
        message,
    )


@dataclass(frozen=True, slots=True)
class Received:
    """What one Add Objects request gave: the intake to store and each object's outcome."""

    intake: Intake
    successes: list[StatusDetail]
    failures: list[StatusDetail]


def receive_objects(
    objects: Sequence[Any],
    agreement: Agreement,
    canonicalise: Canonicaliser,
    received_at: datetime,
) -> Received:
    """Run the importer's checks on each posted object, keeping each one's outcome (one at a
    time: ids may repeat in a request, so outcomes cannot be matched up afterwards)."""
    accepted: list[ReceivedIndicator] = []
    refused: list[Refusal] = []
    skipped = 0
    successes: list[StatusDetail] = []
    failures: list[StatusDetail] = []
    for obj in objects:
        one = take_objects([obj], agreement, canonicalise, received_at)
        accepted += one.accepted
        refused += one.refused
        skipped += one.skipped
        if one.refused:
            failures.append(_detail(obj, one.refused[0].reason))
        else:
            successes.append(_detail(obj, SKIPPED_MESSAGE if one.skipped else None))
    return Received(Intake(accepted, refused, skipped), successes, failures)


@dataclass(frozen=True, slots=True)
class AddStatus:
    """The status resource of one Add Objects request. Requests are processed before the
    answer, so a status is always ``complete`` and nothing is pending."""

    id: str
    collection_id: str
    partner: str
    requested_at: datetime
    successes: tuple[StatusDetail, ...]
    failures: tuple[StatusDetail, ...]

    @classmethod
    def create(
        cls, collection_id: str, partner: str, requested_at: datetime, received: Received
    ) -> AddStatus:
        return cls(
            id=str(uuid.uuid4()),
            collection_id=collection_id,
            partner=partner,
            requested_at=requested_at,
            successes=tuple(received.successes),
            failures=tuple(received.failures),
        )

    @property
    def status(self) -> str:
        return "complete"

    @property
    def total_count(self) -> int:
        return len(self.successes) + len(self.failures)

    def details(self) -> str:
        """What is stored beside the counts: each object's outcome."""
        return json.dumps(
            {
                "successes": [d.resource() for d in self.successes],
                "failures": [d.resource() for d in self.failures],
            }
        )

    @staticmethod
    def outcomes(details: str) -> tuple[tuple[StatusDetail, ...], tuple[StatusDetail, ...]]:
        data = json.loads(details)
        return (
            tuple(StatusDetail.of(d) for d in data.get("successes", ())),
            tuple(StatusDetail.of(d) for d in data.get("failures", ())),
        )

    def resource(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "request_timestamp": taxii_timestamp(self.requested_at),
            "total_count": self.total_count,
            "success_count": len(self.successes),
            "failure_count": len(self.failures),
            "pending_count": 0,
        }
        # Lists are left out when empty, as the specification wants them non-empty if present.
        if self.successes:
            body["successes"] = [d.resource() for d in self.successes]
        if self.failures:
            body["failures"] = [d.resource() for d in self.failures]
        return body

    def visible_to(self, principal: Principal) -> bool:
        """The partner that posted, or this node's analysts and admins."""
        if principal.role is Role.PARTNER:
            return principal.organisation_name == self.partner
        return principal.role in (Role.ANALYST, Role.ADMIN)
