"""What the verdict engine reads about values (their reports and events) and what the
outcome, dispute and review use cases write."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Connection,
    Text,
    Uuid,
    bindparam,
    case,
    cast,
    literal,
    null,
    select,
    type_coerce,
    union_all,
    update,
)

from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.engine import (
    MAX_REPORTS_WEIGHED,
    EventKind,
    Evidence,
    IndicatorEvent,
    ReportSignal,
)
from scamintel.reports.trust import ReporterTrust
from scamintel.storage.sql import as_utc, chunked, insert_ignoring_conflicts
from scamintel.storage.tables import (
    indicator_events,
    indicators,
    report_indicators,
    reports,
    review_items,
)

_REPORT_COLUMNS = (
    reports.c.id,
    reports.c.trust,
    reports.c.source_key,
    reports.c.scam_type,
    reports.c.seen_at,
    reports.c.received_at,
)
EVENTS_OF_INDICATOR = select(
    indicator_events.c.kind,
    indicator_events.c.at,
    indicator_events.c.actor,
    indicator_events.c.organisation_id,
    indicator_events.c.note,
).where(indicator_events.c.indicator_id == bindparam("indicator_id"))
# The public check reads a value's reports and events in one round trip: one statement
# costs more to execute through SQLAlchemy than the indexed lookups it runs.
_REPORTS_OF_VALUE = (
    select(
        literal(0).label("tag"),
        reports.c.id.label("report_id"),
        reports.c.trust.label("label"),
        reports.c.source_key.label("sender"),
        type_coerce(reports.c.scam_type, Text).label("detail"),
        reports.c.seen_at.label("at"),
        reports.c.received_at.label("received_at"),
        cast(null(), BigInteger).label("organisation_id"),
    )
    .join(report_indicators, report_indicators.c.report_id == reports.c.id)
    .join(indicators, indicators.c.id == report_indicators.c.indicator_id)
    .where(indicators.c.type == bindparam("type"), indicators.c.value == bindparam("value"))
    # The most recent, as the engine weighs them; SQLite allows a limit in a union only
    # inside a subquery.
    .order_by(reports.c.seen_at.desc())
    .limit(MAX_REPORTS_WEIGHED)
    .subquery()
)
EVIDENCE_OF_VALUE = union_all(
    select(_REPORTS_OF_VALUE),
    select(
        literal(1).label("tag"),
        cast(null(), Uuid).label("report_id"),
        indicator_events.c.kind.label("label"),
        indicator_events.c.actor.label("sender"),
        indicator_events.c.note.label("detail"),
        indicator_events.c.at.label("at"),
        indicator_events.c.at.label("received_at"),
        indicator_events.c.organisation_id.label("organisation_id"),
    )
    .join(indicators, indicators.c.id == indicator_events.c.indicator_id)
    .where(indicators.c.type == bindparam("type"), indicators.c.value == bindparam("value")),
)
INDICATOR_ID = select(indicators.c.id).where(
    indicators.c.type == bindparam("type"), indicators.c.value == bindparam("value")
)


@dataclass(frozen=True, slots=True)
class ValueEvidence:
    indicator_id: int
    type: IndicatorType
    value: str
    evidence: Evidence


def indicator_id_of(connection: Connection, indicator: Indicator) -> int | None:
    found = connection.execute(
        INDICATOR_ID, {"type": indicator.type.value, "value": indicator.value}
    ).scalar()
    return int(found) if found is not None else None


def evidence_of_value(connection: Connection, indicator: Indicator) -> Evidence | None:
    """The value's reports and events; None when there are neither."""
    rows = connection.execute(
        EVIDENCE_OF_VALUE, {"type": indicator.type.value, "value": indicator.value}
    ).all()
    if not rows:
        return None
    signals = []
    events = []
    for row in rows:
        if row.tag == 0:
            received = as_utc(row.received_at) or datetime.now(UTC)
            signals.append(
                ReportSignal(
                    trust=ReporterTrust(row.label),
                    source=row.sender or f"report:{row.report_id}",
                    scam_type=row.detail,
                    seen_at=as_utc(row.at) or received,
                    received_at=received,
                )
            )
        else:
            sender = f"org:{row.organisation_id}" if row.organisation_id is not None else row.sender
            events.append(
                IndicatorEvent(
                    EventKind(row.label), as_utc(row.at) or datetime.now(UTC), sender, row.detail
                )
            )
    return Evidence(tuple(signals), tuple(events))


def evidence_of_many(connection: Connection, indicator_ids: Sequence[int]) -> list[ValueEvidence]:
    """Evidence for many values at once (after a batch of reports), read in chunks."""
    found: list[ValueEvidence] = []
    for chunk in chunked(sorted(set(indicator_ids))):
        names = {
            row.id: (IndicatorType(row.type), row.value)
            for row in connection.execute(
                select(indicators.c.id, indicators.c.type, indicators.c.value).where(
                    indicators.c.id.in_(chunk)
                )
            )
        }
        signals = _reports_by_indicator(
            connection.execute(
                select(report_indicators.c.indicator_id, *_REPORT_COLUMNS)
                .join(reports, reports.c.id == report_indicators.c.report_id)
                .where(report_indicators.c.indicator_id.in_(chunk))
            )
        )
        events = _events_by_indicator(
            connection.execute(
                select(
                    indicator_events.c.indicator_id, *EVENTS_OF_INDICATOR.selected_columns
                ).where(indicator_events.c.indicator_id.in_(chunk))
            )
        )
        for indicator_id, (indicator_type, value) in names.items():
            found.append(
                ValueEvidence(
                    indicator_id,
                    indicator_type,
                    value,
                    Evidence(
                        tuple(signals.get(indicator_id, ())), tuple(events.get(indicator_id, ()))
                    ),
                )
            )
    return found


def _reports_by_indicator(rows: Any) -> dict[int, list[ReportSignal]]:
    grouped: dict[int, list[ReportSignal]] = defaultdict(list)
    for row in rows:
        grouped[row.indicator_id].append(_signal(row))
    return grouped


def _events_by_indicator(rows: Any) -> dict[int, list[IndicatorEvent]]:
    grouped: dict[int, list[IndicatorEvent]] = defaultdict(list)
    for row in rows:
        grouped[row.indicator_id].append(_event(row))
    return grouped


def _signal(row: Any) -> ReportSignal:
    received = as_utc(row.received_at) or datetime.now(UTC)
    return ReportSignal(
        trust=ReporterTrust(row.trust),
        source=row.source_key or f"report:{row.id}",
        scam_type=row.scam_type,
        seen_at=as_utc(row.seen_at) or received,
        received_at=received,
    )


def _event(row: Any) -> IndicatorEvent:
    source = f"org:{row.organisation_id}" if row.organisation_id is not None else row.actor
    return IndicatorEvent(
        kind=EventKind(row.kind),
        at=as_utc(row.at) or datetime.now(UTC),
        source=source,
        note=row.note,
    )


def ensure_indicator_id(connection: Connection, indicator: Indicator) -> int:
    """The value's id, adding it to the indicators table when the node has never seen it."""
    connection.execute(
        insert_ignoring_conflicts(connection, indicators).values(
            type=indicator.type.value,
            value=indicator.value,
            country=indicator.country,
            created_at=datetime.now(UTC),
        )
    )
    found = indicator_id_of(connection, indicator)
    assert found is not None  # just inserted or already there
    return found


def add_event(
    connection: Connection,
    indicator_id: int,
    kind: EventKind,
    *,
    actor: str,
    at: datetime,
    organisation_id: int | None = None,
    note: str | None = None,
    dispute_id: UUID | None = None,
) -> None:
    connection.execute(
        indicator_events.insert().values(
            indicator_id=indicator_id,
            kind=kind.value,
            at=at,
            actor=actor,
            organisation_id=organisation_id,
            note=note,
            dispute_id=dispute_id,
        )
    )


def hold_for_review(
    connection: Connection, indicator_id: int, bursts: dict[str, int], now: datetime
) -> None:
    """Open a review item for each sender that sent a burst, once per value and sender. An
    item follows the burst's size; a closed one reopens when the burst grows beyond what the
    analyst saw."""
    for source, count in bursts.items():
        grown = review_items.c.report_count < count
        updated = connection.execute(
            update(review_items)
            .where(
                review_items.c.indicator_id == indicator_id,
                review_items.c.kind == "burst",
                review_items.c.source_key == source,
            )
            .values(
                closed_at=case((grown, None), else_=review_items.c.closed_at),
                report_count=case((grown, count), else_=review_items.c.report_count),
            )
        )
        if updated.rowcount:
            continue
        connection.execute(
            insert_ignoring_conflicts(connection, review_items).values(
                indicator_id=indicator_id,
                kind="burst",
                source_key=source,
                report_count=count,
                created_at=now,
            )
        )
