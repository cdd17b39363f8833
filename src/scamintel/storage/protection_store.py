"""The protection package's storage ports (range lookups, bundles, blocklists) over one
connection, from the reads in :mod:`scamintel.storage.listings_repo`."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection

from scamintel.governance.audit import AuditEvent
from scamintel.protection.blocklist import BlocklistQuery, ListingChanges
from scamintel.protection.bundle import ListedRow
from scamintel.protection.range import RangeSnapshot
from scamintel.storage import listings_repo
from scamintel.storage.store import append_audit


class SqlListings:
    """Reads on ``connection`` (for bundles and blocklists, a ``snapshot_reads`` one)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def range_of(self, prefix: str) -> RangeSnapshot:
        return listings_repo.range_snapshot(self.connection, prefix)

    def listing_version(self) -> int:
        return listings_repo.listing_version(self.connection)

    def listed_rows(self) -> Iterator[ListedRow]:
        return listings_repo.listed_rows(self.connection)

    def changed_count(self, since: int) -> int:
        return listings_repo.changed_count(self.connection, since)

    def rows_sharing_changed_keys(self, since: int) -> Iterator[ListedRow]:
        return listings_repo.rows_sharing_changed_keys(self.connection, since)

    def listing_changes(self, query: BlocklistQuery) -> ListingChanges:
        return listings_repo.listing_changes(self.connection, query)

    def audit(self, event: AuditEvent) -> None:
        """Written at once in a transaction of its own (the reads may be read-only)."""
        with self.connection.engine.begin() as writer:
            append_audit(writer, event)
