"""``/report``: the citizen's report form, one page of short steps, on the same intake as
``POST /api/v1/reports`` (storage.submissions.submit_and_cluster). A mistake is shown beside
its field and nothing typed is lost."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from scamintel.api.schemas import reference_of
from scamintel.api.state import NodeState
from scamintel.indicators import ParseContext
from scamintel.reports.intake import ReportRejectedError
from scamintel.reports.model import Channel, ReportSource, ScamType
from scamintel.reports.service import IdempotencyKeyReusedError, Submitted, reporter_reader
from scamintel.reports.submission import MAX_INDICATORS, ReportSubmission
from scamintel.storage.submissions import submit_and_cluster
from scamintel.web.i18n import N_
from scamintel.web.rendering import CheckedForm, CurrentPage, FormData, Page, page_router
from scamintel.web.vocabulary import CHANNEL_NAMES, SCAM_TYPE_NAMES

report_pages = page_router()

# The currencies of the region first; any ISO 4217 code is accepted by the intake.
CURRENCIES = ("THB", "MMK", "KHR", "LAK", "VND", "IDR", "MYR", "PHP", "SGD", "BND", "USD")
# The currency preselected for a reader of each country (none for other countries).
COUNTRY_CURRENCIES: Mapping[str, str] = {
    "TH": "THB", "MM": "MMK", "KH": "KHR", "LA": "LAK", "VN": "VND",
    "ID": "IDR", "MY": "MYR", "PH": "PHP", "SG": "SGD", "BN": "BND",
}  # fmt: skip
# The intake keeps 20 digits with 2 decimals: anything from 10^18 up cannot be an amount.
MAX_AMOUNT = Decimal(10) ** 18
# The form's one-time id (see _idempotency_key): what secrets.token_urlsafe writes.
_SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
FIELD_PROBLEMS: Mapping[str, str] = {
    "narrative": N_("Tell us what happened, or give the number, link or account they used."),
    "values": N_("We could not read one of these. Check it for typing mistakes, or remove it."),
    "amount": N_("Write the amount as a number, for example 5000."),
    "currency": N_("Choose the currency of the amount."),
    "occurred_on": N_("Give the date as day, month and year, not in the future."),
    "contact": N_("Check your contact details: each must be shorter than 300 characters."),
    "scam_type": N_("Choose what kind of scam it was."),
    "channel": N_("Choose how they contacted you."),
    "victim_country": N_("Choose your country from the list."),
    "too_many": N_("Give at most 50 numbers, links or accounts."),
}
SEND_AGAIN = N_(
    "This form was open too long, so it was not sent. Nothing you typed was lost: please "
    "check it and send it again."
)
_FIELD_OF_LOCATION = {
    "narrative": "narrative",
    "indicators": "values",
    "amount": "amount",
    "currency": "currency",
    "occurred_at": "occurred_on",
    "reporter": "contact",
    "scam_type": "scam_type",
    "channel": "channel",
    "victim_country": "victim_country",
}


@dataclass(frozen=True, slots=True)
class ReportForm:
    """What the reader typed, kept as typed, and the problems found in it by field."""

    values: Mapping[str, str]
    problems: Mapping[str, str]


def latest_allowed_day() -> date:
    """The last day a scam may have happened on: tomorrow in UTC, so that today is allowed in
    every time zone of the region (Bangkok is UTC+7: its morning is yesterday in UTC)."""
    return datetime.now(UTC).date() + timedelta(days=1)


def _countries(page: Page) -> tuple[str, ...]:
    """The countries the reader may choose: the switcher's, and the page's own if it is not
    one of them (a node outside the region)."""
    return page.countries if page.country in page.countries else (page.country, *page.countries)


def _choices(page: Page) -> dict[str, Any]:
    return {
        "scam_types": [(code.value, SCAM_TYPE_NAMES[code]) for code in ScamType],
        "channels": [(code.value, CHANNEL_NAMES[code]) for code in Channel],
        "currencies": CURRENCIES,
        "countries": _countries(page),
        "today": latest_allowed_day().isoformat(),
    }


@report_pages.get("/report")
def report_form(page: CurrentPage, value: str = "") -> HTMLResponse:
    values = {
        "values": value.strip(),
        "submission_id": secrets.token_urlsafe(16),
        "victim_country": page.country,
        "currency": COUNTRY_CURRENCIES.get(page.country, ""),
    }
    return page.render("report.html", form=ReportForm(values, {}), notice=None, **_choices(page))


@report_pages.post("/report")
def send_report(page: CurrentPage, form: CheckedForm) -> HTMLResponse:
    typed = form.as_values()
    if not _SUBMISSION_ID.fullmatch(typed.get("submission_id", "")):
        typed["submission_id"] = secrets.token_urlsafe(16)
    submission, problems = _submission(form, _countries(page))
    node: NodeState = page.request.app.state.node
    if submission is not None:
        try:
            submitted = _submit(page, node, submission, typed["submission_id"])
        except ReportRejectedError:
            problems = {"values": FIELD_PROBLEMS["values"]}
        else:
            return page.render(
                "report_done.html",
                reference=reference_of(submitted.report_id),
                report_id=str(submitted.report_id),
            )
    form_again = ReportForm(typed, problems)
    return page.render("report.html", status=422, form=form_again, notice=None, **_choices(page))


def report_sent_without_token(page: Page, form: FormData) -> HTMLResponse:
    """The form as typed, with a fresh token, when its token was refused: nothing stored."""
    typed = form.as_values()
    if not _SUBMISSION_ID.fullmatch(typed.get("submission_id", "")):
        typed["submission_id"] = secrets.token_urlsafe(16)
    again = ReportForm(typed, {})
    return page.render("report.html", status=403, form=again, notice=SEND_AGAIN, **_choices(page))


def _submission(
    form: FormData, countries: tuple[str, ...]
) -> tuple[ReportSubmission | None, dict[str, str]]:
    problems: dict[str, str] = {}
    values = [line.strip() for line in form.get("values").splitlines() if line.strip()]
    if len(values) > MAX_INDICATORS:
        problems["values"] = FIELD_PROBLEMS["too_many"]
    amount = _amount(form.get("amount"), problems)
    occurred_at = _occurred_at(form.get("occurred_on"), problems)
    victim_country = form.get("victim_country").strip().upper() or countries[0]
    if victim_country not in countries:
        problems["victim_country"] = FIELD_PROBLEMS["victim_country"]
    narrative = form.get("narrative").strip()
    evidence = form.get("evidence").strip()
    if evidence:
        narrative = f"{narrative}\n\nEvidence: {evidence}" if narrative else f"Evidence: {evidence}"
    contact = {
        key: form.get(f"contact_{key}").strip() or None for key in ("name", "phone", "email")
    }
    body: dict[str, Any] = {
        "narrative": narrative or None,
        "scam_type": form.get("scam_type") or ScamType.OTHER.value,
        "channel": form.get("channel") or Channel.OTHER.value,
        "victim_country": victim_country,
        "amount": amount,
        "currency": (form.get("currency") or None) if amount is not None else None,
        "occurred_at": occurred_at,
        "indicators": [{"value": value} for value in values[:MAX_INDICATORS]],
        "reporter": contact if any(contact.values()) else None,
    }
    if problems:
        return None, problems
    try:
        return ReportSubmission.model_validate(body), {}
    except ValidationError as error:
        for item in error.errors():
            location = [str(part) for part in item.get("loc", ())]
            field = _FIELD_OF_LOCATION.get(location[0] if location else "", "narrative")
            if field == "narrative" and "currency" in str(item.get("msg", "")):
                field = "currency"
            problems.setdefault(field, FIELD_PROBLEMS[field])
        return None, problems


def _amount(typed: str, problems: dict[str, str]) -> Decimal | None:
    cleaned = typed.strip().replace(",", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        problems["amount"] = FIELD_PROBLEMS["amount"]
        return None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        problems["amount"] = FIELD_PROBLEMS["amount"]
        return None
    return amount.quantize(Decimal("0.01"))


def _occurred_at(typed: str, problems: dict[str, str]) -> datetime | None:
    if not typed.strip():
        return None
    try:
        day = date.fromisoformat(typed.strip())
    except ValueError:
        problems["occurred_on"] = FIELD_PROBLEMS["occurred_on"]
        return None
    if day > latest_allowed_day():
        problems["occurred_on"] = FIELD_PROBLEMS["occurred_on"]
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _submit(
    page: Page, node: NodeState, submission: ReportSubmission, submission_id: str
) -> Submitted:
    client = page.request.client
    reader = reporter_reader(
        node.settings.secret_key, None, client.host if client else None, submission
    )
    # Numbers written without a country code are read as the reader's country writes them.
    context = ParseContext(submission.victim_country or page.country)
    try:
        return submit_and_cluster(
            node.database,
            submission,
            registry=node.registry,
            context=context,
            reader=reader,
            # The form's one-time id: a double click or a reload stores the report once.
            idempotency_key=f"web:{submission_id}",
            warninglist=node.warninglist,
            fanout_cap=node.settings.cluster_fanout_cap,
            source=ReportSource.WEB,
        )
    except IdempotencyKeyReusedError as first:
        # The form was sent already, then changed (after an error shown, or with the back
        # button): the reader sees the first report's confirmation, never a second report.
        return Submitted(first.report_id, created=False, indicator_count=0)
