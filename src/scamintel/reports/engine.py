"""The verdict engine: from what a node knows about one value (its reports, the outcomes
recorded against it, disputes of its listing) to a verdict, a confidence and the sentences
that explain them. The rules are docs/verdicts.md; change one, change both.

Pure functions over plain data: the storage package gathers the evidence, the check, the
listings refresh and the benchmark all call :func:`assess`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from scamintel.indicators import IndicatorType
from scamintel.reports.trust import ReporterTrust

# How much one reporter's freshest report counts, by who sent it.
TRUST_WEIGHT: dict[ReporterTrust, float] = {
    ReporterTrust.VERIFIED_AGENCY: 0.9,
    ReporterTrust.BANK_TELCO: 0.6,
    ReporterTrust.REGISTERED_CITIZEN: 0.35,
    ReporterTrust.ANONYMOUS: 0.2,
}
TRUST_WORDS: dict[ReporterTrust, str] = {
    ReporterTrust.VERIFIED_AGENCY: "from a verified agency",
    ReporterTrust.BANK_TELCO: "from a bank or telco",
    ReporterTrust.REGISTERED_CITIZEN: "from a registered citizen",
    ReporterTrust.ANONYMOUS: "anonymous",
}
# Scam infrastructure is abandoned at different speeds: a link lives for days or weeks, a
# SIM for a few months, a mule account or a wallet far longer.
HALF_LIFE_DAYS: dict[IndicatorType, int] = {
    IndicatorType.URL: 30,
    IndicatorType.IP: 30,
    IndicatorType.DOMAIN: 60,
    IndicatorType.PHONE: 90,
    IndicatorType.HANDLE: 180,
    IndicatorType.EMAIL: 180,
    IndicatorType.EWALLET: 180,
    IndicatorType.BANK_ACCOUNT: 180,
    IndicatorType.CRYPTO_WALLET: 365,
    IndicatorType.IMEI: 365,
}
SCAM_CONFIDENCE = 0.75
# Below this confidence a value is still `suspicious` at the check, but no longer published
# on the lists used for automatic blocking (docs/verdicts.md, "Published lists").
LISTING_FLOOR = 0.1
# An organisation acting on the value (freezing an account, blocking a number, taking a site
# down) is confirmation: it counts like a strong report of its own.
ACTION_WEIGHT = 0.8
# A false positive reported by an organisation cuts what came before it to this share.
FALSE_POSITIVE_SHARE = 0.25
# More reports than this about one value from one sender within BURST_WINDOW are a burst:
# they count as one report and go to an analyst's review.
BURST_REPORTS = 3
BURST_WINDOW = timedelta(hours=24)
# An organisation relaying its customers' or users' reports counts once per victim it names,
# for at most this many victims: contact details are not proof that the victims exist.
VICTIMS_PER_ORGANISATION = 3
# The engine weighs a value's most recent reports; beyond this many the confidence cannot
# move any more, and reading them all would let one value slow every check of it.
MAX_REPORTS_WEIGHED = 5_000


TYPE_WORDS: dict[IndicatorType, str] = {
    IndicatorType.PHONE: "a phone number",
    IndicatorType.URL: "a link",
    IndicatorType.DOMAIN: "a domain",
    IndicatorType.EMAIL: "an e-mail address",
    IndicatorType.HANDLE: "a messaging account",
    IndicatorType.EWALLET: "an e-wallet",
    IndicatorType.BANK_ACCOUNT: "a bank account",
    IndicatorType.CRYPTO_WALLET: "a crypto wallet",
    IndicatorType.IP: "an IP address",
    IndicatorType.IMEI: "a device (IMEI)",
}


class EventKind(StrEnum):
    FROZEN = "frozen"
    BLOCKED = "blocked"
    TAKEN_DOWN = "taken_down"
    FALSE_POSITIVE = "false_positive"
    DISPUTE_OPENED = "dispute_opened"
    DISPUTE_UPHELD = "dispute_upheld"
    DISPUTE_REJECTED = "dispute_rejected"


OUTCOMES = (EventKind.FROZEN, EventKind.BLOCKED, EventKind.TAKEN_DOWN, EventKind.FALSE_POSITIVE)
_ACTIONS = frozenset({EventKind.FROZEN, EventKind.BLOCKED, EventKind.TAKEN_DOWN})
_ACTION_WORDS = {
    EventKind.FROZEN: "frozen",
    EventKind.BLOCKED: "blocked",
    EventKind.TAKEN_DOWN: "taken down",
}


class Verdict(StrEnum):
    SCAM = "scam"
    SUSPICIOUS = "suspicious"
    NO_REPORTS = "no_reports"
    OFFICIAL = "official"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class ReportSignal:
    """One report naming the value, as the engine weighs it."""

    trust: ReporterTrust
    # Who sent it (docs/verdicts.md). A report stored without a sender counts as its own.
    source: str
    scam_type: str
    seen_at: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True)
class IndicatorEvent:
    kind: EventKind
    at: datetime
    source: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    reports: tuple[ReportSignal, ...] = ()
    events: tuple[IndicatorEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class Review:
    """The latest dispute of the value's listing, as the public sees it."""

    status: ReviewStatus
    opened_at: datetime
    decided_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Assessment:
    verdict: Verdict
    score: float
    explanation: str
    report_count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    scam_types: tuple[str, ...] = ()
    review: Review | None = None
    # Senders whose reports about this value came in a burst (held for review).
    bursts: dict[str, int] = field(default_factory=dict)

    @property
    def under_review(self) -> bool:
        return self.review is not None and self.review.status is ReviewStatus.PENDING


def assess(indicator_type: IndicatorType, evidence: Evidence, now: datetime) -> Assessment:
    """The verdict on one value that is not an official contact."""
    review = _review(evidence.events)
    cleared = _last_upheld(evidence.events)
    cleared_at = cleared.at if cleared else None
    reports = _most_recent(
        [r for r in evidence.reports if cleared_at is None or r.received_at > cleared_at]
    )
    events = [e for e in evidence.events if cleared_at is None or e.at > cleared_at]
    if not reports and not any(e.kind in _ACTIONS for e in events):
        explanation = " ".join(
            part for part in (_no_reports_text(cleared), _pending_sentence(review)) if part
        )
        return Assessment(Verdict.NO_REPORTS, 0.0, explanation, review=review)
    half_life = HALF_LIFE_DAYS[indicator_type]
    bursts = _bursts(reports)
    weights, capped = _voice_weights(reports, events, bursts, half_life, now)
    score = _combine(weights.values())
    verdict = _verdict(score, weights, reports, events)
    scam_types = _scam_types(reports)
    seen = [r.seen_at for r in reports]
    explanation = " ".join(
        part
        for part in (
            _reports_sentence(reports, scam_types),
            _burst_sentence(bursts),
            _cap_sentence(capped),
            _actions_sentence(events),
            _recency_sentence(reports, indicator_type, half_life, now),
            _rule_sentence(verdict, score, reports),
            _review_sentence(review),
        )
        if part
    )
    return Assessment(
        verdict=verdict,
        score=round(score, 3),
        explanation=explanation,
        report_count=len(reports),
        first_seen=min(seen) if seen else None,
        last_seen=max(seen) if seen else None,
        scam_types=scam_types,
        review=review,
        bursts=bursts,
    )


def _last_upheld(events: tuple[IndicatorEvent, ...]) -> IndicatorEvent | None:
    """The last upheld dispute: what came before it no longer counts, whatever later
    disputes say."""
    upheld = [e for e in events if e.kind is EventKind.DISPUTE_UPHELD]
    return max(upheld, key=lambda e: e.at) if upheld else None


def _most_recent(reports: list[ReportSignal]) -> list[ReportSignal]:
    if len(reports) <= MAX_REPORTS_WEIGHED:
        return reports
    return sorted(reports, key=lambda r: r.seen_at, reverse=True)[:MAX_REPORTS_WEIGHED]


def sender_of(source: str) -> str:
    """The sender behind a reporter: an organisation relaying a victim (``org:7:…``) is the
    organisation (``org:7``); an anonymous network or a report of its own is itself."""
    if source.startswith("org:"):
        return ":".join(source.split(":", 2)[:2])
    return source


def _decay(moment: datetime, now: datetime, half_life_days: int) -> float:
    """Full weight for one half-life (a scam runs for a while on the same number or
    account), then half as much every half-life after that."""
    age_days = max((now - moment).total_seconds() / 86_400, 0.0)
    stale_days = max(age_days - half_life_days, 0.0)
    return float(0.5 ** (stale_days / half_life_days))


def _false_positive_at(events: list[IndicatorEvent]) -> datetime | None:
    moments = [e.at for e in events if e.kind is EventKind.FALSE_POSITIVE]
    return max(moments) if moments else None


def _voice_weights(
    reports: list[ReportSignal],
    events: list[IndicatorEvent],
    bursts: dict[str, int],
    half_life: int,
    now: datetime,
) -> tuple[dict[str, float], set[str]]:
    """The weight of every voice that counts, and the organisations whose victims were capped.

    Each reporter counts once, by its strongest decayed report: more reports from one
    reporter never raise the confidence. A sender that sent a burst counts once in all; an
    organisation counts for at most VICTIMS_PER_ORGANISATION of the victims it names. An
    action by an organisation counts as a voice of its own.
    """
    false_positive_at = _false_positive_at(events)
    by_reporter: dict[str, float] = defaultdict(float)
    for report in reports:
        weight = TRUST_WEIGHT[report.trust] * _decay(report.seen_at, now, half_life)
        if false_positive_at is not None and report.received_at <= false_positive_at:
            weight *= FALSE_POSITIVE_SHARE
        by_reporter[report.source] = max(by_reporter[report.source], weight)
    by_sender: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for reporter, weight in by_reporter.items():
        by_sender[sender_of(reporter)].append((weight, reporter))
    voices: dict[str, float] = {}
    capped: set[str] = set()
    for sender, reporters in by_sender.items():
        reporters.sort(reverse=True)
        kept = 1 if sender in bursts else VICTIMS_PER_ORGANISATION
        if len(reporters) > kept and sender not in bursts:
            capped.add(sender)
        voices.update({reporter: weight for weight, reporter in reporters[:kept]})
    for event in events:
        if event.kind not in _ACTIONS:
            continue
        weight = ACTION_WEIGHT * _decay(event.at, now, half_life)
        if false_positive_at is not None and event.at <= false_positive_at:
            weight *= FALSE_POSITIVE_SHARE
        key = f"action:{event.source}"
        voices[key] = max(voices.get(key, 0.0), weight)
    return voices, capped


def _combine(weights: Iterable[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return 1.0 - remaining


def _verdict(
    score: float,
    weights: dict[str, float],
    reports: list[ReportSignal],
    events: list[IndicatorEvent],
) -> Verdict:
    """Scam needs the confidence and more than one voice: two reporters, or a verified
    agency, or an organisation's action. One anonymous report is never enough."""
    if score < SCAM_CONFIDENCE:
        return Verdict.SUSPICIOUS
    agency = any(r.trust is ReporterTrust.VERIFIED_AGENCY for r in reports)
    acted = any(e.kind in _ACTIONS for e in events)
    if len(weights) >= 2 or agency or acted:
        return Verdict.SCAM
    return Verdict.SUSPICIOUS


def _bursts(reports: list[ReportSignal]) -> dict[str, int]:
    by_sender: dict[str, list[datetime]] = defaultdict(list)
    for report in reports:
        by_sender[sender_of(report.source)].append(report.received_at)
    bursts: dict[str, int] = {}
    for source, moments in by_sender.items():
        if len(moments) <= BURST_REPORTS - 1:
            continue
        moments.sort()
        most = _most_within(moments, BURST_WINDOW)
        if most >= BURST_REPORTS:
            bursts[source] = most
    return bursts


def _most_within(moments: list[datetime], window: timedelta) -> int:
    """The largest number of sorted moments that fit in one window."""
    best = start = 0
    for end, moment in enumerate(moments):
        while moment - moments[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _scam_types(reports: list[ReportSignal]) -> tuple[str, ...]:
    counts: dict[str, int] = defaultdict(int)
    for report in reports:
        counts[report.scam_type] += 1
    return tuple(sorted(counts, key=lambda name: (-counts[name], name)))


def _review(events: tuple[IndicatorEvent, ...]) -> Review | None:
    """The latest dispute: opened, and decided if a decision followed."""
    opened = [e for e in events if e.kind is EventKind.DISPUTE_OPENED]
    if not opened:
        return None
    latest = max(opened, key=lambda e: e.at)
    decisions = [
        e
        for e in events
        if e.kind in (EventKind.DISPUTE_UPHELD, EventKind.DISPUTE_REJECTED) and e.at >= latest.at
    ]
    if not decisions:
        return Review(ReviewStatus.PENDING, latest.at)
    decision = max(decisions, key=lambda e: e.at)
    status = (
        ReviewStatus.UPHELD
        if decision.kind is EventKind.DISPUTE_UPHELD
        else (ReviewStatus.REJECTED)
    )
    return Review(status, latest.at, decision.at, decision.note)


# -- the words -----------------------------------------------------------------------------


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def _no_reports_text(cleared: IndicatorEvent | None) -> str:
    if cleared is None:
        return (
            "No report about this value is known to this node. That is not proof that it is "
            "safe: new scams start with no reports."
        )
    reason = f" ({cleared.note})" if cleared.note else ""
    return (
        f"An earlier listing was reviewed on {_day(cleared.at)}: the holder's dispute was "
        f"upheld{reason}, and the reports received before then no longer count. No report "
        "that still counts is known to this node. That is not proof that it is safe: new "
        "scams start with no reports."
    )


def _pending_sentence(review: Review | None) -> str:
    if review is None or review.status is not ReviewStatus.PENDING:
        return ""
    return (
        "Someone who says they hold this value contests the listing (since "
        f"{_day(review.opened_at)}); it awaits an analyst's review, and the verdict stands "
        "until the review is decided."
    )


def _reports_sentence(reports: list[ReportSignal], scam_types: tuple[str, ...]) -> str:
    if not reports:
        return ""
    count = len(reports)
    sources = {r.source for r in reports}
    by_trust: dict[ReporterTrust, set[str]] = defaultdict(set)
    for report in reports:
        by_trust[report.trust].add(report.source)
    parts = [
        f"{len(by_trust[trust])} {TRUST_WORDS[trust]}" for trust in ReporterTrust if by_trust[trust]
    ]
    noun = "report" if count == 1 else "reports"
    reporters = "1 reporter" if len(sources) == 1 else f"{len(sources)} different reporters"
    seen = sorted(r.seen_at for r in reports)
    span = (
        f"on {_day(seen[0])}"
        if _day(seen[0]) == _day(seen[-1])
        else f"between {_day(seen[0])} and {_day(seen[-1])}"
    )
    kinds = ", ".join(name.replace("_", " ") for name in scam_types)
    return f"Named in {count} {noun} from {reporters} ({', '.join(parts)}) {span} ({kinds})."


def _burst_sentence(bursts: dict[str, int]) -> str:
    if not bursts:
        return ""
    largest = max(bursts.values())
    return (
        f"{largest} of these reports came from one sender (one organisation or one network) "
        "within a day; that sender's reports count as one and were flagged for an analyst's "
        "review."
    )


def _cap_sentence(capped: set[str]) -> str:
    if not capped:
        return ""
    return (
        f"An organisation's reports count for at most {VICTIMS_PER_ORGANISATION} of the "
        "victims it names."
    )


def _actions_sentence(events: list[IndicatorEvent]) -> str:
    sentences: list[str] = []
    for event in sorted(events, key=lambda e: e.at):
        if event.kind in _ACTIONS:
            sentences.append(
                f"An organisation reported it {_ACTION_WORDS[event.kind]} on {_day(event.at)}."
            )
        elif event.kind is EventKind.FALSE_POSITIVE:
            sentences.append(
                f"On {_day(event.at)} an organisation reported it as a false positive: reports "
                "and actions from before then count for a quarter of their weight."
            )
    # The same organisation recording the same action twice says it once.
    return " ".join(dict.fromkeys(sentences))


def _recency_sentence(
    reports: list[ReportSignal],
    indicator_type: IndicatorType,
    half_life: int,
    now: datetime,
) -> str:
    if not reports:
        return ""
    latest = max(r.seen_at for r in reports)
    age = (now - latest).days
    if age <= half_life:
        return ""
    return (
        f"The latest report is {age} days old; a report about {TYPE_WORDS[indicator_type]} "
        "counts fully for "
        f"{half_life} days, then half as much every {half_life} days, because scammers move "
        "on and values get reassigned."
    )


def _rule_sentence(verdict: Verdict, score: float, reports: list[ReportSignal]) -> str:
    confidence = f"Confidence {score:.2f}"
    if verdict is Verdict.SCAM:
        return (
            f"{confidence}: {SCAM_CONFIDENCE:.2f} or more, with more than one reporter or a "
            "verified agency or an organisation's action, makes it a scam listing."
        )
    if score < LISTING_FLOOR:
        return (
            f"{confidence}: these reports are too old or too weak for the lists used to block "
            "scams automatically, but they were made: be careful all the same."
        )
    single_anonymous = (
        len(reports) >= 1
        and all(r.trust is ReporterTrust.ANONYMOUS for r in reports)
        and len({r.source for r in reports}) == 1
    )
    if single_anonymous:
        return f"{confidence}: one anonymous reporter is never enough to list a value as a scam."
    if score >= SCAM_CONFIDENCE:
        return (
            f"{confidence}, but from one reporter only: a second reporter, a verified agency "
            "or an organisation's action is needed for a scam listing."
        )
    return f"{confidence}: suspicious; a scam listing needs {SCAM_CONFIDENCE:.2f} or more."


def _review_sentence(review: Review | None) -> str:
    if review is None:
        return ""
    if review.status is ReviewStatus.PENDING:
        return _pending_sentence(review)
    if review.status is ReviewStatus.REJECTED and review.decided_at:
        reason = f" ({review.reason})" if review.reason else ""
        return (
            f"The listing was reviewed on {_day(review.decided_at)}: the holder's dispute was "
            f"rejected{reason}."
        )
    if review.decided_at:
        return (
            f"An earlier listing was reviewed on {_day(review.decided_at)} and removed; only "
            "reports received since count."
        )
    return ""
