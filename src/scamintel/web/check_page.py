"""The public check: ``/`` (the box) and ``/check?q=`` (the verdict card). A value goes to the
same check as ``GET /api/v1/check``; a pasted message to the same assessment as
``POST /api/v1/classify``, with its red flags explained in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from markupsafe import Markup

from scamintel.api.schemas import MAX_TEXT_TO_READ
from scamintel.api.state import NodeState
from scamintel.classify.service import (
    MessageAssessment,
    MessageVerdict,
    assess_message,
    is_message,
    message_verdict,
)
from scamintel.indicators import InvalidIndicatorError, ParseContext
from scamintel.reports.engine import ReviewStatus
from scamintel.reports.service import check_value
from scamintel.reports.submission import MAX_VALUE
from scamintel.reports.verdict import CheckResult, Verdict
from scamintel.web.highlight import Span, first_of_each_kind, highlighted
from scamintel.web.hotlines import Hotline, hotlines_for
from scamintel.web.i18n import N_
from scamintel.web.rendering import CurrentPage, Page, page_router
from scamintel.web.vocabulary import (
    FLAG_NAMES,
    HAM_WORDS_BUT_CAREFUL,
    INDICATOR_TYPE_NAMES,
    MESSAGE_LABEL_NAMES,
    VERDICT_NAMES,
    scam_type_name,
)

check_pages = page_router()

EMPTY_QUERY = N_(
    "Type or paste what you want to check: a phone number, a link, a bank account, "
    "a wallet, a chat ID, or the whole message."
)
UNREADABLE = N_(
    "We could not read this as a phone number, link, account, wallet or chat ID. Check it "
    "for typing mistakes, or paste the whole message you received."
)
TOO_LONG = N_("This is too long to check. Paste only the message, or only the number or link.")


@dataclass(frozen=True, slots=True)
class FlagView:
    name: str  # untranslated; the template translates it
    raw: str
    explanation: str  # already in the reader's language


@dataclass(frozen=True, slots=True)
class FoundView:
    type_name: str
    value: str
    raw: str
    verdict_name: str
    report_count: int


@dataclass(frozen=True, slots=True)
class MessageView:
    label_sentence: str
    marked_text: Markup
    flags: Sequence[FlagView]
    indicators: Sequence[FoundView]


@dataclass(frozen=True, slots=True)
class CheckView:
    """What the verdict card shows, for a value or for a message."""

    query: str
    verdict: Verdict
    verdict_name: str
    value: str | None
    value_type: str | None
    report_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    scam_types: Sequence[str]
    explanation: str  # the node's own words (English), kept as details
    imitates: str | None
    under_review: bool
    message: MessageView | None
    hotlines: Sequence[Hotline]
    report_url: str
    dispute_url: str | None


@check_pages.get("/")
def home(page: CurrentPage) -> HTMLResponse:
    return page.render("check_form.html", query="", problem=None)


@check_pages.get("/check")
def check(page: CurrentPage, q: str = "") -> HTMLResponse:
    query = q.strip()
    if not query:
        return page.render("check_form.html", query=q, problem=EMPTY_QUERY)
    if len(query) > MAX_TEXT_TO_READ:
        return page.render("check_form.html", query=q[:MAX_TEXT_TO_READ], problem=TOO_LONG)
    node: NodeState = page.request.app.state.node
    try:
        if len(query) > MAX_VALUE:
            raise InvalidIndicatorError(query[:40], "too long for one value")
        result = _check_value(node, query, page.country)
    except InvalidIndicatorError:
        if not is_message(query):
            return page.render("check_form.html", query=q, problem=UNREADABLE)
        assessment = _assess(node, query, page.language)
        return page.render("check.html", view=_message_view(page, query, assessment))
    return page.render("check.html", view=_value_view(page, query, result))


def _check_value(node: NodeState, query: str, country: str) -> CheckResult:
    with node.database.committed_reads() as connection:
        return check_value(
            node.database.reader(connection),
            query,
            registry=node.registry,
            context=ParseContext(country),
            warninglist=node.warninglist,
            lookalikes=node.lookalikes,
        )


def _assess(node: NodeState, text: str, language: str) -> MessageAssessment:
    with node.database.committed_reads() as connection:
        return assess_message(
            node.database.reader(connection), text, node.messages, reader_language=language
        )


def _value_view(page: Page, query: str, result: CheckResult) -> CheckView:
    indicator = result.indicator
    listed = result.verdict in (Verdict.SCAM, Verdict.SUSPICIOUS)
    return CheckView(
        query=query,
        verdict=result.verdict,
        verdict_name=VERDICT_NAMES[result.verdict],
        value=indicator.value,
        value_type=INDICATOR_TYPE_NAMES[indicator.type],
        report_count=result.report_count,
        first_seen=result.first_seen,
        last_seen=result.last_seen,
        scam_types=[scam_type_name(code) for code in result.scam_types],
        explanation=result.explanation,
        imitates=result.imitates.brand if result.imitates else None,
        under_review=result.review is not None and result.review.status is ReviewStatus.PENDING,
        message=None,
        hotlines=hotlines_for(page.country),
        report_url="/report?" + urlencode({"value": indicator.value}),
        dispute_url="/dispute?" + urlencode({"value": indicator.value}) if listed else None,
    )


def _message_view(page: Page, query: str, assessment: MessageAssessment) -> CheckView:
    answer: MessageVerdict = message_verdict(assessment)
    flags = assessment.red_flags
    spans = [Span(flag.start, flag.end, page.gettext(FLAG_NAMES[flag.code])) for flag in flags]
    flag_views = [
        FlagView(FLAG_NAMES[flag.code], flag.raw, flag.explanation)
        for flag in first_of_each_kind(flags)
    ]
    found = [
        FoundView(
            INDICATOR_TYPE_NAMES[item.found.indicator.type],
            item.found.indicator.value,
            item.found.raw,
            VERDICT_NAMES[item.check.verdict],
            item.check.report_count,
        )
        for item in assessment.indicators
    ]
    first_value = found[0].value if found else None
    return CheckView(
        query=query,
        verdict=answer.verdict,
        verdict_name=VERDICT_NAMES[answer.verdict],
        value=None,
        value_type=None,
        report_count=answer.report_count,
        first_seen=answer.first_seen,
        last_seen=answer.last_seen,
        scam_types=[scam_type_name(code) for code in answer.scam_types],
        explanation=answer.explanation,
        imitates=answer.imitates.brand if answer.imitates else None,
        under_review=False,
        message=MessageView(
            _label_sentence(assessment.prediction.label, answer.verdict),
            highlighted(query, spans),
            flag_views,
            found,
        ),
        hotlines=hotlines_for(page.country),
        report_url="/report?" + urlencode({"value": first_value} if first_value else {}),
        dispute_url=None,
    )


def _label_sentence(label: str, verdict: Verdict) -> str:
    """What the model says of the words, never contradicting a card that says be careful."""
    if label == "ham" and verdict in (Verdict.SCAM, Verdict.SUSPICIOUS):
        return HAM_WORDS_BUT_CAREFUL
    return MESSAGE_LABEL_NAMES[label]
