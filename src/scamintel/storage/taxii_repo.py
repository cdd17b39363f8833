"""The reads of the TAXII server: published listings in change_seq order (its index)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from scamintel.federation.taxii import PublishedListing
from scamintel.storage.sql import as_utc
from scamintel.storage.tables import indicators, listings

_COLUMNS = (
    listings.c.type,
    listings.c.value,
    listings.c.verdict,
    listings.c.score,
    listings.c.change_seq,
    listings.c.changed_at,
    indicators.c.created_at,
)


def listings_after(
    connection: Connection, after_seq: int, added_after: datetime | None, count: int
) -> Sequence[PublishedListing]:
    """Up to ``count`` listings with change_seq above ``after_seq``, in change_seq order."""
    statement = (
        select(*_COLUMNS)
        .join(indicators, indicators.c.id == listings.c.indicator_id)
        .where(listings.c.change_seq > after_seq)
        .order_by(listings.c.change_seq)
        .limit(count)
    )
    if added_after is not None:
        statement = statement.where(listings.c.changed_at > added_after)
    return [
        PublishedListing(
            type=row.type,
            value=row.value,
            verdict=row.verdict,
            score=float(row.score),
            change_seq=int(row.change_seq),
            changed_at=as_utc(row.changed_at) or row.changed_at,
            first_seen=as_utc(row.created_at) or row.created_at,
        )
        for row in connection.execute(statement)
    ]
