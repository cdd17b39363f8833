"""IP addresses: IPv4 and IPv6 in ipaddress's compressed form, read strictly, and found in text
without taking version numbers, amounts, dates or times for addresses.

Addresses are from the documentation ranges (RFC 5737, RFC 3849)."""

from __future__ import annotations

import ipaddress
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamintel.indicators.ip import IpKind
from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext
from scamintel.indicators.registry import IndicatorRegistry, default_registry

THAILAND = ParseContext("TH")
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(scope="module")
def kind() -> IpKind:
    return IpKind()


@pytest.fixture(scope="module")
def registry() -> IndicatorRegistry:
    return default_registry()


def _found(kind: IpKind, text: str) -> list[tuple[str, str]]:
    return [(found.raw, found.indicator.value) for found in kind.find(text, THAILAND)]


# --- Canonical forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("  198.51.100.7 ", "198.51.100.7"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("203.0.113[.]9", "203.0.113.9"),
        ("203[.]0[.]113[.]9", "203.0.113.9"),
        ("203(.)0(.)113(.)9", "203.0.113.9"),
        ("203{.}0{.}113{.}9", "203.0.113.9"),
        ("203[dot]0[dot]113[dot]9", "203.0.113.9"),
        ("203 [.] 0 [.] 113 [.] 9", "203.0.113.9"),
        ("๒๐๓.๐.๑๑๓.๙", "203.0.113.9"),
        ("２０３.０.１１３.９", "203.0.113.9"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:db8[:]:1", "2001:db8::1"),
        ("fe80::1", "fe80::1"),
        ("::1", "::1"),
        ("::", "::"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:C000:0201", "192.0.2.1"),
    ],
)
def test_address_becomes_its_compressed_form(kind: IpKind, raw: str, canonical: str) -> None:
    indicator = kind.canonicalise(raw, THAILAND)

    assert indicator.type is IndicatorType.IP
    assert indicator.value == canonical
    assert indicator.country is None


@pytest.mark.parametrize(
    "private", ["10.0.0.1", "192.168.1.1", "127.0.0.1", "169.254.1.1", "fd00::1"]
)
def test_private_loopback_and_link_local_addresses_are_read_without_a_country(
    kind: IpKind, private: str
) -> None:
    indicator = kind.canonicalise(private, THAILAND)

    assert indicator.value == private
    assert indicator.country is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("010.1.1.1", "leading zero"),
        ("192.0.2.01", "leading zero"),
        ("192.0.2.256", "256 is out of range"),
        ("300.1.1.1", "300 is out of range"),
        ("10.0.19045.1", "19045 is out of range"),
        ("127.1", "four parts"),
        ("1.2.3.4.5", "four parts"),
        ("1.2.3.", "'' is not a decimal number"),
        ("1.2.x.4", "'x' is not a decimal number"),
        ("192.0.2.1:8080", "a port is not part of an IP address"),
        ("[2001:db8::1]:443", "a port is not part of an IP address"),
        ("192.0.2.0/24", "network"),
        ("2001:db8::/32", "network"),
        ("http://192.0.2.1/login", "check it as a url"),
        ("fe80::1%eth0", "zone"),
        ("2001:db8::1::2", "not an IPv6 address"),
        ("12:30:45", "not an IPv6 address"),
        ("2001:db8::g", "not an IPv6 address"),
        ("::ffff:010.1.1.1", "not an IPv6 address"),
    ],
)
def test_unreadable_addresses_are_refused_with_the_reason(
    kind: IpKind, raw: str, reason: str
) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason) as caught:
        kind.canonicalise(raw, THAILAND)

    assert caught.value.indicator_type is IndicatorType.IP


@pytest.mark.parametrize(
    "raw",
    [
        "192.0.2.1",
        "203.0.113[.]9",
        "010.1.1.1",
        "192.0.2.1:8080",
        "192.0.2.0/24",
        "2001:db8::1",
        "[2001:db8::1]",
        "[2001:db8::1]:443",
        "fe80::1%eth0",
        "::1",
    ],
)
def test_looks_like_addresses_and_near_misses_it_can_explain(kind: IpKind, raw: str) -> None:
    assert kind.looks_like(raw)


@pytest.mark.parametrize(
    "raw", ["0812345678", "kbank.com", "12.05.2024", "line:scam_boss", "https://x.com/", "12345"]
)
def test_looks_like_refuses_other_values(kind: IpKind, raw: str) -> None:
    assert not kind.looks_like(raw)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("203[.]0[.]113[.]9", "203.0.113.9"),
        ("2001:DB8::1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
    ],
)
def test_bare_address_is_detected_as_an_ip(
    registry: IndicatorRegistry, raw: str, canonical: str
) -> None:
    indicator = registry.canonicalise(raw, None, THAILAND)

    assert (indicator.type, indicator.value) == (IndicatorType.IP, canonical)
    assert registry.canonicalise(canonical, None, THAILAND) == indicator


def test_detection_reports_why_an_address_is_refused(registry: IndicatorRegistry) -> None:
    with pytest.raises(InvalidIndicatorError, match="as ip: '010' has a leading zero"):
        registry.canonicalise("010.1.1.1", None, THAILAND)


# --- Finding addresses in text -------------------------------------------------------------


def test_addresses_are_found_in_a_message(kind: IpKind) -> None:
    text = (
        "แอปดูดเงินส่งข้อมูลไปที่ 203.0.113.9, สำรอง 198[.]51[.]100[.]7 และ 2001:db8::beef; "
        "remote desktop 192.0.2.1:3389 (server [2001:db8:0:0:1:0:0:1]:443)."
    )

    assert _found(kind, text) == [
        ("203.0.113.9", "203.0.113.9"),
        ("198[.]51[.]100[.]7", "198.51.100.7"),
        ("2001:db8::beef", "2001:db8::beef"),
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
    ]


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("ip:192.0.2.1.", "192.0.2.1"),
        ("(192.0.2.1)", "192.0.2.1"),
        ("ไอพี192.0.2.1ค่ะ", "192.0.2.1"),
        ("range 192.0.2.1-192.0.2.20", "192.0.2.1"),
        ("192.0.2.1/198.51.100.7", "192.0.2.1"),
        ("open 192.0.2.1/login", "192.0.2.1"),
        ("203(.)0(.)113(.)9", "203(.)0(.)113(.)9"),
        ("203[dot]0[DOT]113[.]9", "203[dot]0[DOT]113[.]9"),
        ("๒๐๓.๐.๑๑๓.๙", "๒๐๓.๐.๑๑๓.๙"),
        (
            "IPv6: 2001:0DB8:0000:0000:0000:0000:0000:0001 blocked",
            "2001:0DB8:0000:0000:0000:0000:0000:0001",
        ),
        ("at 2001:db8::1: blocked", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("ff02::1", "ff02::1"),
        ("fd12:3456::1", "fd12:3456::1"),
        ("mapped ::ffff:192.0.2.1 too", "::ffff:192.0.2.1"),
    ],
)
def test_written_styles_are_found(kind: IpKind, text: str, raw: str) -> None:
    found = list(kind.find(text, THAILAND))

    assert [item.raw for item in found][:1] == [raw]
    assert found[0].indicator == kind.canonicalise(raw, THAILAND)


@pytest.mark.parametrize(
    "text",
    [
        # version numbers
        "v1.2.3.4",
        "update to version 10.0.19045.1",
        "version 10.0.0.1",
        "ver. 4.4.2.1 firmware 2.0.1.3",
        "Windows 10.0.0.1",
        "เวอร์ชัน 1.2.3.4",
        "phiên bản 1.2.3.4",
        "1.2.3.4.5 and 10.1.2.3.4",
        "5.1.2.3.4",
        "1[.]2[.]3[.]4[.]5",
        # sections
        "see section 1.2.3.4",
        "§ 4.1.2.3",
        "ข้อ 1.2.3.4",
        "Pasal 1.2.3.4",
        "Điều 1.2.3.4",
        # dates
        "12.05.2024",
        "on 2024.05.12 at 10.30",
        # amounts
        "1.234.567.890",
        "Rp 1.234.123.123",
        "Rp1.234.123.123",
        "Rp.1.200.100.100",
        "VND 1.200.100.100",
        "1.200.100.100đ",
        "1.200.100.100 ₫",
        "1.200.100.100 đồng",
        "$1.200.100.100",
        "RM 1.200.100.100",
        "฿1.200.100.100",
        "1.200.100.100 บาท",
        "โอน 1.200.100.100บาท",
        "1.200.100.100,00",
        "1.200.100.100,-",
        "2.500.000.000",
        "1.200.100.100 juta",
        # leading zeros
        "010.001.001.001",
        # networks and versions with letters
        "192.0.2.0/24",
        "2001:db8::/32",
        "1.2.3.4b",
        "a1.2.3.4",
        # times and prose
        "meet at 12:30, 12:30:45 or 10:30 - 11:45",
        "Note:: the end",
        "std::vector and Foo::bar",
        "ratio 1::2 and 12::30",
        "MAC 00:1a:2b:3c:4d:5e",
        "::1 and :: alone",
        "cafe:babe::",
    ],
)
def test_noise_is_not_read_as_an_address(kind: IpKind, text: str) -> None:
    assert _found(kind, text) == []


def test_address_in_a_link_stays_part_of_the_link(registry: IndicatorRegistry) -> None:
    text = "login at http://192.0.2.1/kbank or hxxp://[2001:db8::1]:8080/x and 198.51.100.7"

    found = [(f.indicator.type, f.indicator.value, f.raw) for f in registry.extract(text, THAILAND)]

    assert found == [
        (IndicatorType.URL, "http://192.0.2.1/kbank", "http://192.0.2.1/kbank"),
        (IndicatorType.URL, "http://[2001:db8::1]:8080/x", "hxxp://[2001:db8::1]:8080/x"),
        (IndicatorType.IP, "198.51.100.7", "198.51.100.7"),
    ]


def test_dotted_address_is_not_read_as_a_phone_number(registry: IndicatorRegistry) -> None:
    found = registry.extract("server 203.150.123.45 down", THAILAND)

    assert [(f.indicator.type, f.raw) for f in found] == [(IndicatorType.IP, "203.150.123.45")]


# --- Properties ----------------------------------------------------------------------------


def _canonical(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


_SEPARATORS = [".", "[.]", "(.)", "{.}", "[dot]", "(dot)", "[DOT]"]


@st.composite
def _written_ipv4(draw: st.DrawFn, address: ipaddress.IPv4Address) -> str:
    parts = str(address).split(".")
    written = parts[0]
    for part in parts[1:]:
        written += draw(st.sampled_from(_SEPARATORS)) + part
    digits = draw(st.sampled_from([None, THAI_DIGITS, FULL_WIDTH_DIGITS]))
    return written if digits is None else written.translate(digits)


def _written_ipv6(address: ipaddress.IPv6Address, style: int) -> str:
    return [
        address.compressed,
        address.exploded,
        address.exploded.upper(),
        f"[{address.compressed}]",
        address.compressed.upper(),
    ][style]


@settings(max_examples=300, deadline=None)
@given(address=st.ip_addresses())
def test_canonical_form_is_read_back_unchanged(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    kind = IpKind()

    canonical = kind.canonicalise(str(address), THAILAND)

    assert canonical.value == _canonical(address)
    assert kind.canonicalise(canonical.value, THAILAND) == canonical
    assert kind.looks_like(canonical.value)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), address=st.ip_addresses(v=4))
def test_every_way_of_writing_an_ipv4_address_reads_back_to_it(
    data: st.DataObject, address: ipaddress.IPv4Address
) -> None:
    written = data.draw(_written_ipv4(address))
    kind = IpKind()

    assert kind.canonicalise(written, THAILAND).value == str(address)
    assert _found(kind, f"ที่ {written} ค่ะ") == [(written, str(address))]


@settings(max_examples=300, deadline=None)
@given(address=st.ip_addresses(v=6), style=st.integers(0, 4))
def test_every_way_of_writing_an_ipv6_address_reads_back_to_it(
    address: ipaddress.IPv6Address, style: int
) -> None:
    assert IpKind().canonicalise(_written_ipv6(address, style), THAILAND).value == _canonical(
        address
    )


@settings(max_examples=200, deadline=None)
@given(address=st.ip_addresses(v=6, network="2001:db8::/32"), style=st.integers(0, 4))
def test_ipv6_addresses_in_use_are_found_in_text(
    address: ipaddress.IPv6Address, style: int
) -> None:
    written = _written_ipv6(address, style)
    raw = written.strip("[]")

    assert _found(IpKind(), f"host {written}, port 443") == [(raw, address.compressed)]


_PIECES = [
    " ",
    ".",
    ",",
    ":",
    "::",
    "/",
    "-",
    "[.]",
    "(.)",
    "[dot]",
    "[",
    "]",
    "%",
    "v",
    "Rp",
    "đ",
    "บาท",
    "version ",
    "ffff",
    "2001",
    "db8",
    "fe80",
    "0",
    "00",
    "1",
    "192",
    "255",
    "256",
    "๑",
]
_texts = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.text(alphabet="0123456789.:abcdef", max_size=12)),
    max_size=24,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=_texts)
def test_every_finding_is_the_text_at_its_offsets_and_canonical(text: str) -> None:
    kind = IpKind()

    for found in kind.find(text, THAILAND):
        assert found.raw == text[found.start : found.end]
        assert kind.canonicalise(found.raw, THAILAND) == found.indicator


# --- Adversarial input ---------------------------------------------------------------------


def _adversarial_texts() -> list[str]:
    rng = random.Random(7)
    return [
        "1" * 100_000,
        "1." * 500_000,
        "".join(rng.choice("0123456789.") for _ in range(1_000_000)),
        "255." * 250_000,
        "1[.]" * 250_000,
        ":" * 1_000_000,
        "1:" * 500_000,
        "2001:" * 200_000,
        "".join(rng.choice("0123456789abcdef:.") for _ in range(1_000_000)),
        "Rp 1.234.567.890 " * 50_000,
    ]


def test_adversarial_input_is_scanned_to_the_end(kind: IpKind) -> None:
    for text in _adversarial_texts():
        for found in kind.find(text, THAILAND):
            assert found.raw == text[found.start : found.end]


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Total tagihan 1.200.200.200 harus dibayar", "ID"),
        ("Số tiền 2.500.000.000 đồng", "VN"),
        ("Chương 1.2.3.4 của hợp đồng", "VN"),
        ("12.12.12.12 sale! diskaun 90%", "MY"),
    ],
)
def test_amounts_chapters_and_sale_days_are_not_addresses(text: str, region: str) -> None:
    assert list(IpKind().find(text, ParseContext(region))) == []


def test_an_address_is_read_where_dots_do_not_group_thousands() -> None:
    found = list(IpKind().find("gateway 1.200.200.200 ok", ParseContext("TH")))

    assert [item.indicator.value for item in found] == ["1.200.200.200"]
