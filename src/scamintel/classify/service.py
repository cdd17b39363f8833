"""Assessing a whole message: the classifier's label, its red flags, and what this node knows
about every indicator in it. The API, the CLI and the check share this one function."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from scamintel.classify.model import MessageClassifier, Prediction, default_classifier
from scamintel.classify.redflags import FlagCode, RedFlag, find_red_flags
from scamintel.indicators import FoundIndicator, IndicatorRegistry, IndicatorType, ParseContext
from scamintel.indicators.lookalike import BrandLookalikes
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.ports import ReportStore
from scamintel.reports.service import check_value
from scamintel.reports.verdict import ADVICE, CheckResult, Imitation, Verdict

# A check query that is not one value is a message when it has this many words, or this
# many letters: Thai, Burmese, Khmer and Lao put no spaces between words.
_MESSAGE_WORDS = 4
_MESSAGE_LETTERS = 15
_WORD = re.compile(r"\S+")
_LETTER = re.compile(r"[^\W\d_]")
# Where a message's local numbers may be from, by its language, most likely first: the node's
# country comes last. Indonesian and Malay look alike, so each tries the other too.
_REGIONS_OF_LANGUAGE = {
    "th": ("TH",),
    "my": ("MM",),
    "km": ("KH",),
    "lo": ("LA",),
    "vi": ("VN",),
    "id": ("ID", "MY"),
    "ms": ("MY", "ID"),
    "tl": ("PH",),
}


@dataclass(frozen=True, slots=True)
class CheckedIndicator:
    """An indicator found in a message, with this node's verdict on it."""

    found: FoundIndicator
    check: CheckResult


@dataclass(frozen=True, slots=True)
class MessageAssessment:
    text: str
    prediction: Prediction
    red_flags: tuple[RedFlag, ...]
    indicators: tuple[CheckedIndicator, ...]
    region: str

    def as_dict(self) -> dict[str, Any]:
        """The classify result as the API and the CLI give it."""
        prediction = self.prediction
        return {
            "label": prediction.label,
            "score": prediction.score,
            "probabilities": prediction.probabilities,
            "scam_type": prediction.scam_type.value if prediction.scam_type else None,
            "language": prediction.language,
            "region": self.region,
            "red_flags": [flag.as_dict() for flag in self.red_flags],
            "indicators": [
                item.found.as_dict()
                | {
                    "verdict": item.check.verdict.value,
                    "score": item.check.score,
                    "report_count": item.check.report_count,
                    "imitates": asdict(item.check.imitates) if item.check.imitates else None,
                }
                for item in self.indicators
            ],
        }


@dataclass(frozen=True, slots=True)
class MessageContext:
    """What assessing a message needs besides the store: the node's readers and lists."""

    classifier: MessageClassifier
    registry: IndicatorRegistry
    warninglist: Warninglist
    lookalikes: BrandLookalikes
    node_region: str


def message_context(
    registry: IndicatorRegistry,
    warninglist: Warninglist,
    lookalikes: BrandLookalikes,
    node_region: str,
) -> MessageContext:
    """The context with the shipped classifier (read once, on first use)."""
    return MessageContext(default_classifier(), registry, warninglist, lookalikes, node_region)


def is_message(query: str) -> bool:
    """Whether a check query that is not one value is a pasted message."""
    return (
        len(_WORD.findall(query)) >= _MESSAGE_WORDS
        or len(_LETTER.findall(query)) >= _MESSAGE_LETTERS
    )


def assess_message(
    store: ReportStore,
    text: str,
    node: MessageContext,
    *,
    region: str | None = None,
    reader_language: str | None = None,
) -> MessageAssessment:
    """Label, red flags and the node's verdict on each indicator of ``text``.

    Numbers without a country code are read in ``region`` when given, else in the country of
    the message's language where its script or letters tell it (a Thai message's numbers are
    Thai), else in the node's.
    """
    prediction = node.classifier.predict(text)
    if region is None:
        regions = [*_REGIONS_OF_LANGUAGE.get(prediction.language, ()), node.node_region]
    else:
        regions = [region]
    region = regions[0]
    context = ParseContext(region)
    found = _extract_in_regions(node.registry, text, regions)
    flags = find_red_flags(
        text, prediction.language, reader_language or "en", found, default_region=region
    )
    checked = tuple(CheckedIndicator(item, _verdict(store, item, node, context)) for item in found)
    return MessageAssessment(text, prediction, tuple(flags), checked, region)


def _extract_in_regions(
    registry: IndicatorRegistry, text: str, regions: list[str]
) -> list[FoundIndicator]:
    """Indicators read in the likeliest region, then what the next ones add without
    overlapping them (a Malaysian number in a message guessed Indonesian)."""
    found: list[FoundIndicator] = []
    for region in dict.fromkeys(regions):
        for item in registry.extract(text, ParseContext(region)):
            if all(item.end <= kept.start or kept.end <= item.start for kept in found):
                found.append(item)
    found.sort(key=lambda item: item.start)
    return found


def _verdict(
    store: ReportStore, found: FoundIndicator, node: MessageContext, context: ParseContext
) -> CheckResult:
    indicator = found.indicator
    return check_value(
        store,
        indicator.value,
        registry=node.registry,
        context=context,
        warninglist=node.warninglist,
        indicator_type=indicator.type,
        lookalikes=node.lookalikes,
    )


@dataclass(frozen=True, slots=True)
class MessageVerdict:
    """The check's answer for a pasted message, in the check's own terms."""

    verdict: Verdict
    score: float
    explanation: str
    advice: str
    report_count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    scam_types: tuple[str, ...] = ()
    imitates: Imitation | None = None


_LABEL_WORDS = {
    "scam": "reads like a scam",
    "spam": "reads like unsolicited advertising (spam)",
    "ham": "does not read like a scam or spam",
}
# The classifier guards legitimate messages with a strict threshold (docs/model-card.md), so
# a message it labels ham may still be likelier a scam than not; with several kinds of red
# flag the citizen is told to be careful too.
_SCAM_PROBABILITY = 0.5
_FLAG_KINDS = 3
# Two kinds of red flag beside a link to follow is the shape of most smishing (a parcel "held
# at customs", a fee "within 24 hours", a link). On the training sets, about 440 more scams
# than three kinds alone and 24 more legitimate messages (Thai and Vietnamese operator adverts).
_FLAG_KINDS_WITH_A_LINK = 2
_LINK_TYPES = frozenset({IndicatorType.URL, IndicatorType.DOMAIN})
_SHOWN_FLAGS = 5
# "Suspicious" from the message alone: nobody has reported it, so the advice says what it shows.
_SIGNS_OF_A_SCAM_ADVICE = (
    "Be careful: this message shows signs of a scam. Do not pay, share codes (OTP) or "
    "passwords, install apps or open its links. Verify the person or company through a number "
    "or website you find yourself, not one the message gives. If it is a scam, report it here."
)
_SEVERITY = {Verdict.SCAM: 3, Verdict.SUSPICIOUS: 2, Verdict.NO_REPORTS: 1, Verdict.OFFICIAL: 0}
# Flags that point at a link are the strongest: they come first in the explanation.
_LINK_FLAGS = frozenset({FlagCode.LOOKALIKE_DOMAIN, FlagCode.SHORTENED_LINK})


def message_verdict(assessment: MessageAssessment) -> MessageVerdict:
    """Reports decide first: a message naming a reported number or link is as bad as that
    value. The classifier alone never says ``scam`` (it has seen no report): a message that
    reads like a scam is ``suspicious``, one that does not is ``no_reports``, never "safe"."""
    prediction = assessment.prediction
    worst = max(
        (item.check for item in assessment.indicators),
        key=lambda check: (_SEVERITY[check.verdict], check.score),
        default=None,
    )
    imitates = next(
        (item.check.imitates for item in assessment.indicators if item.check.imitates), None
    )
    sentences = [
        f"The classifier finds that this message {_LABEL_WORDS[prediction.label]} "
        f"(score {prediction.score:.2f})."
    ]
    sentences.extend(_flag_sentences(assessment))
    if worst is not None and worst.verdict in (Verdict.SCAM, Verdict.SUSPICIOUS):
        assert worst.indicator is not None
        sentences.append(
            f"It contains {worst.indicator.value}, which this node has "
            f"{worst.report_count} report(s) about."
        )
        return MessageVerdict(
            worst.verdict,
            worst.score,
            " ".join(sentences),
            ADVICE[worst.verdict],
            worst.report_count,
            worst.first_seen,
            worst.last_seen,
            worst.scam_types,
            imitates,
        )
    scam_types = (prediction.scam_type.value,) if prediction.scam_type else ()
    if _reads_like_a_scam(assessment):
        score = round(max(prediction.probabilities["scam"], 0.5 if imitates else 0.0), 3)
        return MessageVerdict(
            Verdict.SUSPICIOUS,
            score,
            " ".join(sentences),
            _SIGNS_OF_A_SCAM_ADVICE,
            scam_types=scam_types,
            imitates=imitates,
        )
    sentences.append("That is not proof that it is safe.")
    return MessageVerdict(
        Verdict.NO_REPORTS,
        0.0,
        " ".join(sentences),
        ADVICE[Verdict.NO_REPORTS],
        imitates=imitates,
    )


def _flag_sentences(assessment: MessageAssessment) -> list[str]:
    """One example of each kind of red flag, links first, and what they add up to."""
    first_of_kind: dict[FlagCode, RedFlag] = {}
    for flag in sorted(assessment.red_flags, key=lambda flag: flag.code not in _LINK_FLAGS):
        first_of_kind.setdefault(flag.code, flag)
    if not first_of_kind:
        return []
    shown = ", ".join(
        f"“{flag.raw}” ({flag.code.value.replace('_', ' ')})"
        for flag in list(first_of_kind.values())[:_SHOWN_FLAGS]
    )
    sentences = [f"Red flags: {shown}."]
    if len(first_of_kind) >= _FLAG_KINDS:
        sentences.append(
            f"Red flags of {len(first_of_kind)} kinds are reason enough to be careful."
        )
    elif len(first_of_kind) >= _FLAG_KINDS_WITH_A_LINK and _has_a_link(assessment):
        sentences.append(
            f"Red flags of {len(first_of_kind)} kinds beside a link are reason enough to be "
            "careful."
        )
    return sentences


def _has_a_link(assessment: MessageAssessment) -> bool:
    """A link to follow that is not an official site's."""
    return any(
        item.found.indicator.type in _LINK_TYPES and item.check.verdict is not Verdict.OFFICIAL
        for item in assessment.indicators
    )


def _reads_like_a_scam(assessment: MessageAssessment) -> bool:
    prediction = assessment.prediction
    kinds = {flag.code for flag in assessment.red_flags}
    return (
        prediction.label == "scam"
        or prediction.probabilities["scam"] >= _SCAM_PROBABILITY
        or len(kinds) >= _FLAG_KINDS
        or (len(kinds) >= _FLAG_KINDS_WITH_A_LINK and _has_a_link(assessment))
        or bool(kinds & _LINK_FLAGS)
    )
