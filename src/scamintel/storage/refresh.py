"""Keeping the published listings in line with the verdict engine: after each report,
outcome or dispute decision for the values it names, and for every value on demand
(`scamintel listings refresh`), because confidence decays with time alone."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select, union

from scamintel.indicators import Indicator
from scamintel.indicators.warninglist import Warninglist
from scamintel.protection.listing import REMOVED, ListingState
from scamintel.reports.engine import assess
from scamintel.storage.evidence_repo import ValueEvidence, evidence_of_many, hold_for_review
from scamintel.storage.listings_repo import (
    listing_of,
    listing_version,
    lock_listings,
    publish,
    published_listings,
)
from scamintel.storage.sql import chunked
from scamintel.storage.tables import indicator_events, listings, report_indicators

PUBLISH_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    values: int
    changed: int


def refresh_values(
    connection: Connection, indicator_ids: Iterable[int], now: datetime
) -> RefreshSummary:
    """Republish the given values inside the caller's transaction."""
    ids = list(set(indicator_ids))
    if not ids:
        return RefreshSummary(0, 0)
    # Taking the listing lock before reading the evidence means that on PostgreSQL a
    # concurrent writer's reports are committed, and seen, before this assessment.
    lock_listings(connection)
    values = evidence_of_many(connection, ids)
    return RefreshSummary(len(values), _publish_batch(connection, values, now))


def refresh_all(engine: Engine, now: datetime) -> RefreshSummary:
    """Every value the node holds evidence about, then removal of listings left without any.

    Each chunk of values is read and published in a transaction of its own, so that reports
    keep arriving while a large node is refreshed.
    """
    seen: set[int] = set()
    total = changed = 0
    with engine.connect() as reader:
        for chunk in _chunks(_values_with_evidence(reader), PUBLISH_CHUNK):
            seen.update(chunk)
            with engine.begin() as connection:
                lock_listings(connection)
                values = evidence_of_many(connection, chunk)
                changed += _publish_batch(connection, values, now)
            total += len(chunk)
    with engine.begin() as connection:
        lock_listings(connection)
        orphans = [
            listing_of(row)
            for row in connection.execute(select(listings).where(listings.c.verdict != REMOVED))
            if row.indicator_id not in seen
        ]
        removals = [
            ListingState(o.indicator_id, o.type, o.value, "no_reports", 0.0, under_review=False)
            for o in orphans
        ]
        changed += publish(connection, removals, now, {o.indicator_id: o for o in orphans})
    return RefreshSummary(total, changed)


def publish_listings_if_never_published(engine: Engine) -> RefreshSummary | None:
    """After an upgrade from a node without listings: publish every verdict once."""
    with engine.connect() as connection:
        never = listing_version(connection) == 0
        has_reports = connection.execute(select(report_indicators.c.indicator_id).limit(1)).first()
    if not never or has_reports is None:
        return None
    return refresh_all(engine, datetime.now(UTC))


def _values_with_evidence(connection: Connection) -> Iterator[int]:
    ids = union(
        select(report_indicators.c.indicator_id), select(indicator_events.c.indicator_id)
    ).subquery()
    rows = connection.execute(
        select(ids.c.indicator_id).order_by(ids.c.indicator_id),
        execution_options={"stream_results": True, "yield_per": PUBLISH_CHUNK},
    )
    for row in rows:
        yield int(row[0])


def _chunks(items: Iterator[int], size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _publish_batch(connection: Connection, batch: Sequence[ValueEvidence], now: datetime) -> int:
    warninglist = Warninglist()
    states = []
    for value in batch:
        if warninglist.benign(Indicator(value.type, value.value)) is not None:
            # An official value is never published, whatever was reported before the
            # warninglist named it.
            states.append(_unlisted(value))
            continue
        assessment = assess(value.type, value.evidence, now)
        if assessment.bursts:
            hold_for_review(connection, value.indicator_id, assessment.bursts, now)
        states.append(
            ListingState(
                value.indicator_id,
                value.type.value,
                value.value,
                assessment.verdict.value,
                assessment.score,
                assessment.under_review,
            )
        )
    published = {}
    for chunk in chunked([state.indicator_id for state in states]):
        published.update(published_listings(connection, chunk))
    return publish(connection, states, now, published)


def _unlisted(value: ValueEvidence) -> ListingState:
    return ListingState(value.indicator_id, value.type.value, value.value, "official", 0.0, False)
