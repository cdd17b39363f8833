"""The first verdict rule, as docs/verdicts.md states it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import IndicatorStats
from scamintel.reports.verdict import Verdict, judge, official

NUMBER = Indicator(IndicatorType.PHONE, "+66812345678", "TH")


def stats(count: int, **types: int) -> IndicatorStats:
    return IndicatorStats(
        report_count=count,
        first_seen=datetime(2026, 1, 2, tzinfo=UTC),
        last_seen=datetime(2026, 2, 3, tzinfo=UTC),
        scam_types=types or {"investment": count},
    )


@pytest.mark.parametrize(
    ("count", "verdict", "score"),
    [(1, Verdict.SUSPICIOUS, 0.5), (2, Verdict.SUSPICIOUS, 0.75), (3, Verdict.SCAM, 0.875)],
)
def test_report_count_sets_verdict_and_score(count: int, verdict: Verdict, score: float) -> None:
    result = judge("0812345678", NUMBER, stats(count))
    assert (result.verdict, result.score) == (verdict, score)


def test_a_single_report_never_makes_a_scam_listing() -> None:
    assert judge("x", NUMBER, stats(1)).verdict is Verdict.SUSPICIOUS


def test_no_reports_explains_that_absence_is_not_safety() -> None:
    result = judge("0812345678", NUMBER, None)
    assert result.verdict is Verdict.NO_REPORTS
    assert result.score == 0.0
    assert "not proof that it is safe" in result.explanation
    assert "does not mean it is safe" in result.advice


def test_explanation_names_count_dates_and_types() -> None:
    result = judge("x", NUMBER, stats(4, investment=3, romance=1))
    assert result.explanation.startswith("Named in 4 reports between 2026-01-02 and 2026-02-03")
    assert "investment, romance" in result.explanation
    assert result.scam_types == ("investment", "romance")


def test_official_contacts_carry_their_name() -> None:
    result = official("1441", NUMBER, "Thailand Anti Online Scam Operation Center hotline")
    assert result.verdict is Verdict.OFFICIAL
    assert "Anti Online Scam" in result.explanation
