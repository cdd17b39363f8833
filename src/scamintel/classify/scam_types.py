"""The likely scam type of a message already judged a scam, by documented keyword rules.

None of the training sets says which kind of scam a message is, so the type is not learned:
``data/scam_types.json`` lists words and phrases per type (the ScamType codes of DESIGN.md §3)
and language. The type with the most distinct matches wins; a tie goes to the type listed
first; no match at all gives ``other``. The message's language and English are both applied,
because South-East Asian scam texts mix English words (OTP, casino, link) into the local ones.
Latin-script lists match whole words on case-folded text with diacritics removed; Thai,
Burmese, Khmer and Lao lists match as substrings (those scripts do not separate words).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from scamintel.reports.model import ScamType

SCAM_TYPES_PATH: Final = Path(__file__).resolve().parent / "data" / "scam_types.json"


def fold_latin(text: str) -> str:
    """Case-folded, NFKC, without combining marks (``đ`` becomes ``d``)."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    stripped = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return stripped.replace("đ", "d")


@dataclass(frozen=True)
class TypeRule:
    scam_type: ScamType
    latin: dict[str, re.Pattern[str]]
    substrings: dict[str, tuple[str, ...]]

    def matches(self, folded: str, plain: str, languages: tuple[str, ...]) -> int:
        hits = 0
        for language in languages:
            pattern = self.latin.get(language)
            if pattern is not None:
                hits += len(set(pattern.findall(folded)))
            hits += sum(1 for phrase in self.substrings.get(language, ()) if phrase in plain)
        return hits


@functools.cache
def scam_type_rules() -> tuple[TypeRule, ...]:
    data = json.loads(SCAM_TYPES_PATH.read_text(encoding="utf-8"))
    latin_languages = set(data["latin_languages"])
    rules: list[TypeRule] = []
    for code, by_language in data["types"].items():
        latin: dict[str, re.Pattern[str]] = {}
        substrings: dict[str, tuple[str, ...]] = {}
        for language, phrases in by_language.items():
            if language in latin_languages:
                alternatives = sorted({fold_latin(p) for p in phrases}, key=len, reverse=True)
                body = "|".join(re.escape(phrase) for phrase in alternatives)
                latin[language] = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
            else:
                substrings[language] = tuple(
                    unicodedata.normalize("NFKC", p).casefold() for p in phrases
                )
        rules.append(TypeRule(ScamType(code), latin, substrings))
    return tuple(rules)


def guess_scam_type(text: str, language: str) -> ScamType:
    """The type whose words the scam message uses most; ``other`` when none appears."""
    languages = (language,) if language == "en" else (language, "en")
    folded = fold_latin(text)
    plain = unicodedata.normalize("NFKC", text).casefold()
    best, best_hits = ScamType.OTHER, 0
    for rule in scam_type_rules():
        hits = rule.matches(folded, plain, languages)
        if hits > best_hits:
            best, best_hits = rule.scam_type, hits
    return best
