"""Lookalike domains: hosts that imitate a protected brand of the region.

The brands (banks, government agencies, police, couriers, telcos, e-wallets, platforms) and
their own domains are versioned data (``data/brands.json``, documented in
docs/warninglists.md). A host imitates a brand when one of its labels, outside the public
suffix, is the brand's name

- written with confusable characters (Cyrillic or Greek twins, accented letters, ``0`` for
  ``o``, ``1`` for ``l``, ``rn`` for ``m``, ``vv`` for ``w``): ``kbаnk.com``, ``paypa1.com``;
- misspelt by one insertion, deletion, substitution or swap (Damerau–Levenshtein distance 1)
  for names of five characters or more: ``kasikornbnak.com``;
- with words added, hyphenated or glued: ``kasikornbank-th.com``, ``secure-kbank.com``;
- alone, on a domain the brand does not own (another TLD, free hosting, a subdomain of
  someone else's domain): ``maybank2u.com.co``, ``kbank.github.io``.

A brand's own domains and their subdomains are never lookalikes, nor are hosts under
government suffixes (``go.th``, ``gov.my``…), which only governments can register. Every
name is indexed once (exact skeletons and a deletion neighbourhood for typos), so a check
costs a few dictionary lookups per label, not a scan of every brand.
"""

from __future__ import annotations

import contextlib
import json
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from urllib.parse import urlsplit

import idna
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scamintel.indicators._confusables import SINGLE_CHARACTER_CONFUSABLES
from scamintel.indicators.model import Indicator, IndicatorType
from scamintel.indicators.web import PublicSuffixes, ascii_host_name, offline_suffixes

# Words scammers add to a brand's name. Weak tokens (acronyms, ordinary words) only count
# with the words that are not themselves common in ordinary names.
ADDED_WORDS: frozenset[str] = frozenset(
    {
        "th",
        "thai",
        "thailand",
        "my",
        "malaysia",
        "sg",
        "singapore",
        "id",
        "indonesia",
        "ph",
        "pinas",
        "philippines",
        "vn",
        "vietnam",
        "kh",
        "cambodia",
        "mm",
        "myanmar",
        "la",
        "lao",
        "laos",
        "bn",
        "brunei",
        "asia",
        "gov",
        "govt",
        "official",
        "secure",
        "security",
        "safe",
        "login",
        "signin",
        "logon",
        "verify",
        "verification",
        "validate",
        "update",
        "online",
        "service",
        "services",
        "support",
        "help",
        "helpdesk",
        "care",
        "customer",
        "app",
        "apps",
        "mobile",
        "web",
        "portal",
        "account",
        "accounts",
        "auth",
        "bank",
        "banking",
        "ebank",
        "ibank",
        "card",
        "cards",
        "reward",
        "rewards",
        "point",
        "points",
        "promo",
        "bonus",
        "gift",
        "refund",
        "claim",
        "pay",
        "payment",
        "payments",
        "wallet",
        "otp",
        "token",
        "unlock",
        "unblock",
        "confirm",
        "alert",
        "notice",
        "center",
        "centre",
        "cs",
        "digital",
        "net",
        "co",
        "express",
        "delivery",
        "parcel",
        "tracking",
        "track",
    }
)
_COMMON_ADDED: frozenset[str] = frozenset(
    {
        "my",
        "app",
        "apps",
        "mobile",
        "web",
        "online",
        "net",
        "co",
        "digital",
        "care",
        "card",
        "cards",
        "point",
        "points",
        "asia",
        "express",
        "delivery",
        "parcel",
        "track",
        "tracking",
    }
)
_GOVERNMENT_SUFFIX_STARTS = ("gov.", "go.", "mil.")
_SEQUENCES = (("rn", "m"), ("vv", "w"))
_DIGIT_TABLE = str.maketrans({"0": "o", "1": "l"})
_CONFUSABLE_TABLE = str.maketrans(SINGLE_CHARACTER_CONFUSABLES)
_SHORTEST_TOKEN = 4
_SHORTEST_WEAK_TOKEN = 3
_SHORTEST_TYPO = 5


class Technique(StrEnum):
    CONFUSABLE = "confusable_characters"
    TYPO = "typo"
    ADDED_WORDS = "added_words"
    OTHER_DOMAIN = "brand_name_on_other_domain"


TECHNIQUE_WORDS = {
    Technique.CONFUSABLE: "it spells the name with look-alike characters",
    Technique.TYPO: "it misspells the name by one letter",
    Technique.ADDED_WORDS: "it adds words to the name",
    Technique.OTHER_DOMAIN: "it uses the name on a domain the brand does not own",
}


class BrandCategory(StrEnum):
    BANK = "bank"
    GOVERNMENT = "government"
    POLICE = "police"
    COURIER = "courier"
    TELCO = "telco"
    EWALLET = "ewallet"
    PLATFORM = "platform"


class BrandEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    country: str = Field(pattern=r"^(?:[A-Z]{2}|region|global)$")
    category: BrandCategory
    domains: tuple[str, ...] = Field(min_length=1, description="Registrable domains it owns")
    tokens: tuple[str, ...] = Field(default=(), description="Matched by every technique")
    weak_tokens: tuple[str, ...] = Field(default=(), description="Only with an added word")
    other_tlds_owned: bool = False


class BrandFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str = Field(pattern=r"^\d{4}\.\d{2}\.\d{2}$")
    description: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    brands: tuple[BrandEntry, ...] = Field(min_length=1)


class BrandListError(ValueError):
    """The brand list cannot be read or contradicts itself."""


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    country: str
    category: BrandCategory
    domains: tuple[str, ...]
    other_tlds_owned: bool = False

    @property
    def official_domain(self) -> str:
        return self.domains[0]


@dataclass(frozen=True, slots=True)
class LookalikeMatch:
    """The brand a host imitates, how, and the label (as written) that does it."""

    brand: Brand
    technique: Technique
    host: str
    label: str

    def describe(self) -> str:
        """``Kasikornbank (kasikornbank.com)``."""
        return f"{self.brand.name} ({self.brand.official_domain})"


def brands_file() -> Traversable:
    return resources.files("scamintel.indicators").joinpath("data", "brands.json")


def load_brands(source: Traversable | None = None) -> BrandFile:
    item = brands_file() if source is None else source
    try:
        return BrandFile.model_validate(json.loads(item.read_text("utf-8")))
    except (ValueError, ValidationError) as error:
        raise BrandListError(f"{item.name}: {error}") from error


@cache
def default_brands() -> BrandFile:
    return load_brands()


def skeleton(text: str) -> str:
    """What a label looks like: confusable characters folded to the Latin letter they imitate,
    accents dropped, ``0``/``1`` read as ``o``/``l``, ``rn``/``vv`` as ``m``/``w``."""
    folded = text.lower()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKC", folded).lower().translate(_CONFUSABLE_TABLE)
        decomposed = unicodedata.normalize("NFKD", folded.lower())
        folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = folded.translate(_DIGIT_TABLE)
    for sequence, letter in _SEQUENCES:
        if sequence in folded:
            folded = folded.replace(sequence, letter)
    return folded


def unicode_host(host: str) -> str:
    """A host with its punycode labels decoded, so that confusables can be seen."""
    labels = []
    for label in host.lower().rstrip(".").split("."):
        if label.startswith("xn--"):
            try:
                label = idna.decode(label)
            except idna.IDNAError:
                with contextlib.suppress(UnicodeError):
                    label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


def _deletions(word: str) -> Iterator[str]:
    for position in range(len(word)):
        yield word[:position] + word[position + 1 :]


def _within_one_edit(left: str, right: str) -> bool:
    """Damerau–Levenshtein (optimal string alignment) distance exactly 1."""
    if left == right or abs(len(left) - len(right)) > 1:
        return False
    if len(left) == len(right):
        differences = [
            index for index, pair in enumerate(zip(left, right, strict=True)) if pair[0] != pair[1]
        ]
        if len(differences) == 1:
            return True
        if len(differences) == 2:
            first, second = differences
            return (
                second == first + 1
                and left[first] == right[second]
                and left[second] == right[first]
            )
        return False
    shorter, longer = (left, right) if len(left) < len(right) else (right, left)
    return any(shorter == candidate for candidate in _deletions(longer))


@dataclass(frozen=True, slots=True)
class _Token:
    brand: Brand
    written: str
    weak: bool


class BrandLookalikes:
    """Finds the brand a host imitates; built once from the brand list."""

    def __init__(
        self, brands: BrandFile | None = None, *, suffixes: PublicSuffixes | None = None
    ) -> None:
        self._suffixes = suffixes or offline_suffixes()
        self.brands_file = brands or default_brands()
        self._brands: list[Brand] = []
        self._official: dict[str, Brand] = {}
        self._tokens: dict[str, _Token] = {}
        self._typo_index: dict[str, set[str]] = {}
        self._added = {skeleton(word) for word in ADDED_WORDS}
        self._weak_added = {skeleton(word) for word in ADDED_WORDS - _COMMON_ADDED}
        self._added_lengths = sorted({len(word) for word in self._added})
        for entry in self.brands_file.brands:
            self._add(entry)
        self._token_lengths = sorted({len(key) for key in self._tokens})
        lengths = [len(key) for key in self._typo_index]
        self._typo_lengths = range(min(lengths, default=0), max(lengths, default=0) + 2)
        # The same hosts come back report after report.
        self.match = lru_cache(maxsize=65_536)(self._match)

    @property
    def brands(self) -> tuple[Brand, ...]:
        return tuple(self._brands)

    def _add(self, entry: BrandEntry) -> None:
        brand = Brand(
            entry.name, entry.country, entry.category, entry.domains, entry.other_tlds_owned
        )
        self._brands.append(brand)
        for domain in entry.domains:
            if self._suffixes.registrable(domain) != domain:
                raise BrandListError(f"{entry.name}: {domain!r} is not a registrable domain")
            self._official.setdefault(domain, brand)
        if not entry.tokens and not entry.weak_tokens:
            raise BrandListError(f"{entry.name}: a brand needs at least one token")
        for written, weak in [(t, False) for t in entry.tokens] + [
            (t, True) for t in entry.weak_tokens
        ]:
            shortest = _SHORTEST_WEAK_TOKEN if weak else _SHORTEST_TOKEN
            if not written.isascii() or not written.isalnum() or written != written.lower():
                raise BrandListError(f"{entry.name}: token {written!r} is not lowercase a-z0-9")
            if len(written) < shortest:
                raise BrandListError(f"{entry.name}: token {written!r} is too short")
            key = skeleton(written)
            earlier = self._tokens.get(key)
            if earlier is not None and earlier.brand.name != brand.name:
                raise BrandListError(f"{entry.name}: {written!r} is {earlier.brand.name}'s too")
            self._tokens[key] = _Token(brand, written, weak)
            if not weak and len(key) >= _SHORTEST_TYPO:
                for near in (key, *_deletions(key)):
                    self._typo_index.setdefault(near, set()).add(key)

    def match_indicator(self, indicator: Indicator) -> LookalikeMatch | None:
        """The brand a link's, domain's or e-mail address's host imitates."""
        if indicator.type is IndicatorType.URL:
            host = urlsplit(indicator.value).hostname or ""
        elif indicator.type is IndicatorType.DOMAIN:
            host = indicator.value
        elif indicator.type is IndicatorType.EMAIL:
            host = indicator.value.rpartition("@")[2]
        else:
            return None
        return self.match(host) if host else None

    def _match(self, host: str) -> LookalikeMatch | None:
        """The brand ``host`` (punycode or Unicode) imitates, or None."""
        ascii_host = ascii_host_name(host)
        if ascii_host is None:
            return None
        registrable, suffix = self._suffixes.split(ascii_host)
        if not registrable or registrable in self._official:
            return None
        if suffix == "gov" or suffix.startswith(_GOVERNMENT_SUFFIX_STARTS):
            return None
        labels = unicode_host(ascii_host).split(".")[: -(suffix.count(".") + 1)]
        # The registrable label first, then subdomains from the right.
        for position, label in enumerate(reversed(labels)):
            found = self._match_label(label, registrable_label=position == 0)
            if found is not None:
                brand, technique = found
                return LookalikeMatch(brand, technique, ascii_host, label)
        return None

    def _match_label(
        self, label: str, *, registrable_label: bool
    ) -> tuple[Brand, Technique] | None:
        words = [word for word in label.split("-") if word]
        if not words or label == "www":
            return None
        skeletons = [skeleton(word) for word in words]
        joined = "".join(skeletons)
        token = self._tokens.get(joined)
        if token is not None and not token.weak:
            if token.written == "".join(words).lower():
                owned = token.brand.other_tlds_owned and registrable_label
                return None if owned else (token.brand, Technique.OTHER_DOMAIN)
            return token.brand, Technique.CONFUSABLE
        added = self._with_added_words(joined)
        if added is not None:
            return added, Technique.ADDED_WORDS
        for candidate in self._typo_candidates(skeletons, joined):
            brand = self._typo(candidate)
            if brand is not None:
                return brand, Technique.TYPO
        return None

    def _with_added_words(self, text: str) -> Brand | None:
        """The brand when ``text`` is [added words] token [added words], with one at least."""
        for start in sorted(reachable_positions(text, self._added, self._added_lengths)):
            for length in self._token_lengths:
                end = start + length
                if end > len(text):
                    break
                token = self._tokens.get(text[start:end])
                if token is None or (start == 0 and end == len(text)):
                    continue
                words = self._weak_added if token.weak else self._added
                if self._added_only(text[:start], words) and self._added_only(text[end:], words):
                    return token.brand
        return None

    def _added_only(self, text: str, words: set[str]) -> bool:
        return not text or len(text) in reachable_positions(text, words, self._added_lengths)

    def _typo_candidates(self, skeletons: list[str], joined: str) -> Iterator[str]:
        if len(joined) >= _SHORTEST_TYPO and len(joined) in self._typo_lengths:
            yield joined
        if len(skeletons) > 1:
            for index, word in enumerate(skeletons):
                if len(word) < _SHORTEST_TYPO or len(word) not in self._typo_lengths:
                    continue
                others = skeletons[:index] + skeletons[index + 1 :]
                if all(other in self._added for other in others):
                    yield word

    def _typo(self, candidate: str) -> Brand | None:
        for near in (candidate, *_deletions(candidate)):
            for key in self._typo_index.get(near, ()):
                short_name = len(key) == _SHORTEST_TYPO
                if _within_one_edit(candidate, key) and (not short_name or candidate[0] == key[0]):
                    return self._tokens[key].brand
        return None


def reachable_positions(text: str, words: set[str], lengths: Sequence[int]) -> set[int]:
    """Positions in ``text`` reachable from its start by consecutive whole ``words``."""
    reached = {0}
    frontier = [0]
    while frontier:
        position = frontier.pop()
        for length in lengths:
            end = position + length
            if end <= len(text) and end not in reached and text[position:end] in words:
                reached.add(end)
                frontier.append(end)
    return reached


@cache
def default_lookalikes() -> BrandLookalikes:
    return BrandLookalikes()
