"""The verdict engine's arithmetic and wording (docs/verdicts.md), without a database; the
policy scenarios run against the real database in tests/integration/test_verdict_scenarios.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.engine import (
    Evidence,
    ReportSignal,
    Verdict,
    assess,
)
from scamintel.reports.trust import ReporterTrust, network_source, report_source
from scamintel.reports.verdict import judge, official

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NUMBER = Indicator(IndicatorType.PHONE, "+66812345678", "TH")


def sent(trust: ReporterTrust, source: str, hours_ago: float = 0) -> ReportSignal:
    moment = NOW - timedelta(hours=hours_ago)
    return ReportSignal(trust, source, "investment", moment, moment)


def test_distinct_reporters_combine_as_independent_evidence() -> None:
    reports = (
        sent(ReporterTrust.BANK_TELCO, "org:1"),
        sent(ReporterTrust.REGISTERED_CITIZEN, "org:2:victim"),
    )
    assessment = assess(IndicatorType.PHONE, Evidence(reports), NOW)
    # 1 - (1 - 0.6) * (1 - 0.35)
    assert assessment.score == pytest.approx(0.74)
    assert assessment.verdict is Verdict.SUSPICIOUS


def test_a_single_confident_reporter_that_is_not_an_agency_is_not_a_scam_listing() -> None:
    # Ten reports from one registered sender, days apart: one voice, however loud.
    reports = tuple(
        sent(ReporterTrust.REGISTERED_CITIZEN, "org:2", hours_ago=48 * i) for i in range(10)
    )
    assessment = assess(IndicatorType.PHONE, Evidence(reports), NOW)
    assert assessment.score == pytest.approx(0.35)
    assert assessment.bursts == {}


def test_a_burst_is_counted_in_a_sliding_day() -> None:
    reports = tuple(sent(ReporterTrust.ANONYMOUS, "net:x", hours_ago=h) for h in (0, 5, 23, 30))
    assert assess(IndicatorType.URL, Evidence(reports), NOW).bursts == {"net:x": 3}


def test_links_decay_faster_than_wallets() -> None:
    old = (sent(ReporterTrust.VERIFIED_AGENCY, "org:1", hours_ago=24 * 120),)
    link = assess(IndicatorType.URL, Evidence(old), NOW)
    wallet = assess(IndicatorType.CRYPTO_WALLET, Evidence(old), NOW)
    assert link.score < 0.25 < wallet.score == pytest.approx(0.9)


def test_no_reports_explains_that_absence_is_not_safety() -> None:
    result = judge("0812345678", NUMBER, assess(IndicatorType.PHONE, Evidence(), NOW))
    assert result.verdict is Verdict.NO_REPORTS
    assert result.score == 0.0
    assert "not proof that it is safe" in result.explanation
    assert "does not mean it is safe" in result.advice


def test_official_contacts_carry_their_name() -> None:
    result = official("1441", NUMBER, "Thailand Anti Online Scam Operation Center hotline")
    assert result.verdict is Verdict.OFFICIAL
    assert "Anti Online Scam" in result.explanation


def test_anonymous_senders_are_told_apart_by_network_not_by_address() -> None:
    secret = "k" * 40
    same_network = network_source(secret, "203.0.113.7") == network_source(secret, "203.0.113.99")
    assert same_network
    assert network_source(secret, "203.0.113.7") != network_source(secret, "198.51.100.7")
    assert "203.0.113" not in network_source(secret, "203.0.113.7")
    assert network_source(secret, None) == network_source(secret, "testclient")
    assert network_source(secret, "::ffff:203.0.113.9") == network_source(secret, "203.0.113.7")


def test_an_organisation_counts_once_per_victim_it_names() -> None:
    secret = "k" * 40

    def source(reporter: dict[str, str] | None) -> str:
        return report_source(secret, organisation_id=4, address=None, reporter=reporter)

    assert source(None) == "org:4"
    assert source({"name": "Malee"}) == "org:4"
    assert source({"phone": "+66898765432"}) != source({"phone": "+66811111111"})
    assert source({"phone": "+66898765432"}) == source({"phone": "+66898765432", "name": "M"})
