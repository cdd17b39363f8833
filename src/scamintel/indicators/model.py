"""Value types of the indicator layer: what a selector is, once read and made canonical."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IndicatorType(StrEnum):
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    EWALLET = "ewallet"
    CRYPTO_WALLET = "crypto_wallet"
    URL = "url"
    DOMAIN = "domain"
    EMAIL = "email"
    HANDLE = "handle"
    IP = "ip"
    IMEI = "imei"


@dataclass(frozen=True, slots=True)
class Indicator:
    """A selector in its one canonical form (DESIGN.md §3); equal values mean the same thing."""

    type: IndicatorType
    value: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What reading a value depends on: the region whose local formats apply."""

    default_region: str = "TH"


@dataclass(frozen=True, slots=True)
class FoundIndicator:
    """An indicator found in free text, with where it was written."""

    indicator: Indicator
    raw: str
    start: int
    end: int

    def as_dict(self) -> dict[str, str | int | None]:
        """The extracted-indicator shape of DESIGN.md §3, as the API and the CLI give it."""
        return {
            "type": self.indicator.type.value,
            "value": self.indicator.value,
            "country": self.indicator.country,
            "raw": self.raw,
            "start": self.start,
            "end": self.end,
        }


class InvalidIndicatorError(ValueError):
    """A value that cannot be read as the indicator type asked for (or as any type)."""

    def __init__(self, raw: str, reason: str, indicator_type: IndicatorType | None = None) -> None:
        self.raw = raw
        self.reason = reason
        self.indicator_type = indicator_type
        kind = f"{indicator_type.value} " if indicator_type else ""
        super().__init__(f"{raw!r} is not a valid {kind}value: {reason}")
