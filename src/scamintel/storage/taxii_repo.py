"""The reads and writes of the TAXII server: published listings in change_seq order (its
index), report counts per page, and the status resources of objects partners posted."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select, union_all

from scamintel.federation.taxii import AddStatus, PublishedListing
from scamintel.storage.sql import as_utc
from scamintel.storage.tables import indicators, listings, report_indicators, taxii_statuses

_COLUMNS = (
    listings.c.indicator_id,
    listings.c.type,
    listings.c.value,
    listings.c.verdict,
    listings.c.score,
    listings.c.change_seq,
    listings.c.changed_at,
    indicators.c.created_at,
)


# How far past the cursor, in sequence numbers and as a multiple of the page, a page is
# first looked for among the agreement's types (see ``listings_after``).
WINDOW_PAGES = 2


def listings_after(
    connection: Connection,
    after_seq: int,
    added_after: datetime | None,
    count: int,
    types: Collection[str] | None = None,
) -> Sequence[PublishedListing]:
    """Up to ``count`` listings with change_seq above ``after_seq``, in change_seq order;
    only of ``types`` when given.

    Several types are first read within a window of ``WINDOW_PAGES`` pages of sequence
    numbers past the cursor: when the agreement names most of what the node lists, as most
    do, that one bounded read is the page. Only when the window holds too few (rare types)
    is the rest read type by type, up to ``count`` rows each, and merged, so that with the
    index on (type, change_seq) a page of a rare type reads a page of rows rather than every
    row of the other types in between."""
    if types is None or len(types) == 1:
        one = next(iter(types)) if types else None
        return _read(connection, _listings_statement(after_seq, added_after, count, one))
    window_end = after_seq + WINDOW_PAGES * count
    near = _read(
        connection,
        _listings_statement(after_seq, added_after, count).where(
            listings.c.change_seq <= window_end, listings.c.type.in_(sorted(types))
        ),
    )
    if len(near) == count:
        return near
    merged = union_all(
        *(
            select(_listings_statement(window_end, added_after, count - len(near), t).subquery())
            for t in sorted(types)
        )
    ).subquery()
    rest = select(merged).order_by(merged.c.change_seq).limit(count - len(near))
    return [*near, *_read(connection, rest)]


def _read(connection: Connection, statement: Select[Any]) -> list[PublishedListing]:
    rows = connection.execute(statement)
    utc = _utc_memo()
    # Unpacked in _COLUMNS' order: a million rows read by name cost seconds.
    return [
        PublishedListing(
            type=kind,
            value=value,
            verdict=verdict,
            score=float(score),
            change_seq=int(change_seq),
            changed_at=utc(changed_at),
            first_seen=utc(created_at),
            indicator_id=int(indicator_id),
        )
        for indicator_id, kind, value, verdict, score, change_seq, changed_at, created_at in rows
    ]


def _utc_memo() -> Callable[[datetime], datetime]:
    """``as_utc``, remembering its answers: a page's rows share a few timestamps (listings are
    published in batches, at one time)."""
    seen: dict[datetime, datetime] = {}

    def utc(moment: datetime) -> datetime:
        found = seen.get(moment)
        if found is None:
            found = seen[moment] = as_utc(moment) or moment
        return found

    return utc


def _listings_statement(
    after_seq: int, added_after: datetime | None, count: int, of_type: str | None = None
) -> Select[Any]:
    statement = (
        select(*_COLUMNS)
        .join(indicators, indicators.c.id == listings.c.indicator_id)
        .where(listings.c.change_seq > after_seq)
        .order_by(listings.c.change_seq)
        .limit(count)
    )
    if added_after is not None:
        statement = statement.where(listings.c.changed_at > added_after)
    if of_type is not None:
        statement = statement.where(listings.c.type == of_type)
    return statement


def report_counts(connection: Connection, indicator_ids: Collection[int]) -> dict[int, int]:
    """How many reports name each of ``indicator_ids`` (one grouped query; absent: none)."""
    if not indicator_ids:
        return {}
    statement = (
        select(report_indicators.c.indicator_id, func.count())
        .where(report_indicators.c.indicator_id.in_(sorted(set(indicator_ids))))
        .group_by(report_indicators.c.indicator_id)
    )
    return {int(row[0]): int(row[1]) for row in connection.execute(statement)}


def save_status(connection: Connection, status: AddStatus) -> None:
    connection.execute(
        taxii_statuses.insert().values(
            id=uuid.UUID(status.id),
            collection_id=status.collection_id,
            partner=status.partner,
            status=status.status,
            total_count=status.total_count,
            success_count=len(status.successes),
            failure_count=len(status.failures),
            pending_count=0,
            details=status.details(),
            created_at=status.requested_at,
        )
    )


def find_status(connection: Connection, status_id: str) -> AddStatus | None:
    try:
        key = uuid.UUID(status_id)
    except ValueError:
        return None
    row = connection.execute(select(taxii_statuses).where(taxii_statuses.c.id == key)).one_or_none()
    if row is None:
        return None
    successes, failures = AddStatus.outcomes(row.details)
    return AddStatus(
        id=str(row.id),
        collection_id=row.collection_id,
        partner=row.partner,
        requested_at=as_utc(row.created_at) or row.created_at,
        successes=successes,
        failures=failures,
    )
