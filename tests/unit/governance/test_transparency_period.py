"""The transparency report's period: the default twelve full months, one bound given, and
clear refusals of a date that is not one, an end before the start and more than five years."""

from __future__ import annotations

from datetime import date

import pytest

from scamintel.governance.transparency import (
    PeriodError,
    ReportPeriod,
    add_months,
    default_period,
    parse_period,
)

TODAY = date(2026, 3, 31)


def test_without_bounds_the_period_is_the_last_twelve_full_months() -> None:
    assert parse_period(None, None, TODAY) == ReportPeriod(date(2025, 3, 1), date(2026, 3, 1))
    assert parse_period("", " ", TODAY) == default_period(TODAY)


def test_only_from_runs_up_to_and_including_today() -> None:
    period = parse_period("2026-01-15", None, TODAY)
    assert period == ReportPeriod(date(2026, 1, 15), date(2026, 4, 1))


def test_only_to_takes_the_twelve_months_before_it() -> None:
    assert parse_period(None, "2026-01-01", TODAY).start == date(2025, 1, 1)


def test_a_period_gives_its_instants_in_utc() -> None:
    period = parse_period("2026-01-01", "2026-02-01", TODAY)
    assert period.start_at.isoformat() == "2026-01-01T00:00:00+00:00"
    assert period.end_at.isoformat() == "2026-02-01T00:00:00+00:00"
    assert period.days == 31


@pytest.mark.parametrize(
    ("start", "end", "code", "words"),
    [
        ("2026-13-01", None, "not_a_date", "from '2026-13-01' is not a date: write it as"),
        ("20260101", None, "not_a_date", "write it as YYYY-MM-DD"),
        (None, "yesterday", "not_a_date", "to 'yesterday' is not a date"),
        ("2026-02-01", "2026-01-01", "not_before", "must be before to"),
        ("2026-02-01", "2026-02-01", "not_before", "must be before to"),
        ("2020-01-01", "2025-01-02", "too_long", "longer than 5 years"),
        (None, "0001-01-01", "not_a_date", "too far in the past or the future"),
        ("9999-06-01", "9999-07-01", "not_a_date", "too far in the past or the future"),
    ],
)
def test_a_bad_period_is_refused_with_what_to_fix(
    start: str | None, end: str | None, code: str, words: str
) -> None:
    with pytest.raises(PeriodError, match=words) as raised:
        parse_period(start, end, TODAY)
    assert raised.value.code == code


def test_exactly_five_years_is_allowed() -> None:
    assert parse_period("2020-01-01", "2025-01-01", TODAY).days == 1827


def test_months_are_added_clamped_to_the_months_end() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 1), -12) == date(2025, 1, 1)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
