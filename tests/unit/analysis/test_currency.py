"""Amounts in US dollars by the dated rate table shipped with the package."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib.resources import files

import pytest

from scamintel.analysis.currency import RateTableError, parse_rates, rate_table, to_usd

REGION = ["THB", "MMK", "KHR", "LAK", "VND", "IDR", "MYR", "PHP", "SGD", "BND"]
WORLD = ["USD", "EUR", "CNY", "JPY", "KRW", "GBP", "AUD", "HKD", "TWD", "INR"]


def test_the_shipped_table_is_dated_and_covers_the_region() -> None:
    table = rate_table()
    assert table.as_of == date(2026, 11, 1)
    assert all(table.knows(code) for code in REGION + WORLD)
    assert table.usd_per_unit["USD"] == Decimal(1)
    # Only ISO 4217 codes: reports.currency is 3 letters, so a longer code could never match.
    assert all(len(code) == 3 for code in table.usd_per_unit)
    assert not table.knows("USDT")


def test_the_shipped_table_says_what_its_rates_are_and_where_they_come_from() -> None:
    document = json.loads(
        files("scamintel.analysis").joinpath("data", "usd_rates.json").read_text("utf-8")
    )
    assert "reference rates" in document["note"]
    assert "reference" in document["source"]
    assert "not an official fixing" in document["source"]


def test_conversion_rounds_to_cents_and_reads_codes_loosely() -> None:
    assert to_usd(Decimal("10000"), "THB") == Decimal("290.00")
    assert to_usd(1_000_000, " vnd ") == Decimal("39.50")
    assert to_usd(Decimal("12.345"), "USD") == Decimal("12.34")  # half to even


def test_unknown_or_missing_currency_is_not_converted() -> None:
    assert to_usd(100, "XXX") is None
    assert to_usd(100, None) is None
    assert to_usd(None, "THB") is None


def test_a_table_of_a_given_date_converts_by_its_own_rates() -> None:
    table = parse_rates('{"as_of": "2025-01-31", "usd_per_unit": {"THB": "0.03"}}')
    assert table.as_of == date(2025, 1, 31)
    assert table.to_usd(100, "thb") == Decimal("3.00")
    assert table.to_usd(100, "USD") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{}", "needs 'as_of'"),
        ('{"as_of": "2025-13-01", "usd_per_unit": {"THB": 1}}', "needs 'as_of'"),
        ('{"as_of": "2025-01-01", "usd_per_unit": {}}', "must map"),
        ('{"as_of": "2025-01-01", "usd_per_unit": {"THB": "x"}}', "not a number"),
        ('{"as_of": "2025-01-01", "usd_per_unit": {"thb": 1}}', "upper-case"),
        ('{"as_of": "2025-01-01", "usd_per_unit": {"THB": -1}}', "positive"),
        ('{"as_of": "2025-01-01", "usd_per_unit": {"USDT": 1}}', "3-letter"),
    ],
)
def test_a_broken_table_says_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(RateTableError, match=message):
        parse_rates(text)
