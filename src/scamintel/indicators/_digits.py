"""Digits people write phone and account numbers in, read as ASCII."""

from __future__ import annotations

import re
import unicodedata

# Zero digit of each decimal-digit block that people in the region (and migrant workers from
# further west) type numbers in. Full-width digits come from Thai, Chinese and Japanese IMEs.
_ZERO_DIGITS = (
    0x0660,  # Arabic-Indic
    0x06F0,  # Extended Arabic-Indic
    0x0966,  # Devanagari
    0x09E6,  # Bengali
    0x0E50,  # Thai
    0x0ED0,  # Lao
    0x1040,  # Myanmar
    0x1090,  # Myanmar Shan
    0x17E0,  # Khmer
    0x19D0,  # New Tai Lue
    0x1A80,  # Tai Tham Hora
    0x1A90,  # Tai Tham Tham
    0xA9D0,  # Javanese
    0xA9F0,  # Myanmar Extended-B
    0xAA50,  # Cham
    0xFF10,  # Full-width
)


def _build_digit_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for zero in _ZERO_DIGITS:
        for offset in range(10):
            char = chr(zero + offset)
            table[zero + offset] = str(unicodedata.digit(char))
    # A full-width plus comes with full-width digits; one character for one keeps offsets.
    table[ord("＋")] = "+"
    return table


_DIGIT_TABLE = _build_digit_table()


# Digits that are not ASCII: nearly all text has none, and finding that out is one scan in C.
_LOCAL_DIGIT = re.compile("[" + "".join(chr(code) for code in _DIGIT_TABLE) + "]")


def _ascii_digit(match: re.Match[str]) -> str:
    return _DIGIT_TABLE[ord(match.group())]


def to_ascii_digits(text: str) -> str:
    """Local-script and full-width digits as ASCII, one character for one (offsets survive)."""
    if text.isascii() or _LOCAL_DIGIT.search(text) is None:
        return text
    # str.translate looks every character up in the table; only the digits need replacing.
    return _LOCAL_DIGIT.sub(_ascii_digit, text)
