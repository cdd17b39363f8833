"""Indicators: canonical forms, validation, type detection and extraction of scam selectors."""

from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)
from scamintel.indicators.registry import IndicatorKind, IndicatorRegistry, default_registry

__all__ = [
    "FoundIndicator",
    "Indicator",
    "IndicatorKind",
    "IndicatorRegistry",
    "IndicatorType",
    "InvalidIndicatorError",
    "ParseContext",
    "default_registry",
]
