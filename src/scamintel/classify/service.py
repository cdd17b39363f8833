"""Assessing a whole message: the classifier's label, its red flags, and what this node knows
about every indicator in it. The API, the CLI and the check share this one function."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scamintel.classify.model import MessageClassifier, Prediction
from scamintel.classify.redflags import RedFlag, find_red_flags, language_region
from scamintel.indicators import FoundIndicator, IndicatorRegistry, ParseContext
from scamintel.indicators.lookalike import BrandLookalikes
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.ports import ReportStore
from scamintel.reports.service import check_value
from scamintel.reports.verdict import ADVICE, CheckResult, Verdict

# A check query is a message, not one value, when it has this many words or more.
_MESSAGE_WORDS = 4
_WORD = re.compile(r"\S+")


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


@dataclass(frozen=True, slots=True)
class MessageContext:
    """What assessing a message needs besides the store: the node's readers and lists."""

    classifier: MessageClassifier
    registry: IndicatorRegistry
    warninglist: Warninglist
    lookalikes: BrandLookalikes
    node_region: str


def is_message(query: str) -> bool:
    """Whether a check query is a pasted message rather than one number, link or account."""
    return len(_WORD.findall(query)) >= _MESSAGE_WORDS


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
    the message's language (a Thai message's numbers are Thai), else the node's.
    """
    prediction = node.classifier.predict(text)
    region = region or language_region(prediction.language, node.node_region)
    context = ParseContext(region)
    found = node.registry.extract(text, context)
    flags = find_red_flags(
        text, prediction.language, reader_language or "en", found, default_region=region
    )
    checked = tuple(CheckedIndicator(item, _verdict(store, item, node, context)) for item in found)
    return MessageAssessment(text, prediction, tuple(flags), checked, region)


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


_LABEL_WORDS = {
    "scam": "reads like a scam",
    "spam": "reads like unsolicited advertising (spam)",
    "ham": "does not read like a scam or spam",
}


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
    sentences = [
        f"The classifier finds that this message {_LABEL_WORDS[prediction.label]} "
        f"(score {prediction.score:.2f})."
    ]
    if assessment.red_flags:
        shown = ", ".join(f"“{flag.raw}”" for flag in assessment.red_flags[:5])
        sentences.append(f"Red flags: {shown}.")
    verdict: Verdict
    if worst is not None and worst.verdict in (Verdict.SCAM, Verdict.SUSPICIOUS):
        sentences.append(
            f"It contains {worst.indicator.value}, which this node has "
            f"{worst.report_count} report(s) about."
        )
        verdict, score = worst.verdict, worst.score
    elif _reads_like_a_scam(assessment):
        verdict, score = Verdict.SUSPICIOUS, prediction.probabilities["scam"]
    else:
        verdict, score = Verdict.NO_REPORTS, 0.0
        sentences.append("That is not proof that it is safe.")
    return MessageVerdict(verdict, round(score, 3), " ".join(sentences), ADVICE[verdict])


# The classifier guards legitimate messages with a strict threshold (docs/model-card.md), so
# a message it labels ham may still be likelier a scam than not; with several kinds of red
# flag the citizen is told to be careful too.
_SCAM_PROBABILITY = 0.5
_FLAG_KINDS = 3


def _reads_like_a_scam(assessment: MessageAssessment) -> bool:
    prediction = assessment.prediction
    kinds = {flag.code for flag in assessment.red_flags}
    return (
        prediction.label == "scam"
        or prediction.probabilities["scam"] >= _SCAM_PROBABILITY
        or len(kinds) >= _FLAG_KINDS
    )


_SEVERITY = {Verdict.SCAM: 3, Verdict.SUSPICIOUS: 2, Verdict.NO_REPORTS: 1, Verdict.OFFICIAL: 0}
