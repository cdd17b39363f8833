"""Blocklist pages: what is added and removed since a cursor, paging, and the two renderings.
The source here is an in-memory listings table kept the way storage keeps it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from scamintel.governance.audit import AuditEvent
from scamintel.protection.blocklist import (
    CSV_COLUMNS,
    BlocklistEntry,
    BlocklistQuery,
    CursorAheadError,
    ListingChanges,
    RemovedEntry,
    blocklist_page,
    collect_blocklist,
    download_blocklist,
)
from scamintel.protection.listing import Listing, value_hash

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass
class MemoryListings:
    """Rows keyed by value; each change takes the next version, as publish does."""

    rows: dict[str, Listing] = field(default_factory=dict)
    version: int = 0
    audited: list[AuditEvent] = field(default_factory=list)

    def set(self, kind: str, value: str, verdict: str, score: float = 0.9) -> None:
        self.version += 1
        self.rows[value] = Listing(
            indicator_id=len(self.rows) + 1,
            type=kind,
            value=value,
            value_hash=value_hash(value),
            verdict=verdict,
            score=score,
            under_review=False,
            change_seq=self.version,
            changed_at=NOW,
        )

    def listing_changes(self, query: BlocklistQuery) -> ListingChanges:
        rows = sorted(
            (
                row
                for row in self.rows.values()
                if row.change_seq > query.since
                and (not query.types or row.type in query.types)
                and (not query.full or query.admits(row))
            ),
            key=lambda row: row.change_seq,
        )
        return ListingChanges(self.version, rows[: query.limit + 1])

    def audit(self, event: AuditEvent) -> None:
        self.audited.append(event)


@pytest.fixture
def node() -> MemoryListings:
    listings = MemoryListings()
    listings.set("phone", "+66812345001", "scam")
    listings.set("phone", "+66812345002", "suspicious", 0.55)
    listings.set("bank_account", "TH:KBANK:1234567890", "scam", 0.95)
    listings.set("phone", "+66812345003", "suspicious", 0.3)
    return listings


def values(entries: list[BlocklistEntry] | list[RemovedEntry]) -> list[str]:
    return [entry.value for entry in entries]


def test_from_cursor_0_the_list_holds_what_is_listed_above_the_score_and_no_removals(
    node: MemoryListings,
) -> None:
    node.set("phone", "+66812345009", "removed", 0.0)
    page = blocklist_page(node, BlocklistQuery(min_score=0.5))
    assert values(page.added) == ["+66812345001", "+66812345002", "TH:KBANK:1234567890"]
    assert page.removed == []
    assert (page.since, page.cursor, page.complete) == (0, node.version, True)


def test_since_a_cursor_changes_are_added_and_removals_and_drops_below_the_score_removed(
    node: MemoryListings,
) -> None:
    cursor = blocklist_page(node, BlocklistQuery()).cursor
    node.set("phone", "+66812345001", "removed", 0.0)
    node.set("phone", "+66812345002", "suspicious", 0.4)
    node.set("phone", "+66812345004", "scam", 0.8)
    node.set("bank_account", "TH:KBANK:1234567890", "suspicious", 0.7)
    page = blocklist_page(node, BlocklistQuery(since=cursor))
    assert values(page.added) == ["+66812345004", "TH:KBANK:1234567890"]
    assert page.added[1].verdict == "suspicious"
    assert values(page.removed) == ["+66812345001", "+66812345002"]
    assert page.cursor == node.version


def test_a_type_filter_keeps_other_types_out_of_both_lists(node: MemoryListings) -> None:
    node.set("phone", "+66812345001", "removed", 0.0)
    page = blocklist_page(node, BlocklistQuery(types=("bank_account",), since=2))
    assert values(page.added) == ["TH:KBANK:1234567890"]
    assert page.removed == []


def test_pages_end_at_the_last_version_sent_and_together_make_the_whole_list(
    node: MemoryListings,
) -> None:
    first = blocklist_page(node, BlocklistQuery(min_score=0.0, limit=2))
    assert (first.complete, first.cursor) == (False, 2)
    second = blocklist_page(node, BlocklistQuery(min_score=0.0, since=first.cursor, limit=2))
    assert (second.complete, second.cursor) == (True, node.version)
    everything = blocklist_page(node, BlocklistQuery(min_score=0.0))
    assert first.added + second.added == everything.added


def test_an_export_collects_every_page_into_one(node: MemoryListings) -> None:
    whole = collect_blocklist(node, BlocklistQuery(min_score=0.0, limit=1))
    assert whole == replace(blocklist_page(node, BlocklistQuery(min_score=0.0)), since=0)


def test_a_cursor_ahead_of_the_node_says_to_start_again(node: MemoryListings) -> None:
    with pytest.raises(CursorAheadError, match="start again from cursor 0"):
        blocklist_page(node, BlocklistQuery(since=node.version + 1))


def test_a_download_is_audited_with_what_it_disclosed(node: MemoryListings) -> None:
    page = download_blocklist(node, BlocklistQuery(types=("phone",)), actor="key:abc", form="csv")
    [event] = node.audited
    assert (event.actor, event.action, event.purpose) == (
        "key:abc",
        "blocklist.download",
        "prevention",
    )
    assert event.details["added"] == len(page.added) == 2
    assert event.details["types"] == ["phone"]
    assert event.details["cursor"] == page.cursor


def test_json_and_csv_carry_the_same_changes(node: MemoryListings) -> None:
    node.set("phone", "+66812345001", "removed", 0.0)
    page = blocklist_page(node, BlocklistQuery(since=1))
    body = page.as_dict()
    assert body["added"][0] == {
        "type": "phone",
        "value": "+66812345002",
        "verdict": "suspicious",
        "score": 0.55,
        "under_review": False,
    }
    assert body["removed"] == [
        {"type": "phone", "value": "+66812345003"},  # below the score
        {"type": "phone", "value": "+66812345001"},
    ]
    rows = list(csv.DictReader(io.StringIO(page.as_csv())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(row["change"], row["value"]) for row in rows] == [
        ("added", "+66812345002"),
        ("added", "TH:KBANK:1234567890"),
        ("removed", "+66812345003"),
        ("removed", "+66812345001"),
    ]
    assert rows[0]["score"] == "0.550"
    assert rows[2]["verdict"] == ""
