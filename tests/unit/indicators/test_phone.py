"""Phone numbers: E.164 canonical form, local scripts, numbering-plan validation, extraction."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import assume, given, reject, settings
from hypothesis import strategies as st

from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext
from scamintel.indicators.phone import PhoneKind, to_ascii_digits

THAILAND = ParseContext("TH")
THAI_MOBILE = "+66812345678"


@pytest.fixture(scope="module")
def kind() -> PhoneKind:
    return PhoneKind()


def test_thai_local_number_with_dashes_becomes_e164(kind: PhoneKind) -> None:
    indicator = kind.canonicalise("081-234-5678", THAILAND)

    assert indicator.type is IndicatorType.PHONE
    assert indicator.value == THAI_MOBILE
    assert indicator.country == "TH"


@pytest.mark.parametrize(
    "raw",
    [
        "0812345678",
        "081 234 5678",
        "081.234.5678",
        "(081) 234-5678",
        "+66 81 234 5678",
        "+66-81-234-5678",
        "+66 (0)81 234 5678",
        "00 66 81 234 5678",
        "0066812345678",
        "001 66 81 234 5678",
        "001-66-812345678",
        "66812345678",
        "  081-234-5678  ",
    ],
)
def test_local_international_and_idd_forms_of_one_thai_number_agree(
    kind: PhoneKind, raw: str
) -> None:
    assert kind.canonicalise(raw, THAILAND).value == THAI_MOBILE


@pytest.mark.parametrize(
    "raw",
    ["０８１-２３４-５６７８", "๐๘๑-๒๓๔-๕๖๗๘", "＋６６ ８１ ２３４ ５６７８", "๐๘๑๒๓๔๕๖๗๘"],
)
def test_full_width_and_thai_digits_read_as_ascii(kind: PhoneKind, raw: str) -> None:
    assert kind.canonicalise(raw, THAILAND).value == THAI_MOBILE


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("၀၉ ၂၁၂ ၃၄၅၆", "MM", "+9592123456"),
        ("០៩១ ២៣៤ ៥៦៧", "KH", "+85591234567"),
        ("໐໒໐ ໒໓ ໑໒໓ ໔໕໖", "LA", "+8562023123456"),
    ],
)
def test_burmese_khmer_and_lao_digits_read_in_their_country(
    kind: PhoneKind, raw: str, region: str, expected: str
) -> None:
    indicator = kind.canonicalise(raw, ParseContext(region))

    assert indicator.value == expected
    assert indicator.country == region


def test_local_number_is_read_in_the_context_region(kind: PhoneKind) -> None:
    assert kind.canonicalise("0912 345 678", ParseContext("VN")).value == "+84912345678"
    assert kind.canonicalise("0905 123 4567", ParseContext("PH")).value == "+639051234567"


def test_country_is_the_region_of_the_number_not_of_the_context(kind: PhoneKind) -> None:
    indicator = kind.canonicalise("+855 12 345 678", THAILAND)

    assert indicator.value == "+85512345678"
    assert indicator.country == "KH"


def test_number_outside_thailands_plan_is_rejected_with_the_plan_named(kind: PhoneKind) -> None:
    with pytest.raises(InvalidIndicatorError) as caught:
        kind.canonicalise("012 345 678", THAILAND)

    assert caught.value.reason == "not a valid number in Thailand's numbering plan"
    assert caught.value.indicator_type is IndicatorType.PHONE
    assert caught.value.raw == "012 345 678"


def test_too_short_number_says_so(kind: PhoneKind) -> None:
    with pytest.raises(InvalidIndicatorError, match="too short for Thailand's numbering plan"):
        kind.canonicalise("+66 1234567", THAILAND)


def test_unknown_country_code_is_rejected(kind: PhoneKind) -> None:
    with pytest.raises(InvalidIndicatorError, match="known country code"):
        kind.canonicalise("+999 1234567", THAILAND)


def test_text_without_a_number_is_rejected(kind: PhoneKind) -> None:
    with pytest.raises(InvalidIndicatorError, match="does not contain a phone number"):
        kind.canonicalise("call me maybe", THAILAND)


def test_local_digits_are_mapped_one_character_for_one() -> None:
    text = "โทร ๐๘๑-๒๓๔-๕๖๗๘ ၀၉ ០៩ ໐໒ ０８"

    mapped = to_ascii_digits(text)

    assert len(mapped) == len(text)
    assert mapped == "โทร 081-234-5678 09 09 02 08"


@pytest.mark.parametrize(
    "raw", ["081-234-5678", "+66 (0)81 234 5678", "๐๘๑๒๓๔๕๖๗๘", "+855 12 345 678", "123456"]
)
def test_looks_like_accepts_digits_and_phone_punctuation(kind: PhoneKind, raw: str) -> None:
    assert kind.looks_like(raw)


@pytest.mark.parametrize(
    "raw",
    ["12345", "kbank.com", "081-234-5678 ext 9", "66+812345678", "1" * 21, "LINE ID: 0812345678"],
)
def test_looks_like_refuses_short_long_or_lettered_values(kind: PhoneKind, raw: str) -> None:
    assert not kind.looks_like(raw)


def test_find_keeps_offsets_into_the_original_thai_text(kind: PhoneKind) -> None:
    text = "ด่วน! โทร ๐๘๑-๒๓๔-๕๖๗๘ หรือ 02-123-4567 ครับ"

    found = sorted(kind.find(text, THAILAND), key=lambda item: item.start)

    assert [(f.raw, f.indicator.value) for f in found] == [
        ("๐๘๑-๒๓๔-๕๖๗๘", THAI_MOBILE),
        ("02-123-4567", "+6621234567"),
    ]
    for item in found:
        assert text[item.start : item.end] == item.raw


def test_find_reads_double_zero_international_prefix(kind: PhoneKind) -> None:
    text = "call 00 66 81 234 5678 now"

    [found] = kind.find(text, THAILAND)

    assert found.raw == "00 66 81 234 5678"
    assert (found.start, found.end) == (5, 22)
    assert found.indicator.value == THAI_MOBILE


def test_find_skips_numbers_invalid_in_the_plan(kind: PhoneKind) -> None:
    assert list(kind.find("order 1234567890 ref 012 345 678", THAILAND)) == []


_thai_mobile_digits = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["06", "08", "09"]),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(digits=_thai_mobile_digits, separator=st.sampled_from(["", " ", "-", "."]))
def test_canonicalising_a_canonical_phone_returns_it_unchanged(digits: str, separator: str) -> None:
    kind = PhoneKind()
    raw = separator.join([digits[:3], digits[3:6], digits[6:]])
    try:
        canonical = kind.canonicalise(raw, THAILAND)
    except InvalidIndicatorError:
        reject()
    assert kind.canonicalise(canonical.value, THAILAND) == canonical
    assert kind.canonicalise(canonical.value, ParseContext("MY")) == canonical


def _numbers_in_every_plan() -> st.SearchStrategy[tuple[str, str]]:
    def written(region: str, number_type: int, style: int, edits: list[tuple[int, int]]) -> str:
        example = phonenumbers.example_number_for_type(region, number_type)
        if example is None:
            return ""
        chars = list(phonenumbers.format_number(example, style))
        positions = [i for i, char in enumerate(chars) if char.isdigit()]
        for index, digit in edits:
            chars[positions[index % len(positions)]] = str(digit)
        return "".join(chars)

    regions = st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS))
    types = st.sampled_from(
        [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
    )
    styles = st.sampled_from(
        [
            phonenumbers.PhoneNumberFormat.E164,
            phonenumbers.PhoneNumberFormat.NATIONAL,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        ]
    )
    edits = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 9)), max_size=2)
    return st.tuples(regions, types, styles, edits).map(lambda args: (args[0], written(*args)))


@settings(max_examples=300, deadline=None)
@given(case=_numbers_in_every_plan())
def test_canonical_form_agrees_with_phonenumbers_in_every_numbering_plan(
    case: tuple[str, str],
) -> None:
    region, raw = case
    assume(raw)
    try:
        expected = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        reject()
    assume(phonenumbers.is_valid_number(expected))

    indicator = PhoneKind().canonicalise(raw, ParseContext(region))

    assert indicator.value == phonenumbers.format_number(
        expected, phonenumbers.PhoneNumberFormat.E164
    )
    assert indicator.country == phonenumbers.region_code_for_number(expected)
