"""Blocklists for telcos and banks: the canonical values a node lists, by type, above a
confidence, with a cursor so that a consumer downloads only what changed since its last run.

The cursor is a listing version. Every published row carries the version at which it last
changed, so the rows changed since cursor N are exactly those with a higher version: values
that are listed now (above the confidence) are *added* (new, or changed verdict or score), and
the others (no longer listed, or fallen below the confidence) are *removed*. A removal may
name a value the consumer never had; dropping it is then a no-op. A download from cursor 0
is the full list and carries no removals.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from scamintel.governance.audit import AuditEvent
from scamintel.protection.listing import Listing

DEFAULT_MIN_SCORE = 0.5
DEFAULT_PAGE_SIZE = 10_000
MAX_PAGE_SIZE = 100_000
# Versions are 64-bit signed integers in the database.
MAX_CURSOR = 2**63 - 1
CSV_COLUMNS = ("change", "type", "value", "verdict", "score", "under_review")


class CursorAheadError(ValueError):
    """The consumer's cursor is beyond this node's listing version (a restored node, or a
    cursor from another node): it must start again from 0."""

    def __init__(self, since: int, version: int) -> None:
        super().__init__(
            f"cursor {since} is ahead of this node's listing version {version}; start again "
            "from cursor 0 (the full list)"
        )
        self.since = since
        self.version = version


@dataclass(frozen=True, slots=True)
class BlocklistQuery:
    types: tuple[str, ...] = ()  # every type when empty
    min_score: float = DEFAULT_MIN_SCORE
    since: int = 0
    limit: int = DEFAULT_PAGE_SIZE

    @property
    def full(self) -> bool:
        return self.since == 0

    def admits(self, listing: Listing) -> bool:
        """Whether the value belongs on the consumer's list now."""
        return listing.listed and listing.score >= self.min_score


@dataclass(frozen=True, slots=True)
class ListingChanges:
    """Rows changed after a cursor, in version order, read at one listing version."""

    version: int
    rows: Sequence[Listing]


class ListingChangeSource(Protocol):
    """What a blocklist download needs from storage."""

    def listing_changes(self, query: BlocklistQuery) -> ListingChanges:
        """At most ``query.limit + 1`` rows of ``query.types`` changed after ``query.since``,
        ascending by version; from cursor 0 only rows the query admits."""
        ...


@dataclass(frozen=True, slots=True)
class BlocklistEntry:
    type: str
    value: str
    verdict: str
    score: float
    under_review: bool

    @classmethod
    def of(cls, listing: Listing) -> BlocklistEntry:
        return cls(
            listing.type, listing.value, listing.verdict, listing.score, listing.under_review
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "value": self.value,
            "verdict": self.verdict,
            "score": round(self.score, 3),
            "under_review": self.under_review,
        }


@dataclass(frozen=True, slots=True)
class RemovedEntry:
    type: str
    value: str

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "value": self.value}


@dataclass(frozen=True, slots=True)
class BlocklistPage:
    since: int
    cursor: int
    complete: bool
    added: list[BlocklistEntry] = field(default_factory=list)
    removed: list[RemovedEntry] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cursor": self.cursor,
            "since": self.since,
            "complete": self.complete,
            "added": [entry.as_dict() for entry in self.added],
            "removed": [entry.as_dict() for entry in self.removed],
        }

    def as_csv(self) -> str:
        """One row per change; removed rows leave verdict, score and under_review empty."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for entry in self.added:
            writer.writerow(
                [
                    "added",
                    entry.type,
                    entry.value,
                    entry.verdict,
                    f"{entry.score:.3f}",
                    int(entry.under_review),
                ]
            )
        for removed in self.removed:
            writer.writerow(["removed", removed.type, removed.value, "", "", ""])
        return buffer.getvalue()


def blocklist_page(source: ListingChangeSource, query: BlocklistQuery) -> BlocklistPage:
    """One page of the blocklist from ``query.since``; ``cursor`` is where the next starts."""
    changes = source.listing_changes(query)
    if query.since > changes.version:
        raise CursorAheadError(query.since, changes.version)
    rows = list(changes.rows)
    complete = len(rows) <= query.limit
    rows = rows[: query.limit]
    cursor = changes.version if complete else rows[-1].change_seq
    added = [BlocklistEntry.of(row) for row in rows if query.admits(row)]
    removed = [] if query.full else [_removed(row) for row in rows if not query.admits(row)]
    return BlocklistPage(query.since, cursor, complete, added, removed)


def _removed(listing: Listing) -> RemovedEntry:
    return RemovedEntry(listing.type, listing.value)


def download_event(actor: str, query: BlocklistQuery, page: BlocklistPage, form: str) -> AuditEvent:
    """The audit entry every download writes: who took which part of the list."""
    return AuditEvent(
        actor=actor,
        action="blocklist.download",
        object_type="blocklist",
        purpose="prevention",
        details={
            "types": list(query.types),
            "min_score": query.min_score,
            "since": query.since,
            "cursor": page.cursor,
            "complete": page.complete,
            "added": len(page.added),
            "removed": len(page.removed),
            "format": form,
        },
    )


class AuditedChangeSource(ListingChangeSource, Protocol):
    def audit(self, event: AuditEvent) -> None: ...


def download_blocklist(
    source: AuditedChangeSource, query: BlocklistQuery, *, actor: str, form: str
) -> BlocklistPage:
    """A page of the blocklist for ``actor``; the disclosure is audited before it is served."""
    page = blocklist_page(source, query)
    source.audit(download_event(actor, query, page, form))
    return page


def collect_blocklist(source: ListingChangeSource, query: BlocklistQuery) -> BlocklistPage:
    """Every page from ``query.since`` to the end as one page (an export). On a source that
    reads one snapshot, this is exactly what one unlimited page would be."""
    added: list[BlocklistEntry] = []
    removed: list[RemovedEntry] = []
    since = query.since
    while True:
        page = blocklist_page(source, replace(query, since=since, limit=MAX_PAGE_SIZE))
        added += page.added
        # Later pages of a full list are read as changes; their removals name nothing sent.
        removed += [] if query.full else page.removed
        if page.complete:
            return BlocklistPage(query.since, page.cursor, True, added, removed)
        since = page.cursor
