"""Phone numbers: E.164 canonical form, checked against the numbering plan of their country."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberFormat,
)

from scamintel.indicators._digits import to_ascii_digits as to_ascii_digits
from scamintel.indicators._phonematch import find_numbers
from scamintel.indicators._scan import views
from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)

_PHONE_SHAPE = re.compile(r"\+?[\d\s\u00a0\u2009\u202f\-‐‑‒–—―−.()/]+", re.ASCII)
_NON_DIGITS = re.compile(r"\D", re.ASCII)
_MIN_DIGITS = 6
_MAX_DIGITS = 20

# Numbers written with "00" before the country code, in a region whose own international
# prefix is something else (Thailand dials 001/007/008/009): people still write them that way.
# The check that no digit or plus comes before the 00 is made after it, so that the search
# runs from one "00" to the next in C: (?<![\d+]00) after 00 is (?<![\d+]) before it.
_DOUBLE_ZERO_CANDIDATE = re.compile(
    r"00(?<![\d+]00)[ .\-]?[1-9](?:[ .\-()]{0,2}\d){5,17}", re.ASCII
)

# Words that make the number after them a code rather than a line to call: an OTP, an order,
# a transaction or a meeting ID is often a valid-looking number (VN "Ma giao dich 2323256250").
_CODE_BEFORE = re.compile(
    r"(?:\b(?:otp|pin|code|kode|ref(?:erence)?|order|invoice|tracking|awb|resi|trx|"
    r"transaction|transaksi|txn|booking|voucher|serial|s/?n|id|no\.? ?(?:pesanan|resi|order)|"
    r"kod|rujukan|referensi|pengesahan|tempahan|"
    r"m[aã] (?:giao d[iị]ch|gd|đơn h[aà]ng|don hang|x[aá]c (?:nhận|nhan)|otp)|m[aã]|"
    r"giao d[iị]ch)|รหัส|เลขที่(?:คำสั่งซื้อ|พัสดุ|อ้างอิง)|หมายเลขคำสั่งซื้อ|เลขพัสดุ)"
    r"\s*(?:no\.?|number|#)?\s*[:#.：]?\s*$",
    re.IGNORECASE,
)
_CODE_LOOKBEHIND = 40
# A number glued to words ("Info 088980007432berlaku", "TsCs08714740323") that the
# matcher's word-boundary rule passes over; read only when long enough to be a number.
_GLUED_NUMBER = re.compile(r"(?<![\d+])\+?\d{9,13}(?!\d)", re.ASCII)

# English names for rejection reasons; any other plan is named by its calling code.
_PLAN_NAMES = {
    "TH": "Thailand",
    "MM": "Myanmar",
    "KH": "Cambodia",
    "LA": "Laos",
    "VN": "Vietnam",
    "MY": "Malaysia",
    "SG": "Singapore",
    "ID": "Indonesia",
    "PH": "the Philippines",
    "BN": "Brunei",
    "TL": "Timor-Leste",
    "CN": "China",
    "HK": "Hong Kong",
    "TW": "Taiwan",
    "JP": "Japan",
    "KR": "South Korea",
    "IN": "India",
    "GB": "the United Kingdom",
    "US": "the United States",
}


def known_region(code: str) -> bool:
    """Whether ``code`` is a country whose local number formats this node can read."""
    return code in phonenumbers.SUPPORTED_REGIONS


def _plan_name(number: PhoneNumber) -> str:
    country_code = number.country_code or 0
    name = _PLAN_NAMES.get(phonenumbers.region_code_for_country_code(country_code))
    if name is not None:
        return f"{name}'s numbering plan"
    return f"the +{country_code} numbering plan"


_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "it does not start with a known country code",
    NumberParseException.NOT_A_NUMBER: "it does not contain a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "it is too short to be a phone number",
    NumberParseException.TOO_LONG: "it is too long to be a phone number",
}

_LENGTH_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "it is too short for",
    phonenumbers.ValidationResult.TOO_LONG: "it is too long for",
    phonenumbers.ValidationResult.INVALID_LENGTH: "it has the wrong length for",
}


def _invalid_reason(number: PhoneNumber) -> str:
    plan = _plan_name(number)
    length = phonenumbers.is_possible_number_with_reason(number)
    prefix = _LENGTH_REASONS.get(length)
    if prefix is not None:
        return f"{prefix} {plan}"
    return f"not a valid number in {plan}"


# Carrier international prefixes people dial and write that the numbering-plan metadata does
# not list as the region's own (Indonesia's plan has 008 and 009, but 001 and 007 are as
# common; Singapore's and Cambodia's operators each have theirs). Longest first.
_CARRIER_IDD_PREFIXES: dict[str, tuple[str, ...]] = {
    "ID": ("01017", "001", "007", "008", "009"),
    "SG": ("001", "002", "008", "018", "019"),
    "KH": ("001", "007", "008"),
    "TH": ("001", "007", "008", "009"),
}


def _double_zero_as_plus(value: str) -> str | None:
    """``00 66 81…`` rewritten ``+6681…``, or None when the value does not start with 00."""
    stripped = value.lstrip()
    if not stripped.startswith("00"):
        return None
    return "+" + _NON_DIGITS.sub("", stripped)[2:]


def _carrier_idd_as_plus(value: str, region: str) -> str | None:
    """``001 62 812…`` dialled from Indonesia rewritten ``+62812…``, or None."""
    digits = _NON_DIGITS.sub("", value)
    for prefix in _CARRIER_IDD_PREFIXES.get(region, ()):
        if digits.startswith(prefix):
            return "+" + digits[len(prefix) :]
    return None


# phonenumbers.parse costs ~35 µs, most of a canonicalisation. The two shapes almost every
# report uses, "+<cc><number>" and "<national prefix><number>", are read here instead, but
# only where the numbering plan makes that reading the same as parse's: a literal national
# prefix (no carrier codes, no transform rules) and no leading zero in the national number.
# Anything else, and any number this reading finds invalid, goes to parse.
_FAST_SEPARATORS = re.compile(r"[ \u00a0\-‐‑‒–—―−.()/]")
_MAX_NSN_LENGTH = 17


@dataclass(frozen=True, slots=True)
class _Plan:
    country_code: int
    national_prefix: str  # "" when the plan has none
    international_prefix: re.Pattern[str] | None


def _plan(metadata: PhoneMetadata | None) -> _Plan | None:
    if metadata is None or metadata.country_code is None or metadata.national_prefix_transform_rule:
        return None
    prefix = metadata.national_prefix_for_parsing or ""
    if prefix and not prefix.isdigit():
        return None
    idd = metadata.international_prefix
    return _Plan(metadata.country_code, prefix, re.compile(idd) if idd else None)


@cache
def _plan_for_region(region: str) -> _Plan | None:
    return _plan(PhoneMetadata.metadata_for_region(region.upper()))


@cache
def _plan_for_calling_code(country_code: int) -> _Plan | None:
    region = phonenumbers.region_code_for_country_code(country_code)
    return _plan(PhoneMetadata.metadata_for_region_or_calling_code(country_code, region))


def _split_international(digits: str) -> tuple[int, str] | None:
    if digits.startswith("0"):
        return None
    # Calling codes are prefix-free, so the first known one is the one.
    for length in (1, 2, 3):
        country_code = int(digits[:length])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            plan = _plan_for_calling_code(country_code)
            national = digits[length:]
            if plan is None or national.startswith("0"):
                return None
            if plan.national_prefix and national.startswith(plan.national_prefix):
                return None
            return country_code, national
    return None


def _split_national(digits: str, region: str) -> tuple[int, str] | None:
    plan = _plan_for_region(region)
    if plan is None or not plan.national_prefix or not digits.startswith(plan.national_prefix):
        return None
    if plan.international_prefix is not None and plan.international_prefix.match(digits):
        return None
    national = digits[len(plan.national_prefix) :]
    return None if national.startswith("0") else (plan.country_code, national)


def _fast_parse(value: str, region: str) -> PhoneNumber | None:
    """The valid number ``value`` is, read without phonenumbers.parse; None: ask parse."""
    compact = _FAST_SEPARATORS.sub("", value)
    international = compact.startswith("+")
    digits = compact[1:] if international else compact
    if not (digits.isascii() and digits.isdigit()):
        return None
    split = _split_international(digits) if international else _split_national(digits, region)
    if split is None or not 2 <= len(split[1]) <= _MAX_NSN_LENGTH:
        return None
    number = PhoneNumber(country_code=split[0], national_number=int(split[1]))
    return number if phonenumbers.is_valid_number(number) else None


def _parse_double_zero(value: str, region: str) -> PhoneNumber | None:
    """The valid number ``value`` is when its leading carrier prefix or 00 is read as "+",
    else None."""
    for rewritten in (_carrier_idd_as_plus(value, region), _double_zero_as_plus(value)):
        if rewritten is None:
            continue
        try:
            number = phonenumbers.parse(rewritten, None)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None


@lru_cache(maxsize=16_384)
def _double_zero_indicator(value: str, region: str) -> Indicator | None:
    number = _parse_double_zero(value, region)
    return None if number is None else _indicator(number)


def _indicator(number: PhoneNumber) -> Indicator:
    return Indicator(
        IndicatorType.PHONE,
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        phonenumbers.region_code_for_number(number),
    )


@lru_cache(maxsize=16_384)
def _glued_indicator(digits: str, region: str) -> Indicator | None:
    try:
        return PhoneKind().canonicalise(digits, ParseContext(region))
    except InvalidIndicatorError:
        return None


# "190.000.000 đồng", "Rp 2.500.000": thousands grouped with dots, no trunk prefix or plus.
# Nobody writes a phone number that way, and in Vietnamese and Indonesian text it is how
# amounts are written (a Vietnamese amount read as +84190000000 glued unrelated reports).
_DOT_GROUPED_AMOUNT = re.compile(r"[1-9]\d{0,2}(?:\.\d{3}){2,}", re.ASCII)


def _written_as_amount(written: str) -> bool:
    return _DOT_GROUPED_AMOUNT.fullmatch(written) is not None


def _after_code_word(text: str, start: int) -> bool:
    before = text[max(0, start - _CODE_LOOKBEHIND) : start]
    return bool(before) and _CODE_BEFORE.search(before) is not None


class PhoneKind:
    """Phone numbers in E.164, read with the node's region for local formats."""

    type = IndicatorType.PHONE

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        value = to_ascii_digits(raw.strip())
        fast = _fast_parse(value, context.default_region)
        if fast is not None:
            return _indicator(fast)
        try:
            number = phonenumbers.parse(value, context.default_region)
        except NumberParseException as error:
            reason = _PARSE_REASONS.get(error.error_type, str(error))
        else:
            if phonenumbers.is_valid_number(number):
                return _indicator(number)
            reason = _invalid_reason(number)
        # Only after the region's own reading fails: "001 66…" is Thailand's IDD, "00 66…" not.
        alternative = _parse_double_zero(value, context.default_region)
        if alternative is not None:
            return _indicator(alternative)
        raise InvalidIndicatorError(raw, reason, IndicatorType.PHONE)

    def looks_like(self, raw: str) -> bool:
        value = to_ascii_digits(raw.strip())
        if _PHONE_SHAPE.fullmatch(value) is None or "+" in value[1:]:
            return False
        digits = len(_NON_DIGITS.sub("", value))
        return _MIN_DIGITS <= digits <= _MAX_DIGITS

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        seen = views(text)
        mapped = seen.mapped
        spans: list[tuple[int, int]] = []
        # What phonenumbers.PhoneNumberMatcher(mapped, region, Leniency.VALID) finds.
        numbers = find_numbers(mapped, context.default_region, digits=seen.digits)
        for start, end, indicator in numbers:
            spans.append((start, end))
            if mapped[start] == "(" and ")" not in mapped[start:end]:
                # The matcher keeps an opening bracket whose closing one it left out.
                start += 1
            if not _after_code_word(mapped, start) and not _written_as_amount(mapped[start:end]):
                yield FoundIndicator(indicator, text[start:end], start, end)
        if "00" in mapped:
            yield from self._find_double_zero(text, mapped, spans, context.default_region)
        yield from self._find_glued(text, mapped, spans, context.default_region)

    def _find_glued(
        self, text: str, mapped: str, taken: list[tuple[int, int]], region: str
    ) -> Iterator[FoundIndicator]:
        for match in _GLUED_NUMBER.finditer(mapped):
            start, end = match.span()
            letter_before = start > 0 and mapped[start - 1].isalpha()
            letter_after = end < len(mapped) and mapped[end].isalpha()
            # Letters on both sides make a code (parcel "EP123456789MY"); a number glued to a
            # word is written in full, with its trunk or international prefix.
            if letter_before == letter_after or mapped[start] not in "0+":
                continue
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            indicator = _glued_indicator(match.group(), region)
            if indicator is not None and not _after_code_word(mapped, start):
                yield FoundIndicator(indicator, text[start:end], start, end)

    def _find_double_zero(
        self, text: str, mapped: str, taken: list[tuple[int, int]], region: str
    ) -> Iterator[FoundIndicator]:
        for match in _DOUBLE_ZERO_CANDIDATE.finditer(mapped):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            indicator = _double_zero_indicator(match.group(), region)
            if indicator is not None and not _after_code_word(mapped, start):
                yield FoundIndicator(indicator, text[start:end], start, end)
