"""The check's answer for one value: the engine's assessment (reports/engine.py) with the
advice that goes with each verdict, or an official contact named from the warninglist."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.engine import Assessment, Review, Verdict

__all__ = ["ADVICE", "CheckResult", "Imitation", "Verdict", "judge", "official"]


@dataclass(frozen=True, slots=True)
class Imitation:
    """The brand a checked address imitates (docs/warninglists.md, lookalikes)."""

    brand: str
    official_domain: str
    technique: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    query: str
    indicator: Indicator
    verdict: Verdict
    score: float
    report_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    scam_types: tuple[str, ...]
    explanation: str
    advice: str
    imitates: Imitation | None = None
    review: Review | None = None


ADVICE = {
    Verdict.SCAM: (
        "Do not pay, transfer money, share codes (OTP) or install anything this contact asks "
        "for. Stop replying. If you already paid, call your bank now to freeze the transfer, "
        "then report it to the police or your national anti-scam hotline."
    ),
    Verdict.SUSPICIOUS: (
        "Be careful: others have reported this. Do not pay or share codes (OTP). Verify the "
        "person or company through a number or website you find yourself, not one they gave "
        "you."
    ),
    Verdict.NO_REPORTS: (
        "No report does not mean it is safe: scammers change numbers and links often. Never "
        "share codes (OTP) or passwords, do not pay under time pressure, and verify through "
        "an official channel you look up yourself. If it turns out to be a scam, report it "
        "here to warn others."
    ),
    Verdict.OFFICIAL: (
        "This is a published official contact. Scammers can fake the caller ID of official "
        "numbers: if in doubt, hang up and call the number back yourself."
    ),
}


def judge(query: str, indicator: Indicator, assessment: Assessment) -> CheckResult:
    return CheckResult(
        query=query,
        indicator=indicator,
        verdict=assessment.verdict,
        score=assessment.score,
        report_count=assessment.report_count,
        first_seen=assessment.first_seen,
        last_seen=assessment.last_seen,
        scam_types=assessment.scam_types,
        explanation=assessment.explanation,
        advice=ADVICE[assessment.verdict],
        review=assessment.review,
    )


# An official web address is copied, not spoofed: the advice for it is about lookalikes.
_OFFICIAL_ADDRESS_ADVICE = (
    "This is a published official address. Scammers copy official pages under addresses that "
    "differ by a letter or a word: check the address letter by letter, or type it yourself "
    "instead of following a link in a message."
)
_ADDRESS_TYPES = frozenset({IndicatorType.URL, IndicatorType.DOMAIN, IndicatorType.EMAIL})


def official(query: str, indicator: Indicator, name: str) -> CheckResult:
    explanation = f"This is listed as an official contact: {name}."
    result = _result(query, indicator, Verdict.OFFICIAL, 0.0, explanation)
    if indicator.type in _ADDRESS_TYPES:
        return replace(result, advice=_OFFICIAL_ADDRESS_ADVICE)
    return result


def _result(
    query: str, indicator: Indicator, verdict: Verdict, score: float, explanation: str
) -> CheckResult:
    return CheckResult(
        query=query,
        indicator=indicator,
        verdict=verdict,
        score=score,
        report_count=0,
        first_seen=None,
        last_seen=None,
        scam_types=(),
        explanation=explanation,
        advice=ADVICE[verdict],
    )
