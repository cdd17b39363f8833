"""Amounts in US dollars: a dated table of approximate reference rates shipped with the package.

The rates rank operations by harm and state losses in one currency in a dossier; they are not
for accounting. ``data/usd_rates.json`` says their as-of date and where they come from
(rounded market reference rates entered by hand, no official fixing); docs/dossiers.md says
how to update them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files

RATES_FILE = "usd_rates.json"
CENT = Decimal("0.01")


class RateTableError(ValueError):
    """The rate table cannot be used; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class RateTable:
    """US dollars for one unit of each currency, as of ``as_of``."""

    as_of: date
    usd_per_unit: dict[str, Decimal]

    def to_usd(self, amount: Decimal | float | int | None, currency: str | None) -> Decimal | None:
        """``amount`` in US dollars, rounded to cents; None when the amount or currency is
        missing or the currency is not in the table (the caller counts those)."""
        if amount is None or currency is None:
            return None
        rate = self.usd_per_unit.get(currency.strip().upper())
        if rate is None:
            return None
        return (Decimal(str(amount)) * rate).quantize(CENT)

    def knows(self, currency: str) -> bool:
        return currency.strip().upper() in self.usd_per_unit


def parse_rates(text: str, origin: str = RATES_FILE) -> RateTable:
    """The table written in ``text`` (the format of ``data/usd_rates.json``)."""
    try:
        document = json.loads(text)
        as_of = date.fromisoformat(document["as_of"])
        raw = document["usd_per_unit"]
    except (ValueError, KeyError, TypeError) as error:
        raise RateTableError(f"{origin}: needs 'as_of' (YYYY-MM-DD) and 'usd_per_unit'") from error
    if not isinstance(raw, dict) or not raw:
        raise RateTableError(f"{origin}: 'usd_per_unit' must map currency codes to rates")
    rates: dict[str, Decimal] = {}
    for code, value in raw.items():
        try:
            rate = Decimal(str(value))
        except InvalidOperation as error:
            raise RateTableError(f"{origin}: rate of {code} is not a number: {value!r}") from error
        # Three letters: reports.currency holds ISO 4217 codes, so any other code never matches.
        if len(code) != 3 or not code.isalpha() or not code.isupper() or rate <= 0:
            raise RateTableError(
                f"{origin}: {code}: needs a 3-letter upper-case ISO 4217 code and a positive rate"
            )
        rates[code] = rate
    return RateTable(as_of=as_of, usd_per_unit=rates)


@cache
def rate_table() -> RateTable:
    """The table shipped with the package (read once)."""
    text = files("scamintel.analysis").joinpath("data", RATES_FILE).read_text(encoding="utf-8")
    return parse_rates(text)


def to_usd(amount: Decimal | float | int | None, currency: str | None) -> Decimal | None:
    """``amount`` in US dollars by the shipped table; None when it cannot be converted."""
    return rate_table().to_usd(amount, currency)
