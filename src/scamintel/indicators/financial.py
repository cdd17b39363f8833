"""Money destinations: bank accounts (``CC:<BANK>:<digits>``) and e-wallets (``<PROVIDER>:<id>``).

Banks and providers come from the package's data files (:mod:`scamintel.indicators.banks`).
The patterns made of their names are built on first use (:func:`_patterns`: the kinds build
them when they are made), not at import.

A bank name several countries' banks share (CIMB, Maybank, UOB, OCBC) is read as the bank of
the reader's country (``ParseContext.default_region``: the report's victim country, else the
node's) when it has one, else as the first row carrying the name in ``data/banks.csv``. An
explicit country (``MY:CIMB:…``) always wins, but it must be a country (ISO 3166, as
``phonenumbers`` knows them) and, for a bank in the table, one of the countries the table has
it in ("MY:KBANK:…" is refused); a bank code the table does not know is kept under the
country written. Where a bank's account lengths are known, a number of another length is
refused, and extraction skips it.

Some names are also ordinary words ("กรุงเทพ" is Bangkok, "dana" Indonesian for funds, "MB"
megabytes): the rows list them in their ``word_names`` column, and in free text such a name
names the bank or provider only when it is written in capitals (not right after a number:
"500 MB"), or with the word for bank, an account or wallet word or a colon between it and the
number or before it (:func:`_named_by_word`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final

import phonenumbers
from stdnum.my import nric as my_nric
from stdnum.th import pin as th_pin
from stdnum.th import tin as th_tin

from scamintel.indicators._scan import FOUND_CACHE_SIZE, NameScan, matches_at, views
from scamintel.indicators.banks import (
    MAX_ACCOUNT_DIGITS,
    MIN_ACCOUNT_DIGITS,
    NAME_NOISE,
    Bank,
    Wallet,
    bank_table,
    name_key,
    wallet_table,
)
from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)
from scamintel.indicators.phone import PhoneKind, to_ascii_digits

__all__ = [
    "BankAccountKind",
    "EwalletKind",
    "name_key",
    "names_alternation",
    "names_pattern",
]

_NAME_NOISE = NAME_NOISE
_NOISE_CLASS = r"[\s'’.\-_]*"


def names_pattern(names: Iterable[str]) -> str:
    """A regex alternation of names that tolerates the spacing and punctuation people vary,
    longest first so "Bangkok Bank" wins over "Bangkok"."""
    return "(?:" + "|".join(_name_alternatives(names)) + ")"


def _name_alternatives(names: Iterable[str]) -> list[str]:
    alternatives = []
    for name in sorted(set(names), key=len, reverse=True):
        parts = [re.escape(part) for part in _NAME_NOISE.split(name) if part]
        alternatives.append(_NOISE_CLASS.join(parts))
    return alternatives


# The characters other than its own upper and lower case that a letter matches when case is
# ignored (İ and ı match i, ſ matches s, the Kelvin sign k).
_OTHER_CASES = "\u0130\u0131\u017f\u212a"


def _case_class(char: str) -> str:
    """A class matching, case counting, what ``char`` matches with case ignored."""
    variants = {char, char.lower(), char.upper(), *_OTHER_CASES}
    matching = sorted(v for v in variants if re.fullmatch(re.escape(char), v, re.IGNORECASE))
    return "(?-i:[" + "".join(re.escape(v) for v in matching) + "])"


def names_alternation(names: Iterable[str]) -> str:
    """names_pattern for patterns compiled with re.IGNORECASE, faster to try: what it matches,
    and in which order it tries the names, are the same.

    re tries the alternatives of names_pattern one by one, comparing first characters
    without case at each. Here the names are grouped by their first character, each group
    behind a class that re checks in one step; in a group they keep their order, and names
    in different groups never match at the same place."""
    groups: dict[str, list[str]] = {}
    for alternative in _name_alternatives(names):
        groups.setdefault(alternative[0].lower(), []).append(alternative)
    return (
        "(?:"
        + "|".join(
            _case_class(alternatives[0][0])
            + "(?:"
            + "|".join(alternative[1:] for alternative in alternatives)
            + ")"
            for alternatives in groups.values()
        )
        + ")"
    )


# --- Bank accounts -----------------------------------------------------------------------------

_ACCOUNT_WORDS = (
    r"(?:เลขที่บัญชี|เลขบัญชี|เลขที่|บัญชี|គណនី|ບັນຊີ|a/c|acct"
    r"|acc(?:ount)?(?:\s*(?:no|number))?\.?|no\.?\s*rek(?:ening)?\.?|rek(?:ening)?\.?"
    r"|akaun|stk|s(?:ố|o)\s*t(?:ài|ai)\s*kho(?:ản|an)|no\.?|number|#)"
)
# The word for bank written before the name: glued to it (Thai, Khmer, Lao, the Thai
# abbreviation "ธ.") or with a space (English and Indonesian "bank", Vietnamese "ngân hàng").
_GLUED_BANK_WORDS = r"ธนาคาร|ธ\.|ធនាគារ|ທະນາຄານ"
_SPACED_BANK_WORDS = r"bank|ng(?:ân|an)\s{1,3}h(?:àng|ang)"
_BANK_PREFIX = rf"(?:(?:{_GLUED_BANK_WORDS})\s*|(?:{_SPACED_BANK_WORDS})\s+)"
# The English word after the name ("KBZ Bank"), or the Burmese one ("ကမ္ဘောဇဘဏ်").
_BANK_SUFFIX = r"(?:\s*(?:bank|ဘဏ်))"
_DIGIT_RUN = r"\d(?:[ \-.]?\d){5,19}"
# The holder named between the bank and the number, as Indonesian and Malay messages do
# ("BNI ini, a/n. ISMAWATI. Rek: 0248…", "Mandiri aja, a/n Resti Amanda norek 9000…").
_HOLDER = (
    r"(?:\s+(?:ini|aja|saja))?\s*,?\s*(?:a/n|a\.n|atas\s+nama|nama)\.?\s*"
    r"[A-Za-z][A-Za-z'. ]{1,40}?[.,]?\s*"
)
# Thai, Vietnamese and Malay write the account first and the bank after it ("STK 0011…
# ngân hàng Vietcombank", "เลขที่บัญชี 123… กสิกร", "akaun 1122… (Maybank)"): read only after
# an account word, so that a phone number followed by a bank's name stays a phone number.
_NUMBER_FIRST_WORDS = (
    r"(?:เลขที่บัญชี|เลขบัญชี|บัญชี|គណនី|ບັນຊີ|a/c|acct|acc(?:ount)?(?:\s*(?:no|number))?\.?"
    r"|no\.?\s*rek(?:ening)?\.?|rek(?:ening)?\.?|akaun|stk|tk|s(?:ố|o)\s*t(?:ài|ai)\s*kho(?:ản|an))"
)
_BETWEEN_NUMBER_AND_BANK = r"\s*(?:[(,\-–]\s*|(?:t(?:ại|ai)|di|at|ที่)\s+)?"
# What may stand between a bank's name and the number: a colon, an account word, the
# holder's name and an account word, spaces, or nothing when the name is not in Latin letters
# ("กสิกร1234…"); "DBP07052024" is a reference code, not Development Bank of the Philippines.
_BEFORE_ACCOUNT_NUMBER = (
    rf"(?:\s*:\s*|\s*{_ACCOUNT_WORDS}\s*[:.]?\s*|{_HOLDER}{_ACCOUNT_WORDS}\s*[:.]?\s*"
    r"|\s+|(?<![A-Za-z]))"
)
_SEPARATORS = re.compile(r"[\s\-.]")
_BANK_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]{1,15}")
_BANK_WORD = re.compile(
    rf"^(?:{_BANK_PREFIX})|{_BANK_SUFFIX}$|\.$",
    re.IGNORECASE,
)
_EXPLICIT_ACCOUNT = re.compile(
    r"(?:(?P<cc>[A-Za-z]{2})\s*:\s*)?(?P<bank>[^\s:\d][^:]*?)\s*:\s*(?P<digits>[\d\s\-.]+)"
)
_BANK_TYPE = IndicatorType.BANK_ACCOUNT
# Looking back from a bank's name for the word for bank (the longest is "ngân   hàng").
_GLUED_BEFORE = re.compile(rf"(?:{_GLUED_BANK_WORDS})\Z")
_SPACED_BEFORE = re.compile(rf"(?:{_SPACED_BANK_WORDS})\Z", re.IGNORECASE)
_BANK_WORD_REACH = 16
_CALLING_CODE = re.compile(r"[A-Z]{2}\Z")


def _bank_name_pattern(names: str) -> str:
    return (
        rf"(?P<prefix>{_BANK_PREFIX})?(?P<bank>{names})\.?(?P<suffix>{_BANK_SUFFIX})?(?![A-Za-z])"
    )


# --- Names that are also ordinary words --------------------------------------------------------

# An account or wallet word just before such a name ("บัญชีกรุงเทพ 123…", "akun dana 0812…",
# "e-wallet Maya 0917…"): Latin and Vietnamese words not glued to a letter before them, Thai,
# Khmer and Lao ones glued or not.
_LATIN_MARKERS = (
    r"a/c|acct|acc(?:ount)?|akaun|akun|no\.?\s*rek(?:ening)?|rek(?:ening)?|stk|tk"
    r"|s(?:ố|o)\s*t(?:ài|ai)\s*kho(?:ản|an)|t(?:ài|ai)\s*kho(?:ản|an)"
    r"|e-?wallet|wallet|dompet(?:\s+digital)?|v(?:í|i)|nomor|nomer"
)
_MARKER_BEFORE = re.compile(
    rf"(?:(?<![^\W\d_])(?:{_LATIN_MARKERS})|เลขที่บัญชี|เลขบัญชี|บัญชี|គណនី|ບັນຊີ|วอลเล็ท)"
    r"\s*[:.]?\s*\Z",
    re.IGNORECASE,
)
_MARKER_REACH = 32
# What stands between a name and the number when nothing marks it: spaces and a dot.
_UNMARKED = re.compile(r"[\s.]*")
# "500 MB", "2GB": a name right after a number is a unit or an amount's word.
_AFTER_NUMBER = re.compile(r"\d\s?\Z")


def _named_by_word(text: str, start: int, name: tuple[int, int], number_start: int) -> bool:
    """Whether a name that is also an ordinary word, found at ``name`` in a match running
    from ``start`` to a number at ``number_start``, names the bank or provider: a marker
    between it and the number (a colon, an account or wallet word, "Bank", "ဘဏ်") or before
    it (the word for bank, a country code and colon, an account or wallet word), or the name
    written in capitals and not right after a number ("DANA 0812…", "MB 0912…", not
    "dana 0812…" or "500 MB 0912…")."""
    name_start, name_end = name
    if start < name_start or not _UNMARKED.fullmatch(text, name_end, number_start):
        return True
    if _MARKER_BEFORE.search(text, max(0, start - _MARKER_REACH), start):
        return True
    cased = [char for char in text[name_start:name_end] if char.lower() != char.upper()]
    return (
        bool(cased)
        and all(char.isupper() for char in cased)
        and _AFTER_NUMBER.search(text, max(0, start - 2), start) is None
    )


def _space_before(text: str, position: int) -> int:
    """Where the run of whitespace ending at ``position`` starts."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position


def _account_starts(text: str, names: list[int]) -> list[int]:
    """Where the account pattern may match, given where a bank's name may start: at the
    name, or before it at the word for bank, at a country code and colon, or both."""
    starts: list[int] = []
    for name in names:
        starts.append(name)
        named_at = [name]
        word_end = _space_before(text, name)
        reach = max(0, word_end - _BANK_WORD_REACH)
        glued = _GLUED_BEFORE.search(text, reach, word_end)
        if glued is not None:
            named_at.append(glued.start())
        if word_end < name:
            spaced = _SPACED_BEFORE.search(text, reach, word_end)
            if spaced is not None:
                named_at.append(spaced.start())
        for position in named_at[1:]:
            starts.append(position)
        for position in named_at:
            # [A-Z]{2}\s*:\s* ending right there.
            head = _space_before(text, position)
            if head and text[head - 1] == ":":
                code_end = _space_before(text, head - 1)
                if code_end >= 2 and _CALLING_CODE.match(text, code_end - 2, code_end):
                    starts.append(code_end - 2)
    starts.sort()
    return starts


def _account_digits(raw: str, written: str, bank: Bank | None) -> str:
    digits = _SEPARATORS.sub("", written)
    if not digits.isdigit():
        raise InvalidIndicatorError(raw, "an account number is made of digits", _BANK_TYPE)
    if bank is not None and bank.account_lengths:
        if len(digits) not in bank.account_lengths:
            raise InvalidIndicatorError(
                raw,
                f"{bank.name} account numbers have {bank.lengths_text()} digits, not {len(digits)}",
                _BANK_TYPE,
            )
    elif not MIN_ACCOUNT_DIGITS <= len(digits) <= MAX_ACCOUNT_DIGITS:
        raise InvalidIndicatorError(
            raw,
            f"an account number has {MIN_ACCOUNT_DIGITS} to {MAX_ACCOUNT_DIGITS} digits, "
            f"not {len(digits)}",
            _BANK_TYPE,
        )
    return digits


def _known_banks(name: str) -> tuple[Bank, ...]:
    table = bank_table()
    banks = table.named(name)
    if not banks:
        banks = table.named(_BANK_WORD.sub("", name.strip()))
    return banks


def _resolve_bank(
    raw: str, name: str, country: str | None, context: ParseContext, *, allow_unknown: bool
) -> tuple[str, str, Bank | None]:
    """(country, bank code, the bank's row) for a bank as written: the named country's, or
    the reader's, or the first in the table (the row is None for a bank the table does not
    know). A named country must be a country, and one the table has a known bank in."""
    if country is not None and country not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidIndicatorError(
            raw, f"{country} is not a country code (ISO 3166 alpha-2)", _BANK_TYPE
        )
    banks = _known_banks(name)
    if banks:
        wanted = country or context.default_region
        bank = next((b for b in banks if b.country == wanted), None)
        if bank is None and country is not None:
            codes = {b.code for b in banks}
            label = banks[0].code if len(codes) == 1 else name.strip()
            countries = [b.country for b in banks]
            where = (
                ", ".join(countries[:-1]) + " and " + countries[-1]
                if len(countries) > 1
                else countries[0]
            )
            raise InvalidIndicatorError(
                raw, f"{label} is a bank of {where}, not {country}", _BANK_TYPE
            )
        bank = bank or banks[0]
        return bank.country, bank.code, bank
    code = name_key(name).upper()
    if allow_unknown and _BANK_CODE.fullmatch(code):
        # A bank the table does not know (yet) is kept under the code written, in the country
        # written: partners' data naming banks this node's table lacks is not lost.
        return country or context.default_region, code, None
    raise InvalidIndicatorError(raw, f"{name!r} is not a bank this node knows", _BANK_TYPE)


def _account(
    raw: str,
    match: re.Match[str],
    context: ParseContext,
    *,
    allow_unknown: bool,
) -> Indicator:
    country = match["cc"].upper() if match.groupdict().get("cc") else None
    country, code, bank = _resolve_bank(
        raw, match["bank"], country, context, allow_unknown=allow_unknown
    )
    digits = _account_digits(raw, match["digits"], bank)
    return Indicator(_BANK_TYPE, f"{country}:{code}:{digits}", country)


@lru_cache(maxsize=FOUND_CACHE_SIZE)
def _account_in_text(
    calling_code: str | None, bank: str, digits: str, region: str
) -> Indicator | None:
    """What _account makes of an account found in text (the same mule accounts come back
    report after report), None where it is not one."""
    country = calling_code.upper() if calling_code else None
    try:
        country, code, row = _resolve_bank(
            bank, bank, country, ParseContext(region), allow_unknown=False
        )
        number = _account_digits(digits, digits, row)
    except InvalidIndicatorError:
        return None
    return Indicator(_BANK_TYPE, f"{country}:{code}:{number}", country)


# --- E-wallets ---------------------------------------------------------------------------------

_WALLET_WORDS = r"(?:e-?wallet|wallet|id|no\.?|number|account|เบอร์|บัญชี)"
_PHONE_LIKE = re.compile(r"\+?[\d\s\-.()]+")
_WHITESPACE = re.compile(r"\s+")
_EWALLET_TYPE = IndicatorType.EWALLET


@dataclass(frozen=True, slots=True)
class _IdCheck:
    """A national or tax ID format python-stdnum checks."""

    id_format: str
    digits: int
    is_valid: Callable[[str], bool]
    label: str


# By the provider's country: the IDs that wallets there accept in place of a phone number.
_ID_CHECKS: Final[dict[str, tuple[_IdCheck, ...]]] = {
    "TH": (
        _IdCheck("national_id", 13, th_pin.is_valid, "Thai national ID"),
        _IdCheck("tax_id", 13, th_tin.is_valid, "Thai tax ID"),
    ),
    "MY": (_IdCheck("national_id", 12, my_nric.is_valid, "MyKad number"),),
}
_FORMAT_WORDS: Final = {
    "phone": "a phone number",
    "national_id": "a national ID number",
    "tax_id": "a tax ID",
    "account": "an account name",
}


def _formats_in_words(wallet: Wallet) -> str:
    words = []
    for id_format in wallet.id_formats:
        if id_format == "wallet_id":
            lengths = "/".join(str(n) for n in wallet.wallet_id_lengths)
            words.append(f"a {lengths}-digit e-wallet ID" if lengths else "an e-wallet number")
        else:
            words.append(_FORMAT_WORDS[id_format])
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]


def _numeric_wallet_id(raw: str, wallet: Wallet, digits: str) -> str:
    """A wallet id written in digits that is not a phone number: a national or tax ID
    (checksum checked where python-stdnum knows the format), a wallet number, or, for
    wallets that take any account id, the digits as they are."""
    formats = wallet.id_formats
    failed: list[str] = []
    for check in _ID_CHECKS.get(wallet.country or "", ()):
        if check.id_format in formats and len(digits) == check.digits:
            if check.is_valid(digits):
                return digits
            failed.append(check.label)
    if "wallet_id" in formats and (
        not wallet.wallet_id_lengths or len(digits) in wallet.wallet_id_lengths
    ):
        return digits
    if "account" in formats:
        return digits
    if failed:
        raise InvalidIndicatorError(
            raw, f"not a valid {' or '.join(failed)} (bad checksum)", _EWALLET_TYPE
        )
    raise InvalidIndicatorError(
        raw, f"{wallet.name} ids are {_formats_in_words(wallet)}", _EWALLET_TYPE
    )


# --- The patterns made of the tables' names ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Patterns:
    bank_names: list[str]
    bank_scan: NameScan
    named_account: re.Pattern[str]
    account_in_text: re.Pattern[str]
    number_first: re.Pattern[str]
    number_first_in_text: re.Pattern[str]
    wallet_names: list[str]
    wallet_scan: NameScan
    ewallet: re.Pattern[str]
    ewallet_shape: re.Pattern[str]
    ewallet_in_text: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    """The patterns of both kinds, made from the tables once. Both name scans are made
    together: a scan made after a text's views were taken would miss its names there."""
    bank_names = [name for bank in bank_table().banks for name in bank.names]
    bank_name = _bank_name_pattern(names_alternation(bank_names))
    wallet_names = [name for wallet in wallet_table().wallets for name in wallet.names]
    provider = rf"(?P<provider>{names_alternation(wallet_names)})(?:\s*{_WALLET_WORDS})?"
    return _Patterns(
        bank_names=bank_names,
        bank_scan=NameScan(bank_names, _NAME_NOISE),
        named_account=re.compile(
            rf"{bank_name}{_BEFORE_ACCOUNT_NUMBER}(?P<digits>\d[\d\s\-.]*)",
            re.IGNORECASE,
        ),
        account_in_text=re.compile(
            rf"(?<![A-Za-z0-9])(?:(?P<cc>(?-i:[A-Z]{{2}}))\s*:\s*)?{bank_name}"
            rf"{_BEFORE_ACCOUNT_NUMBER}(?P<digits>{_DIGIT_RUN})(?!\d)",
            re.IGNORECASE,
        ),
        number_first=re.compile(
            rf"{_NUMBER_FIRST_WORDS}\s*[:.]?\s*(?P<digits>\d[\d\s\-.]*?)"
            rf"{_BETWEEN_NUMBER_AND_BANK}{bank_name}\)?",
            re.IGNORECASE,
        ),
        number_first_in_text=re.compile(
            rf"(?<![A-Za-z0-9]){_NUMBER_FIRST_WORDS}\s*[:.]?\s*(?P<digits>{_DIGIT_RUN})(?!\d)"
            rf"{_BETWEEN_NUMBER_AND_BANK}{bank_name}\)?",
            re.IGNORECASE,
        ),
        wallet_names=wallet_names,
        wallet_scan=NameScan(wallet_names, _NAME_NOISE),
        ewallet=re.compile(rf"{provider}\s*(?:[:：]\s*|\s+)(?P<id>\S.*)", re.IGNORECASE),
        # Detection is stricter: "Dana Scully" is a name, "Dana 0812 345 678" or "dana:x" a
        # wallet.
        ewallet_shape=re.compile(
            rf"{provider}(?:\s*[:：]\s*\S.*|\s+\+?\d[\d\s\-.()]*)", re.IGNORECASE
        ),
        ewallet_in_text=re.compile(
            rf"(?<![A-Za-z0-9]){provider}"
            rf"(?:\s*[:：]?\s*(?P<digits>\+?{_DIGIT_RUN})(?!\d)"
            r"|\s*[:：]\s*(?P<id>[A-Za-z0-9._@+\-]*[A-Za-z0-9_]))",
            re.IGNORECASE,
        ),
    )


# --- The kinds ---------------------------------------------------------------------------------


class BankAccountKind:
    """Bank accounts, ``CC:<BANK>:<digits>``."""

    type = IndicatorType.BANK_ACCOUNT

    def __init__(self) -> None:
        _patterns()

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        value = to_ascii_digits(raw.strip())
        explicit = _EXPLICIT_ACCOUNT.fullmatch(value)
        if explicit is not None and _known_banks(explicit["bank"]):
            return _account(raw, explicit, context, allow_unknown=True)
        # A known bank's name with account words and a colon ("Vietcombank STK: 0011…")
        # before a bank code this node does not know ("LHB2:…").
        named = _patterns().named_account.fullmatch(value)
        if named is None:
            named = _patterns().number_first.fullmatch(value)
        if named is not None:
            return _account(raw, named, context, allow_unknown=False)
        if explicit is not None:
            return _account(raw, explicit, context, allow_unknown=True)
        raise InvalidIndicatorError(
            raw,
            "write it as BANK:digits, CC:BANK:digits, or a known bank's name and the number",
            _BANK_TYPE,
        )

    def looks_like(self, raw: str) -> bool:
        # Only with a bank this node knows: "TRUEMONEY:081…" and "line:…" belong to other kinds.
        value = to_ascii_digits(raw.strip())
        explicit = _EXPLICIT_ACCOUNT.fullmatch(value)
        if explicit is not None:
            return bool(_known_banks(explicit["bank"]))
        return _patterns().named_account.fullmatch(value) is not None

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        patterns = _patterns()  # before the views: its name scan must be made first
        seen = views(text)
        mapped = seen.mapped
        if seen.plain_case:
            starts = _account_starts(mapped, patterns.bank_scan.starts(seen))
            matches = matches_at(patterns.account_in_text, mapped, starts)
        else:
            matches = patterns.account_in_text.finditer(mapped)
        region = context.default_region
        banks = bank_table()
        for match in matches:
            cc, bank, digits = match["cc"], match["bank"], match["digits"]
            if banks.is_word_name(bank) and not _named_by_word(
                mapped, match.start(), match.span("bank"), match.start("digits")
            ):
                continue
            indicator = _account_in_text(cc, bank, digits, region)
            end = match.end()
            if indicator is None:
                # A number of the wrong length may be the account and, after a space, the
                # next number ("KBANK 123-4-56789-0 081 234 5678"): the longest cut that is
                # an account of the bank.
                for cut in range(len(digits) - 1, 0, -1):
                    if digits[cut] == " ":
                        indicator = _account_in_text(cc, bank, digits[:cut], region)
                        if indicator is not None:
                            end = match.start("digits") + cut
                            break
            if indicator is not None:
                start = match.start()
                yield FoundIndicator(indicator, text[start:end], start, end)
        if not seen.plain_case or patterns.bank_scan.starts(seen):
            yield from self._find_number_first(text, mapped, patterns, region)

    @staticmethod
    def _find_number_first(
        text: str, mapped: str, patterns: _Patterns, region: str
    ) -> Iterator[FoundIndicator]:
        for match in patterns.number_first_in_text.finditer(mapped):
            indicator = _account_in_text(None, match["bank"], match["digits"], region)
            if indicator is not None:
                start, end = match.span()
                yield FoundIndicator(indicator, text[start:end], start, end)


class EwalletKind:
    """E-wallet accounts, ``<PROVIDER>:<id>``; phone-number ids in E.164."""

    type = IndicatorType.EWALLET

    def __init__(self) -> None:
        _patterns()
        self._phones = PhoneKind()
        # The same wallets come back report after report.
        self._wallet_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(self._read_wallet)

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        match = _patterns().ewallet.fullmatch(raw.strip())
        if match is None:
            provider = raw.partition(":")[0].strip() if ":" in raw else ""
            if provider:
                reason = f"{provider!r} is not an e-wallet provider this node knows"
            else:
                reason = "write it as PROVIDER:id, e.g. TRUEMONEY:0812345678"
            raise InvalidIndicatorError(raw, reason, _EWALLET_TYPE)
        return self._wallet(raw, match["provider"], match["id"], context)

    def _wallet(self, raw: str, provider_name: str, ident: str, context: ParseContext) -> Indicator:
        wallet = wallet_table().named(provider_name)
        if wallet is None:  # the pattern only matches names of the table
            raise InvalidIndicatorError(raw, f"{provider_name!r} is not known", _EWALLET_TYPE)
        code, country = wallet.code, wallet.country
        ident = to_ascii_digits(ident.strip())
        if _PHONE_LIKE.fullmatch(ident):
            if "phone" in wallet.id_formats:
                phone = self._phone(ident, country or context.default_region)
                if phone is not None:
                    return Indicator(
                        _EWALLET_TYPE, f"{code}:{phone.value}", country or phone.country
                    )
            digits = _SEPARATORS.sub("", ident).replace("(", "").replace(")", "")
            if not digits:
                raise InvalidIndicatorError(raw, "the wallet id is empty", _EWALLET_TYPE)
            if not digits.isdigit():  # "+…" that is not a phone number
                raise InvalidIndicatorError(
                    raw, f"{wallet.name} ids are {_formats_in_words(wallet)}", _EWALLET_TYPE
                )
            return Indicator(
                _EWALLET_TYPE, f"{code}:{_numeric_wallet_id(raw, wallet, digits)}", country
            )
        if "account" not in wallet.id_formats:
            raise InvalidIndicatorError(
                raw, f"{wallet.name} ids are {_formats_in_words(wallet)}", _EWALLET_TYPE
            )
        ident = _WHITESPACE.sub("", ident)
        if not ident:
            raise InvalidIndicatorError(raw, "the wallet id is empty", _EWALLET_TYPE)
        return Indicator(_EWALLET_TYPE, f"{code}:{ident}", country)

    def _read_wallet(self, provider_name: str, ident: str, region: str) -> Indicator | None:
        try:
            return self._wallet(ident, provider_name, ident, ParseContext(region))
        except InvalidIndicatorError:
            return None

    def _phone(self, ident: str, region: str) -> Indicator | None:
        try:
            return self._phones.canonicalise(ident, ParseContext(region))
        except InvalidIndicatorError:
            return None

    def looks_like(self, raw: str) -> bool:
        return _patterns().ewallet_shape.fullmatch(raw.strip()) is not None

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        patterns = _patterns()  # before the views: its name scan must be made first
        seen = views(text)
        if seen.plain_case:
            starts = patterns.wallet_scan.starts(seen)
            matches = matches_at(patterns.ewallet_in_text, seen.mapped, starts)
        else:
            matches = patterns.ewallet_in_text.finditer(seen.mapped)
        providers = wallet_table()
        for match in matches:
            ident = match["digits"] or match["id"]
            number_start = match.start("digits") if match["digits"] else match.start("id")
            if providers.is_word_name(match["provider"]) and not _named_by_word(
                seen.mapped, match.start(), match.span("provider"), number_start
            ):
                continue
            indicator = self._wallet_in_text(match["provider"], ident, context.default_region)
            if indicator is not None:
                start, end = match.span()
                yield FoundIndicator(indicator, text[start:end], start, end)


# --- Names kept for the scanning tests and code written against the first cut ------------------
# Each is made from the tables on first use (module __getattr__), not at import.

PROVIDERS: dict[str, tuple[str | None, tuple[str, ...]]]  # code → (country, other names)
_ALL_BANK_NAMES: list[str]
_ALL_PROVIDER_NAMES: list[str]
_BANK_NAME_SCAN: NameScan
_PROVIDER_NAME_SCAN: NameScan
_NAMED_ACCOUNT: re.Pattern[str]
_ACCOUNT_IN_TEXT: re.Pattern[str]
_EWALLET: re.Pattern[str]
_EWALLET_SHAPE: re.Pattern[str]
_EWALLET_IN_TEXT: re.Pattern[str]

_LEGACY: Final[dict[str, Callable[[_Patterns], object]]] = {
    "_ALL_BANK_NAMES": lambda p: p.bank_names,
    "_ALL_PROVIDER_NAMES": lambda p: p.wallet_names,
    "_BANK_NAME_SCAN": lambda p: p.bank_scan,
    "_PROVIDER_NAME_SCAN": lambda p: p.wallet_scan,
    "_NAMED_ACCOUNT": lambda p: p.named_account,
    "_ACCOUNT_IN_TEXT": lambda p: p.account_in_text,
    "_EWALLET": lambda p: p.ewallet,
    "_EWALLET_SHAPE": lambda p: p.ewallet_shape,
    "_EWALLET_IN_TEXT": lambda p: p.ewallet_in_text,
    "PROVIDERS": lambda _: {
        wallet.code: (wallet.country, wallet.names[1:]) for wallet in wallet_table().wallets
    },
}


def __getattr__(name: str) -> object:
    made = _LEGACY.get(name)
    if made is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return made(_patterns())
