"""Reading a value the way the public check reads it: its canonical form, and whether the
warninglist names it as an official or platform contact (short codes included)."""

from __future__ import annotations

from dataclasses import dataclass

from scamintel.indicators import (
    Indicator,
    IndicatorRegistry,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)
from scamintel.indicators.warninglist import Warninglist


@dataclass(frozen=True, slots=True)
class Reading:
    """What is needed to read a value the way the check reads it."""

    registry: IndicatorRegistry
    context: ParseContext
    warninglist: Warninglist


def read_value(raw: str, indicator_type: IndicatorType | None, reading: Reading) -> Indicator:
    """Raises InvalidIndicatorError, with the reason, when the value cannot be read."""
    return reading.registry.canonicalise(raw, indicator_type, reading.context)


def official_name(raw: str, indicator_type: IndicatorType | None, reading: Reading) -> str | None:
    """The warninglist's name for an official or platform value (short codes included)."""
    if indicator_type in (None, IndicatorType.PHONE):
        dialled = reading.warninglist.benign_dialled(raw, reading.context.default_region)
        if dialled is not None:
            return dialled.name
    try:
        indicator = read_value(raw, indicator_type, reading)
    except InvalidIndicatorError:
        return None
    benign = reading.warninglist.benign(indicator)
    return benign.name if benign is not None else None
