"""Publications are stamped in commit order, so a partner resuming "changed after T" (TAXII
``added_after``) misses nothing, even when chunks of one refresh share one ``now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from scamintel.indicators import Indicator, IndicatorType
from scamintel.protection.listing import ListingState
from scamintel.storage.evidence_repo import ensure_indicator_id
from scamintel.storage.listings_repo import publish
from scamintel.storage.node import NodeDatabase
from scamintel.storage.sql import as_utc
from scamintel.storage.tables import listings

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def _publish(database: NodeDatabase, number: int, now: datetime) -> None:
    item = Indicator(IndicatorType.PHONE, f"+6681234{number:04d}")
    with database.engine.begin() as connection:
        row = ensure_indicator_id(connection, item)
        publish(connection, [ListingState(row, "phone", item.value, "scam", 0.9, False)], now)


def stamps(database: NodeDatabase) -> list[datetime]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(listings.c.changed_at).order_by(listings.c.change_seq)
        ).scalars()
        return [as_utc(stamp) or stamp for stamp in rows]


def test_each_publication_is_stamped_after_the_one_before(node_database: NodeDatabase) -> None:
    _publish(node_database, 1, NOW)
    _publish(node_database, 2, NOW)  # a second chunk of the same refresh
    _publish(node_database, 3, NOW - timedelta(minutes=5))  # a clock that stepped back
    _publish(node_database, 4, NOW + timedelta(hours=1))
    first, second, third, fourth = stamps(node_database)
    assert first == NOW
    assert second == NOW + timedelta(microseconds=1)
    assert third == NOW + timedelta(microseconds=2)
    assert fourth == NOW + timedelta(hours=1)
