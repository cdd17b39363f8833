"""Phone numbers in free text, found exactly as ``phonenumbers.PhoneNumberMatcher`` (leniency
VALID) finds them, at a fraction of the cost.

The matcher spends its time in two places: its candidate pattern, tried at every position of
the text, and ``phonenumbers.parse`` (~35 µs) for every candidate and every piece of one. Here
the candidate pattern is tried only where a candidate can start (a digit, a plus or an opening
bracket), what the matcher decides for a candidate is remembered (it depends only on the
candidate, the region and whether the characters around it are letters), and the numbers
almost every candidate is made of (digits, spaces, dashes and dots, maybe a leading plus) are
read straight from the numbering plan instead of through ``parse``, following ``parse`` step by
step and handing anything that strays from the plain path back to ``parse``.

The matcher's own patterns and helpers are imported, not copied, so this follows the installed
``phonenumbers``; tests compare the two on generated text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberFormat
from phonenumbers import phonenumbermatcher as _matcher
from phonenumbers import phonenumberutil as _util
from phonenumbers import re_util as _re_util
from phonenumbers.phonenumber import CountryCodeSource

from scamintel.indicators.model import Indicator, IndicatorType

# phonenumbers compiles the metadata's patterns on every use unless told to keep them (a third
# of the cost of is_valid_number and parse); newer releases can be told.
_keep_patterns = getattr(_re_util, "enable_pattern_cache", None)
if _keep_patterns is not None:
    _keep_patterns()

# The matcher's building blocks (phonenumbers/phonenumbermatcher.py).
_PATTERN: Final[re.Pattern[str]] = _matcher._PATTERN
_MATCHING_BRACKETS: Final[re.Pattern[str]] = _matcher._MATCHING_BRACKETS
_PUB_PAGES: Final[re.Pattern[str]] = _matcher._PUB_PAGES
_SLASH_SEPARATED_DATES: Final[re.Pattern[str]] = _matcher._SLASH_SEPARATED_DATES
_TIME_STAMPS: Final[re.Pattern[str]] = _matcher._TIME_STAMPS
_TIME_STAMPS_SUFFIX: Final[re.Pattern[str]] = _matcher._TIME_STAMPS_SUFFIX
_LEAD_PATTERN: Final[re.Pattern[str]] = _matcher._LEAD_PATTERN
_INNER_MATCHES: Final[tuple[re.Pattern[str], ...]] = tuple(_matcher._INNER_MATCHES)
_SECOND_NUMBER_START: Final[re.Pattern[str]] = _util._SECOND_NUMBER_START_PATTERN
_UNWANTED_END_CHARS: Final[re.Pattern[str]] = _util._UNWANTED_END_CHAR_PATTERN
_MATCHER = _matcher.PhoneNumberMatcher
_VERIFIER = _MATCHER("", "ZZ")  # _verify wants a matcher; at leniency VALID it never reads it
_MAX_TRIES: Final = 65535  # PhoneNumberMatcher's default max_tries
_MAX_INPUT_LENGTH: Final[int] = _util._MAX_INPUT_STRING_LENGTH
_MIN_NSN: Final[int] = _util._MIN_LENGTH_FOR_NSN
_MAX_NSN: Final[int] = _util._MAX_LENGTH_FOR_NSN

_LEAD_CHARS: Final = tuple(_matcher._LEAD_CLASS_CHARS.replace("\\", ""))


def _leads(text: str) -> list[int]:
    """Where the lead characters (pluses and opening brackets) are, ascending."""
    found: list[int] = []
    for char in _LEAD_CHARS if not text.isascii() else _ASCII_LEAD_CHARS:
        at = text.find(char)
        while at >= 0:
            found.append(at)
            at = text.find(char, at + 1)
    found.sort()
    return found


_ASCII_LEAD_CHARS: Final = tuple(char for char in _LEAD_CHARS if char.isascii())

# A number written with ASCII digits and the common separators, maybe one leading plus: what
# parse makes of it depends only on its digits and the plus.
_PLAIN_NUMBER = re.compile(r"(\+?)([0-9][0-9 .\-]*)")
_NOT_DIGIT = re.compile(r"[^0-9]")


_BAD_NEIGHBOURS: dict[str, bool] = {}


def _bad_neighbour(char: str) -> bool:
    """A letter or a currency or percent sign next to a number: not a phone number then."""
    bad = _BAD_NEIGHBOURS.get(char)
    if bad is None:
        bad = bool(_MATCHER._is_invalid_punctuation_symbol(char) or _MATCHER._is_latin_letter(char))
        if len(_BAD_NEIGHBOURS) < 4_096:
            _BAD_NEIGHBOURS[char] = bad
    return bad


def _trim_after(pattern: re.Pattern[str], candidate: str) -> str:
    found = pattern.search(candidate)
    return candidate[: found.start()] if found else candidate


@dataclass(frozen=True, slots=True)
class _Found:
    offset: int  # into the candidate
    raw: str
    indicator: Indicator


class _Unknown:
    """The plain reading cannot tell: ask phonenumbers.parse."""


_UNKNOWN: Final = _Unknown()


def find_numbers(
    text: str, region: str, *, digits: bytes | None = None
) -> Iterator[tuple[int, int, Indicator]]:
    """(start, end, indicator) of every number PhoneNumberMatcher(text, region, VALID) finds.

    ``digits``: the text one byte a character, "0" where it has a digit (``\\d``) and a space
    elsewhere, which speeds up finding them."""
    # The matcher's loop (PhoneNumberMatcher._find and has_next), tuned: it runs for every
    # run of digits in every report.
    if digits is None:
        digits = _digit_bytes(text)
    # _PATTERN.search(text, index) is, of the places _PATTERN matches at, the first at or after
    # index. It matches at every digit; the other places it may match at are lead characters
    # (pluses, opening brackets), and few texts have any.
    next_digit = digits.find
    match_at = _PATTERN.match
    leads = _leads(text)
    lead_index = 0  # the leads before it are behind every index searched from since
    skip_short = _short_runs_never_match(region)
    neighbours = _BAD_NEIGHBOURS
    size = len(text)
    # The matcher gives up once candidates and their pieces that are not numbers have used
    # up max_tries; what it decides for a candidate is remembered while enough are left.
    tries = _MAX_TRIES
    index = 0
    while tries > 0:
        first_digit = next_digit(b"0", index)
        if first_digit < 0:
            first_digit = size
        match = None
        while lead_index < len(leads) and leads[lead_index] < first_digit:
            lead = leads[lead_index]
            lead_index += 1
            if lead >= index:
                match = match_at(text, lead)
                if match is not None:
                    break
        if match is None:
            if first_digit == size:
                return
            match = match_at(text, first_digit)
            assert match is not None  # _PATTERN matches at every digit
        start, end = match.span()
        if skip_short and end - start <= _SHORT_RUN and digits.find(b" ", start, end) < 0:
            # One to three digits: no number in any numbering plan, and no piece to try.
            tries -= 1
            index = end
            continue
        candidate = text[start:end]
        if "/" in candidate or "\\" in candidate:
            candidate = _trim_after(_SECOND_NUMBER_START, candidate)
            end = start + len(candidate)
        # What the matcher makes of a candidate depends on it, the region, the characters
        # either side of it and, for a time stamp, whether minutes follow.
        prev_bad = False
        if start > 0:
            before = text[start - 1]
            known = neighbours.get(before)
            prev_bad = _bad_neighbour(before) if known is None else known
        next_bad = minutes = False
        if end < size:
            after = text[end]
            known = neighbours.get(after)
            next_bad = _bad_neighbour(after) if known is None else known
            minutes = after == ":" and _TIME_STAMPS_SUFFIX.match(text, end) is not None
        if tries > _TRIES_PER_CHARACTER * (len(candidate) + 1):
            found, used = _extract_cached(candidate, region, prev_bad, next_bad, minutes)
        else:
            found, used = _extract_candidate(candidate, region, prev_bad, next_bad, minutes, tries)
        tries -= used
        if found is None:
            tries -= 1
            index = end
            continue
        start += found.offset
        index = start + len(found.raw)
        yield start, index, found.indicator


_DIGIT_AS_ZERO: Final = re.compile(r"\d")


def _digit_bytes(text: str) -> bytes:
    """The text one byte a character: "0" where ``\\d`` matches, a space elsewhere."""
    marks = bytearray(b" " * len(text))
    for digit in _DIGIT_AS_ZERO.finditer(text):
        marks[digit.start()] = 48
    return bytes(marks)


_SHORT_RUN: Final = 3


@cache
def _short_runs_never_match(region: str) -> bool:
    """Whether no run of at most three digits can hold a valid number read in ``region``.

    After an international prefix, at most two digits are left: too few for parse. Read as
    a national number, it can only grow by the digits its plan's prefix rewrite adds, and it
    is valid only if as long as a number of the plan's calling code can be."""
    plan = _region_plan(region)
    if plan is None:
        return region not in phonenumbers.SUPPORTED_REGIONS  # parse refuses them all then
    added = sum(char.isdigit() for char in plan.metadata.national_prefix_transform_rule or "")
    shortest = min(
        (min(lengths, default=1) for lengths, _ in _general_descs(plan.country_code)), default=1
    )
    return _SHORT_RUN + added < shortest


# With more tries left than this times a candidate's length plus one, the limit cannot bite
# while the candidate is read (each inner pattern spends at most two per position).
_TRIES_PER_CHARACTER: Final = 2 * len(_INNER_MATCHES) + 1


@lru_cache(maxsize=32_768)
def _extract_cached(
    candidate: str, region: str, prev_bad: bool, next_bad: bool, minutes: bool
) -> tuple[_Found | None, int]:
    return _extract_candidate(candidate, region, prev_bad, next_bad, minutes, _MAX_TRIES + 1)


def _extract_candidate(
    candidate: str, region: str, prev_bad: bool, next_bad: bool, minutes: bool, tries: int
) -> tuple[_Found | None, int]:
    """PhoneNumberMatcher._extract_match: the match in the candidate and the tries spent.

    ``prev_bad``/``next_bad``: the character before/after the candidate rules out a number
    starting/ending there; ``minutes``: ":mm" follows the candidate.
    """
    # Skip a match that is more likely a publication page reference or a date.
    if _SLASH_SEPARATED_DATES.search(candidate):
        return None, 0
    # Skip potential time-stamps.
    if minutes and _TIME_STAMPS.search(candidate):
        return None, 0
    found = _parse_and_verify(candidate, candidate, 0, region, prev_bad, next_bad)
    if found is not None:
        return found, 0
    # No number in the whole candidate: maybe in a part of it.
    used = 0
    for inner in _INNER_MATCHES:
        group_match = inner.search(candidate)
        is_first_match = True
        while group_match and tries - used > 0:
            if is_first_match:
                # Any group before this one too.
                group = _trim_after(_UNWANTED_END_CHARS, candidate[: group_match.start()])
                found = _parse_and_verify(candidate, group, 0, region, prev_bad, next_bad)
                if found is not None:
                    return found, used
                used += 1
                is_first_match = False
            group = _trim_after(_UNWANTED_END_CHARS, group_match.group(1))
            found = _parse_and_verify(
                candidate, group, group_match.start(1), region, prev_bad, next_bad
            )
            if found is not None:
                return found, used
            used += 1
            group_match = inner.search(candidate, group_match.start() + 1)
    return None, used


def _parse_and_verify(
    candidate: str, group: str, offset: int, region: str, prev_bad: bool, next_bad: bool
) -> _Found | None:
    """PhoneNumberMatcher._parse_and_verify for ``group`` at ``offset`` in the candidate."""
    if not _MATCHING_BRACKETS.fullmatch(group) or _PUB_PAGES.search(group):
        return None
    # Numbers run into Latin letters (abc8005001234, 8005001234def) are not numbers.
    if not _LEAD_PATTERN.match(group):
        if offset > 0:
            if _bad_neighbour(candidate[offset - 1]):
                return None
        elif prev_bad:
            return None
    after = offset + len(group)
    if after < len(candidate):
        if _bad_neighbour(candidate[after]):
            return None
    elif next_bad:
        return None
    indicator = _verdict(group, region)
    return None if indicator is None else _Found(offset, group, indicator)


def _verdict(group: str, region: str) -> Indicator | None:
    """The number ``group`` is when parse(group, region) gives a VALID-leniency match."""
    plain = _PLAIN_NUMBER.fullmatch(group)
    if plain is None or len(group) > _MAX_INPUT_LENGTH:
        return _parsed_verdict(group, region)
    return _plain_verdict(bool(plain[1]), _NOT_DIGIT.sub("", plain[2]), region, group)


@lru_cache(maxsize=8_192)
def _parsed_verdict(group: str, region: str) -> Indicator | None:
    try:
        number = phonenumbers.parse(group, region, keep_raw_input=True)
    except NumberParseException:
        return None
    if not _matcher._verify(_matcher.Leniency.VALID, number, group, _VERIFIER):
        return None
    # As the matcher hands its matches out.
    number.country_code_source = CountryCodeSource.UNSPECIFIED
    number.raw_input = None
    number.preferred_domestic_carrier_code = None
    return Indicator(
        IndicatorType.PHONE,
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        phonenumbers.region_code_for_number(number),
    )


_plain_cache: dict[tuple[bool, str, str], Indicator | None] = {}
_PLAIN_CACHE_SIZE: Final = 32_768


def _plain_verdict(plus: bool, digits: str, region: str, group: str) -> Indicator | None:
    key = (plus, digits, region)
    try:
        return _plain_cache[key]
    except KeyError:
        pass
    result = _read_plain(plus, digits, region)
    verdict = _parsed_verdict(group, region) if isinstance(result, _Unknown) else result
    if len(_plain_cache) >= _PLAIN_CACHE_SIZE:
        _plain_cache.clear()
    _plain_cache[key] = verdict
    return verdict


# --- Reading a plain number from the numbering plan, as parse would -------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    metadata: PhoneMetadata
    country_code: int
    idd: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None
    literal_prefix: str | None  # the national prefix when it is plain digits
    transforms: bool  # a national prefix transform rule: parse rewrites the number
    lengths: tuple[int, ...]
    local_lengths: tuple[int, ...]
    general: re.Pattern[str]


def _make_plan(metadata: PhoneMetadata | None) -> _Plan | None:
    if metadata is None or metadata.country_code is None or metadata.general_desc is None:
        return None
    prefix = metadata.national_prefix_for_parsing or ""
    general = metadata.general_desc
    return _Plan(
        metadata=metadata,
        country_code=metadata.country_code,
        idd=re.compile(metadata.international_prefix) if metadata.international_prefix else None,
        national_prefix=re.compile(prefix) if prefix else None,
        literal_prefix=prefix if prefix.isdigit() else None,
        transforms=bool(metadata.national_prefix_transform_rule),
        lengths=tuple(general.possible_length),
        local_lengths=tuple(general.possible_length_local_only),
        general=re.compile(general.national_number_pattern or "(?!)"),
    )


@cache
def _region_plan(region: str) -> _Plan | None:
    if region not in phonenumbers.SUPPORTED_REGIONS:
        return None  # parse refuses numbers without a plus then
    return _make_plan(PhoneMetadata.metadata_for_region(region.upper(), None))


@cache
def _calling_code_plan(country_code: int) -> _Plan | None:
    """The plan parse reads a number with this calling code in (its main region's)."""
    region = phonenumbers.region_code_for_country_code(country_code)
    return _make_plan(PhoneMetadata.metadata_for_region_or_calling_code(country_code, region))


@cache
def _general_descs(country_code: int) -> tuple[tuple[frozenset[int], re.Pattern[str]], ...]:
    """(possible lengths, pattern) of every plan sharing the calling code."""
    descs = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
        if metadata is not None and metadata.general_desc is not None:
            general = metadata.general_desc
            descs.append(
                (
                    frozenset(general.possible_length),
                    re.compile(general.national_number_pattern or "(?!)"),
                )
            )
    return tuple(descs)


def _could_be_valid(national: str, country_code: int) -> bool:
    """A number is valid only if its national number fits a general description of its code."""
    if not _MIN_NSN <= len(national) <= _MAX_NSN:
        return False
    return any(
        (not lengths or len(national) in lengths) and pattern.fullmatch(national) is not None
        for lengths, pattern in _general_descs(country_code)
    )


def _split_calling_code(digits: str) -> tuple[int, str] | None:
    """phonenumberutil._extract_country_code: the first known code, else None."""
    if not digits or digits[0] == "0":
        return None
    for length in range(1, min(len(digits), 3) + 1):
        country_code = int(digits[:length])
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return country_code, digits[length:]
    return None


def _strip(plan: _Plan, number: str) -> str:
    """The number less what the national prefix pattern matches at its start (no transform)."""
    if plan.national_prefix is None:
        return number
    found = plan.national_prefix.match(number)
    return number[found.end() :] if found else number


def _none_valid(plan: _Plan, numbers: set[str]) -> bool:
    """Whether no national number parse could arrive at from these is valid (numbers given
    with and without whatever prefixes parse might strip)."""
    return not any(_could_be_valid(n, plan.country_code) for n in numbers)


def _length_kept(plan: _Plan, national: str) -> bool:
    """parse keeps a stripped national number unless its length is too short, local only or
    invalid for the plan (phonenumberutil._test_number_length)."""
    length = len(national)
    if length in plan.local_lengths or not plan.lengths:
        return False
    if length < plan.lengths[0]:
        return False
    return length > plan.lengths[-1] or length in plan.lengths


def _read_plain(plus: bool, digits: str, region: str) -> Indicator | _Unknown | None:
    """What parse and the VALID check make of a plain number, or _UNKNOWN to ask them."""
    if plus:
        return _read_international(digits)
    plan = _region_plan(region)
    if plan is None or plan.transforms:
        return _UNKNOWN
    if plan.idd is not None:
        idd = plan.idd.match(digits)
        # parse takes the prefix for an IDD unless a 0 follows it.
        if idd is not None and digits[idd.end() : idd.end() + 1] != "0":
            return _read_after_idd(digits[idd.end() :])
    return _read_national(plan, digits)


def _read_international(digits: str) -> Indicator | _Unknown | None:
    if len(digits) <= _MIN_NSN:
        return None  # too short after the plus (and not a viable number either)
    split = _split_calling_code(digits)
    if split is None:
        return _UNKNOWN  # parse tries again without the plus
    country_code, national = split
    plan = _calling_code_plan(country_code)
    if plan is None or plan.transforms:
        return _UNKNOWN
    if _none_valid(plan, {national, _strip(plan, national)}):
        return None
    if national.startswith("0") or (
        plan.national_prefix is not None and plan.national_prefix.match(national)
    ):
        return _UNKNOWN
    # Nothing to strip: the national number is what follows the calling code.
    return _valid(country_code, national, None)


def _read_after_idd(rest: str) -> Indicator | _Unknown | None:
    if len(rest) <= _MIN_NSN:
        return None  # too short after the IDD
    split = _split_calling_code(rest)
    if split is None:
        return None  # an unknown calling code after an IDD: parse gives up
    plan = _calling_code_plan(split[0])
    if plan is None or plan.transforms:
        return _UNKNOWN
    if _none_valid(plan, {split[1], _strip(plan, split[1])}):
        return None
    return _UNKNOWN


def _read_national(plan: _Plan, digits: str) -> Indicator | _Unknown | None:
    calling_code = str(plan.country_code)
    if digits.startswith(calling_code):
        # parse may take these digits for the calling code, and strip a prefix twice.
        rest = digits[len(calling_code) :]
        once = _strip(plan, rest)
        candidates = {digits, _strip(plan, digits), rest, once, _strip(plan, once)}
        return None if _none_valid(plan, candidates) else _UNKNOWN
    if plan.national_prefix is None:
        national = digits
    elif plan.literal_prefix is None:
        stripped = _strip(plan, digits)
        return None if _none_valid(plan, {digits, stripped}) else _UNKNOWN
    elif digits.startswith(plan.literal_prefix):
        # phonenumberutil._maybe_strip_national_prefix_carrier_code, then parse's length check.
        stripped = digits[len(plan.literal_prefix) :]
        national = stripped
        if plan.general.fullmatch(digits) and not plan.general.fullmatch(stripped):
            national = digits
        if not _length_kept(plan, national):
            national = digits
    else:
        national = digits
    if not _MIN_NSN <= len(national) <= _MAX_NSN:
        return None
    if national.startswith("0") and len(national) > 1:
        if not _could_be_valid(national, plan.country_code):
            return None
        return _UNKNOWN  # an Italian leading zero
    return _valid(plan.country_code, national, digits)


def _valid(country_code: int, national: str, raw_digits: str | None) -> Indicator | None:
    """The number if valid and, read without a calling code (``raw_digits`` given), written
    with the national prefix where its plan wants one (``national`` has no leading zero)."""
    if not _could_be_valid(national, country_code):
        return None
    region = _valid_region(country_code, national)
    if region is None:
        return None
    if raw_digits is not None and not _prefix_written(country_code, national, raw_digits):
        return None
    return Indicator(IndicatorType.PHONE, f"+{country_code}{national}", region)


# --- phonenumbers.is_valid_number and the matcher's national prefix check, precompiled -----
# (phonenumberutil.is_valid_number, _number_type_helper, _region_code_for_number_from_list;
# phonenumbermatcher._is_national_prefix_present_if_required), for a number without an
# Italian leading zero, whose national significant number is the digits given.

_Desc = tuple[frozenset[int], re.Pattern[str]] | None


def _desc(desc: object) -> _Desc:
    pattern = getattr(desc, "national_number_pattern", None)
    if desc is None or pattern is None:
        return None
    return frozenset(getattr(desc, "possible_length", ())), re.compile(pattern)


def _matches(desc: _Desc, national: str) -> bool:
    """phonenumberutil._is_number_matching_desc."""
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(national) not in lengths:
        return False
    return pattern.fullmatch(national) is not None


@dataclass(frozen=True, slots=True)
class _Types:
    general: _Desc
    types: tuple[_Desc, ...]  # fixed line, mobile unless alike, premium rate … voicemail
    leading_digits: re.Pattern[str] | None

    def known(self, national: str) -> bool:
        """_number_type_helper(national, metadata) is not UNKNOWN."""
        return _matches(self.general, national) and any(
            _matches(desc, national) for desc in self.types
        )


@cache
def _types(country_code: int, region: str) -> _Types | None:
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())
    if metadata is None:
        return None
    # Which type a number is does not matter, only that it is one: the common ones first.
    kinds = [metadata.fixed_line]
    if not metadata.same_mobile_and_fixed_line_pattern:
        kinds.append(metadata.mobile)
    kinds += [
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    ]
    leading = metadata.leading_digits
    return _Types(
        _desc(metadata.general_desc),
        tuple(_desc(kind) for kind in kinds),
        re.compile(leading) if leading is not None else None,
    )


def _valid_region(country_code: int, national: str) -> str | None:
    """The region of the number if it is valid (phonenumbers.is_valid_number), else None."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return None
    region: str | None = regions[0]
    if len(regions) > 1:
        # region_code_for_number: the first region its leading digits or its type say.
        region = None
        for candidate in regions:
            if PhoneMetadata.metadata_for_region(candidate.upper(), None) is None:
                continue
            plan = _types(country_code, candidate)
            if plan is None:
                continue
            if plan.leading_digits is not None:
                if plan.leading_digits.match(national):
                    region = candidate
                    break
            elif plan.known(national):
                region = candidate
                break
        if region is None:
            return None
    plan = _types(country_code, region)
    return region if plan is not None and plan.known(national) else None


@dataclass(frozen=True, slots=True)
class _Format:
    leading_digits: re.Pattern[str] | None
    pattern: re.Pattern[str]
    prefix_required: bool


@cache
def _formats(country_code: int) -> tuple[PhoneMetadata, tuple[_Format, ...]] | None:
    metadata = PhoneMetadata.metadata_for_region(
        phonenumbers.region_code_for_country_code(country_code), None
    )
    if metadata is None:
        return None
    formats = []
    for number_format in metadata.number_format:
        rule = number_format.national_prefix_formatting_rule
        leading = number_format.leading_digits_pattern
        formats.append(
            _Format(
                re.compile(leading[-1]) if leading else None,
                re.compile(number_format.pattern or "(?!)"),
                bool(rule)
                and not number_format.national_prefix_optional_when_formatting
                and not _util._formatting_rule_has_first_group_only(rule),
            )
        )
    return metadata, tuple(formats)


def _strips_prefix(country_code: int, metadata: PhoneMetadata, digits: str) -> bool:
    """_maybe_strip_national_prefix_carrier_code(digits, metadata)[2]: whether parse would
    take a national prefix (or carrier code) off the digits."""
    plan = _calling_code_plan(country_code)
    if plan is None or plan.metadata is not metadata or plan.transforms:
        return bool(_util._maybe_strip_national_prefix_carrier_code(digits, metadata)[2])
    if plan.national_prefix is None or not digits:
        return False
    prefix = plan.national_prefix.match(digits)
    if prefix is None:
        return False
    # Not when the digits were a viable number and are not once the prefix is off.
    return not (
        plan.general.fullmatch(digits) and not plan.general.fullmatch(digits[prefix.end() :])
    )


def _prefix_written(country_code: int, national: str, raw_digits: str) -> bool:
    """phonenumbermatcher._is_national_prefix_present_if_required for a number read with the
    default region's calling code from ``raw_digits``."""
    plan = _formats(country_code)
    if plan is None:
        return True
    metadata, formats = plan
    for number_format in formats:
        leading = number_format.leading_digits
        if (leading is None or leading.match(national)) and number_format.pattern.fullmatch(
            national
        ):
            # The first format the number takes says whether its prefix must be written.
            if not number_format.prefix_required:
                return True
            return _strips_prefix(country_code, metadata, raw_digits)
    return True
