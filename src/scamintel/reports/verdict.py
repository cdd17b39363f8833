"""The check's answer for one value: the engine's assessment (reports/engine.py) with the
advice that goes with each verdict, or an official contact named from the warninglist."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from scamintel.federation.markings import Tlp
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.engine import Assessment, Review, Verdict

__all__ = [
    "ADVICE",
    "CheckResult",
    "Imitation",
    "PartnerKnowledge",
    "Verdict",
    "judge",
    "official",
    "shown_to",
]


@dataclass(frozen=True, slots=True)
class Imitation:
    """The brand a checked address imitates (docs/warninglists.md, lookalikes)."""

    brand: str
    official_domain: str
    technique: str


@dataclass(frozen=True, slots=True)
class PartnerKnowledge:
    """What a partner node shared about the checked value (docs/federation.md). It is shown
    beside this node's verdict and does not change it: the verdict stays explainable from this
    node's own reports, and a partner's listing rules are its own."""

    partner: str
    verdict: str | None
    reports: int
    marking: Tlp
    blind: bool

    @property
    def marking_label(self) -> str:
        return f"TLP:{self.marking.value.upper()}"

    @property
    def summary(self) -> str:
        reports = "1 report" if self.reports == 1 else f"{self.reports} reports"
        return f"known to partner {self.partner}, {reports}, {self.marking_label}"

    def as_json(self) -> dict[str, object]:
        """The record as the API and the CLI's ``--json`` give it."""
        return {
            "partner": self.partner,
            "verdict": self.verdict,
            "reports": self.reports,
            "marking": self.marking_label,
            "blind": self.blind,
            "summary": self.summary,
        }


def shown_to(
    knowledge: Iterable[PartnerKnowledge], *, restricted: bool
) -> tuple[PartnerKnowledge, ...]:
    """The partner knowledge a reader may see, one entry per partner. TLP decides: CLEAR is for
    everyone; GREEN and stricter only for ``restricted`` readers (this node's analysts,
    investigators and admins, and its operator at the CLI). When a partner shared the value
    more than once (raw and blind), the entry with the most reports is kept."""
    best: dict[str, PartnerKnowledge] = {}
    for item in knowledge:
        if item.marking is not Tlp.CLEAR and not restricted:
            continue
        kept = best.get(item.partner)
        if kept is None or item.reports > kept.reports:
            best[item.partner] = item
    return tuple(best[partner] for partner in sorted(best))


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
    # What partner nodes know of the value, before ``shown_to`` filters it for the reader.
    partners: tuple[PartnerKnowledge, ...] = ()


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
