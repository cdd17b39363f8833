"""Properties every indicator type keeps, checked on generated values and texts.

- Canonicalising is idempotent: a canonical value reads back as itself.
- A canonical value written in any style people use reads back as the same value.
- Extraction points at what is written: ``raw == text[start:end]``, findings in reading order
  and never overlapping, and each raw reads back (through the check) as the value found.
"""

from __future__ import annotations

from functools import cache

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from scamintel.indicators import IndicatorType, ParseContext, default_registry

ASEAN = ("TH", "MM", "KH", "LA", "VN", "MY", "SG", "ID", "PH", "BN")
# The zero of the digits each country's own script writes numbers in.
LOCAL_ZERO = {"TH": 0x0E50, "MM": 0x1040, "KH": 0x17E0, "LA": 0x0ED0}
FULL_WIDTH_ZERO = 0xFF10
# How each country dials out, besides "00" and "+".
IDD_PREFIX = {"TH": "001", "KH": "001", "ID": "001", "SG": "001"}


@cache
def example_numbers() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    numbers = []
    for region in ASEAN:
        for number_type in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE):
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is not None:
                numbers.append((region, number))
    return numbers


def in_script(text: str, zero: int) -> str:
    return "".join(chr(zero + int(char)) if char.isdigit() else char for char in text)


@st.composite
def written_phone(draw: st.DrawFn) -> tuple[str, str, str]:
    """(region, canonical E.164, the number as someone in the region might write it)."""
    region, number = draw(st.sampled_from(example_numbers()))
    canonical = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    style = draw(st.sampled_from(["national", "international", "idd", "e164"]))
    if style == "national":
        written = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    elif style == "international":
        written = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    elif style == "idd":
        prefix = draw(st.sampled_from(["00", IDD_PREFIX.get(region, "00")]))
        written = f"{prefix} {canonical[1:]}"
    else:
        written = canonical
    separator = draw(st.sampled_from([None, "-", ".", "", " "]))
    if separator is not None:
        written = written.replace(" ", separator)
    digits = draw(st.sampled_from(["ascii", "local", "full-width"]))
    if digits == "local" and region in LOCAL_ZERO:
        written = in_script(written, LOCAL_ZERO[region])
    elif digits == "full-width":
        written = in_script(written, FULL_WIDTH_ZERO).replace("+", "＋")
    return region, canonical, written


@settings(max_examples=300, deadline=None)
@given(case=written_phone())
def test_a_phone_number_in_any_written_style_reads_back_to_its_e164(
    case: tuple[str, str, str],
) -> None:
    region, canonical, written = case
    registry = default_registry()

    read = registry.canonicalise(written, IndicatorType.PHONE, ParseContext(region))

    assert read.value == canonical
    assert registry.canonicalise(read.value, IndicatorType.PHONE, ParseContext(region)) == read


_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=2, max_size=12).filter(
    lambda label: not label[0].isdigit()
)
_TLD = st.sampled_from(["com", "net", "org", "co.th", "com.my", "vn", "top", "xyz", "info"])
_PATH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_"
_PATH = st.lists(st.text(_PATH_CHARS, min_size=1), max_size=3)


@st.composite
def written_link(draw: st.DrawFn) -> tuple[str, str]:
    """(canonical URL, the link as written: defanged, capitalised, with default port…)."""
    scheme = draw(st.sampled_from(["http", "https"]))
    host = f"{draw(_LABEL)}-{draw(_LABEL)}.{draw(_TLD)}"
    path = "/" + "/".join(draw(_PATH))
    canonical = f"{scheme}://{host}{path}"
    written_host = host.upper() if draw(st.booleans()) else host
    dot = draw(st.sampled_from([".", "[.]", "(.)", "[dot]", "(dot)"]))
    written_host = written_host.replace(".", dot)
    written_scheme = {"http": "hxxp", "https": "hxxps"}[scheme] if draw(st.booleans()) else scheme
    port = {"http": ":80", "https": ":443"}[scheme] if draw(st.booleans()) else ""
    fragment = "#top" if draw(st.booleans()) else ""
    return canonical, f"{written_scheme.upper()}://{written_host}{port}{path}{fragment}"


@settings(max_examples=300, deadline=None)
@given(case=written_link())
def test_a_link_in_any_written_style_reads_back_to_its_canonical_url(
    case: tuple[str, str],
) -> None:
    canonical, written = case
    registry = default_registry()

    read = registry.canonicalise(written, IndicatorType.URL, ParseContext("TH"))

    assert read.value == canonical
    assert registry.canonicalise(read.value, IndicatorType.URL, ParseContext("TH")) == read


# Pieces of scam messages: indicators in many written styles, and the noise around them.
_FRAGMENTS = [
    "โอนเข้าบัญชี กสิกร 123-4-56789-0",
    "Maybank acc 1122 3344 5566",
    "BNI a/n Siti Rahma norek 0248147033",
    "โทร ๐๘๑-๒๓๔-๕๖๗๘",
    "call +66 81 234 5678",
    "001 66 81 234 5678",
    "012-345 6789",
    "TrueMoney 0812345678",
    "GCash: 0917 123 4567",
    "LINE ID: scam_boss",
    "t.me/crypto_helpdesk",
    "wa.me/60123456789",
    "WhatsApp at +63 917 123 4567",
    "hxxps://kbank-secure[.]com/login",
    "www.thaipost-th.top",
    "tng-angpow(dot)com/claim",
    "kbank dot co dot th",
    "kbаnk.com",
    "ｈｔｔｐｓ：／／ｓｃａｍ．ｃｏｍ／ｘ",
    "support@kbank-help.com",
    "TRC20: TMuA6YqfCeX8EhbfYEg5y7S4DqzSJireY9",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "IMEI: 35-209900-176148-1",
    "server 203.0.113.45",
    "OTP 482913",
    "Order #20261128-7731",
    "28/11/2026 14:30",
    "Rp 1.250.000",
    "฿5,700.00",
    "EP123456789MY",
    "Ma giao dich 2323256250",
    "ကျေးဇူးပြု၍ ငွေလွှဲပါ",
    "សូមផ្ទេរប្រាក់",
    "ກະລຸນາໂອນເງິນ",
    "\u200b",
    "\u202e",
    "(",
    ")",
    "[.]",
    ".",
    "/",
    "-",
    ":",
    "@",
]
_GLUE = st.sampled_from([" ", "", "\n", ", ", " - ", "\u200b", "。"])
_texts = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=8)), max_size=12).flatmap(
    lambda pieces: st.lists(_GLUE, min_size=len(pieces), max_size=len(pieces)).map(
        lambda glue: "".join(piece + joint for piece, joint in zip(pieces, glue, strict=True))
    )
)


@settings(max_examples=400, deadline=None)
@given(text=_texts, region=st.sampled_from(ASEAN))
def test_extraction_points_at_what_is_written_and_reads_back(text: str, region: str) -> None:
    registry = default_registry()
    context = ParseContext(region)

    found = registry.extract(text, context)

    previous_end = 0
    for item in found:
        assert item.raw == text[item.start : item.end]
        assert previous_end <= item.start < item.end
        previous_end = item.end
        indicator = item.indicator
        assert registry.canonicalise(indicator.value, indicator.type, context) == indicator
        assert registry.canonicalise(item.raw, indicator.type, context).value == indicator.value


@pytest.mark.parametrize("fragment", _FRAGMENTS)
def test_every_fragment_alone_is_read_the_same_way_twice(fragment: str) -> None:
    registry = default_registry()

    first = registry.extract(fragment, ParseContext("TH"))

    assert registry.extract(fragment, ParseContext("TH")) == first
