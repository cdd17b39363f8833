"""``/transparency``: the public transparency report for a period the reader picks, with the
same numbers as ``GET /api/v1/transparency`` (docs/governance.md, "Transparency report")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse

from scamintel.governance.transparency import PeriodError, parse_period
from scamintel.reports.model import Channel
from scamintel.storage.transparency_repo import ReportCache
from scamintel.web.i18n import N_
from scamintel.web.rendering import CurrentPage, page_router
from scamintel.web.vocabulary import CHANNEL_NAMES, scam_type_name

transparency_pages = page_router()

PERIOD_PROBLEMS: Mapping[str, str] = {
    "not_a_date": N_("Write the date as year-month-day, for example 2025-01-31."),
    "not_before": N_("The first day must come before the end of the period."),
    "too_long": N_("Choose a period of five years or less."),
}
SUBJECT_REQUEST_KINDS: Mapping[str, str] = {
    "access": N_("See the data held"),
    "correction": N_("Correct the data"),
    "erasure": N_("Erase the data"),
}
SUBJECT_REQUEST_STATUSES: Mapping[str, str] = {
    "received": N_("Waiting for verification"),
    "verified": N_("Verified, being handled"),
    "completed": N_("Completed"),
    "refused": N_("Refused"),
}
# What a purge counts (the ``counts`` of its audit entry, storage/retention_repo.py): every
# kind of governance/retention.py DataKind, and the rows it tidies besides. Every one needs a
# name here (tests/unit/web/test_transparency_names.py); a count recorded by an older or newer
# version of the node and not named is shown by its code.
PURGED_KINDS: Mapping[str, str] = {
    "victim_contact": N_("Victims' contact details"),
    "narrative": N_("Victims' own accounts of what happened"),
    "report": N_("Reports"),
    "outcome": N_("Outcomes and dispute steps recorded against a value"),
    "dispute_contact": N_("Contact details of people who disputed a listing"),
    "dispute": N_("Disputes"),
    "review_item": N_("Closed reviews of bursts of reports"),
    "removal_notice": N_("Notices of values taken off the list"),
    "case": N_("Closed cases"),
    "cross_border_request": N_("Finished cross-border requests"),
    "subject_request": N_("Closed data-subject requests"),
    "federation_rejection": N_("Records of data refused from partners"),
    "taxii_status": N_("Records of data partners sent"),
    "audit_entry": N_("Audit log entries (content blanked, proof kept)"),
    "blind_release": N_("Decided requests from partners to reveal a coded value"),
    "partner_record": N_("What partners shared, once their agreement's time was up"),
    "operation": N_("Scam operations left without reports"),
    "value": N_("Numbers, accounts and links nothing refers to any more"),
    "value_overwritten": N_("Numbers, accounts and links blanked in a record that must stay"),
    "listing_transition": N_("Records of when values went onto or off the list"),
}


@transparency_pages.get("/transparency")
def transparency(page: CurrentPage) -> HTMLResponse:
    params = page.request.query_params
    start, end = params.get("from", "")[:40], params.get("to", "")[:40]
    now = datetime.now(UTC)
    try:
        period = parse_period(start, end, now.date())
    except PeriodError as error:
        return page.render(
            "transparency.html",
            status=422,
            report=None,
            problem=PERIOD_PROBLEMS.get(error.code, PERIOD_PROBLEMS["not_a_date"]),
            problem_field=error.field or "from",
            values={"from": start, "to": end},
            **_names(),
        )
    # The API's cache: the page and the JSON it links show the same numbers.
    cache: ReportCache = page.request.app.state.transparency
    report = cache.report(period, now)
    return page.render(
        "transparency.html",
        report=report,
        problem=None,
        problem_field=None,
        values={"from": period.start.isoformat(), "to": period.end.isoformat()},
        # The last day counted, for the heading (the period ends before ``to``).
        last_day=period.end.fromordinal(period.end.toordinal() - 1),
        json_url="/api/v1/transparency?"
        + urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()}),
        **_names(),
    )


def _names() -> dict[str, Any]:
    """The template's functions that word the report's codes (translated where shown)."""
    return {
        "scam_type_name": scam_type_name,
        "channel_name": _channel_name,
        "request_kind_name": lambda kind: SUBJECT_REQUEST_KINDS.get(kind, kind),
        "request_status_name": lambda status: SUBJECT_REQUEST_STATUSES.get(status, status),
        "purged_kind_name": lambda kind: PURGED_KINDS.get(kind, kind),
    }


def _channel_name(code: str) -> str:
    try:
        return CHANNEL_NAMES[Channel(code)]
    except ValueError:
        return CHANNEL_NAMES[Channel.OTHER]
