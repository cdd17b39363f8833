"""Published listings: written by the verdict engine's refresh, read by the range API, the
bundle and the blocklist. Every changed row takes the next change_seq from listing_head."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, Row, String, and_, bindparam, func, select, update

from scamintel.protection.blocklist import BlocklistQuery, ListingChanges
from scamintel.protection.bundle import KEY_BYTES, ListedRow
from scamintel.protection.listing import (
    LISTED_VERDICTS,
    REMOVED,
    Listing,
    ListingState,
    needs_publishing,
    value_hash,
)
from scamintel.protection.range import RangeEntry, RangeSnapshot, split_hash
from scamintel.storage.sql import as_utc, chunked
from scamintel.storage.tables import listing_head, listing_transitions, listings


def listing_version(connection: Connection) -> int:
    """The change_seq of the latest change: the version of everything published."""
    return int(connection.scalar(select(listing_head.c.seq).where(listing_head.c.id == 1)) or 0)


def published_listings(connection: Connection, indicator_ids: Sequence[int]) -> dict[int, Listing]:
    found: dict[int, Listing] = {}
    for chunk in chunked(list(indicator_ids)):
        rows = connection.execute(select(listings).where(listings.c.indicator_id.in_(chunk)))
        found.update({row.indicator_id: listing_of(row) for row in rows})
    return found


def publish(
    connection: Connection,
    states: Iterable[ListingState],
    now: datetime,
    published: dict[int, Listing] | None = None,
) -> int:
    """Bring the published rows in line with the engine's states; returns how many changed.

    ``published`` may hold the current rows when the caller already read them (a full
    refresh streams them); otherwise they are read here.
    """
    states = list(states)
    if published is None:
        published = published_listings(connection, [state.indicator_id for state in states])
    changed = [s for s in states if needs_publishing(published.get(s.indicator_id), s)]
    if not changed:
        return 0
    last, stamp = _take_sequence_numbers(connection, len(changed), now)
    first = last - len(changed) + 1
    inserts: list[dict[str, Any]] = []
    transitions: list[dict[str, Any]] = []
    for offset, state in enumerate(changed):
        row = _row(state, first + offset, stamp)
        was = published.get(state.indicator_id)
        if (was is not None and was.listed) != state.listed:
            transitions.append({"indicator_id": state.indicator_id, "listed": state.listed})
        if state.indicator_id in published:
            connection.execute(
                update(listings).where(listings.c.indicator_id == state.indicator_id).values(row)
            )
        else:
            inserts.append({"indicator_id": state.indicator_id, **row})
    if inserts:
        connection.execute(listings.insert(), inserts)
    if transitions:
        # Moves onto or off the published list, for the transparency report; a score or
        # review change that keeps the value listed is not one.
        connection.execute(
            listing_transitions.insert(), [{**move, "at": stamp} for move in transitions]
        )
    return len(changed)


def lock_listings(connection: Connection) -> None:
    """Hold the listing head row until the transaction ends: publishers queue behind it.
    SQLite serialises writers already; PostgreSQL takes a row lock."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            select(listing_head.c.seq).where(listing_head.c.id == 1).with_for_update()
        )


def _take_sequence_numbers(
    connection: Connection, count: int, now: datetime
) -> tuple[int, datetime]:
    """Reserve ``count`` sequence numbers and the publication's timestamp; updating the head
    row first locks it. The timestamp is ``now``, or just after the previous publication's
    when that is later (chunks of one refresh share a ``now``; a clock may step back), so
    timestamps rise in commit order and a partner resuming "after T" misses nothing."""
    head = connection.execute(
        update(listing_head)
        .where(listing_head.c.id == 1)
        .values(seq=listing_head.c.seq + count)
        .returning(listing_head.c.seq, listing_head.c.changed_at)
    ).one()
    previous = as_utc(head.changed_at)
    stamp = now if previous is None or now > previous else previous + timedelta(microseconds=1)
    connection.execute(update(listing_head).where(listing_head.c.id == 1).values(changed_at=stamp))
    return int(head.seq), stamp


def _row(state: ListingState, seq: int, now: datetime) -> dict[str, Any]:
    return {
        "type": state.type,
        "value": state.value,
        "value_hash": value_hash(state.value),
        "verdict": state.verdict if state.listed else REMOVED,
        "score": round(state.score, 3) if state.listed else 0,
        "under_review": state.under_review if state.listed else False,
        "change_seq": seq,
        "changed_at": now,
    }


def listing_of(row: Row[Any]) -> Listing:
    return Listing(
        indicator_id=row.indicator_id,
        type=row.type,
        value=row.value,
        value_hash=row.value_hash,
        verdict=row.verdict,
        score=float(row.score),
        under_review=bool(row.under_review),
        change_seq=int(row.change_seq),
        changed_at=as_utc(row.changed_at) or row.changed_at,
    )


# -- reads for private lookups, bundles and blocklists (docs/privacy.md) ------------------------
LISTED = list(LISTED_VERDICTS)
# Above every hex digit in both backends' collations: [prefix, prefix + "g") is "starts with".
AFTER_HEX = "g"
STREAM_BATCH = 20_000


@contextmanager
def snapshot_reads(engine: Engine) -> Iterator[Connection]:
    """A read-only connection whose statements all see one state of the database, so that
    a listing version and the rows read with it agree (PostgreSQL: a repeatable-read
    transaction; SQLite: an explicit transaction, which pins the WAL snapshot)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN")
            try:
                yield connection
            finally:
                connection.rollback()
        return
    options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


# Built once: the range lookup is a hot path, and building the statement costs more than
# running it. One statement, so the rows and the version come from one snapshot.
RANGE_STATEMENT = (
    select(
        listing_head.c.seq,
        listings.c.value_hash,
        listings.c.verdict,
        listings.c.score,
        listings.c.under_review,
    )
    .select_from(
        listing_head.outerjoin(
            listings,
            and_(
                listings.c.value_hash >= bindparam("low", type_=String),
                listings.c.value_hash < bindparam("high", type_=String),
                listings.c.verdict.in_(LISTED),
            ),
        )
    )
    .where(listing_head.c.id == 1)
)


def range_snapshot(connection: Connection, prefix: str) -> RangeSnapshot:
    """The listed values whose hash starts with ``prefix``, with the listing version."""
    rows = connection.execute(RANGE_STATEMENT, {"low": prefix, "high": prefix + AFTER_HEX}).all()
    entries = tuple(
        RangeEntry(
            split_hash(row.value_hash)[1], row.verdict, float(row.score), bool(row.under_review)
        )
        for row in rows
        if row.value_hash is not None
    )
    return RangeSnapshot(int(rows[0].seq) if rows else 0, entries)


def listed_rows(connection: Connection) -> Iterator[ListedRow]:
    """Every listed value's hash key (16 hex), verdict and review flag, streamed."""
    statement = select(
        func.substr(listings.c.value_hash, 1, 2 * KEY_BYTES),
        listings.c.verdict,
        listings.c.under_review,
    ).where(listings.c.verdict.in_(LISTED))
    result = connection.execution_options(yield_per=STREAM_BATCH).execute(statement)
    for key, verdict, under_review in result:
        yield key, verdict, bool(under_review)


def changed_count(connection: Connection, since: int) -> int:
    return int(
        connection.scalar(
            select(func.count()).select_from(listings).where(listings.c.change_seq > since)
        )
        or 0
    )


def rows_sharing_changed_keys(connection: Connection, since: int) -> Iterator[ListedRow]:
    """Every row whose bundle key (first 16 hex of its hash) is that of a row changed after
    ``since``, changed rows included: what a bundle delta needs to stay exact when two
    values share a key. Each changed row finds its neighbours through the hash index."""
    changed = listings.alias("changed")
    sharing = listings.alias("sharing")
    key = func.substr(changed.c.value_hash, 1, 2 * KEY_BYTES)
    statement = (
        select(sharing.c.value_hash, sharing.c.verdict, sharing.c.under_review)
        .select_from(changed)
        .join(
            sharing,
            and_(sharing.c.value_hash >= key, sharing.c.value_hash < key.concat(AFTER_HEX)),
        )
        .where(changed.c.change_seq > since)
    )
    result = connection.execution_options(yield_per=STREAM_BATCH).execute(statement)
    for hashed, verdict, under_review in result:
        yield hashed, verdict, bool(under_review)


def listing_changes(connection: Connection, query: BlocklistQuery) -> ListingChanges:
    """Rows of the query's types changed after ``query.since`` (from 0: only the rows it
    admits), ascending by version, at most ``query.limit + 1``; with the listing version.
    Call it on a :func:`snapshot_reads` connection."""
    conditions = [listings.c.change_seq > query.since]
    if query.types:
        conditions.append(listings.c.type.in_(query.types))
    if query.full:
        conditions.append(listings.c.verdict.in_(LISTED))
        conditions.append(listings.c.score >= Decimal(str(query.min_score)))
    rows = connection.execute(
        select(listings).where(*conditions).order_by(listings.c.change_seq).limit(query.limit + 1)
    )
    return ListingChanges(listing_version(connection), [listing_of(row) for row in rows])
