"""The banks and e-wallets of the region, read from the package's data files.

``data/banks.csv`` has one row per bank and ``data/ewallets.csv`` one row per e-wallet
provider (docs/indicators.md, "Banks and e-wallets", says what each column holds and how to
add a row). Each file is read once, on first use, by :func:`bank_table` and
:func:`wallet_table`; nothing is read at import.

Every name in a row (its code, English name, local-script names and aliases) is a way of
writing that bank or provider: they are matched ignoring case, spaces, dashes, dots,
apostrophes and underscores (:func:`name_key`). A name a row lists in its ``word_names``
column is also an ordinary word ("กรุงเทพ" is Bangkok, "dana" is Indonesian for funds, "Maya"
a given name): text names that bank or provider with it only where a marker says so
(:mod:`scamintel.indicators.financial`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final

BANKS_FILE: Final = "data/banks.csv"
WALLETS_FILE: Final = "data/ewallets.csv"
BANK_COLUMNS: Final = (
    "country",
    "code",
    "name",
    "local_names",
    "aliases",
    "word_names",
    "national_code",
    "swift",
    "account_lengths",
    "source",
)
WALLET_COLUMNS: Final = (
    "code",
    "country",
    "name",
    "local_names",
    "aliases",
    "word_names",
    "id_formats",
    "wallet_id_lengths",
    "source",
)
# What a wallet id can be (the id_formats column).
ID_FORMATS: Final = ("phone", "national_id", "tax_id", "wallet_id", "account")
LIST_SEPARATOR: Final = "|"
MIN_ACCOUNT_DIGITS: Final = 6
MAX_ACCOUNT_DIGITS: Final = 20

# What may come between the parts of a name: "K-Bank", "K Bank" and "KBank" are one name.
NAME_NOISE: Final = re.compile(r"[\s'’.\-_]+")
_COUNTRY = re.compile(r"[A-Z]{2}")
_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}")
_SWIFT_PREFIX = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}")
_NATIONAL_CODE = re.compile(r"\d{3,6}")
_VERSION = re.compile(r"#.*\bversion:\s*(?P<version>\S+)")


def name_key(name: str) -> str:
    """How a bank, provider or platform name is looked up: "Touch 'n Go" is "touchngo"."""
    return NAME_NOISE.sub("", name).casefold()


class BankDataError(ValueError):
    """A row of a data file that cannot be used, with the file and line it is on."""


@dataclass(frozen=True, slots=True)
class Bank:
    """One bank of one country (a row of ``data/banks.csv``)."""

    country: str
    code: str
    name: str
    local_names: tuple[str, ...]
    aliases: tuple[str, ...]
    national_code: str  # "" where not known
    swift: str  # first 8 characters of the BIC; "" where not known
    account_lengths: tuple[int, ...]  # digits of an account number; () where not known
    source: str
    word_names: tuple[str, ...] = ()  # names that are also ordinary words

    @property
    def names(self) -> tuple[str, ...]:
        """Every way of writing the bank that is recognised, its code first."""
        return _distinct((self.code, self.name, *self.local_names, *self.aliases))

    def lengths_text(self) -> str:
        """The account lengths in words: "10", "10 or 14", "9, 10 or 12"."""
        return _in_words(self.account_lengths)


@dataclass(frozen=True, slots=True)
class Wallet:
    """One e-wallet provider (a row of ``data/ewallets.csv``)."""

    code: str
    country: str | None  # None for a wallet run in several countries
    name: str
    local_names: tuple[str, ...]
    aliases: tuple[str, ...]
    id_formats: tuple[str, ...]
    wallet_id_lengths: tuple[int, ...]  # () where any length goes
    source: str
    word_names: tuple[str, ...] = ()  # names that are also ordinary words

    @property
    def names(self) -> tuple[str, ...]:
        """Every way of writing the provider that is recognised, its code first."""
        return _distinct((self.code, self.name, *self.local_names, *self.aliases))


class BankTable:
    """The rows of ``data/banks.csv``, in the file's order, and their indexes."""

    __slots__ = ("_by_code", "_by_name", "_words", "banks", "version")

    def __init__(self, version: str, banks: Iterable[Bank]) -> None:
        self.version = version
        self.banks = tuple(banks)
        self._by_code = {(bank.country, bank.code): bank for bank in self.banks}
        by_name: dict[str, list[Bank]] = {}
        for bank in self.banks:
            for name in bank.names:
                entries = by_name.setdefault(name_key(name), [])
                if bank not in entries:
                    entries.append(bank)
        self._by_name = {key: tuple(banks) for key, banks in by_name.items()}
        self._words = frozenset(name_key(name) for bank in self.banks for name in bank.word_names)

    def get(self, country: str, code: str) -> Bank | None:
        return self._by_code.get((country, code))

    def named(self, name: str) -> tuple[Bank, ...]:
        """The banks written ``name``, in the file's order: several where banks of different
        countries share a name (CIMB, Maybank, UOB, OCBC); none for a name not in the table."""
        return self._by_name.get(name_key(name), ())

    def is_word_name(self, name: str) -> bool:
        """Whether ``name`` is listed as an ordinary word by a bank it names."""
        return name_key(name) in self._words


class WalletTable:
    """The rows of ``data/ewallets.csv``, in the file's order, and their index."""

    __slots__ = ("_by_name", "_words", "version", "wallets")

    def __init__(self, version: str, wallets: Iterable[Wallet]) -> None:
        self.version = version
        self.wallets = tuple(wallets)
        self._by_name = {name_key(name): wallet for wallet in self.wallets for name in wallet.names}
        self._words = frozenset(
            name_key(name) for wallet in self.wallets for name in wallet.word_names
        )

    def named(self, name: str) -> Wallet | None:
        """The provider written ``name``; None for a name not in the table."""
        return self._by_name.get(name_key(name))

    def is_word_name(self, name: str) -> bool:
        """Whether ``name`` is listed as an ordinary word by the provider it names."""
        return name_key(name) in self._words


@cache
def bank_table() -> BankTable:
    """The bank table shipped with the package (read once)."""
    return parse_banks(_read(BANKS_FILE), BANKS_FILE)


@cache
def wallet_table() -> WalletTable:
    """The e-wallet table shipped with the package (read once)."""
    return parse_wallets(_read(WALLETS_FILE), WALLETS_FILE)


def _read(path: str) -> str:
    return files("scamintel.indicators").joinpath(path).read_text(encoding="utf-8")


def parse_banks(text: str, origin: str = "banks.csv") -> BankTable:
    """The bank table written in ``text`` (the format of ``data/banks.csv``); a row that
    cannot be used raises :class:`BankDataError` naming its line."""
    version, rows = _rows(text, origin, BANK_COLUMNS)
    banks: list[Bank] = []
    names: dict[tuple[str, str], str] = {}  # (country, name key) → code
    for line, row in rows:
        where = f"{origin}, line {line}"
        country = row["country"]
        code = row["code"]
        if not _COUNTRY.fullmatch(country):
            raise BankDataError(f"{where}: country {country!r} is not an ISO alpha-2 code")
        if not _CODE.fullmatch(code):
            raise BankDataError(f"{where}: code {code!r} is not 2-16 capital letters and digits")
        if any(bank.country == country and bank.code == code for bank in banks):
            raise BankDataError(f"{where}: {country}:{code} is already in the table")
        swift = row["swift"]
        if swift and not (_SWIFT_PREFIX.fullmatch(swift) and swift[4:6] == country):
            raise BankDataError(
                f"{where}: SWIFT prefix {swift!r} is not 8 characters of a BIC in {country}"
            )
        national_code = row["national_code"]
        if national_code and not _NATIONAL_CODE.fullmatch(national_code):
            raise BankDataError(f"{where}: national code {national_code!r} is not 3-6 digits")
        bank = Bank(
            country=country,
            code=code,
            name=_required(row, "name", where),
            local_names=_list(row["local_names"]),
            aliases=_list(row["aliases"]),
            national_code=national_code,
            swift=swift,
            account_lengths=_lengths(row["account_lengths"], where),
            source=_required(row, "source", where),
            word_names=_word_names(
                row, (code, row["name"], row["local_names"], row["aliases"]), where
            ),
        )
        for name in bank.names:
            _check_name(name, where)
            other = names.setdefault((country, name_key(name)), code)
            if other != code:
                raise BankDataError(f"{where}: {name!r} already names {country}:{other}")
        banks.append(bank)
    return BankTable(version, tuple(banks))


def parse_wallets(text: str, origin: str = "ewallets.csv") -> WalletTable:
    """The e-wallet table written in ``text`` (the format of ``data/ewallets.csv``)."""
    version, rows = _rows(text, origin, WALLET_COLUMNS)
    wallets: list[Wallet] = []
    names: dict[str, str] = {}  # name key → code
    for line, row in rows:
        where = f"{origin}, line {line}"
        code = row["code"]
        country = row["country"] or None
        if not _CODE.fullmatch(code):
            raise BankDataError(f"{where}: code {code!r} is not 2-16 capital letters and digits")
        if country is not None and not _COUNTRY.fullmatch(country):
            raise BankDataError(f"{where}: country {country!r} is not an ISO alpha-2 code")
        formats = _list(row["id_formats"])
        unknown = [fmt for fmt in formats if fmt not in ID_FORMATS]
        if not formats or unknown:
            raise BankDataError(
                f"{where}: id formats {formats!r} are not among {', '.join(ID_FORMATS)}"
            )
        lengths = tuple(int(n) for n in _list(row["wallet_id_lengths"]) if n.isdigit())
        if len(lengths) != len(_list(row["wallet_id_lengths"])):
            raise BankDataError(f"{where}: wallet id lengths must be whole numbers")
        wallet = Wallet(
            code=code,
            country=country,
            name=_required(row, "name", where),
            local_names=_list(row["local_names"]),
            aliases=_list(row["aliases"]),
            id_formats=formats,
            wallet_id_lengths=lengths,
            source=_required(row, "source", where),
            word_names=_word_names(
                row, (code, row["name"], row["local_names"], row["aliases"]), where
            ),
        )
        for name in wallet.names:
            _check_name(name, where)
            other = names.setdefault(name_key(name), code)
            if other != code:
                raise BankDataError(f"{where}: {name!r} already names {other}")
        wallets.append(wallet)
    return WalletTable(version, tuple(wallets))


def _rows(
    text: str, origin: str, columns: tuple[str, ...]
) -> tuple[str, Iterator[tuple[int, dict[str, str]]]]:
    """The file's version (from a "# … version: X" comment) and its rows with their line
    numbers; lines starting with "#" are comments."""
    version = ""
    data: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#"):
            found = _VERSION.match(line)
            if found and not version:
                version = found["version"]
        elif line.strip():
            data.append((number, line))
    if not data:
        raise BankDataError(f"{origin}: no header row")
    reader = csv.reader(line for _, line in data)
    header = tuple(next(reader))
    if header != columns:
        raise BankDataError(f"{origin}: the columns are {header}, not {columns}")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for (number, _), values in zip(data[1:], reader, strict=True):
            if len(values) != len(columns):
                raise BankDataError(
                    f"{origin}, line {number}: {len(values)} fields, not {len(columns)}"
                )
            yield (
                number,
                {column: value.strip() for column, value in zip(columns, values, strict=True)},
            )

    return version, rows()


def _required(row: Mapping[str, str], column: str, where: str) -> str:
    value = row[column]
    if not value:
        raise BankDataError(f"{where}: {column} is empty")
    return value


def _list(field: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in field.split(LIST_SEPARATOR) if item.strip())


def _word_names(row: Mapping[str, str], names: tuple[str, ...], where: str) -> tuple[str, ...]:
    """The row's names listed as ordinary words; each must be one of its names."""
    keys = {name_key(name) for field in names for name in _list(field)}
    words = _list(row["word_names"])
    for word in words:
        if name_key(word) not in keys:
            raise BankDataError(f"{where}: word name {word!r} is not one of the row's names")
    return words


def _lengths(field: str, where: str) -> tuple[int, ...]:
    items = _list(field)
    if not all(item.isdigit() for item in items):
        raise BankDataError(f"{where}: account lengths {field!r} are not whole numbers")
    lengths = tuple(sorted({int(item) for item in items}))
    if any(not MIN_ACCOUNT_DIGITS <= n <= MAX_ACCOUNT_DIGITS for n in lengths):
        raise BankDataError(
            f"{where}: account lengths {field!r} are outside "
            f"{MIN_ACCOUNT_DIGITS}-{MAX_ACCOUNT_DIGITS} digits"
        )
    return lengths


def _check_name(name: str, where: str) -> None:
    """Names are looked for in text (``_scan.NameScan``): each must start with a letter,
    a non-ASCII first letter must have no case (Thai, Khmer, Lao, Burmese and Chinese have
    none; write Vietnamese names starting with Đ or Á in their ASCII form), and a colon
    would make ``BANK:digits`` ambiguous."""
    parts = [part for part in NAME_NOISE.split(name) if part]
    if not parts:
        raise BankDataError(f"{where}: empty name")
    first = parts[0][0]
    if not first.isalpha():
        raise BankDataError(f"{where}: {name!r} does not start with a letter")
    if not first.isascii() and first.lower() != first.upper():
        raise BankDataError(
            f"{where}: {name!r} starts with a non-ASCII letter that has case; "
            "write it in ASCII (Dong A, A Chau)"
        )
    if ":" in name or "：" in name:
        raise BankDataError(f"{where}: {name!r} has a colon")


def _distinct(names: Iterable[str]) -> tuple[str, ...]:
    """The names in order, each once whatever its case. Spellings that differ only in
    spacing or punctuation are all kept: a name matches text with noise only where the name
    has some ("K-Bank" matches "K Bank", "KBank" does not)."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


def _in_words(numbers: tuple[int, ...]) -> str:
    words = [str(n) for n in numbers]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


# Kept for code written against the first cut's dict (country → code → other names); read
# from the table on first use.
BANKS: Mapping[str, Mapping[str, tuple[str, ...]]]


def __getattr__(name: str) -> object:
    if name == "BANKS":
        banks: dict[str, dict[str, tuple[str, ...]]] = {}
        for bank in bank_table().banks:
            banks.setdefault(bank.country, {})[bank.code] = bank.names[1:]
        return banks
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
