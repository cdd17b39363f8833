"""What the analysts' dashboard and indicator search read: counts of reports by day and
country, amounts by scam type and currency, headline counts, and indicators by part of
their value. Aggregated in the database; the web package draws them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, cast, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from scamintel.protection.listing import LISTED_VERDICTS
from scamintel.storage.tables import (
    cases,
    disputes,
    indicators,
    listings,
    operations,
    report_indicators,
    reports,
)


@dataclass(frozen=True, slots=True)
class DailyCount:
    day: date
    country: str | None
    reports: int


@dataclass(frozen=True, slots=True)
class AmountTotal:
    scam_type: str
    currency: str
    amount: Decimal
    reports: int


@dataclass(frozen=True, slots=True)
class HeadlineCounts:
    reports: int
    reports_since: int
    operations: int
    open_cases: int
    pending_disputes: int
    listed_values: int


@dataclass(frozen=True, slots=True)
class FoundIndicator:
    id: int
    type: str
    value: str
    country: str | None


def _utc_day(connection: Connection, moment: ColumnElement[Any]) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp. SQLite stores UTC text; PostgreSQL converts in the
    session's zone unless told UTC."""
    if connection.dialect.name == "postgresql":
        return cast(func.timezone("UTC", moment), Date)
    return func.date(moment)


def reports_per_day(connection: Connection, since: datetime) -> list[DailyCount]:
    """Reports seen since ``since``, counted per UTC day and victim country."""
    day = _utc_day(connection, reports.c.seen_at).label("day")
    count = func.count().label("reports")
    rows = connection.execute(
        select(day, reports.c.victim_country, count)
        .where(reports.c.seen_at >= since)
        .group_by(day, reports.c.victim_country)
    )
    return [DailyCount(_as_date(row.day), row.victim_country, int(row.reports)) for row in rows]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def amounts_by_scam_type(connection: Connection) -> list[AmountTotal]:
    """The amounts reports gave, summed per scam type and currency (reports with an amount
    and a currency only; the caller converts to one currency)."""
    total = func.sum(reports.c.amount).label("amount")
    count = func.count().label("reports")
    rows = connection.execute(
        select(reports.c.scam_type, reports.c.currency, total, count)
        .where(reports.c.amount.is_not(None), reports.c.currency.is_not(None))
        .group_by(reports.c.scam_type, reports.c.currency)
    )
    return [
        AmountTotal(row.scam_type, row.currency, Decimal(row.amount or 0), int(row.reports))
        for row in rows
    ]


def headline_counts(connection: Connection, since: datetime) -> HeadlineCounts:
    def count(query: Any) -> int:
        return int(connection.scalar(query) or 0)

    return HeadlineCounts(
        reports=count(select(func.count()).select_from(reports)),
        reports_since=count(select(func.count()).where(reports.c.seen_at >= since)),
        operations=count(select(func.count()).where(operations.c.merged_into.is_(None))),
        open_cases=count(select(func.count()).where(cases.c.status != "closed")),
        pending_disputes=count(select(func.count()).where(disputes.c.status == "pending")),
        listed_values=count(select(func.count()).where(listings.c.verdict.in_(LISTED_VERDICTS))),
    )


def search_indicators(
    connection: Connection,
    fragments: Sequence[str],
    *,
    indicator_type: str | None = None,
    exact: Sequence[str] = (),
    limit: int = 50,
) -> list[FoundIndicator]:
    """Indicators that reports named whose value contains one of ``fragments`` (any case) or
    equals one of ``exact``; exact matches first, then the newest."""
    named = select(report_indicators.c.indicator_id).where(
        report_indicators.c.indicator_id == indicators.c.id
    )
    conditions = [
        func.lower(indicators.c.value).contains(fragment.strip().lower(), autoescape=True)
        for fragment in fragments
        if fragment.strip()
    ]
    if exact:
        conditions.append(indicators.c.value.in_(list(exact)))
    if not conditions:
        return []
    matches = or_(*conditions)
    query = select(indicators.c.id, indicators.c.type, indicators.c.value, indicators.c.country)
    query = query.where(matches, named.exists())
    if indicator_type is not None:
        query = query.where(indicators.c.type == indicator_type)
    rows = list(connection.execute(query.order_by(indicators.c.id.desc()).limit(limit)))
    found = [FoundIndicator(int(r.id), r.type, r.value, r.country) for r in rows]
    wanted = set(exact)
    return sorted(found, key=lambda item: item.value not in wanted)
