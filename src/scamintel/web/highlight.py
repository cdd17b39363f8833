"""A message with its red flags marked: each piece of the text escaped on its own, the
flagged spans wrapped in ``<mark>``. Nothing of the message is ever trusted as HTML."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from scamintel.classify.redflags import FlagCode, RedFlag


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str  # read out after the marked words by screen readers (the flag's name)


def highlighted(text: str, spans: Iterable[Span]) -> Markup:
    """``text`` as HTML with every span in a ``<mark>``; overlapping spans keep the first."""
    pieces: list[Markup] = []
    position = 0
    for span in sorted(spans, key=lambda item: (item.start, -item.end)):
        start, end = max(span.start, position), min(span.end, len(text))
        if start >= end:
            continue
        pieces.append(escape(text[position:start]))
        pieces.append(
            Markup('<mark>{}<span class="visually-hidden"> ({})</span></mark>').format(
                text[start:end], span.label
            )
        )
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def first_of_each_kind(flags: Iterable[RedFlag]) -> list[RedFlag]:
    """The first flag of each kind, in order: a message that says "urgent" twice is
    explained once (every occurrence is still marked in the text)."""
    seen: set[FlagCode] = set()
    first: list[RedFlag] = []
    for flag in flags:
        if flag.code not in seen:
            seen.add(flag.code)
            first.append(flag)
    return first
