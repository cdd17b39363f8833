"""The text the kinds scan, undone of the tricks that hide indicators from filters.

Scammers put zero-width and direction-control characters inside numbers and links so that
filters miss them, write links in full-width letters, and swap Latin letters for Cyrillic or
Greek ones that look the same (``kbаnk.com`` with a Cyrillic ``а``). The kinds scan a view of
the text in which invisible characters are gone, full-width ASCII is plain ASCII and such
homoglyphs are their Latin twins; every finding is then mapped back to the characters as
written, so ``raw == text[start:end]`` holds for the original text.

A homoglyph changes which host a link points to, so a value found through one is read again
from the characters as written: ``kbаnk.com`` is the punycode domain ``xn--kbnk-…``, never
Kasikornbank's ``kbank``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from scamintel.indicators._confusables import SINGLE_CHARACTER_CONFUSABLES

# Soft hyphen, Mongolian vowel separator, zero-width space/non-joiner/joiner, LRM/RLM,
# embeddings and overrides, word joiner and invisible operators, isolates, BOM.
_INVISIBLE: Final = (
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
)
_INVISIBLE_CHARACTER = re.compile(f"[{_INVISIBLE}]")
# U+FF01…U+FF5E are the full-width forms of ASCII ! … ~ ; U+3000 is the ideographic space.
_FULL_WIDTH_OFFSET: Final = 0xFF01 - 0x21
_FULL_WIDTH_RANGE = "\uff01-\uff5e\u3000"
_HOMOGLYPHS = "".join(sorted(SINGLE_CHARACTER_CONFUSABLES))
# Whether a text needs a view at all: nearly all text has none of these characters.
_NEEDS_VIEW = re.compile(f"[{_INVISIBLE}{_FULL_WIDTH_RANGE}{re.escape(_HOMOGLYPHS)}]")
# A homoglyph is read as Latin only inside a run of word characters, dots and dashes that
# also holds an ASCII letter: a Russian or Greek word on its own stays what it is.
# Dots spelled out so that a link is not clickable: "(dot)", "[dot]", "{dot}" anywhere, and
# " dot " between a name and what reads as a top-level domain followed by a path or by
# another spelled-out dot ("kbank dot co dot th"), so that prose ("a dot com company") is not
# read as a domain.
_DOT_WORD = re.compile("[dD][oO][tT]")
_BRACKETED_DOT = re.compile(r"\s?[(\[{]\s?dot\s?[)\]}]\s?", re.IGNORECASE)
_SPACED_DOT = re.compile(r"\s+dot\s+", re.IGNORECASE)
_SPACED_DOT_NAME = re.compile(
    r"(?<=[A-Za-z0-9])(?:\s+dot\s+[A-Za-z0-9\-]+){2,}(?![A-Za-z0-9\-])"
    r"|(?<=[A-Za-z0-9])\s+dot\s+[A-Za-z]{2,6}(?=/)",
    re.IGNORECASE,
)
_HOMOGLYPH = re.compile("[" + re.escape(_HOMOGLYPHS) + "]")
_RUN = re.compile(r"[\w.\-]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, slots=True)
class ReadingView:
    """The text to scan and how its positions map back to the text as written.

    ``written`` is the text with invisible characters dropped and full-width ASCII folded,
    homoglyphs kept; ``scanned`` is the same with homoglyphs replaced. Both are as long as
    ``positions``, which holds, for each of their characters, its index in the original.
    """

    original: str
    written: str
    scanned: str
    positions: tuple[int, ...] | None
    homoglyph_at: frozenset[int]

    @property
    def unchanged(self) -> bool:
        return self.positions is None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if self.positions is None:
            return start, end
        return self.positions[start], self.positions[end - 1] + 1

    def has_homoglyph(self, start: int, end: int) -> bool:
        return any(start <= index < end for index in self.homoglyph_at)


def reading_view(text: str) -> ReadingView:
    folds = not text.isascii() and _NEEDS_VIEW.search(text) is not None
    spells_dots = _DOT_WORD.search(text) is not None
    if not folds and not spells_dots:
        return ReadingView(text, text, text, None, frozenset())
    kept = [
        (index, _fold_width(char))
        for index, char in enumerate(text)
        if not _INVISIBLE_CHARACTER.match(char)
    ]
    if spells_dots:
        kept = _dots_spelled_out_as_dots(kept)
    written = "".join(char for _, char in kept)
    scanned, homoglyph_at = _latin_twins(written)
    return ReadingView(
        text, written, scanned, tuple(index for index, _ in kept), frozenset(homoglyph_at)
    )


def _dots_spelled_out_as_dots(kept: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """``kbank(dot)com`` and ``kbank dot com/x`` with their dots: one "." standing for the
    whole spelled-out dot, at the position of its first character."""
    folded = "".join(char for _, char in kept)
    spelled = [dot.span() for dot in _BRACKETED_DOT.finditer(folded)]
    for name in _SPACED_DOT_NAME.finditer(folded):
        spelled.extend(dot.span() for dot in _SPACED_DOT.finditer(folded, *name.span()))
    if not spelled:
        return kept
    spelled.sort()
    result: list[tuple[int, str]] = []
    done = 0
    for start, end in spelled:
        if start < done:
            continue
        result.extend(kept[done:start])
        result.append((kept[start][0], "."))
        done = end
    result.extend(kept[done:])
    return result


def _fold_width(char: str) -> str:
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - _FULL_WIDTH_OFFSET)
    return " " if code == 0x3000 else char


def _latin_twins(written: str) -> tuple[str, list[int]]:
    """``written`` with homoglyphs in mixed-script runs replaced, and where they were."""
    if _HOMOGLYPH.search(written) is None:
        return written, []
    characters = list(written)
    replaced: list[int] = []
    for run in _RUN.finditer(written):
        if _HOMOGLYPH.search(run.group()) is None or _ASCII_LETTER.search(run.group()) is None:
            continue
        for offset, char in enumerate(run.group()):
            twin = SINGLE_CHARACTER_CONFUSABLES.get(char)
            if twin is not None:
                characters[run.start() + offset] = twin
                replaced.append(run.start() + offset)
    return "".join(characters), replaced
