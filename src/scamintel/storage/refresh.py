"""Keeping the published listings in line with the verdict engine: after each report,
outcome or dispute decision for the values it names, and for every value on demand
(`scamintel listings refresh`), because confidence decays with time alone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from scamintel.protection.listing import REMOVED, ListingState
from scamintel.reports.engine import assess
from scamintel.storage.evidence_repo import (
    ValueEvidence,
    all_evidence,
    evidence_of_many,
    hold_for_review,
)
from scamintel.storage.listings_repo import listing_of, publish, published_listings
from scamintel.storage.sql import chunked
from scamintel.storage.tables import listings

PUBLISH_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    values: int
    changed: int


def refresh_values(
    connection: Connection, indicator_ids: Iterable[int], now: datetime
) -> RefreshSummary:
    ids = list(set(indicator_ids))
    if not ids:
        return RefreshSummary(0, 0)
    return _publish_all(connection, evidence_of_many(connection, ids), now)


def refresh_all(connection: Connection, now: datetime) -> RefreshSummary:
    """Every value the node holds evidence about, then removal of listings left without any."""
    seen: set[int] = set()

    def remembered(values: Iterable[ValueEvidence]) -> Iterable[ValueEvidence]:
        for value in values:
            seen.add(value.indicator_id)
            yield value

    summary = _publish_all(connection, remembered(all_evidence(connection)), now)
    orphans = [
        listing_of(row)
        for row in connection.execute(select(listings).where(listings.c.verdict != REMOVED))
        if row.indicator_id not in seen
    ]
    removals = [
        ListingState(o.indicator_id, o.type, o.value, "no_reports", 0.0, under_review=False)
        for o in orphans
    ]
    changed = publish(connection, removals, now, {o.indicator_id: o for o in orphans})
    return RefreshSummary(summary.values, summary.changed + changed)


def _publish_all(
    connection: Connection, values: Iterable[ValueEvidence], now: datetime
) -> RefreshSummary:
    total = changed = 0
    batch: list[ValueEvidence] = []
    for value in values:
        batch.append(value)
        if len(batch) >= PUBLISH_CHUNK:
            changed += _publish_batch(connection, batch, now)
            total += len(batch)
            batch = []
    if batch:
        changed += _publish_batch(connection, batch, now)
        total += len(batch)
    return RefreshSummary(total, changed)


def _publish_batch(connection: Connection, batch: Sequence[ValueEvidence], now: datetime) -> int:
    states = []
    for value in batch:
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
