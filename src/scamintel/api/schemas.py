"""Response bodies of the REST API (requests reuse the domain's submission schema)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from scamintel.classify.redflags import RULE_LANGUAGES as EXPLANATION_LANGUAGES
from scamintel.classify.redflags import FlagCode
from scamintel.classify.service import MessageAssessment, message_verdict
from scamintel.indicators import FoundIndicator, Indicator, IndicatorType
from scamintel.indicators.phone import known_region
from scamintel.reports.engine import Review, ReviewStatus
from scamintel.reports.model import EvidenceFile, ScamType, StoredReport
from scamintel.reports.submission import Country
from scamintel.reports.verdict import CheckResult, PartnerKnowledge, Verdict, shown_to


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


class ReviewOut(BaseModel):
    """The latest dispute of this value's listing (docs/verdicts.md, disputes)."""

    status: ReviewStatus = Field(
        description="pending: an analyst is reviewing the holder's dispute; upheld: the listing "
        "was removed; rejected: it stands"
    )
    opened_at: datetime
    decided_at: datetime | None = None
    reason: str | None = Field(default=None, description="The analyst's public reason")

    @classmethod
    def of(cls, review: Review | None) -> ReviewOut | None:
        return cls.model_validate(asdict(review)) if review else None


class PartnerOut(BaseModel):
    """A partner node's record of the checked value (docs/federation.md)."""

    partner: str = Field(description="The partner node, as named in its sharing agreement")
    verdict: str | None = Field(description="The partner's verdict (scam, suspicious…)")
    reports: int = Field(ge=0, description="How many reports the partner holds about it")
    marking: str = Field(description="TLP 2.0 marking, e.g. TLP:AMBER")
    blind: bool = Field(description="Matched by a keyed-hash (blind) selector, not the value")
    summary: str = Field(description="In words, e.g. known to partner TH-AOC, 3 reports, TLP:AMBER")

    @classmethod
    def of(cls, item: PartnerKnowledge) -> PartnerOut:
        return cls.model_validate(item.as_json())


class CheckOut(BaseModel):
    query: str
    indicator: IndicatorOut | None = Field(
        description="The value checked; null when the query is a whole message (see message)"
    )
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

    message: ClassifyOut | None = Field(
        default=None, description="For a pasted message: its label, red flags and indicators"
    )
    review: ReviewOut | None = Field(
        default=None, description="Set when the listing was contested: the dispute's state"
    )
    partners: list[PartnerOut] = Field(
        default_factory=list,
        description="What partner nodes shared about the value, beside this node's verdict "
        "(which it does not change). TLP:CLEAR records are shown to everyone; TLP:GREEN and "
        "stricter only to this node's analyst, investigator and admin keys",
    )

    @classmethod
    def of(cls, result: CheckResult, *, restricted: bool = False) -> CheckOut:
        """``restricted``: the reader may see partner records marked above TLP:CLEAR."""
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
            review=ReviewOut.of(result.review),
            partners=[
                PartnerOut.of(item) for item in shown_to(result.partners, restricted=restricted)
            ],
        )


def message_check_out(query: str, assessment: MessageAssessment) -> CheckOut:
    """The check's answer when the query is a whole message."""
    answer = message_verdict(assessment)
    return CheckOut(
        query=query,
        indicator=None,
        verdict=answer.verdict,
        score=answer.score,
        report_count=answer.report_count,
        first_seen=answer.first_seen,
        last_seen=answer.last_seen,
        scam_types=list(answer.scam_types),
        explanation=answer.explanation,
        advice=answer.advice,
        imitates=ImitationOut.model_validate(asdict(answer.imitates)) if answer.imitates else None,
        message=ClassifyOut.of(assessment),
    )


class ReportAccepted(BaseModel):
    id: UUID
    reference: str = Field(description="Short reference to quote when contacting the node")
    created: bool = Field(description="False when this repeats an earlier Idempotency-Key")
    indicator_count: int


class ReportedIndicatorOut(IndicatorOut):
    raw: str
    origin: str


class EvidenceOut(BaseModel):
    sha256: str = Field(description="SHA-256 of the file, lower-case hexadecimal")
    name: str | None = None
    media_type: str | None = None
    size: int | None = Field(default=None, description="Size in bytes")

    @classmethod
    def of(cls, item: EvidenceFile) -> EvidenceOut:
        return cls(sha256=item.sha256, name=item.name, media_type=item.media_type, size=item.size)


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
    evidence: list[EvidenceOut] = Field(
        default_factory=list, description="Files the reporter keeps, by hash (sorted by hash)"
    )
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
            evidence=[EvidenceOut.of(item) for item in report.evidence],
            reporter=report.reporter,
        )


class Health(BaseModel):
    status: str
    node: str
    version: str


def reference_of(report_id: UUID) -> str:
    return "R-" + report_id.hex[:10].upper()


def _known(region: str) -> str:
    if not known_region(region):
        raise ValueError(f"{region} is not a country code this node knows (ISO 3166 alpha-2)")
    return region


# A country whose local number formats this node reads (extract, classify).
KnownRegion = Annotated[Country, AfterValidator(_known)]

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
    region: KnownRegion | None = Field(
        default=None,
        description="Country whose local formats apply to numbers written without a country "
        "code (ISO 3166 alpha-2); the node's country when left out",
    )


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


class RedFlagOut(BaseModel):
    code: FlagCode = Field(description="The kind of red flag (docs/red-flags.md)")
    start: int
    end: int
    raw: str = Field(description="The words as written, text[start:end]")
    explanation: str = Field(description="Why it matters, in the reader's language")


class ClassifiedIndicatorOut(ExtractedIndicatorOut):
    verdict: Verdict
    score: float = Field(ge=0, le=1)
    report_count: int
    imitates: ImitationOut | None = None


class ClassifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_TO_READ)] = Field(
        description="The message as received"
    )
    region: KnownRegion | None = Field(
        default=None,
        description="Country for numbers without a country code; else the message language's",
    )
    lang: Annotated[str, StringConstraints(to_lower=True)] | None = Field(
        default=None,
        description="Language of the explanations: en th my km lo vi id ms tl; English if left out",
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("the text is blank: send the message to classify")
        return text

    @field_validator("lang")
    @classmethod
    def _supported_language(cls, lang: str | None) -> str | None:
        if lang is not None and lang not in EXPLANATION_LANGUAGES:
            raise ValueError(
                f"{lang} is not a language of the explanations: use one of "
                + " ".join(EXPLANATION_LANGUAGES)
            )
        return lang


class ClassifyOut(BaseModel):
    label: Literal["scam", "spam", "ham"]
    score: float = Field(ge=0, le=1, description="Calibrated probability of the label")
    probabilities: dict[str, float]
    scam_type: ScamType | None = Field(description="The likely scam type (scam messages only)")
    language: str = Field(description="Detected language, ISO 639-1")
    region: str = Field(description="Country whose local formats were applied")
    red_flags: list[RedFlagOut]
    indicators: list[ClassifiedIndicatorOut]

    @classmethod
    def of(cls, assessment: MessageAssessment) -> ClassifyOut:
        return cls.model_validate(assessment.as_dict())
