"""One registry of indicator kinds: canonicalise a typed value, detect the type of a bare
value, and find every indicator in free text.

Each kind lives in its own module and implements :class:`IndicatorKind`; adding a type is
adding a module and listing it in :func:`default_kinds`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Protocol

from scamintel.indicators._reading import ReadingView, reading_view
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
        # What hides characters from a filter must not hide them from the node either.
        value = reading_view(raw).written.strip()
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
        """Indicators in ``text`` in reading order; where two overlap, the earlier kind wins.

        The kinds scan a view of the text without the characters that hide indicators
        (see :mod:`scamintel.indicators._reading`); offsets and ``raw`` refer to ``text``.
        """
        view = reading_view(text)
        # Kept findings in reading order; they never overlap, so their ends are in order too.
        found: list[FoundIndicator] = []
        starts: list[int] = []
        ends: list[int] = []
        for kind in self._kinds:
            # Each one is kept unless it overlaps one kept before it (its own kind's too).
            for candidate in kind.find(view.scanned, context):
                place = bisect_left(starts, candidate.end)
                if place > 0 and ends[place - 1] > candidate.start:
                    continue
                found.insert(place, candidate)
                starts.insert(place, candidate.start)
                ends.insert(place, candidate.end)
        if view.unchanged:
            return found
        return [
            written
            for candidate in found
            if (written := self._as_written(view, candidate, context)) is not None
        ]

    def _as_written(
        self, view: ReadingView, found: FoundIndicator, context: ParseContext
    ) -> FoundIndicator | None:
        """A finding in the view, with the offsets and raw text of the original; a value
        seen through homoglyphs is read again from the letters really written."""
        indicator = found.indicator
        if view.has_homoglyph(found.start, found.end):
            try:
                indicator = self._by_type[indicator.type].canonicalise(
                    view.written[found.start : found.end], context
                )
            except InvalidIndicatorError:
                return None
        start, end = view.original_span(found.start, found.end)
        return FoundIndicator(indicator, view.original[start:end], start, end)


def default_kinds() -> list[IndicatorKind]:
    """The kinds this node reads, in detection priority order."""
    from scamintel.indicators.crypto import CryptoWalletKind
    from scamintel.indicators.email import EmailKind
    from scamintel.indicators.financial import BankAccountKind, EwalletKind
    from scamintel.indicators.handle import HandleKind
    from scamintel.indicators.imei import ImeiKind
    from scamintel.indicators.ip import IpKind
    from scamintel.indicators.phone import PhoneKind
    from scamintel.indicators.web import DomainKind, UrlKind

    return [
        EmailKind(),
        UrlKind(),
        CryptoWalletKind(),
        BankAccountKind(),
        EwalletKind(),
        HandleKind(),
        # After the kinds that name what a number is (a link's host, a bank's account) and
        # before phone: a dotted IPv4 address or a 15-digit IMEI is never a phone number.
        IpKind(),
        ImeiKind(),
        PhoneKind(),
        DomainKind(),
    ]


@lru_cache(maxsize=1)
def default_registry() -> IndicatorRegistry:
    return IndicatorRegistry(default_kinds())
