"""Who to call about a scam in the reader's country: the official hotlines of the warninglist
data (indicators/data/warninglists/official-hotlines.json), anti-scam lines first. Fire
brigades and ambulances are listed there too (scammers spoof them), but are not whom a scam
victim should call."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from scamintel.indicators.warninglist import default_warninglists

# Words in an entry's name that make it a line for scam victims, most useful first.
_SCAM_LINE_WORDS = ("scam", "cicc", "ojk", "1212", "complaint", "police", "bank")
_NOT_FOR_SCAMS = ("fire", "ambulance", "medical", "disaster", "rescue", "tourist")
_DIALLABLE = re.compile(r"[^0-9+]")


HOTLINES_LIST = "official-hotlines"


@dataclass(frozen=True, slots=True)
class Number:
    shown: str  # as published, e.g. "1441" or "1-300-88-5465"

    @property
    def tel_uri(self) -> str:
        return "tel:" + _DIALLABLE.sub("", self.shown)


@dataclass(frozen=True, slots=True)
class Hotline:
    name: str
    numbers: tuple[Number, ...]


def _rank(name: str) -> int | None:
    lowered = name.lower()
    if any(word in lowered for word in _NOT_FOR_SCAMS):
        return None
    return next(
        (rank for rank, word in enumerate(_SCAM_LINE_WORDS) if word in lowered),
        None,
    )


@cache
def hotlines_for(country: str) -> Sequence[Hotline]:
    """The lines to call in ``country`` about a scam, best first (empty when none listed)."""
    ranked: list[tuple[int, int, Hotline]] = []
    entries = (
        entry
        for listed in default_warninglists()
        if listed.name == HOTLINES_LIST
        for entry in listed.entries
    )
    for position, entry in enumerate(entries):
        rank = _rank(entry.name)
        if entry.country == country and rank is not None and entry.phones:
            numbers = tuple(Number(phone) for phone in entry.phones)
            ranked.append((rank, position, Hotline(entry.name, numbers)))
    return tuple(hotline for _, _, hotline in sorted(ranked, key=lambda item: item[:2]))
