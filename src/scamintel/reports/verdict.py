"""The first verdict rule (docs/verdicts.md). Deliberately simple and fully explained; the
verdict engine with reporter trust, decay and anti-poisoning replaces the scoring later,
keeping this result shape."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import IndicatorStats

SCAM_THRESHOLD = 3


class Verdict(StrEnum):
    SCAM = "scam"
    SUSPICIOUS = "suspicious"
    NO_REPORTS = "no_reports"
    OFFICIAL = "official"


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


def judge(query: str, indicator: Indicator, stats: IndicatorStats | None) -> CheckResult:
    """Verdict for an indicator from its report statistics (None: never reported)."""
    count = stats.report_count if stats else 0
    if count == 0 or stats is None:
        return _result(query, indicator, Verdict.NO_REPORTS, 0.0, stats, _no_reports_text())
    verdict = Verdict.SCAM if count >= SCAM_THRESHOLD else Verdict.SUSPICIOUS
    score = round(1.0 - 0.5**count, 3)
    return _result(query, indicator, verdict, score, stats, _reported_text(verdict, stats))


# An official web address is copied, not spoofed: the advice for it is about lookalikes.
_OFFICIAL_ADDRESS_ADVICE = (
    "This is a published official address. Scammers copy official pages under addresses that "
    "differ by a letter or a word: check the address letter by letter, or type it yourself "
    "instead of following a link in a message."
)
_ADDRESS_TYPES = frozenset({IndicatorType.URL, IndicatorType.DOMAIN, IndicatorType.EMAIL})


def official(query: str, indicator: Indicator, name: str) -> CheckResult:
    explanation = f"This is listed as an official contact: {name}."
    result = _result(query, indicator, Verdict.OFFICIAL, 0.0, None, explanation)
    if indicator.type in _ADDRESS_TYPES:
        return replace(result, advice=_OFFICIAL_ADDRESS_ADVICE)
    return result


def _result(
    query: str,
    indicator: Indicator,
    verdict: Verdict,
    score: float,
    stats: IndicatorStats | None,
    explanation: str,
) -> CheckResult:
    scam_types = stats.scam_types if stats else {}
    return CheckResult(
        query=query,
        indicator=indicator,
        verdict=verdict,
        score=score,
        report_count=stats.report_count if stats else 0,
        first_seen=stats.first_seen if stats else None,
        last_seen=stats.last_seen if stats else None,
        scam_types=tuple(sorted(scam_types, key=lambda name: (-scam_types[name], name))),
        explanation=explanation,
        advice=ADVICE[verdict],
    )


def _no_reports_text() -> str:
    return (
        "No report about this value is known to this node. That is not proof that it is "
        "safe: new scams start with no reports."
    )


def _reported_text(verdict: Verdict, stats: IndicatorStats) -> str:
    reports = "1 report" if stats.report_count == 1 else f"{stats.report_count} reports"
    kinds = ", ".join(name.replace("_", " ") for name in sorted(stats.scam_types))
    span = ""
    if stats.first_seen and stats.last_seen:
        span = (
            f" between {stats.first_seen.date().isoformat()} and "
            f"{stats.last_seen.date().isoformat()}"
        )
    rule = (
        f"{SCAM_THRESHOLD} or more reports make it a scam listing"
        if verdict is Verdict.SCAM
        else f"fewer than {SCAM_THRESHOLD} reports make it suspicious, not yet a scam listing"
    )
    return f"Named in {reports}{span} ({kinds}); {rule}."
