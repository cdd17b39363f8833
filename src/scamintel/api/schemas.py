"""Response bodies of the REST API (requests reuse the domain's submission schema)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from scamintel.indicators import FoundIndicator, Indicator, IndicatorType
from scamintel.indicators.phone import known_region
from scamintel.reports.model import StoredReport
from scamintel.reports.submission import Country
from scamintel.reports.verdict import CheckResult, Verdict


class IndicatorOut(BaseModel):
    type: IndicatorType
    value: str = Field(description="Canonical value (docs/indicators.md)")
    country: str | None = Field(
        default=None, description="Country the value belongs to, where known (ISO 3166 alpha-2)"
    )

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorOut:
        return cls(type=indicator.type, value=indicator.value, country=indicator.country)


class ImitationOut(BaseModel):
    brand: str = Field(description="The brand imitated, e.g. Kasikornbank")
    official_domain: str = Field(description="The brand's own address")
    technique: str = Field(
        description="confusable_characters, typo, added_words or brand_name_on_other_domain"
    )


class CheckOut(BaseModel):
    query: str
    indicator: IndicatorOut
    verdict: Verdict
    score: float = Field(ge=0, le=1)
    report_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    scam_types: list[str]
    explanation: str
    advice: str
    imitates: ImitationOut | None = Field(
        default=None,
        description="The brand this address imitates (lookalike domains), whatever the verdict",
    )

    @classmethod
    def of(cls, result: CheckResult) -> CheckOut:
        return cls(
            query=result.query,
            indicator=IndicatorOut.of(result.indicator),
            verdict=result.verdict,
            score=result.score,
            report_count=result.report_count,
            first_seen=result.first_seen,
            last_seen=result.last_seen,
            scam_types=list(result.scam_types),
            explanation=result.explanation,
            advice=result.advice,
            imitates=ImitationOut.model_validate(asdict(result.imitates))
            if result.imitates
            else None,
        )


class ReportAccepted(BaseModel):
    id: UUID
    reference: str = Field(description="Short reference to quote when contacting the node")
    created: bool = Field(description="False when this repeats an earlier Idempotency-Key")
    indicator_count: int


class ReportedIndicatorOut(IndicatorOut):
    raw: str
    origin: str


class ReportOut(BaseModel):
    id: UUID
    source: str
    scam_type: str
    channel: str
    victim_country: str | None
    amount: Decimal | None
    currency: str | None
    occurred_at: datetime | None
    received_at: datetime
    narrative: str | None
    indicators: list[ReportedIndicatorOut]
    reporter: dict[str, Any] | None = None

    @classmethod
    def of(cls, report: StoredReport) -> ReportOut:
        return cls(
            id=report.id,
            source=report.source,
            scam_type=report.scam_type,
            channel=report.channel,
            victim_country=report.victim_country,
            amount=report.amount,
            currency=report.currency,
            occurred_at=report.occurred_at,
            received_at=report.received_at,
            narrative=report.narrative,
            indicators=[
                ReportedIndicatorOut(
                    type=item.indicator.type,
                    value=item.indicator.value,
                    country=item.indicator.country,
                    raw=item.raw,
                    origin=item.origin,
                )
                for item in report.indicators
            ],
            reporter=report.reporter,
        )


class Health(BaseModel):
    status: str
    node: str
    version: str


def reference_of(report_id: UUID) -> str:
    return "R-" + report_id.hex[:10].upper()


# A forwarded message, an e-mail thread or a chat export; longer text is a file to ingest.
MAX_TEXT_TO_READ = 100_000


class ExtractIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "ด่วน! พัสดุค้างชำระ hxxps://thaipost-th[.]com/pay "
                    "โอนเข้าบัญชี กสิกร 123-4-56789-0 โทร ๐๘๑-๒๓๔-๕๖๗๘",
                    "region": "TH",
                }
            ]
        },
    )

    text: Annotated[str, StringConstraints(max_length=MAX_TEXT_TO_READ)] = Field(
        description="Free text: a message, a chat, a narrative"
    )
    region: Country | None = Field(
        default=None,
        description="Country whose local formats apply to numbers written without a country "
        "code (ISO 3166 alpha-2); the node's country when left out",
    )

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str | None) -> str | None:
        if region is not None and not known_region(region):
            raise ValueError(f"{region} is not a country code this node knows (ISO 3166 alpha-2)")
        return region


class ExtractedIndicatorOut(IndicatorOut):
    raw: str = Field(description="As written in the text, text[start:end]")
    start: int = Field(ge=0, description="Offset of the first character (Unicode code points)")
    end: int = Field(ge=0, description="Offset after the last character")

    @classmethod
    def of_found(cls, found: FoundIndicator) -> ExtractedIndicatorOut:
        return cls.model_validate(found.as_dict())


class ExtractOut(BaseModel):
    region: str = Field(description="Country whose local formats were applied")
    indicators: list[ExtractedIndicatorOut]
