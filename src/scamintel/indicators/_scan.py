"""Fast, exact scanning of free text for the kinds' patterns.

Python's ``re`` has no fast path for a pattern that starts with a look-behind or with a
case-insensitive alternation of names: it tries the whole pattern at every position of the
text, which costs most of an extraction. The kinds keep their patterns, and so exactly what
they match, but try them only at the positions where a match can start, found by a cheap
search for something every match contains (an "@", a "//", a bank's name…). Each kind works
out, from where such an anchor is, every position a match containing it could start at; that
set may hold positions where nothing matches, never miss one where something does.

:func:`matches_at` then does what ``pattern.finditer(text)`` does with those positions, and
:func:`views` gives the transformed forms of one text that several kinds need, computed once
per text rather than once per kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import AnyStr, Final

from scamintel.indicators._digits import _DIGIT_TABLE, to_ascii_digits

# How many values found in text each kind remembers the reading of (the same mule numbers,
# accounts and links come back report after report): a few MB per kind when full.
FOUND_CACHE_SIZE: Final = 16_384


def matches_at(
    pattern: re.Pattern[str], text: str, starts: Iterable[int], *, longest: int | None = None
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` when every match starts at one of ``starts`` (ascending;
    other positions may be among them). Matches never overlap and each search resumes where
    the last match ended, as finditer's do; patterns here never match the empty string.

    ``longest`` bounds how far one match may reach: a candidate that would run past it is
    longer than any value of its kind, and without the bound a text built of one endless
    candidate ("a.a.a.a…") would be read once from each of its positions, in quadratic time.
    """
    position = 0
    tried = -1
    size = len(text)
    for start in starts:
        if start < position or start == tried:
            continue
        tried = start
        if longest is None or start + longest >= size:
            match = pattern.match(text, start)
        else:
            match = pattern.match(text, start, start + longest)
            if match is not None and match.end() == start + longest:
                continue
        if match is not None:
            yield match
            position = match.end()


# Characters that, ignoring case, match an ASCII letter in a pattern without being ASCII
# (İ, ı, ſ and the Kelvin sign). The name scans below read ASCII only; text with any of these
# (there is hardly ever any) is scanned the slow way.
_FOLDS_TO_ASCII: Final = ("\u0130", "\u0131", "\u017f", "\u212a")

# The skeleton of a text: one byte per character, ASCII letters lowercased, every character
# that is not an ASCII letter or digit a space.
_SKELETON = bytes(
    byte + 32 if 65 <= byte <= 90 else byte if 97 <= byte <= 122 or 48 <= byte <= 57 else 32
    for byte in range(256)
)
_ALNUM_BIT = bytes(1 if byte != 32 else 0 for byte in _SKELETON)
WORD_START_BIT: Final = 0x80


@cache
def _non_ascii_digits() -> re.Pattern[str]:
    """Every character ``\\d`` matches that is not an ASCII digit (the decimal digits of all
    scripts), what to_ascii_digits maps besides them (the full-width plus), and, to keep the
    class one table re looks characters up in, every character beyond the BMP."""
    chars = [chr(code) for code in range(0x80, 0x10000) if chr(code).isdecimal()]
    chars.extend(chr(code) for code in _DIGIT_TABLE if not chr(code).isdecimal())
    return re.compile("[" + "".join(re.escape(char) for char in chars) + "\U00010000-\U0010ffff]")


# ASCII digits as "0", every other character a space: the next digit is a find away.
_DIGITS_AS_ZERO = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))


class TextViews:
    """The forms of one text that the kinds read, each made on first use."""

    __slots__ = (
        "_alnum",
        "_digits",
        "_marked",
        "_names",
        "_skeleton",
        "ascii_digits",
        "mapped",
        "plain_case",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        # Local-script and full-width digits as ASCII, one character for one.
        if text.isascii() or _non_ascii_digits().search(text) is None:
            self.mapped = text
            self.ascii_digits = True
        else:
            self.mapped = to_ascii_digits(text)
            # Whether \d matches nothing in the mapped text but ASCII digits.
            self.ascii_digits = _non_ascii_digits().search(self.mapped) is None
        self._digits: bytes | None = None
        # Whether the name scans may read the skeleton (no İ, ı, ſ or Kelvin sign).
        self.plain_case = text.isascii() or not any(fold in text for fold in _FOLDS_TO_ASCII)
        self._skeleton: bytes | None = None
        self._alnum: bytes | None = None
        self._marked: bytes | None = None
        self._names: tuple[list[int], list[int]] | None = None

    @property
    def skeleton(self) -> bytes:
        """The mapped text one byte a character: ASCII letters lowercased, digits kept, every
        other character a space."""
        if self._skeleton is None:
            self._skeleton = self.mapped.encode("ascii", "replace").translate(_SKELETON)
        return self._skeleton

    @property
    def digits(self) -> bytes | None:
        """The mapped text one byte a character, its ASCII digits "0" and everything else a
        space; None when ``\\d`` matches other characters in it too."""
        if self._digits is None and self.ascii_digits:
            self._digits = self.skeleton.translate(_DIGITS_AS_ZERO)
        return self._digits

    @property
    def alnum(self) -> bytes:
        """One byte a character of the mapped text: 1 for an ASCII letter or digit, else 0."""
        if self._alnum is None:
            self._alnum = self.skeleton.translate(_ALNUM_BIT)
        return self._alnum

    @property
    def marked(self) -> bytes:
        """The skeleton of the mapped text with the high bit set on the first letter or digit
        of every word (one not preceded by a letter or digit): names are looked for at those."""
        if self._marked is None:
            skeleton = self.skeleton
            alnum = int.from_bytes(self.alnum, "big")
            word_starts = alnum ^ (alnum & (alnum >> 8))  # not preceded by a letter or digit
            marked = int.from_bytes(skeleton, "big") | (word_starts << 7)
            self._marked = marked.to_bytes(len(skeleton), "big")
        return self._marked

    @property
    def names(self) -> tuple[list[int], list[int]]:
        """Where a name of any :class:`NameScan` may start: positions in the skeleton (names
        starting with an ASCII letter) and in the mapped text (the others), ascending."""
        if self._names is None:
            in_skeleton, in_text = _ALL_NAMES.patterns()
            self._names = (
                [] if in_skeleton is None else _starts(in_skeleton, self.marked),
                [] if in_text is None or self.mapped.isascii() else _starts(in_text, self.mapped),
            )
        return self._names


def _starts(pattern: re.Pattern[AnyStr], text: AnyStr) -> list[int]:
    return [match.start() for match in pattern.finditer(text)]


_last: TextViews | None = None


def views(text: str) -> TextViews:
    """The views of ``text``; the kinds asked in turn about one text share them."""
    global _last
    last = _last
    if last is not None and last.text is text:
        return last
    made = TextViews(text)
    _last = made
    return made


# --- Names -------------------------------------------------------------------------------------

_NOISE_CLASS = r"[\s'’.\-_]*"  # what may come between the parts of a name (financial.py)
_Trie = dict[str, "_Trie"]
_END = ""  # key of a trie node's "a name ends here" entry; fragments are never empty


def _trie_pattern(sequences: Iterable[list[str]]) -> str:
    """An alternation matching where any of the fragment sequences matches, factored by
    common beginnings. A name that completes ends the alternative: a longer name with it as
    its beginning adds no start position."""
    root: _Trie = {}
    for sequence in sequences:
        node = root
        for fragment in sequence:
            node = node.setdefault(fragment, {})
        node[_END] = {}

    def emit(node: _Trie) -> str:
        if _END in node:
            return ""
        alternatives = [fragment + emit(child) for fragment, child in sorted(node.items())]
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"

    return emit(root)


def _first_then_rest(pattern_by_first: dict[str, str]) -> str:
    """Each first fragment, then the rest as a look-ahead: a match takes one character, so
    every start is found, and the first fragments (single characters) let the search skip
    in C to the next character that can start a name."""
    return "|".join(
        first + (f"(?={rest})" if rest else "") for first, rest in sorted(pattern_by_first.items())
    )


def _split_first(sequences: list[list[str]]) -> dict[str, str]:
    groups: dict[str, list[list[str]]] = {}
    for sequence in sequences:
        groups.setdefault(sequence[0], []).append(sequence[1:])
    return {
        first: "" if any(not rest for rest in rests) else _trie_pattern(rests)
        for first, rests in groups.items()
    }


def _skeleton_byte(char: str) -> int:
    return _SKELETON[ord(char)] if char.isascii() else 32


def _byte(value: int) -> str:
    """A one-byte pattern fragment, as latin-1 text (the pattern is encoded to bytes)."""
    return re.escape(chr(value))


def _ascii_sequence(parts: list[str]) -> list[str]:
    """Fragments matching a name in the marked skeleton: its first letter a word start, a run
    of spaces where the name allows noise, a letter after a space maybe a word start."""
    fragments: list[str] = []
    after_letter = False
    for index, part in enumerate(parts):
        if index:
            fragments.append(" *")
            after_letter = False
        for char in part:
            byte = _skeleton_byte(char)
            if byte == 32:
                fragments.append(" ")
                after_letter = False
            elif not fragments:
                fragments.append(_byte(byte | WORD_START_BIT))
                after_letter = True
            elif after_letter:
                fragments.append(_byte(byte))
            else:
                fragments.append(f"[{_byte(byte)}{_byte(byte | WORD_START_BIT)}]")
                after_letter = True
    return fragments


class _NameIndex:
    """The names of every :class:`NameScan`, looked for together once per text."""

    def __init__(self) -> None:
        self._in_skeleton: list[list[str]] = []
        self._in_text: list[list[str]] = []
        self._patterns: tuple[re.Pattern[bytes] | None, re.Pattern[str] | None] | None = None

    def add(self, in_skeleton: list[list[str]], in_text: list[list[str]]) -> None:
        self._in_skeleton.extend(in_skeleton)
        self._in_text.extend(in_text)
        self._patterns = None

    def patterns(self) -> tuple[re.Pattern[bytes] | None, re.Pattern[str] | None]:
        patterns = self._patterns
        if patterns is None:
            patterns = (
                _bytes_pattern(_any_start(self._in_skeleton)),
                _str_pattern(_any_start(self._in_text)),
            )
            self._patterns = patterns
        return patterns


def _any_start(sequences: list[list[str]]) -> str | None:
    """A pattern whose matches start where any of the sequences may (one character each)."""
    return _first_then_rest(_split_first(sequences)) if sequences else None


def _at(sequences: list[list[str]]) -> str | None:
    """A pattern matching where one of the sequences starts."""
    return _trie_pattern(sequences) if sequences else None


def _bytes_pattern(pattern: str | None) -> re.Pattern[bytes] | None:
    """A pattern written one character a byte (latin-1), compiled to match bytes."""
    return None if pattern is None else re.compile(pattern.encode("latin-1"))


def _str_pattern(pattern: str | None) -> re.Pattern[str] | None:
    return None if pattern is None else re.compile(pattern)


_ALL_NAMES = _NameIndex()


class NameScan:
    """Where any of some names may start in a text: a superset of the positions at which a
    case-insensitive, noise-tolerant alternation of the names (``names_pattern``) matches,
    preceded by no ASCII letter or digit. Only for text whose :attr:`TextViews.plain_case`.

    The names of all scans are looked for in one pass over the text; each scan then keeps
    the positions where one of its own names starts."""

    def __init__(self, names: Iterable[str], noise: re.Pattern[str]) -> None:
        in_skeleton: list[list[str]] = []
        in_text: list[list[str]] = []
        for name in set(names):
            parts = [part.lower() for part in noise.split(name) if part]
            if not parts:
                continue
            if _skeleton_byte(parts[0][0]) != 32:
                in_skeleton.append(_ascii_sequence(parts))
            else:
                # Thai and Chinese names: no case, and no ASCII letter to anchor on.
                if any(char.lower() != char.upper() for part in parts for char in part):
                    raise ValueError(f"{name!r}: a name starting with a non-ASCII letter has case")
                sequence: list[str] = []
                for index, part in enumerate(parts):
                    if index:
                        sequence.append(_NOISE_CLASS)
                    sequence.extend(re.escape(char) for char in part)
                in_text.append(sequence)
        self._in_skeleton = _bytes_pattern(_at(in_skeleton))
        self._in_text = _str_pattern(_at(in_text))
        _ALL_NAMES.add(in_skeleton, in_text)

    def starts(self, views: TextViews) -> list[int]:
        """Ascending positions in the text where one of the names may start."""
        in_skeleton, in_text = views.names
        found: list[int] = []
        if self._in_skeleton is not None and in_skeleton:
            marked = views.marked
            found = [start for start in in_skeleton if self._in_skeleton.match(marked, start)]
        if self._in_text is not None and in_text:
            mapped = views.mapped
            other = [start for start in in_text if self._in_text.match(mapped, start)]
            if other:
                found = sorted(found + other)
        return found
