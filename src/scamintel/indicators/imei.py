"""IMEIs: the 15 digits of a handset or SIM-box modem, check digit verified (DESIGN.md §3).

The format and check-digit rules are python-stdnum's (``stdnum.imei``, ``stdnum.luhn``).

* The canonical value is 15 digits: the 8-digit type allocation code (TAC), the 6-digit serial
  number and the Luhn check digit.
* 14 digits are an IMEI written without its check digit: the check digit is computed.
* 16 digits are an IMEISV (TAC, serial, 2-digit software version): the software version is
  dropped and the check digit computed, since the device is the same whatever software it runs.
* A wrong check digit is refused, and so is one digit repeated (``000000000000000`` and the
  like are what modems with a blanked IMEI report: shared by many devices, naming none).
* Spaces, dashes and slashes between digits (``35-209900-176148-1``, ``352099 00 176148 1``),
  a label (``IMEI:``, ``IMEI1``, ``IMEI 2:``, ``IMEISV``, ``อีมี่``, ``串号``) and local-script
  or full-width digits are read.

A bare value is taken for an IMEI in type detection when it is labelled, or when it is 15
digits that pass the check and start with a reporting body identifier that allocates TACs
(``35``, ``86``, ``01``…): 15 digits without ``+`` are longer than any local number of the
region's plans, a number written with ``+`` or an IDD prefix (``00``, which no TAC starts
with) is never taken for an IMEI, and the identifier check keeps out 15-digit card numbers
(American Express starts 34 or 37). The registry tries this kind before phone.

In text an IMEI is read only after its label, on the same line and within a few words
(``IMEI ของเครื่องคือ 35…``) or alone on the next line, and the numbers listed after one
label (``IMEI: 35…, 35…``): order numbers, OTPs and references are 15-digit runs too often
for a bare run to be worth reading (one in ten passes the check). The raw text of each
finding is the number, without the label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from stdnum import imei as stdnum_imei
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from scamintel.indicators._digits import to_ascii_digits
from scamintel.indicators._scan import FOUND_CACHE_SIZE, matches_at, views
from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)

# Reporting body identifiers: the first two digits of every TAC, naming the body that
# allocated it (GSMA's list; 35 BABT and 86 TAF are most handsets and modems in the region).
REPORTING_BODIES: Final = frozenset(
    f"{body:02}" for body in (1, 10, 30, 33, 35, 44, 45, 49, 50, 51, 52, 53, 54, 86, 91, 98, 99)
)

_LABEL = r"(?:imei(?:[ \t]?/?[ \t]?sv|\(s\)|s)?|อีมี่|อีเอ็มอีไอ|串号|串码)"
# A SIM slot number after the label: IMEI1, IMEI 2, IMEI (1), IMEI #2.
_SLOT = r"(?:[ \t\u00a0]*[#(]?[ \t]*[12](?![0-9])\)?)?"
_SEPARATOR = r"[ \u00a0]?[-/]?[ \u00a0]?"
_NUMBER = rf"(?P<number>[0-9](?:{_SEPARATOR}[0-9]){{13,15}})"
# Between the label and the number: a few words on its line ("no.", ":", "của máy là",
# "ของเครื่องคือ"), or a line break alone (the *#06# screen puts the number under its label).
_WORDS = r"(?:[ \t\u00a0:：]*\r?\n[ \t\u00a0]*|[^0-9\n\r]{0,24}?)"
_LABELLED = re.compile(_LABEL + _SLOT + _WORDS + _NUMBER, re.IGNORECASE)
# One more number in a list after a label.
_NEXT = re.compile(
    r"[ \t\u00a0]*(?:[,;/&、，]|and|và|และ|dan|at|和|\r?\n)?[ \t\u00a0]*" + _NUMBER,
    re.IGNORECASE,
)
# A label in front of a value given to check: whatever the label, the rest must be the number.
_LABEL_PREFIX = re.compile(
    _LABEL + _SLOT + r"[ \t\u00a0]*(?:no\.?|number|#)?[ \t\u00a0]*[:：=#.\-]?[ \t\u00a0]*",
    re.IGNORECASE,
)
_WRITTEN_SEPARATORS = re.compile(r"[\s\-/]")
_THAI_AND_CHINESE_LABELS = ("อีมี่", "อีเอ็มอีไอ", "串号", "串码")


def _invalid(raw: str, reason: str) -> InvalidIndicatorError:
    return InvalidIndicatorError(raw, reason, IndicatorType.IMEI)


def _without_label(value: str) -> str:
    label = _LABEL_PREFIX.match(value)
    return value[label.end() :] if label is not None and label.end() < len(value) else value


def canonical_imei(raw: str, digits: str) -> str:
    """The 15-digit IMEI of 14, 15 or 16 digits, or :class:`InvalidIndicatorError`."""
    try:
        stdnum_imei.validate(digits)
    except InvalidChecksum:
        raise _invalid(
            raw, "bad check digit: the last digit does not match the Luhn check of the others"
        ) from None
    except InvalidLength:
        raise _invalid(
            raw,
            f"an IMEI is 15 digits (14 without its check digit, 16 as an IMEISV), not "
            f"{len(digits)}",
        ) from None
    except (InvalidFormat, ValidationError):
        raise _invalid(raw, "an IMEI is written in digits") from None
    body = digits[:14]
    if len(set(body)) == 1:
        raise _invalid(raw, "one digit repeated is a blanked IMEI, shared by many devices")
    return digits if len(digits) == 15 else body + luhn.calc_check_digit(body)


def _digits_of(raw: str) -> str:
    value = _without_label(to_ascii_digits(raw.strip()))
    digits = _WRITTEN_SEPARATORS.sub("", value)
    if not (digits.isascii() and digits.isdigit()):
        raise _invalid(
            raw, "an IMEI is written in digits, with only spaces, dashes or slashes between them"
        )
    return digits


def _taken(number: str, following: str) -> tuple[int, str] | None:
    """How many characters of a number found after a label are one IMEI, and its canonical
    value; None where they are none. ``following`` is the character after the number."""
    positions = [index for index, char in enumerate(number) if char.isdigit()]
    digits = "".join(number[index] for index in positions)
    count = len(digits)
    if count >= 15 and luhn.is_valid(digits[:15]):
        # The 16th digit, written against the 15th, is an IMEISV's software version.
        glued = count == 16 and positions[15] == positions[14] + 1
        count = 16 if glued else 15
    elif count == 16 and positions[15] != positions[14] + 1:
        return None  # an IMEISV's version is two digits together; this is a bad check digit
    elif count == 15:
        return None
    end = positions[count - 1] + 1
    after = number[end] if end < len(number) else following
    if after.isdigit():
        return None  # part of a longer number
    try:
        return end, canonical_imei(number, digits[:count])
    except InvalidIndicatorError:
        return None


def _label_starts(text: str, mapped: str) -> list[int]:
    seen = views(text)
    starts: list[int] = []
    skeleton = seen.skeleton
    alnum = seen.alnum
    position = skeleton.find(b"imei")
    while position >= 0:
        if position == 0 or not alnum[position - 1]:
            starts.append(position)
        position = skeleton.find(b"imei", position + 4)
    if not mapped.isascii():
        for label in _THAI_AND_CHINESE_LABELS:
            position = mapped.find(label)
            while position >= 0:
                starts.append(position)
                position = mapped.find(label, position + len(label))
        starts.sort()
    return starts


class ImeiKind:
    """IMEIs: 15 digits, Luhn-checked (DESIGN.md §3)."""

    type = IndicatorType.IMEI

    def __init__(self) -> None:
        self._number_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(_taken)

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        return Indicator(IndicatorType.IMEI, canonical_imei(raw, _digits_of(raw)))

    def looks_like(self, raw: str) -> bool:
        value = to_ascii_digits(raw.strip())
        label = _LABEL_PREFIX.match(value)
        if label is not None:
            return label.end() < len(value) and value[label.end()].isdigit()
        digits = _WRITTEN_SEPARATORS.sub("", value)
        return (
            len(digits) == 15
            and digits.isascii()
            and digits.isdigit()
            and digits[:2] in REPORTING_BODIES
        )

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        seen = views(text)
        digits = seen.digits
        if digits is not None and b"0" not in digits:
            return
        mapped = seen.mapped
        starts = _label_starts(text, mapped)
        if not starts:
            return
        for labelled in matches_at(_LABELLED, mapped, starts):
            match: re.Match[str] | None = labelled
            while match is not None:
                start = match.start("number")
                end = match.end("number")
                following = mapped[end] if end < len(mapped) else ""
                taken = self._number_in_text(match["number"], following)
                if taken is None:
                    break
                length, value = taken
                end = start + length
                yield FoundIndicator(
                    Indicator(IndicatorType.IMEI, value), text[start:end], start, end
                )
                match = _NEXT.match(mapped, end)
