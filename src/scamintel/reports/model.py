"""What a report is once accepted, and the taxonomy it is filed under (DESIGN.md §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from scamintel.indicators import Indicator


class ScamType(StrEnum):
    OFFICIALS_IMPERSONATED = "officials_impersonated"
    PHISHING_PARCEL_UTILITY = "phishing_parcel_utility"
    MALICIOUS_APP = "malicious_app"
    BANK_IMPERSONATION = "bank_impersonation"
    INVESTMENT = "investment"
    JOB_TASK = "job_task"
    LOAN = "loan"
    FAKE_SELLER = "fake_seller"
    ROMANCE = "romance"
    HACKED_ACCOUNT = "hacked_account"
    PRIZE_QR = "prize_qr"
    SEXTORTION = "sextortion"
    GAMBLING_LURE = "gambling_lure"
    RECOVERY = "recovery"
    OTHER = "other"


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    LINE = "line"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    FACEBOOK = "facebook"
    WEB = "web"
    EMAIL = "email"
    IN_PERSON = "in_person"
    OTHER = "other"


class ReportSource(StrEnum):
    API = "api"
    INGEST = "ingest"
    WEB = "web"


IndicatorOrigin = Literal["given", "narrative"]


@dataclass(frozen=True, slots=True)
class ReportedIndicator:
    indicator: Indicator
    raw: str
    origin: IndicatorOrigin


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file the reporter holds (screenshot, recording), known here only by its hash."""

    sha256: str
    name: str | None = None
    media_type: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class NewReport:
    """A validated report with canonical indicators, ready to be stored."""

    id: UUID
    source: ReportSource
    scam_type: ScamType
    channel: Channel
    received_at: datetime
    idempotency_key: str | None = None
    request_hash: str | None = None
    organisation_id: int | None = None
    victim_country: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    occurred_at: datetime | None = None
    narrative: str | None = None
    indicators: tuple[ReportedIndicator, ...] = ()
    reporter: dict[str, Any] | None = None
    # docs/verdicts.md: set at intake from the sender (reports.trust.ReporterTrust values).
    trust: str = "anonymous"
    source_key: str | None = None
    evidence: tuple[EvidenceFile, ...] = ()

    @property
    def seen_at(self) -> datetime:
        return self.occurred_at or self.received_at


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A report as an analyst reads it back."""

    id: UUID
    source: str
    scam_type: str
    channel: str
    received_at: datetime
    victim_country: str | None
    amount: Decimal | None
    currency: str | None
    occurred_at: datetime | None
    narrative: str | None
    indicators: tuple[ReportedIndicator, ...]
    reporter: dict[str, Any] | None = None
    organisation_id: int | None = None
    evidence: tuple[EvidenceFile, ...] = ()


@dataclass(frozen=True, slots=True)
class InsertOutcome:
    new: tuple[UUID, ...]
    duplicates: tuple[UUID, ...]
