"""Money destinations: bank accounts (``CC:<BANK>:<digits>``) and e-wallets (``<PROVIDER>:<id>``).

First cut: banks are recognised from the small table in :mod:`scamintel.indicators.banks`;
account numbers are checked only for length, not against each bank's format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Final

from scamintel.indicators._scan import FOUND_CACHE_SIZE, NameScan, matches_at, views
from scamintel.indicators.banks import BANKS
from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)
from scamintel.indicators.phone import PhoneKind, to_ascii_digits

_NAME_NOISE = re.compile(r"[\s'’.\-_]+")
_NOISE_CLASS = r"[\s'’.\-_]*"


def name_key(name: str) -> str:
    """How a bank, provider or platform name is looked up: "Touch 'n Go" is "touchngo"."""
    return _NAME_NOISE.sub("", name).casefold()


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


_ACCOUNT_WORDS = (
    r"(?:เลขที่บัญชี|เลขบัญชี|เลขที่|บัญชี|a/c|acct|acc(?:ount)?(?:\s*(?:no|number))?\.?"
    r"|no\.?|number|#)"
)
_DIGIT_RUN = r"\d(?:[ \-.]?\d){5,19}"
_SEPARATORS = re.compile(r"[\s\-.]")
_MIN_ACCOUNT_DIGITS = 6
_MAX_ACCOUNT_DIGITS = 20
_BANK_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]{1,15}")
_BANK_WORD = re.compile(r"^ธนาคาร|\s+bank$", re.IGNORECASE)
_BANK_TYPE = IndicatorType.BANK_ACCOUNT


def _index_banks(
    banks: Mapping[str, Mapping[str, tuple[str, ...]]],
) -> dict[str, list[tuple[str, str]]]:
    """name key → [(country, code), …]; one name can belong to banks in several countries."""
    index: dict[str, list[tuple[str, str]]] = {}
    for country, codes in banks.items():
        for code, aliases in codes.items():
            for name in (code, *aliases):
                entries = index.setdefault(name_key(name), [])
                if (country, code) not in entries:
                    entries.append((country, code))
    return index


_BANK_INDEX: Final = _index_banks(BANKS)
_ALL_BANK_NAMES = [
    name for codes in BANKS.values() for code, aliases in codes.items() for name in (code, *aliases)
]
_BANK_NAMES = names_alternation(_ALL_BANK_NAMES)
_BANK_NAME_SCAN = NameScan(_ALL_BANK_NAMES, _NAME_NOISE)
# The Thai word for bank in front, the English word after: "ธนาคารกสิกรไทย", "KBZ Bank".
_BANK_NAME = rf"(?:ธนาคาร\s*)?(?P<bank>{_BANK_NAMES})(?:\s*bank)?(?![A-Za-z])"
_EXPLICIT_ACCOUNT = re.compile(
    r"(?:(?P<cc>[A-Za-z]{2})\s*:\s*)?(?P<bank>[^\s:\d][^:]*?)\s*:\s*(?P<digits>[\d\s\-.]+)"
)
_NAMED_ACCOUNT = re.compile(
    rf"{_BANK_NAME}\s*(?:{_ACCOUNT_WORDS}\s*[:.]?\s*)?(?P<digits>\d[\d\s\-.]*)", re.IGNORECASE
)
_ACCOUNT_IN_TEXT = re.compile(
    rf"(?<![A-Za-z0-9])(?:(?P<cc>(?-i:[A-Z]{{2}}))\s*:\s*)?{_BANK_NAME}"
    rf"\s*(?::\s*|{_ACCOUNT_WORDS}\s*[:.]?\s*)?(?P<digits>{_DIGIT_RUN})(?!\d)",
    re.IGNORECASE,
)


_CALLING_CODE_PREFIX = re.compile(r"[A-Z]{2}\s*:\s*\Z")
_THAI_BANK_WORD = "ธนาคาร"


def _account_starts(text: str, names: list[int]) -> list[int]:
    """Where _ACCOUNT_IN_TEXT may match, given where a bank's name may start: at the name, or
    before it at "ธนาคาร", at a country code and colon, or both."""
    starts: list[int] = []
    for name in names:
        starts.append(name)
        before = text[:name]
        word = before.rstrip()
        named_at = [name]
        if word.endswith(_THAI_BANK_WORD):
            named_at.append(len(word) - len(_THAI_BANK_WORD))
            starts.append(named_at[-1])
        for position in named_at:
            # [A-Z]{2}\s*:\s* ending right there (at most a few characters: search the tail).
            head = text[:position].rstrip()
            if head.endswith(":"):
                code = head[:-1].rstrip()
                if len(code) >= 2 and _CALLING_CODE_PREFIX.match(text, len(code) - 2, position):
                    starts.append(len(code) - 2)
    starts.sort()
    return starts


def _known_bank(name: str) -> list[tuple[str, str]]:
    entries = _BANK_INDEX.get(name_key(name))
    if entries is None:
        entries = _BANK_INDEX.get(name_key(_BANK_WORD.sub("", name.strip())))
    return entries or []


def _resolve_bank(
    raw: str, name: str, country: str | None, context: ParseContext, *, allow_unknown: bool
) -> tuple[str, str]:
    """(country, bank code) for a bank as written, preferring the named or the node's country."""
    entries = _known_bank(name)
    if entries:
        wanted = country or context.default_region
        known_country, code = next((e for e in entries if e[0] == wanted), entries[0])
        return country or known_country, code
    code = name_key(name).upper()
    if allow_unknown and _BANK_CODE.fullmatch(code):
        # The bank table is a first cut: an explicit code it does not know yet is kept as is.
        return country or context.default_region, code
    raise InvalidIndicatorError(raw, f"{name!r} is not a bank this node knows", _BANK_TYPE)


def _account_digits(raw: str, written: str) -> str:
    digits = _SEPARATORS.sub("", written)
    if not digits.isdigit():
        raise InvalidIndicatorError(raw, "an account number is made of digits", _BANK_TYPE)
    if not _MIN_ACCOUNT_DIGITS <= len(digits) <= _MAX_ACCOUNT_DIGITS:
        raise InvalidIndicatorError(
            raw,
            f"an account number has {_MIN_ACCOUNT_DIGITS} to {_MAX_ACCOUNT_DIGITS} digits, "
            f"not {len(digits)}",
            _BANK_TYPE,
        )
    return digits


def _account(
    raw: str,
    match: re.Match[str],
    context: ParseContext,
    *,
    allow_unknown: bool,
) -> Indicator:
    country = match["cc"].upper() if match.groupdict().get("cc") else None
    country, code = _resolve_bank(raw, match["bank"], country, context, allow_unknown=allow_unknown)
    digits = _account_digits(raw, match["digits"])
    return Indicator(_BANK_TYPE, f"{country}:{code}:{digits}", country)


@lru_cache(maxsize=FOUND_CACHE_SIZE)
def _account_in_text(
    calling_code: str | None, bank: str, digits: str, region: str
) -> Indicator | None:
    """What _account makes of an account found in text (the same mule accounts come back
    report after report), None where it is not one."""
    country = calling_code.upper() if calling_code else None
    try:
        country, code = _resolve_bank(
            bank, bank, country, ParseContext(region), allow_unknown=False
        )
        number = _account_digits(digits, digits)
    except InvalidIndicatorError:
        return None
    return Indicator(_BANK_TYPE, f"{country}:{code}:{number}", country)


class BankAccountKind:
    """Bank accounts, ``CC:<BANK>:<digits>``."""

    type = IndicatorType.BANK_ACCOUNT

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        value = to_ascii_digits(raw.strip())
        explicit = _EXPLICIT_ACCOUNT.fullmatch(value)
        if explicit is not None:
            return _account(raw, explicit, context, allow_unknown=True)
        named = _NAMED_ACCOUNT.fullmatch(value)
        if named is not None:
            return _account(raw, named, context, allow_unknown=False)
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
            return bool(_known_bank(explicit["bank"]))
        return _NAMED_ACCOUNT.fullmatch(value) is not None

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        seen = views(text)
        mapped = seen.mapped
        if seen.plain_case:
            starts = _account_starts(mapped, _BANK_NAME_SCAN.starts(seen))
            matches = matches_at(_ACCOUNT_IN_TEXT, mapped, starts)
        else:
            matches = _ACCOUNT_IN_TEXT.finditer(mapped)
        for match in matches:
            indicator = _account_in_text(
                match["cc"], match["bank"], match["digits"], context.default_region
            )
            if indicator is not None:
                start, end = match.span()
                yield FoundIndicator(indicator, text[start:end], start, end)


# Provider code → (its country, or None where it runs in several; other names for it).
PROVIDERS: Final[dict[str, tuple[str | None, tuple[str, ...]]]] = {
    "PROMPTPAY": ("TH", ("Prompt Pay", "พร้อมเพย์")),
    "TRUEMONEY": ("TH", ("True Money", "TrueMoney Wallet", "True Wallet", "ทรูมันนี่")),
    "GCASH": ("PH", ()),
    "MAYA": ("PH", ("PayMaya",)),
    "GOPAY": ("ID", ("Go Pay",)),
    "OVO": ("ID", ()),
    "DANA": ("ID", ()),
    "MOMO": ("VN", ("Ví MoMo",)),
    "ZALOPAY": ("VN", ()),
    "WAVE": ("MM", ("Wave Money", "WavePay")),
    "KBZPAY": ("MM", ("KPay",)),
    "ABA": ("KH", ("ABA Pay",)),
    "WING": ("KH", ("Wing Money",)),
    "TNG": ("MY", ("Touch n Go", "Touch n Go eWallet", "TnG eWallet")),
    "GRABPAY": (None, ()),
    "SHOPEEPAY": (None, ()),
}
_PROVIDER_INDEX: Final = {
    name_key(name): code for code, (_, aliases) in PROVIDERS.items() for name in (code, *aliases)
}
_ALL_PROVIDER_NAMES = [
    name for code, (_, aliases) in PROVIDERS.items() for name in (code, *aliases)
]
_PROVIDER_NAMES = names_alternation(_ALL_PROVIDER_NAMES)
_PROVIDER_NAME_SCAN = NameScan(_ALL_PROVIDER_NAMES, _NAME_NOISE)
_WALLET_WORDS = r"(?:e-?wallet|wallet|id|no\.?|number|account|เบอร์|บัญชี)"
_PROVIDER = rf"(?P<provider>{_PROVIDER_NAMES})(?:\s*{_WALLET_WORDS})?"
_EWALLET = re.compile(rf"{_PROVIDER}\s*(?:[:：]\s*|\s+)(?P<id>\S.*)", re.IGNORECASE)
# Detection is stricter: "Dana Scully" is a name, "Dana 0812 345 678" or "dana:x" a wallet.
_EWALLET_SHAPE = re.compile(rf"{_PROVIDER}(?:\s*[:：]\s*\S.*|\s+\+?\d[\d\s\-.()]*)", re.IGNORECASE)
_EWALLET_IN_TEXT = re.compile(
    rf"(?<![A-Za-z0-9]){_PROVIDER}"
    rf"(?:\s*[:：]?\s*(?P<digits>\+?{_DIGIT_RUN})(?!\d)"
    r"|\s*[:：]\s*(?P<id>[A-Za-z0-9._@+\-]*[A-Za-z0-9_]))",
    re.IGNORECASE,
)
_PHONE_LIKE = re.compile(r"\+?[\d\s\-.()]+")
_WHITESPACE = re.compile(r"\s+")
_EWALLET_TYPE = IndicatorType.EWALLET


class EwalletKind:
    """E-wallet accounts, ``<PROVIDER>:<id>``; phone-number ids in E.164."""

    type = IndicatorType.EWALLET

    def __init__(self) -> None:
        self._phones = PhoneKind()
        # The same wallets come back report after report.
        self._wallet_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(self._read_wallet)

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        match = _EWALLET.fullmatch(raw.strip())
        if match is None:
            provider = raw.partition(":")[0].strip() if ":" in raw else ""
            if provider:
                reason = f"{provider!r} is not an e-wallet provider this node knows"
            else:
                reason = "write it as PROVIDER:id, e.g. TRUEMONEY:0812345678"
            raise InvalidIndicatorError(raw, reason, _EWALLET_TYPE)
        return self._wallet(raw, match["provider"], match["id"], context)

    def _wallet(self, raw: str, provider_name: str, ident: str, context: ParseContext) -> Indicator:
        provider = _PROVIDER_INDEX[name_key(provider_name)]
        country = PROVIDERS[provider][0]
        ident = to_ascii_digits(ident.strip())
        if _PHONE_LIKE.fullmatch(ident):
            phone = self._phone(ident, country or context.default_region)
            if phone is not None:
                return Indicator(
                    _EWALLET_TYPE, f"{provider}:{phone.value}", country or phone.country
                )
            # Not a phone number: a national ID, tax ID or wallet number (PromptPay), digits only.
            ident = _SEPARATORS.sub("", ident).replace("(", "").replace(")", "")
        else:
            ident = _WHITESPACE.sub("", ident)
        if not ident:
            raise InvalidIndicatorError(raw, "the wallet id is empty", _EWALLET_TYPE)
        return Indicator(_EWALLET_TYPE, f"{provider}:{ident}", country)

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
        return _EWALLET_SHAPE.fullmatch(raw.strip()) is not None

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        seen = views(text)
        if seen.plain_case:
            starts = _PROVIDER_NAME_SCAN.starts(seen)
            matches = matches_at(_EWALLET_IN_TEXT, seen.mapped, starts)
        else:
            matches = _EWALLET_IN_TEXT.finditer(seen.mapped)
        for match in matches:
            ident = match["digits"] or match["id"]
            indicator = self._wallet_in_text(match["provider"], ident, context.default_region)
            if indicator is not None:
                start, end = match.span()
                yield FoundIndicator(indicator, text[start:end], start, end)
