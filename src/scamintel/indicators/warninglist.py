"""Benign values (warninglists): what must never count as a scam selector.

Victims name the bank hotline they called, scammers spoof official numbers, and every report
that mentions Facebook or a Google form names ``facebook.com`` or ``google.com``. Such values
are listed in versioned data files (``data/warninglists/*.json``, documented in
docs/warninglists.md) and every consumer (the check's verdict, intake, clustering, federation)
asks one question, :meth:`Warninglist.benign`, whether a value is one of them.

Lists have a kind: ``official`` (hotlines, banks' numbers and domains), ``platform`` (large
platforms' own domains), ``reserved`` (numbers and domains set aside for fiction and examples)
and ``shortener`` (link shorteners: neither benign nor proof, :meth:`Warninglist.shortener`).
A platform that hosts user content (a Facebook page, a Google form, a LINE profile) is benign
only as the bare domain, never for a path or subdomain on it. Short codes (1441, 1799…) are
not E.164 numbers, so they are matched on the digits as dialled within their country.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from urllib.parse import urlsplit

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scamintel.indicators._digits import to_ascii_digits
from scamintel.indicators.model import Indicator, IndicatorType
from scamintel.indicators.web import PublicSuffixes, offline_suffixes

_DIALLED_NOISE = re.compile(r"[\s\-().]")
_MAY_BE_DIALLED = re.compile(r"[\d\s\-().]+$")
_SHORT_CODE = re.compile(r"[0-9]{3,8}")
_LONGEST_DIALLED = 24
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z0-9\-]{2,63}")


class ListKind(StrEnum):
    OFFICIAL = "official"
    PLATFORM = "platform"
    RESERVED = "reserved"
    SHORTENER = "shortener"


class PhoneRange(BaseModel):
    """A block of numbers as published, both ends included (``07700 900000``–``900999``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first: str
    last: str


class WarninglistEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="Who answers or owns it")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    phones: tuple[str, ...] = Field(default=(), description="As published, read in `country`")
    domains: tuple[str, ...] = Field(default=(), description="Registrable domains, punycode")
    phone_ranges: tuple[PhoneRange, ...] = ()
    e164_patterns: tuple[str, ...] = Field(
        default=(), description="Regular expressions over E.164, for ranges under every area code"
    )
    hosts_user_content: bool = Field(
        default=False, description="Only the bare domain is benign, not paths or addresses on it"
    )
    sources: tuple[str, ...] = ()
    note: str | None = None


class WarninglistFile(BaseModel):
    """One data file: a named, versioned list of one kind, with where its facts come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9\-]+$")
    version: str = Field(pattern=r"^\d{4}\.\d{2}\.\d{2}$", description="Date-based: 2026.11.28")
    kind: ListKind
    description: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    entries: tuple[WarninglistEntry, ...] = Field(min_length=1)


class WarninglistError(ValueError):
    """A data file that cannot be read or contradicts itself or another list."""


@dataclass(frozen=True, slots=True)
class BenignMatch:
    """Why a value is benign: the list (name and version) and the entry that holds it."""

    indicator: Indicator
    name: str
    kind: ListKind
    list_name: str
    list_version: str


@dataclass(frozen=True, slots=True)
class ShortenerMatch:
    """A link on a shortener: its destination is hidden, which proves nothing either way."""

    host: str
    name: str
    list_name: str
    list_version: str


@dataclass(frozen=True, slots=True)
class _Listed:
    name: str
    kind: ListKind
    list_name: str
    list_version: str
    hosts_user_content: bool = False

    def match(self, indicator: Indicator) -> BenignMatch:
        return BenignMatch(indicator, self.name, self.kind, self.list_name, self.list_version)


@dataclass(frozen=True, slots=True)
class _Range:
    first: str
    last: str
    listed: _Listed

    def holds(self, e164: str) -> bool:
        return len(e164) == len(self.first) and self.first <= e164 <= self.last


def warninglist_files() -> list[Traversable]:
    folder = resources.files("scamintel.indicators").joinpath("data", "warninglists")
    return sorted(
        (item for item in folder.iterdir() if item.name.endswith(".json")),
        key=lambda item: item.name,
    )


def load_warninglists(files: Iterable[Traversable] | None = None) -> tuple[WarninglistFile, ...]:
    """Read and validate the data files (the package's own by default)."""
    loaded = []
    for item in warninglist_files() if files is None else files:
        try:
            loaded.append(WarninglistFile.model_validate(json.loads(item.read_text("utf-8"))))
        except (ValueError, ValidationError) as error:
            raise WarninglistError(f"{item.name}: {error}") from error
    return tuple(loaded)


@cache
def default_warninglists() -> tuple[WarninglistFile, ...]:
    return load_warninglists()


def official_phone_contacts() -> tuple[tuple[str, str, str], ...]:
    """(number as published, country, who answers it) for every official number listed."""
    return tuple(
        (raw, entry.country, entry.name)
        for listed in default_warninglists()
        if listed.kind is ListKind.OFFICIAL
        for entry in listed.entries
        if entry.country is not None
        for raw in entry.phones
    )


class _Index:
    """Every listed value, by the form it is looked up in."""

    def __init__(self, lists: Sequence[WarninglistFile], suffixes: PublicSuffixes) -> None:
        self.lists = tuple(lists)
        self.phones: dict[str, _Listed] = {}
        self.short_codes: dict[tuple[str, str], _Listed] = {}
        self.domains: dict[str, _Listed] = {}
        self.shorteners: dict[str, _Listed] = {}
        self.ranges: list[_Range] = []
        self.patterns: list[tuple[re.Pattern[str], _Listed]] = []
        for listed_file in self.lists:
            for entry in listed_file.entries:
                listed = _Listed(
                    entry.name,
                    listed_file.kind,
                    listed_file.name,
                    listed_file.version,
                    entry.hosts_user_content,
                )
                where = f"{listed_file.name}: {entry.name}"
                self._add_phones(where, entry, listed)
                self._add_domains(where, entry, listed, suffixes)

    def _add_phones(self, where: str, entry: WarninglistEntry, listed: _Listed) -> None:
        numbered = entry.phones or entry.phone_ranges
        if numbered and entry.country is None:
            raise WarninglistError(f"{where}: numbers need the country they are dialled in")
        country = entry.country or ""
        for raw in entry.phones:
            if listed.kind is not ListKind.OFFICIAL:
                raise WarninglistError(f"{where}: only official lists name single numbers")
            number = full_number(raw, country)
            digits = _DIALLED_NOISE.sub("", raw)
            if number is None and not _SHORT_CODE.fullmatch(digits):
                raise WarninglistError(
                    f"{where}: {raw!r} is neither a valid number in {country} nor a short code"
                )
            if number is not None:
                self._unique(self.phones, number, listed, where)
            self.short_codes.setdefault((digits, country), listed)
        for block in entry.phone_ranges:
            first, last = _range_end(block.first, country), _range_end(block.last, country)
            if first is None or last is None or len(first) != len(last) or first > last:
                raise WarninglistError(f"{where}: {block.first}–{block.last} is not a range")
            self.ranges.append(_Range(first, last, listed))
        for pattern in entry.e164_patterns:
            try:
                self.patterns.append((re.compile(pattern), listed))
            except re.error as error:
                raise WarninglistError(f"{where}: {pattern!r}: {error}") from error

    def _add_domains(
        self, where: str, entry: WarninglistEntry, listed: _Listed, suffixes: PublicSuffixes
    ) -> None:
        for domain in entry.domains:
            if not _DOMAIN.fullmatch(domain) or suffixes.registrable(domain) != domain:
                raise WarninglistError(f"{where}: {domain!r} is not a registrable domain")
            table = self.shorteners if listed.kind is ListKind.SHORTENER else self.domains
            other = self.domains if table is self.shorteners else self.shorteners
            if domain in other:
                raise WarninglistError(f"{where}: {domain} is listed as both kinds")
            self._unique(table, domain, listed, where)

    @staticmethod
    def _unique(table: dict[str, _Listed], key: str, listed: _Listed, where: str) -> None:
        earlier = table.setdefault(key, listed)
        if earlier is not listed and earlier.name != listed.name:
            raise WarninglistError(f"{where}: {key} is already listed for {earlier.name}")


@cache
def _default_index() -> _Index:
    return _Index(default_warninglists(), offline_suffixes())


class Warninglist:
    """The benign values of every list; ``Warninglist()`` reads the package's data once."""

    def __init__(
        self,
        lists: Sequence[WarninglistFile] | None = None,
        *,
        suffixes: PublicSuffixes | None = None,
    ) -> None:
        self._suffixes = suffixes or offline_suffixes()
        if lists is None and suffixes is None:
            self._index = _default_index()
        else:
            chosen = default_warninglists() if lists is None else lists
            self._index = _Index(chosen, self._suffixes)

    @property
    def lists(self) -> tuple[WarninglistFile, ...]:
        return self._index.lists

    def benign(self, indicator: Indicator) -> BenignMatch | None:
        """The one question every consumer asks: is this canonical value a listed benign one?

        Phones match official numbers and reserved ranges; domains match listed domains; links
        and e-mail addresses match on their registrable domain, except that on a platform that
        hosts user content only the bare domain (``https://www.facebook.com/``) is benign.
        Shorteners are never benign (see :meth:`shortener`).
        """
        listed = self._listed(indicator)
        if listed is None:
            return None
        return listed.match(indicator)

    def benign_dialled(self, raw: str, region: str) -> BenignMatch | None:
        """An official number as dialled inside ``region`` (``1441``, ``1800 111 1111``):
        short codes have no E.164 form, so they are matched before any reading."""
        raw = to_ascii_digits(raw.strip())  # "๑๔๔๑" is 1441
        if len(raw) > _LONGEST_DIALLED or not _MAY_BE_DIALLED.match(raw):
            return None
        digits = _DIALLED_NOISE.sub("", raw)
        listed = self._index.short_codes.get((digits, region))
        if listed is None:
            return None
        full = full_number(digits, region)
        indicator = Indicator(IndicatorType.PHONE, full or digits, region)
        return listed.match(indicator)

    def shortener(self, indicator: Indicator) -> ShortenerMatch | None:
        """A link or domain on a URL shortener: the link hides where it leads."""
        if indicator.type is IndicatorType.URL:
            host = urlsplit(indicator.value).hostname or ""
        elif indicator.type is IndicatorType.DOMAIN:
            host = indicator.value
        else:
            return None
        listed = self._index.shorteners.get(self._registrable(host))
        if listed is None:
            return None
        return ShortenerMatch(host, listed.name, listed.list_name, listed.list_version)

    def _listed(self, indicator: Indicator) -> _Listed | None:
        index = self._index
        value = indicator.value
        match indicator.type:
            case IndicatorType.PHONE:
                listed = index.phones.get(value)
                if listed is not None:
                    return listed
                for block in index.ranges:
                    if block.holds(value):
                        return block.listed
                for pattern, listed in index.patterns:
                    if pattern.fullmatch(value):
                        return listed
                return None
            case IndicatorType.DOMAIN:
                return index.domains.get(value)
            case IndicatorType.URL:
                return self._listed_link(value)
            case IndicatorType.EMAIL:
                listed = index.domains.get(self._registrable(value.rpartition("@")[2]))
                return None if listed is None or listed.hosts_user_content else listed
            case _:
                return None

    def _listed_link(self, url: str) -> _Listed | None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        registrable = self._registrable(host)
        listed = self._index.domains.get(registrable)
        if listed is None or not listed.hosts_user_content:
            return listed
        bare = host in (registrable, f"www.{registrable}") and parts.path in ("", "/")
        return listed if bare and not parts.query else None

    def _registrable(self, host: str) -> str:
        return self._suffixes.registrable(host) if host else ""


def full_number(raw: str, country: str) -> str | None:
    """E.164 form of a number valid in ``country``'s numbering plan, else None."""
    try:
        parsed = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _range_end(raw: str, country: str) -> str | None:
    try:
        parsed = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
