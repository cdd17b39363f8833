"""IP addresses: IPv4 and IPv6 in the compressed textual form of :mod:`ipaddress`.

Read strictly, so that two reports of one server meet on one value and nothing else is taken
for an address:

* IPv4 is four decimal parts, each 0–255 and written without leading zeros. ``010.1.1.1`` is
  refused: ``inet_aton`` and most C programs read ``010`` as octal (8), people and ``ipaddress``
  as decimal, so the value names two different hosts. Shorthands (``127.1``) are refused too.
* Defanged dots (``1.2.3[.]4``, ``1(.)2(.)3(.)4``, ``[dot]``) are refanged, and local-script
  digits read as ASCII.
* An IPv4-mapped IPv6 address (``::ffff:1.2.3.4``) is the IPv4 address it maps, so both
  spellings meet; any other IPv6 address is compressed and lower-cased (RFC 5952).
* A port, a network (``/24``) or a zone (``%eth0``) is not part of an address and is refused
  with that reason.
* Private, loopback and reserved addresses are addresses like any other; no address gets a
  ``country`` (this node has no offline geolocation).

In text, an IPv4 address is not read when it is part of something longer (``v1.2.3.4``,
``1.2.3.4.5``), when a version, section or currency word or sign comes before it
(``version 10.0.0.1``, ``Rp 1.234.123.123``) or a currency or amount word after it
(``1.234.123.123 đồng``), or when it is followed by decimals (``1.234.123.123,00``). IPv6 in
text is read when it is IPv4-mapped or its first group is four characters in a range in use
(2000::/3 global, fc00::/7 unique local, fe80::/10 link local, ff00::/8 multicast) with at
least one more group, so ``::`` in prose, ``12:30``, ``12:30:45`` or ``1::2`` are not read.
An address inside a link stays part of the link (the URL kind comes first).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from scamintel.indicators._digits import to_ascii_digits
from scamintel.indicators._scan import FOUND_CACHE_SIZE, matches_at, views
from scamintel.indicators.model import (
    FoundIndicator,
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)
from scamintel.indicators.web import refang

# --- Reading one value ----------------------------------------------------------------------

_IPV4_SHAPE = re.compile(r"[0-9]+(?:\.[0-9]+){3}")
_IPV6_SHAPE = re.compile(
    r"\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[^\s\]]+)?(?:\](?::[0-9]{1,5})?)?"
)
_PORT_SUFFIX = re.compile(r":[0-9]{1,5}")
_PREFIX_SUFFIX = re.compile(r"/[0-9]{1,3}")


def _invalid(raw: str, reason: str) -> InvalidIndicatorError:
    return InvalidIndicatorError(raw, reason, IndicatorType.IP)


def _prepared(raw: str) -> str:
    value = to_ascii_digits(raw.strip())
    if "[" in value or "(" in value or "{" in value:
        value = refang(value)
    return value


def _ipv4(raw: str, value: str) -> str:
    parts = value.split(".")
    if len(parts) != 4:
        raise _invalid(raw, f"an IPv4 address has four parts separated by dots, not {len(parts)}")
    for part in parts:
        if not part.isascii() or not part.isdigit():
            raise _invalid(raw, f"{part!r} is not a decimal number from 0 to 255")
        if len(part) > 1 and part[0] == "0":
            raise _invalid(
                raw,
                f"{part!r} has a leading zero, which some programs read as octal and others as "
                "decimal: write it without the zero",
            )
        if int(part) > 255:
            raise _invalid(raw, f"{part} is out of range: each part is 0 to 255")
    return str(ipaddress.IPv4Address(value))


def _ipv6(raw: str, value: str) -> str:
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    elif value.startswith("[") and "]:" in value:
        raise _invalid(raw, "a port is not part of an IP address: give the address alone")
    if "%" in value:
        raise _invalid(raw, "a zone (%…) names a network interface of one machine: leave it out")
    try:
        address = ipaddress.IPv6Address(value)
    except ValueError as error:
        raise _invalid(raw, f"not an IPv6 address: {error}") from None
    mapped = address.ipv4_mapped
    if mapped is not None:
        return str(mapped)
    return address.compressed


def canonical_ip(raw: str) -> str:
    """The canonical form of one written address, or :class:`InvalidIndicatorError`."""
    value = _prepared(raw)
    if not value:
        raise _invalid(raw, "the value is empty")
    if "/" in value:
        if _PREFIX_SUFFIX.search(value) and "//" not in value:
            raise _invalid(raw, "it is a network (CIDR prefix), not one address")
        raise _invalid(raw, "it is a link, not an address: check it as a url")
    if ":" not in value:
        return _ipv4(raw, value)
    if "." in value and value.count(":") == 1:
        address, _, port = value.partition(":")
        if _PORT_SUFFIX.fullmatch(":" + port) and _IPV4_SHAPE.fullmatch(address):
            raise _invalid(raw, "a port is not part of an IP address: give the address alone")
    return _ipv6(raw, value)


# --- Finding addresses in text --------------------------------------------------------------

_SEPARATOR = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
_OCTET = r"[0-9]{1,3}"
_IPV4_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z_])(?<![0-9A-Za-z]\.)(?<!\.[\])}])(?<!dot[\])])"
    rf"{_OCTET}(?:{_SEPARATOR}{_OCTET}){{3}}"
    # Not part of a longer dotted number, a word, a network (/24) or an amount with decimals.
    rf"(?![0-9A-Za-z_]|{_SEPARATOR}[0-9]|/[0-9]{{1,3}}(?![0-9.])|,[0-9]{{1,2}}(?![0-9.])|,-)",
    re.IGNORECASE,
)
# Where _IPV4_IN_TEXT may match: one to three digits before a separator's first character.
_IPV4_START = re.compile(r"[0-9]{1,3}(?=[.\[({])")

_IPV6_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z_:.])"
    r"[0-9A-Fa-f:]{2,39}"
    r"(?:(?<=:)[0-9]{1,3}(?:\.[0-9]{1,3}){3})?"
    r"(?![0-9A-Za-z_:]|\.[0-9]|/[0-9])"
)
# Every IPv6 address starts with up to four hex digits, a colon, up to four more and a colon.
_IPV6_START = re.compile(r"[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:")

# Words that make a dotted number something other than an address when written just before
# it (versions, sections, currencies) or just after it (currencies and amount words).
_WORDS_BEFORE: Final = frozenset(
    {
        # versions
        "v",
        "ver",
        "version",
        "versi",
        "versión",
        "versão",
        "bersyon",
        "bản",
        "build",
        "rev",
        "revision",
        "release",
        "firmware",
        "fw",
        "app",
        "apk",
        "aplikasi",
        "application",
        "software",
        "ứng dụng",
        "แอป",
        "แอพ",
        "patch",
        "windows",
        "ios",
        "android",
        "macos",
        "เวอร์ชัน",
        "เวอร์ชั่น",
        "รุ่น",
        "版本",
        # sections
        "section",
        "sec",
        "§",
        "chapter",
        "clause",
        "article",
        "art",
        "para",
        "paragraph",
        "mục",
        "chương",
        "phần",
        "bài",
        "điều",
        "khoản",
        "pasal",
        "seksyen",
        "bab",
        "ข้อ",
        "มาตรา",
        "หมวด",
        # currencies
        "$",
        "us$",
        "s$",
        "usd",
        "sgd",
        "rp",
        "idr",
        "vnd",
        "đ",
        "₫",
        "rm",
        "myr",
        "฿",
        "thb",
        "บาท",
        "₱",
        "php",
        "₭",
        "lak",
        "៛",
        "khr",
        "ks",
        "mmk",
        "€",
        "eur",
        "¥",
        "rmb",
        "cny",
        "元",
    }
)
_WORDS_AFTER: Final = frozenset(
    {
        # shopping days ("12.12.12.12 sale", "11.11 promo")
        "sale",
        "promo",
        "$",
        "usd",
        "sgd",
        "rp",
        "idr",
        "rupiah",
        "vnd",
        "vnđ",
        "đ",
        "₫",
        "đồng",
        "dong",
        "rm",
        "myr",
        "ringgit",
        "฿",
        "thb",
        "บาท",
        "baht",
        "₱",
        "peso",
        "pesos",
        "₭",
        "lak",
        "kip",
        "៛",
        "khr",
        "riel",
        "ks",
        "kyat",
        "kyats",
        "mmk",
        "€",
        "eur",
        "¥",
        "rmb",
        "cny",
        "yuan",
        "元",
        "juta",
        "ribu",
        "triệu",
        "tỷ",
        "nghìn",
        "ngàn",
        "ล้าน",
        "พัน",
    }
)
_LONGEST_WORD = max(len(word) for word in _WORDS_BEFORE | _WORDS_AFTER)
_GAP = " \t\u00a0:#.-"  # what may stand between such a word and the number


def _is_word_char(char: str) -> bool:
    """A letter that continues a word written in a script with spaces (Latin and the like)."""
    return char.isalpha() and char.isascii()


def _ends_with_word(before: str) -> bool:
    before = before.rstrip(_GAP).lower()
    for length in range(1, min(_LONGEST_WORD, len(before)) + 1):
        word = before[-length:]
        if word in _WORDS_BEFORE and not (
            length < len(before) and _is_word_char(before[-length - 1]) and _is_word_char(word[0])
        ):
            return True
    return False


def _starts_with_word(after: str) -> bool:
    after = after.lstrip(" \t\u00a0").lower()
    for length in range(1, min(_LONGEST_WORD, len(after)) + 1):
        word = after[:length]
        if word in _WORDS_AFTER and not (
            length < len(after) and _is_word_char(after[length]) and _is_word_char(word[-1])
        ):
            return True
    return False


def _in_context_of_other_number(text: str, start: int, end: int) -> bool:
    window = _LONGEST_WORD + 4
    return _ends_with_word(text[max(start - window, 0) : start]) or _starts_with_word(
        text[end : end + window]
    )


# The first group of the addresses people meet: global unicast (2000::/3), unique local
# (fc00::/7), link local and multicast (fe80::/10, ff00::/8).
_USED_RANGE = re.compile(r"[23][0-9A-Fa-f]{3}|[Ff][C-Fc-f][0-9A-Fa-f]{2}")
_MAPPED = re.compile(r"::ffff:[0-9]", re.IGNORECASE)


# Where a dot groups thousands (Indonesia, Vietnam), "1.200.200.200" is an amount.
_DOT_THOUSANDS_REGIONS = frozenset({"ID", "VN"})
_THOUSANDS_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3}){3}")


def _not_an_address(written: str, region: str) -> bool:
    """A dotted quad that text uses for an amount: thousands grouped with dots where that
    is the custom."""
    return region in _DOT_THOUSANDS_REGIONS and _THOUSANDS_GROUPED.fullmatch(written) is not None


def _plausible_ipv6_in_text(written: str) -> bool:
    """Whether a valid IPv6 address found in text is written as addresses are, not as prose,
    times or other colon-separated numbers: in a range in use, with at least two groups."""
    if _MAPPED.match(written):
        return True
    first, _, rest = written.partition(":")
    return _USED_RANGE.fullmatch(first) is not None and rest.strip(":") != ""


class IpKind:
    """IPv4 and IPv6 addresses, compressed (DESIGN.md §3)."""

    type = IndicatorType.IP

    def __init__(self) -> None:
        # The same servers come back report after report.
        self._address_in_text = lru_cache(maxsize=FOUND_CACHE_SIZE)(self._read_address)

    @staticmethod
    def _read_address(written: str) -> Indicator | None:
        try:
            return Indicator(IndicatorType.IP, canonical_ip(written))
        except InvalidIndicatorError:
            return None

    def canonicalise(self, raw: str, context: ParseContext) -> Indicator:
        return Indicator(IndicatorType.IP, canonical_ip(raw))

    def looks_like(self, raw: str) -> bool:
        value = _prepared(raw)
        if value.count(":") == 1 and "[" not in value:  # an IPv4 address and a port
            value = value.partition(":")[0]
        value = _PREFIX_SUFFIX.sub("", value, count=1) if "/" in value else value
        return bool(_IPV4_SHAPE.fullmatch(value) or _IPV6_SHAPE.fullmatch(value))

    def find(self, text: str, context: ParseContext) -> Iterator[FoundIndicator]:
        seen = views(text)
        digits = seen.digits
        if digits is not None and b"0" not in digits:
            return
        mapped = seen.mapped
        found = self._ipv6_in(text, mapped) if ":" in mapped else []
        taken = [(item.start, item.end) for item in found]
        if "." in mapped or "[" in mapped or "(" in mapped or "{" in mapped:
            starts = [match.start() for match in _IPV4_START.finditer(mapped)]
            for match in matches_at(_IPV4_IN_TEXT, mapped, starts):
                start, end = match.span()
                if any(start < other_end and other_start < end for other_start, other_end in taken):
                    continue
                if _in_context_of_other_number(mapped, start, end) or _not_an_address(
                    mapped[start:end], context.default_region
                ):
                    continue
                raw = text[start:end]
                indicator = self._address_in_text(raw)
                if indicator is not None:
                    found.append(FoundIndicator(indicator, raw, start, end))
            found.sort(key=lambda item: item.start)
        yield from found

    def _ipv6_in(self, text: str, mapped: str) -> list[FoundIndicator]:
        found: list[FoundIndicator] = []
        starts = [match.start() for match in _IPV6_START.finditer(mapped)]
        for match in matches_at(_IPV6_IN_TEXT, mapped, starts):
            start, end = match.span()
            written = match.group()
            # A colon after an address ends the sentence or the label, not the address.
            if written.endswith(":") and not written.endswith("::"):
                written = written[:-1]
                end -= 1
            if not _plausible_ipv6_in_text(written):
                continue
            raw = text[start:end]
            indicator = self._address_in_text(raw)
            if indicator is not None:
                found.append(FoundIndicator(indicator, raw, start, end))
        return found
