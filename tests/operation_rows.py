"""Rows for operation tests: reports, indicators, operations and their links, inserted
directly so the summary, API and dossier tests do not depend on the clustering."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, insert, select

from scamintel.storage.tables import (
    indicators,
    operations,
    report_indicators,
    report_operations,
    reports,
)

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class ReportRow:
    scam_type: str = "investment"
    channel: str = "phone"
    victim_country: str | None = "TH"
    amount: str | None = None
    currency: str | None = None
    source_key: str | None = None
    days: int = 0
    narrative: str | None = None
    values: Sequence[tuple[str, str, str | None]] = field(default_factory=tuple)
    # Values intake found only in the narrative (report_indicators.origin "narrative").
    mentioned: Sequence[tuple[str, str, str | None]] = field(default_factory=tuple)


def indicator_id(connection: Connection, type_: str, value: str, country: str | None) -> int:
    found = connection.execute(
        select(indicators.c.id).where(indicators.c.type == type_, indicators.c.value == value)
    ).scalar_one_or_none()
    if found is not None:
        return int(found)
    result = connection.execute(
        insert(indicators).values(type=type_, value=value, country=country, created_at=T0)
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def new_operation(connection: Connection, merged_into: int | None = None) -> int:
    result = connection.execute(
        insert(operations).values(
            merged_into=merged_into,
            report_count=0,
            victim_count=0,
            total_loss_usd=Decimal(0),
            harm_score=Decimal(0),
            cross_border=False,
            created_at=T0,
            updated_at=T0,
        )
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def add_report(connection: Connection, operation_id: int | None, row: ReportRow) -> uuid.UUID:
    report_id = uuid.uuid4()
    seen = T0 + timedelta(days=row.days)
    connection.execute(
        insert(reports).values(
            id=report_id,
            source="web",
            scam_type=row.scam_type,
            channel=row.channel,
            victim_country=row.victim_country,
            amount=Decimal(row.amount) if row.amount is not None else None,
            currency=row.currency,
            occurred_at=seen,
            received_at=seen,
            seen_at=seen,
            narrative=row.narrative,
            source_key=row.source_key,
        )
    )
    links = [(item, "given") for item in row.values] + [(m, "narrative") for m in row.mentioned]
    for (type_, value, country), origin in links:
        connection.execute(
            insert(report_indicators).values(
                report_id=report_id,
                indicator_id=indicator_id(connection, type_, value, country),
                raw=value,
                origin=origin,
            )
        )
    if operation_id is not None:
        connection.execute(
            insert(report_operations).values(report_id=report_id, operation_id=operation_id)
        )
    return report_id
