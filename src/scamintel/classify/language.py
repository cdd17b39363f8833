"""Which language a message is written in, as an ISO 639-1 code.

Thai, Lao, Khmer and Burmese are told apart by script. Latin-script text is scored by small
stop-word lists (English, Indonesian, Malay, Vietnamese without diacritics, Filipino) and
Vietnamese also by its letters with diacritics. The rules and word lists are data
(``data/languages.json``), read once on first use.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

LANGUAGES_PATH: Final = Path(__file__).resolve().parent / "data" / "languages.json"
_WORD: Final = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# Each alternative starts at the start of a token: "\S+@" tried from every position of one
# long token would be quadratic.
_LINK: Final = re.compile(
    r"(?:https?://|www\.)\S+|(?<!\S)(?:\S+@\S+|\S+\.[a-z]{2,}/\S*)", re.IGNORECASE
)


@dataclass(frozen=True)
class LanguageRules:
    scripts: dict[str, re.Pattern[str]]  # language -> one character of its script
    other_letter: re.Pattern[str]  # a letter of no script above
    script_share: float
    vietnamese_letters: frozenset[str]
    vietnamese_letter_count: int
    latin_order: tuple[str, ...]
    default: str
    stop_words: dict[str, frozenset[str]]


@functools.cache
def language_rules() -> LanguageRules:
    data = json.loads(LANGUAGES_PATH.read_text(encoding="utf-8"))
    classes = {
        lang: "".join(f"\\u{low}-\\u{high}" for low, high in ranges)
        for lang, ranges in data["scripts"].items()
    }
    return LanguageRules(
        scripts={lang: re.compile(f"[{body}]") for lang, body in classes.items()},
        other_letter=re.compile(f"[^\\W\\d_{''.join(classes.values())}]"),
        script_share=float(data["script_share"]),
        vietnamese_letters=frozenset(data["vietnamese_letters"]),
        vietnamese_letter_count=int(data["vietnamese_letter_count"]),
        latin_order=tuple(data["latin_order"]),
        default=str(data["default"]),
        stop_words={lang: frozenset(words) for lang, words in data["stop_words"].items()},
    )


def _script_language(text: str, rules: LanguageRules) -> str | None:
    """The script's language when its characters (marks included) are a big enough share."""
    counts = {lang: len(pattern.findall(text)) for lang, pattern in rules.scripts.items()}
    best = max(counts, key=lambda lang: counts[lang])
    if not counts[best]:
        return None
    letters = sum(counts.values()) + len(rules.other_letter.findall(text))
    if counts[best] >= rules.script_share * letters:
        return best
    return None


def detect_language(text: str) -> str:
    """ISO 639-1 code of the message's language (``en`` when nothing points elsewhere)."""
    rules = language_rules()
    text = _LINK.sub(" ", text)  # links and addresses say nothing of the message's language
    by_script = _script_language(text, rules)
    if by_script is not None:
        return by_script
    folded = unicodedata.normalize("NFC", text).casefold()
    vietnamese = sum(1 for char in folded if char in rules.vietnamese_letters)
    if vietnamese >= rules.vietnamese_letter_count:
        return "vi"
    words = _WORD.findall(folded)
    scores = {
        lang: sum(1 for word in words if word in rules.stop_words[lang])
        for lang in rules.latin_order
    }
    best = max(rules.latin_order, key=lambda lang: scores[lang])  # first of the tied
    return best if scores[best] else rules.default
