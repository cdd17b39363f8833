"""The analyst dashboard's chart geometry and the login's redirect rule, without a database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from scamintel.analysis.currency import RateTable
from scamintel.storage.dashboard_repo import AmountTotal, DailyCount
from scamintel.web.analyst.access import safe_next, session_key_id, session_token
from scamintel.web.analyst.charts import (
    OTHER,
    UNKNOWN,
    OperationFlow,
    daily_chart,
    flow_matrix,
    loss_chart,
    nice_ceiling,
)

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(("value", "top"), [(0, 1), (3, 5), (7, 10), (11, 20), (120, 200)])
def test_the_axis_top_is_a_round_number_at_or_above_the_largest_bar(value: int, top: int) -> None:
    assert nice_ceiling(value) == top


def test_days_stack_the_most_reporting_countries_then_the_rest() -> None:
    counts = [
        DailyCount(TODAY, "TH", 5),
        DailyCount(TODAY, "MM", 3),
        DailyCount(TODAY, "KH", 1),
        DailyCount(TODAY, None, 2),
        DailyCount(TODAY - timedelta(days=1), "TH", 4),
        DailyCount(TODAY - timedelta(days=40), "TH", 99),  # outside the window
    ]
    chart = daily_chart(counts, TODAY, days=30, countries=2)
    assert chart.countries == ("TH", "MM", OTHER, UNKNOWN)
    assert chart.colours == ("series-0", "series-1", "series-other", "series-unknown")
    assert chart.total == 15
    assert chart.rows[-1].counts == (5, 3, 1, 2)
    assert len(chart.rows) == 30
    last_day = [segment for segment in chart.segments if segment.day == TODAY]
    assert sum(segment.height for segment in last_day) == pytest.approx(
        (chart.plot_bottom - 10) * 11 / 20, abs=0.5
    )
    assert all(segment.y >= 10 for segment in chart.segments)


def test_losses_are_summed_in_dollars_and_unknown_currencies_are_counted_apart() -> None:
    rates = RateTable(date(2026, 1, 1), {"THB": Decimal("0.03"), "USD": Decimal("1")})
    chart = loss_chart(
        [
            AmountTotal("investment", "THB", Decimal("100000"), 2),
            AmountTotal("investment", "USD", Decimal("500"), 1),
            AmountTotal("romance", "USD", Decimal("100"), 1),
            AmountTotal("romance", "XXX", Decimal("9"), 4),
        ],
        rates,
    )
    assert [(bar.scam_type, bar.usd, bar.reports) for bar in chart.bars] == [
        ("investment", Decimal("3500.00"), 3),
        ("romance", Decimal("100.00"), 1),
    ]
    assert chart.unconverted_reports == 4
    assert chart.bars[0].width > chart.bars[1].width


def test_the_flow_matrix_counts_victims_from_each_infrastructure_country() -> None:
    matrix = flow_matrix(
        [
            OperationFlow(("KH", "MM"), {"TH": 3, "??": 2}),
            OperationFlow(("KH",), {"TH": 1, "VN": 2}),
            OperationFlow((), {"TH": 9}),  # infrastructure unknown: left out
        ]
    )
    assert matrix.sources == ("KH", "MM")
    assert matrix.targets == ("TH", "VN")
    assert matrix.rows == (("KH", (4, 2)), ("MM", (3, 0)))
    assert matrix.operations == 2
    assert max(cell.opacity for cell in matrix.cells) == 1.0


@pytest.mark.parametrize(
    ("asked", "followed"),
    [
        ("/analyst/cases?status=open", "/analyst/cases?status=open"),
        ("", "/analyst/"),
        ("https://evil.example/", "/analyst/"),
        ("//evil.example/", "/analyst/"),
        ("/\\evil.example", "/analyst/"),
        ("/analyst/\r\nSet-Cookie: x", "/analyst/"),
        ("javascript:alert(1)", "/analyst/"),
    ],
)
def test_only_a_path_on_this_site_is_followed_after_signing_in(asked: str, followed: str) -> None:
    assert safe_next(asked) == followed


def test_a_session_token_carries_its_key_id_until_it_expires() -> None:
    token = session_token("secret", "abc123", now=1000.0)
    assert session_key_id("secret", token, now=1001.0) == "abc123"
    assert session_key_id("secret", token, now=1000.0 + 8 * 3600) is None
    assert session_key_id("other secret", token, now=1001.0) is None
    assert session_key_id("secret", token.replace("abc123", "abc124"), now=1001.0) is None
