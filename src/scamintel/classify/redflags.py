"""Red flags: the words and links in a message that give a scam away, each with its span and a
plain explanation in the reader's language.

The rules are data (``data/redflags/<lang>.json``, one file per language, reviewed by a native
speaker; format in docs/red-flags.md). A message is read with the rules of its own language
plus the English ones (messages mix English in), and its links are checked against the URL
shortener list and the brand lookalikes of :mod:`scamintel.indicators`.

Matching works on a *folded* copy of the text with the same length (so offsets carry over):
lower case, Latin diacritics removed (``chuyển khoản`` reads as ``chuyen khoan``, which is
how many Vietnamese messages are written anyway). A phrase edge that is a Latin letter or digit
must sit at a word boundary; other edges (Thai, Burmese, Khmer, Lao, which have no spaces
between words) match anywhere. A request that is negated just before it ("do not share this
code", "ห้ามบอกรหัส") is not a flag: genuine one-time-password notices say exactly that.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scamintel.indicators.lookalike import default_lookalikes
from scamintel.indicators.model import FoundIndicator, ParseContext
from scamintel.indicators.registry import default_registry
from scamintel.indicators.warninglist import Warninglist


class FlagCode(StrEnum):
    URGENCY = "urgency"
    IMPERSONATION = "impersonation"
    PAYMENT_REQUEST = "payment_request"
    CREDENTIAL_REQUEST = "credential_request"
    APP_INSTALL = "app_install"
    MOVE_TO_CHAT = "move_to_chat"
    TOO_GOOD_TO_BE_TRUE = "too_good_to_be_true"
    THREAT = "threat"
    SHORTENED_LINK = "shortened_link"
    LOOKALIKE_DOMAIN = "lookalike_domain"


#: The flags the language rule files find in the words of a message.
TEXT_FLAGS: tuple[FlagCode, ...] = (
    FlagCode.URGENCY,
    FlagCode.IMPERSONATION,
    FlagCode.PAYMENT_REQUEST,
    FlagCode.CREDENTIAL_REQUEST,
    FlagCode.APP_INSTALL,
    FlagCode.MOVE_TO_CHAT,
    FlagCode.TOO_GOOD_TO_BE_TRUE,
    FlagCode.THREAT,
)
#: The flags found on the links and addresses of a message.
INDICATOR_FLAGS: tuple[FlagCode, ...] = (FlagCode.SHORTENED_LINK, FlagCode.LOOKALIKE_DOMAIN)
#: Requests that a negation just before them turns into advice ("never share your PIN").
NEGATABLE: frozenset[FlagCode] = frozenset(
    {
        FlagCode.PAYMENT_REQUEST,
        FlagCode.CREDENTIAL_REQUEST,
        FlagCode.APP_INSTALL,
        FlagCode.MOVE_TO_CHAT,
    }
)
#: The languages with a rule file, and the region whose formats their messages use.
LANGUAGE_REGIONS: Mapping[str, str | None] = {
    "en": None,  # the node's default region
    "th": "TH",
    "my": "MM",
    "km": "KH",
    "lo": "LA",
    "vi": "VN",
    "id": "ID",
    "ms": "MY",
    "tl": "PH",
}
RULE_LANGUAGES: tuple[str, ...] = tuple(LANGUAGE_REGIONS)
_ALIASES = {
    "eng": "en",
    "tha": "th",
    "mya": "my",
    "bur": "my",
    "khm": "km",
    "lao": "lo",
    "vie": "vi",
    "ind": "id",
    "in": "id",
    "msa": "ms",
    "may": "ms",
    "zsm": "ms",
    "fil": "tl",
    "tgl": "tl",
}
_INDICATOR_FILE = "indicator-flags.json"
# How far before a request a negation may end ("do not ever share this code").
_NEGATION_GAP_LATIN = 24
_NEGATION_GAP_UNSPACED = 12
_SENTENCE_END = ".!?;:\n"


class RedFlagsError(ValueError):
    """A rule file that cannot be read, validated or compiled."""


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="'unreviewed draft' until a native speaker has signed off")
    reviewer: str = Field(description="who should review the file (or who did, and when)")
    notes: str = ""


class CategoryRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    explanation: dict[str, str]


class RuleFile(BaseModel):
    """One language's rules: ``data/redflags/<lang>.json``."""

    model_config = ConfigDict(extra="forbid")

    language: str
    name: str
    version: str
    review: Review
    description: str = ""
    negations: list[str] = Field(default_factory=list)
    categories: dict[FlagCode, CategoryRules]


class IndicatorFlag(BaseModel):
    model_config = ConfigDict(extra="forbid")

    explanation: dict[str, str]


class IndicatorFlagFile(BaseModel):
    """The explanations of the link-based flags in every language: ``indicator-flags.json``."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    review: Review
    description: str = ""
    flags: dict[FlagCode, IndicatorFlag]


@dataclass(frozen=True, slots=True)
class RedFlag:
    """One red flag: what it is, where it is written, and why it matters, for the reader."""

    code: FlagCode
    start: int
    end: int
    raw: str
    explanation: str

    def as_dict(self) -> dict[str, str | int]:
        return {
            "code": self.code.value,
            "start": self.start,
            "end": self.end,
            "raw": self.raw,
            "explanation": self.explanation,
        }


# --- reading the data -------------------------------------------------------------------------


def rules_folder() -> Traversable:
    return resources.files("scamintel.classify").joinpath("data", "redflags")


def rule_files() -> list[Traversable]:
    """The language rule files of the package, by name."""
    return sorted(
        (
            item
            for item in rules_folder().iterdir()
            if item.name.endswith(".json") and item.name != _INDICATOR_FILE
        ),
        key=lambda item: item.name,
    )


def read_rule_file(source: Traversable) -> RuleFile:
    try:
        rules = RuleFile.model_validate(json.loads(source.read_text("utf-8")))
    except (ValueError, ValidationError) as error:
        raise RedFlagsError(f"{source.name}: {error}") from error
    if source.name != f"{rules.language}.json":
        raise RedFlagsError(f"{source.name}: holds the rules of {rules.language!r}")
    return rules


@cache
def load_rules(language: str) -> RuleFile | None:
    """The package's rule file for ``language`` (a code of :data:`RULE_LANGUAGES`), or None."""
    if language not in LANGUAGE_REGIONS:
        return None
    return read_rule_file(rules_folder().joinpath(f"{language}.json"))


@cache
def load_indicator_flags() -> IndicatorFlagFile:
    source = rules_folder().joinpath(_INDICATOR_FILE)
    try:
        return IndicatorFlagFile.model_validate(json.loads(source.read_text("utf-8")))
    except (ValueError, ValidationError) as error:
        raise RedFlagsError(f"{source.name}: {error}") from error


def rule_language(language: str | None) -> str | None:
    """``th-TH``, ``THA`` and ``th`` are all ``th``; None where no rule file is kept."""
    if not language:
        return None
    code = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    code = _ALIASES.get(code, code)
    return code if code in LANGUAGE_REGIONS else None


def language_region(language: str | None, default_region: str) -> str:
    """The region whose number and account formats a message in ``language`` uses."""
    code = rule_language(language)
    region = LANGUAGE_REGIONS.get(code) if code else None
    return region or default_region


# --- folding ----------------------------------------------------------------------------------


@cache
def _fold_table() -> dict[int, str]:
    """One character for one: Latin letters lower-cased without their diacritics."""
    table: dict[int, str] = {}
    ranges = [range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00)]
    for block in ranges:
        for point in block:
            char = chr(point)
            base = unicodedata.normalize("NFD", char)[0].lower()
            if len(base) == 1 and base != char and base.isascii():
                table[point] = base
    for point in (0xD0, 0xF0, 0x110, 0x111):  # Ð ð Đ đ
        table[point] = "d"
    return table


def fold(text: str) -> str:
    """``text`` lower-cased, without Latin diacritics, with every offset unchanged."""
    folded = text.translate(_fold_table()).lower()
    if len(folded) == len(text):
        return folded
    # A few letters lower-case to two characters (İ): keep those as written.
    return "".join(
        low if len(low := char.lower()) == 1 else char for char in text.translate(_fold_table())
    )


# Thai and Lao SARA AM is written as one character or as NIKHAHIT + SARA AA; both spellings
# of a phrase match, and both give the same key.
_AM_PAIRS = {"\u0e4d\u0e32": "\u0e33", "\u0ecd\u0eb2": "\u0eb3"}
_AM_EITHER = {"\u0e33": "(?:\u0e33|\u0e4d\u0e32)", "\u0eb3": "(?:\u0eb3|\u0ecd\u0eb2)"}
_LATIN_BEFORE = r"(?<![0-9a-z])"
_LATIN_AFTER = r"(?![0-9a-z])"
_Trie = dict[str, "_Trie | bool"]


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def phrase_key(text: str) -> str:
    """What a phrase and the words it matched have in common: folded, without spaces."""
    key = "".join(fold(text).split())
    for pair, single in _AM_PAIRS.items():
        key = key.replace(pair, single)
    return key


def _units(phrase: str) -> list[str]:
    """A phrase as regular-expression pieces, one per character or space."""
    words = [phrase_key(word) for word in fold(phrase).split()]
    if not words:
        raise RedFlagsError("an empty phrase")
    units: list[str] = []
    for place, word in enumerate(words):
        if place:
            # Between two Latin words a space is needed; elsewhere it is optional.
            latin = _is_word_char(words[place - 1][-1]) and _is_word_char(word[0])
            units.append(r"\s+" if latin else r"\s*")
        units.extend(_AM_EITHER.get(char) or re.escape(char) for char in word)
    return units


def _emit(node: _Trie) -> str:
    alternatives = [
        unit + _emit(child) for unit, child in sorted(node.items()) if isinstance(child, dict)
    ]
    ending = node.get("")
    if ending is not None:
        # After every longer continuation: at one place, the longest phrase is the span.
        alternatives.append(_LATIN_AFTER if ending else "")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


def phrases_pattern(phrases: Iterable[str]) -> str:
    """One regular expression for literal phrases, as a trie (fast to try at each place).

    A phrase edge that is a Latin letter or digit must be a word edge; others match anywhere.
    """
    latin: _Trie = {}
    other: _Trie = {}
    for phrase in phrases:
        units = _units(phrase)
        key = phrase_key(phrase)
        node = latin if _is_word_char(key[0]) else other
        for unit in units:
            child = node.setdefault(unit, {})
            assert isinstance(child, dict)
            node = child
        node[""] = _is_word_char(key[-1])
    parts = []
    if latin:
        parts.append(_LATIN_BEFORE + _emit(latin))
    if other:
        parts.append(_emit(other))
    return "|".join(parts)


# --- compiled rules ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Compiled:
    phrases: re.Pattern[str] | None
    codes: Mapping[str, tuple[FlagCode, ...]]  # phrase key -> the kinds of flag it shows
    patterns: tuple[tuple[FlagCode, re.Pattern[str]], ...]
    negation: re.Pattern[str] | None


def _compile(rule_files: Sequence[RuleFile]) -> _Compiled:
    names = ", ".join(rule_file.language for rule_file in rule_files)
    codes: dict[str, tuple[FlagCode, ...]] = {}
    phrases: list[str] = []
    patterns: list[tuple[FlagCode, re.Pattern[str]]] = []
    for code in TEXT_FLAGS:
        sources: list[str] = []
        for rule_file in rule_files:
            category = rule_file.categories.get(code)
            if category is None:
                continue
            for phrase in category.phrases:
                key = phrase_key(phrase)
                if not key:
                    raise RedFlagsError(f"{rule_file.language}: {code.value}: an empty phrase")
                if code not in codes.get(key, ()):
                    codes[key] = (*codes.get(key, ()), code)
                phrases.append(phrase)
            sources.extend(category.patterns)
        if sources:
            try:
                patterns.append((code, re.compile("|".join(f"(?:{p})" for p in sources))))
            except re.error as error:
                raise RedFlagsError(f"{names}: {code.value}: {error}") from error
    # In a lookahead, so that every place is tried: phrases may overlap ("กรุณาโอน" and
    # "โอนเงินเข้าบัญชี"); the spans of one kind are merged afterwards.
    phrase_regex = re.compile(f"(?=({phrases_pattern(phrases)}))") if phrases else None
    negations = [phrase for rule_file in rule_files for phrase in rule_file.negations]
    negation = re.compile(phrases_pattern(negations)) if negations else None
    return _Compiled(phrase_regex, codes, tuple(patterns), negation)


@cache
def _compiled(language: str) -> _Compiled:
    """The rules of ``language`` with the English ones, compiled once."""
    chosen = [load_rules("en")]
    if language != "en":
        chosen.append(load_rules(language))
    return _compile([rule_file for rule_file in chosen if rule_file is not None])


def _negated(folded: str, start: int, negation: re.Pattern[str]) -> bool:
    """Whether a negation ends just before ``start`` (or runs into it), in the same sentence."""
    for hit in negation.finditer(folded, max(0, start - 40), start + 12):
        if hit.start() >= start:
            break
        if hit.end() >= start:
            return True
        gap = folded[hit.end() : start]
        if any(mark in gap for mark in _SENTENCE_END):
            continue
        last = folded[hit.end() - 1]
        if _is_word_char(last) or last.isspace():
            if len(gap) <= _NEGATION_GAP_LATIN:
                return True
        elif len(gap) <= _NEGATION_GAP_UNSPACED and not any(c.isspace() for c in gap):
            return True
    return False


# --- explanations -----------------------------------------------------------------------------


@cache
def explanation(code: FlagCode, message_language: str | None, reader_language: str | None) -> str:
    """The explanation of ``code`` in the reader's language, else in English."""
    reader = rule_language(reader_language) or "en"
    if code in INDICATOR_FLAGS:
        texts = load_indicator_flags().flags[code].explanation
        return texts.get(reader) or texts["en"]
    sources = [rule_language(message_language), reader, "en"]
    for language in sources:
        rule_file = load_rules(language) if language else None
        category = rule_file.categories.get(code) if rule_file else None
        if category is None:
            continue
        text = category.explanation.get(reader)
        if text:
            return text
    english = load_rules("en")
    assert english is not None
    return english.categories[code].explanation["en"]


# --- finding ----------------------------------------------------------------------------------


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@cache
def _warninglist() -> Warninglist:
    return Warninglist()


def _indicator_spans(
    found: Iterable[FoundIndicator],
) -> dict[FlagCode, list[tuple[int, int, dict[str, str]]]]:
    warninglist = _warninglist()
    lookalikes = default_lookalikes()
    spans: dict[FlagCode, list[tuple[int, int, dict[str, str]]]] = {}
    for item in found:
        shortened = warninglist.shortener(item.indicator)
        if shortened is not None:
            fields = {"host": shortened.host, "service": shortened.name}
            spans.setdefault(FlagCode.SHORTENED_LINK, []).append((item.start, item.end, fields))
        lookalike = lookalikes.match_indicator(item.indicator)
        if lookalike is not None:
            fields = {
                "host": lookalike.host,
                "brand": lookalike.brand.name,
                "domain": lookalike.brand.official_domain,
            }
            spans.setdefault(FlagCode.LOOKALIKE_DOMAIN, []).append((item.start, item.end, fields))
    return spans


def find_red_flags(
    text: str,
    language: str | None,
    reader_language: str | None,
    found_indicators: Sequence[FoundIndicator] | None = None,
    *,
    default_region: str = "TH",
) -> list[RedFlag]:
    """The red flags of ``text`` (written in ``language``), explained in ``reader_language``.

    ``found_indicators`` are the indicators already extracted from ``text``; when None they
    are extracted here, reading numbers in the region of ``language`` (``default_region``,
    the node's, for English and languages without rules). Flags come in reading order;
    overlapping or touching flags of one kind are one flag.
    """
    message_language = rule_language(language) or "en"
    compiled = _compiled(message_language)
    folded = fold(text)
    spans: dict[FlagCode, list[tuple[int, int]]] = {}
    if compiled.phrases is not None:
        for hit in compiled.phrases.finditer(folded):
            start, end = hit.span(1)
            for code in compiled.codes.get(phrase_key(hit.group(1)), ()):
                spans.setdefault(code, []).append((start, end))
    for code, pattern in compiled.patterns:
        for hit in pattern.finditer(folded):
            if hit.end() > hit.start():
                spans.setdefault(code, []).append(hit.span())
    found: list[tuple[int, int, FlagCode, str]] = []
    for code, places in spans.items():
        if code in NEGATABLE and compiled.negation is not None:
            negation = compiled.negation
            places = [place for place in places if not _negated(folded, place[0], negation)]
        if places:
            why = explanation(code, message_language, reader_language)
            found.extend((start, end, code, why) for start, end in _merge(places))
    if found_indicators is None:
        region = language_region(message_language, default_region)
        found_indicators = default_registry().extract(text, ParseContext(region))
    for code, linked in _indicator_spans(found_indicators).items():
        template = explanation(code, message_language, reader_language)
        for start, end in _merge([(start, end) for start, end, _ in linked]):
            fields = next(f for s, e, f in linked if start <= s < end or s == start)
            found.append((start, end, code, _fill(template, fields)))
    order = {code: place for place, code in enumerate(FlagCode)}
    found.sort(key=lambda item: (item[0], item[1], order[item[2]]))
    return [RedFlag(code, start, end, text[start:end], why) for start, end, code, why in found]


def _fill(template: str, fields: Mapping[str, str]) -> str:
    """A template's ``{brand}``, ``{domain}``, ``{host}``, ``{service}`` filled in."""
    return re.sub(r"\{(\w+)\}", lambda hit: fields.get(hit.group(1), hit.group(0)), template)
