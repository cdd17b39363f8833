"""Response bodies of the scam-operation (cluster) endpoints (docs/dossiers.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from scamintel.analysis.dossier import OperationIndicator, OperationReport
from scamintel.analysis.summary import summary_to_dict
from scamintel.storage.operation_summaries_repo import OperationRow


class ClusterOut(BaseModel):
    id: int
    title: str | None = Field(description="A short human title: scam types, reports, countries")
    report_count: int
    victim_count: int
    total_loss_usd: Decimal
    harm_score: float
    cross_border: bool
    first_seen: datetime | None
    last_seen: datetime | None
    summary: dict[str, Any] | None = Field(
        description="The full summary (docs/dossiers.md, 'Summary fields')"
    )

    @classmethod
    def of(cls, row: OperationRow) -> ClusterOut:
        return cls(
            id=row.id,
            title=row.summary.title if row.summary else None,
            report_count=row.report_count,
            victim_count=row.victim_count,
            total_loss_usd=row.total_loss_usd,
            harm_score=row.harm_score,
            cross_border=row.cross_border,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            summary=summary_to_dict(row.summary) if row.summary else None,
        )


class ClusterListOut(BaseModel):
    items: list[ClusterOut]
    limit: int
    offset: int


class ClusterIndicatorOut(BaseModel):
    type: str
    value: str
    country: str | None
    report_count: int

    @classmethod
    def of(cls, item: OperationIndicator) -> ClusterIndicatorOut:
        return cls(
            type=item.type, value=item.value, country=item.country, report_count=item.report_count
        )


class ClusterReportOut(BaseModel):
    """A report's facts; never the narrative or the reporter's contact (see the dossier)."""

    id: str
    seen_at: datetime
    scam_type: str
    channel: str
    victim_country: str | None
    amount: Decimal | None
    currency: str | None

    @classmethod
    def of(cls, report: OperationReport) -> ClusterReportOut:
        return cls(
            id=report.id,
            seen_at=report.seen_at,
            scam_type=report.scam_type,
            channel=report.channel,
            victim_country=report.victim_country,
            amount=report.amount,
            currency=report.currency,
        )


class ClusterDetailOut(ClusterOut):
    indicators: list[ClusterIndicatorOut]
    indicators_truncated: bool
    reports: list[ClusterReportOut]
    reports_offset: int
    reports_limit: int
