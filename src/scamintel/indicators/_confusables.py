"""Letters from other scripts that look like Latin ones, as lookalike domains use them.

A hand-picked subset of the Unicode confusables (UTS #39) that matters for links: the
Cyrillic and Greek letters rendered identically to a Latin letter in common fonts, and a few
Latin letters from the IPA and extended blocks. Only one-character twins are listed; runs of
ASCII that read as another letter (``rn`` for ``m``) belong to lookalike detection.
"""

from __future__ import annotations

from typing import Final

SINGLE_CHARACTER_CONFUSABLES: Final[dict[str, str]] = {
    # Cyrillic lower case
    "а": "a",
    "в": "b",
    "е": "e",
    "һ": "h",
    "і": "i",
    "ј": "j",
    "к": "k",
    "ӏ": "l",
    "м": "m",
    "о": "o",
    "р": "p",
    "ԛ": "q",
    "ѕ": "s",
    "т": "t",
    "у": "y",
    "ԝ": "w",
    "х": "x",
    "ԁ": "d",
    "ɡ": "g",
    # Cyrillic upper case
    "А": "A",
    "В": "B",
    "Е": "E",
    "Н": "H",
    "І": "I",
    "Ј": "J",
    "К": "K",
    "М": "M",
    "О": "O",
    "Р": "P",
    "Ѕ": "S",
    "Т": "T",
    "Х": "X",
    "Ү": "Y",
    # Greek
    "α": "a",
    "ε": "e",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
    # Latin letters outside ASCII
    "ı": "i",
    "ɑ": "a",
    "ʏ": "y",
    "ℓ": "l",
}
