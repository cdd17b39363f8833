"""Disputes and review items in SQL (the DisputeStore of reports/disputes.py, through SqlStore)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, or_, select, update

from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.disputes import Dispute, DisputeStatus, HeldBurst
from scamintel.storage.sql import as_utc
from scamintel.storage.tables import (
    disputes,
    indicators,
    report_indicators,
    reports,
    review_items,
)

_DISPUTE_COLUMNS = (
    disputes.c.id,
    disputes.c.status,
    disputes.c.claim,
    disputes.c.created_at,
    disputes.c.decided_at,
    disputes.c.decided_by,
    disputes.c.decision_reason,
    disputes.c.contact_sealed,
    indicators.c.type,
    indicators.c.value,
    indicators.c.country,
)


def insert_dispute(
    connection: Connection, sealer: PersonalDataSealer, dispute: Dispute, indicator_id: int
) -> None:
    connection.execute(
        disputes.insert().values(
            id=dispute.id,
            indicator_id=indicator_id,
            status=dispute.status.value,
            claim=dispute.claim,
            contact_sealed=sealer.seal(dispute.contact) if dispute.contact else None,
            created_at=dispute.created_at,
        )
    )


def update_decision(connection: Connection, dispute: Dispute) -> bool:
    """False when the dispute was no longer pending (decided meanwhile)."""
    result = connection.execute(
        update(disputes)
        .where(disputes.c.id == dispute.id, disputes.c.status == DisputeStatus.PENDING.value)
        .values(
            status=dispute.status.value,
            decided_at=dispute.decided_at,
            decided_by=dispute.decided_by,
            decision_reason=dispute.decision_reason,
        )
    )
    return bool(result.rowcount)


def find_dispute(
    connection: Connection, sealer: PersonalDataSealer, dispute_id: UUID, *, with_contact: bool
) -> Dispute | None:
    row = connection.execute(
        select(*_DISPUTE_COLUMNS)
        .join(indicators, indicators.c.id == disputes.c.indicator_id)
        .where(disputes.c.id == dispute_id)
    ).first()
    return _dispute(row, sealer if with_contact else None) if row else None


def pending_dispute(connection: Connection, indicator: Indicator) -> Dispute | None:
    row = connection.execute(
        select(*_DISPUTE_COLUMNS)
        .join(indicators, indicators.c.id == disputes.c.indicator_id)
        .where(
            indicators.c.type == indicator.type.value,
            indicators.c.value == indicator.value,
            disputes.c.status == DisputeStatus.PENDING.value,
        )
    ).first()
    return _dispute(row, None) if row else None


def list_disputes(
    connection: Connection, status: DisputeStatus | None, limit: int
) -> list[Dispute]:
    """Oldest first: the queue is worked in the order holders asked."""
    query = select(*_DISPUTE_COLUMNS).join(indicators, indicators.c.id == disputes.c.indicator_id)
    if status is not None:
        query = query.where(disputes.c.status == status.value)
    rows = connection.execute(query.order_by(disputes.c.created_at).limit(limit))
    return [_dispute(row, None) for row in rows]


def open_bursts(connection: Connection, limit: int) -> list[HeldBurst]:
    rows = connection.execute(
        select(
            review_items.c.id,
            review_items.c.indicator_id,
            review_items.c.source_key,
            review_items.c.report_count,
            review_items.c.created_at,
            indicators.c.type,
            indicators.c.value,
            indicators.c.country,
        )
        .join(indicators, indicators.c.id == review_items.c.indicator_id)
        .where(review_items.c.closed_at.is_(None))
        .order_by(review_items.c.created_at)
        .limit(limit)
    ).all()
    return [
        HeldBurst(
            row.id,
            Indicator(IndicatorType(row.type), row.value, row.country),
            row.report_count,
            as_utc(row.created_at) or row.created_at,
            _reports_of_sender(connection, row.indicator_id, row.source_key),
        )
        for row in rows
    ]


SHOWN_REPORTS = 100


def _reports_of_sender(
    connection: Connection, indicator_id: int, sender: str | None
) -> tuple[UUID, ...]:
    """The sender's reports naming the value: an organisation's whichever victim they name."""
    if sender is None:
        return ()
    same_sender = or_(reports.c.source_key == sender, reports.c.source_key.startswith(sender + ":"))
    found = connection.execute(
        select(reports.c.id)
        .join(report_indicators, report_indicators.c.report_id == reports.c.id)
        .where(report_indicators.c.indicator_id == indicator_id, same_sender)
        .order_by(reports.c.received_at.desc())
        .limit(SHOWN_REPORTS)
    ).scalars()
    return tuple(found)


def close_burst(connection: Connection, item_id: int, actor: str, note: str, at: datetime) -> bool:
    result = connection.execute(
        update(review_items)
        .where(review_items.c.id == item_id, review_items.c.closed_at.is_(None))
        .values(closed_at=at, closed_by=actor, note=note)
    )
    return bool(result.rowcount)


def _dispute(row: Any, sealer: PersonalDataSealer | None) -> Dispute:
    contact = None
    if sealer is not None and row.contact_sealed is not None:
        contact = sealer.unseal(row.contact_sealed)
    return Dispute(
        id=row.id,
        indicator=Indicator(IndicatorType(row.type), row.value, row.country),
        status=DisputeStatus(row.status),
        claim=row.claim,
        created_at=as_utc(row.created_at) or row.created_at,
        decided_at=as_utc(row.decided_at),
        decided_by=row.decided_by,
        decision_reason=row.decision_reason,
        contact=contact,
    )
