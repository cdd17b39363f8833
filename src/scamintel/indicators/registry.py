"""One registry of indicator kinds: canonicalise a typed value, detect the type of a bare
value, and find every indicator in free text.

Each kind lives in its own module and implements :class:`IndicatorKind`; adding a type is
adding a module and listing it in :func:`default_kinds`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Protocol

from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)


class IndicatorKind(Protocol):
    """How one indicator type is read."""

    type: IndicatorType

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        """Return the canonical indicator or raise :class:`InvalidIndicatorError` with a reason."""

    def looks_like(self, raw: str) -> bool:
        """Cheap test: could this whole (stripped) value be of this type? Used for detection."""

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        """Every valid indicator of this type written in ``text``, with character offsets."""


class IndicatorRegistry:
    """Dispatches to the kinds; kinds earlier in the list win type detection and overlaps."""

    def __init__(self, kinds: Sequence[IndicatorKind]) -> None:
        self._kinds = tuple(kinds)
        self._by_type = {kind.type: kind for kind in kinds}
        # Bulk ingest reads the same mule numbers and links again and again.
        self.canonicalise = lru_cache(maxsize=200_000)(self._canonicalise)  # type: ignore[method-assign]

    @property
    def types(self) -> tuple[IndicatorType, ...]:
        return tuple(self._by_type)

    def canonicalise(
        self, raw: str, indicator_type: IndicatorType | None, context: ParseContext
    ) -> Indicator:
        """Canonical form of ``raw``; its type is detected when ``indicator_type`` is None."""
        return self._canonicalise(raw, indicator_type, context)

    def _canonicalise(
        self, raw: str, indicator_type: IndicatorType | None, context: ParseContext
    ) -> Indicator:
        value = raw.strip()
        if not value:
            raise InvalidIndicatorError(raw, "the value is empty", indicator_type)
        if indicator_type is not None:
            kind = self._by_type.get(indicator_type)
            if kind is None:
                raise InvalidIndicatorError(
                    raw, f"this node cannot read {indicator_type.value} values yet", indicator_type
                )
            return kind.canonicalise(value, context)
        return self._detect(value, context)

    def _detect(self, value: str, context: ParseContext) -> Indicator:
        reasons: list[str] = []
        for kind in self._kinds:
            if not kind.looks_like(value):
                continue
            try:
                return kind.canonicalise(value, context)
            except InvalidIndicatorError as error:
                reasons.append(f"as {kind.type.value}: {error.reason}")
        if reasons:
            raise InvalidIndicatorError(value, "; ".join(reasons))
        readable = ", ".join(kind.type.value for kind in self._kinds)
        raise InvalidIndicatorError(
            value, f"it does not look like any indicator type this node reads ({readable})"
        )

    def extract(self, text: str, context: ParseContext) -> list[FoundIndicator]:
        """Indicators in ``text`` in reading order; where two overlap, the earlier kind wins."""
        found: list[FoundIndicator] = []
        for kind in self._kinds:
            # Each one is kept unless it overlaps one kept before it (its own kind's too).
            for candidate in kind.find(text, context):
                start, end = candidate.start, candidate.end
                for taken in found:
                    if start < taken.end and taken.start < end:
                        break
                else:
                    found.append(candidate)
        found.sort(key=_reading_order)
        return found


_reading_order = attrgetter("start", "end")


def default_kinds() -> list[IndicatorKind]:
    """The kinds this node reads, in detection priority order."""
    from scamintel.indicators.crypto import CryptoWalletKind
    from scamintel.indicators.email import EmailKind
    from scamintel.indicators.financial import BankAccountKind, EwalletKind
    from scamintel.indicators.handle import HandleKind
    from scamintel.indicators.phone import PhoneKind
    from scamintel.indicators.web import DomainKind, UrlKind

    return [
        EmailKind(),
        UrlKind(),
        CryptoWalletKind(),
        BankAccountKind(),
        EwalletKind(),
        HandleKind(),
        PhoneKind(),
        DomainKind(),
    ]


@lru_cache(maxsize=1)
def default_registry() -> IndicatorRegistry:
    return IndicatorRegistry(default_kinds())
