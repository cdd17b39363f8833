"""Benign values that must never be listed as scams: official hotlines and short codes.

Victims name the bank hotline they called and scammers spoof official numbers, so these
values turn up in reports; the check answers ``official`` for them and intake does not link
reports through them. Short codes (1441, 1799…) are not E.164 numbers, so they are matched
on the digits as dialled within their country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from scamintel.indicators.model import Indicator, IndicatorType

OFFICIAL_CONTACTS: tuple[tuple[str, str, str], ...] = (
    # (number as published, country, who answers it)
    ("02-888-8888", "TH", "Kasikornbank (KBank) K-Contact Center"),
    ("02-777-7777", "TH", "Siam Commercial Bank (SCB) call centre"),
    ("02-111-1111", "TH", "Krungthai Bank call centre"),
    ("1333", "TH", "Bangkok Bank call centre"),
    ("1572", "TH", "Krungsri (Bank of Ayudhya) call centre"),
    ("1441", "TH", "Thailand Anti Online Scam Operation Center (AOC) hotline"),
    ("1599", "TH", "Royal Thai Police call centre"),
    ("1212", "TH", "Thailand 1212 online complaint centre"),
    ("191", "TH", "Royal Thai Police emergency"),
    ("997", "MY", "Malaysia National Scam Response Centre (NSRC)"),
    ("1-300-88-6688", "MY", "Maybank customer care"),
    ("03-6204 7788", "MY", "CIMB consumer contact centre"),
    ("03-2177 3555", "MY", "Public Bank customer service"),
    ("1799", "SG", "Singapore ScamShield helpline"),
    ("999", "SG", "Singapore Police emergency"),
    ("1800 111 1111", "SG", "DBS customer service"),
    ("1800 363 3333", "SG", "OCBC personal banking hotline"),
    ("1800 222 2121", "SG", "UOB call centre"),
    ("1900 545413", "VN", "Vietcombank contact centre"),
    ("1800 588822", "VN", "Techcombank hotline"),
    ("1900 545426", "VN", "MB Bank hotline"),
    ("113", "VN", "Vietnam police emergency"),
    ("1500888", "ID", "Halo BCA"),
    ("1500017", "ID", "BRI call centre"),
    ("14000", "ID", "Bank Mandiri call centre"),
    ("1500046", "ID", "BNI call centre"),
    ("110", "ID", "Indonesia police emergency"),
    ("(02) 8631-8000", "PH", "BDO customer contact centre"),
    ("(02) 889-10000", "PH", "BPI contact centre"),
    ("(02) 88-700-700", "PH", "Metrobank contact centre"),
    ("1326", "PH", "Philippines CICC Inter-Agency Response Center hotline"),
)

_DIALLED_NOISE = re.compile(r"[\s\-().]")
_MAY_BE_DIALLED = re.compile(r"[\d\s\-().]+$")
_LONGEST_DIALLED = 24


@dataclass(frozen=True, slots=True)
class OfficialEntry:
    indicator: Indicator
    name: str


class Warninglist:
    def __init__(self, contacts: tuple[tuple[str, str, str], ...] = OFFICIAL_CONTACTS) -> None:
        self._by_indicator: dict[Indicator, str] = {}
        self._short_codes: dict[tuple[str, str], str] = {}
        for raw, country, name in contacts:
            number = _full_number(raw, country)
            if number is not None:
                self._by_indicator[Indicator(IndicatorType.PHONE, number, country)] = name
            self._short_codes[(_DIALLED_NOISE.sub("", raw), country)] = name

    def lookup(self, indicator: Indicator) -> OfficialEntry | None:
        name = self._by_indicator.get(indicator)
        return OfficialEntry(indicator, name) if name else None

    def lookup_short_code(self, raw: str, region: str) -> OfficialEntry | None:
        """An official number as dialled inside ``region`` (``1441``, ``1800 111 1111``)."""
        if len(raw) > _LONGEST_DIALLED or not _MAY_BE_DIALLED.match(raw):
            return None
        digits = _DIALLED_NOISE.sub("", raw)
        name = self._short_codes.get((digits, region))
        if name is None:
            return None
        full = _full_number(digits, region)
        return OfficialEntry(Indicator(IndicatorType.PHONE, full or digits, region), name)

    def official_values(self) -> list[OfficialEntry]:
        return [OfficialEntry(indicator, name) for indicator, name in self._by_indicator.items()]


def _full_number(raw: str, country: str) -> str | None:
    try:
        parsed = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
