"""``/privacy``: the node's data policy for a citizen, in their language (the plain-words part
of docs/governance.md), with the retention periods in force on this node: the defaults of
governance/retention.py with the operator's ``SCAMINTEL_RETENTION_DAYS`` applied. It names the
controller (the node and its country), the data-protection officer's contact when the operator
set one (``SCAMINTEL_DPO_CONTACT``), and the deadline for a request on ``/my-data``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from fastapi.responses import HTMLResponse

from scamintel.governance.retention import DataKind, RetentionPolicy, retention_policy
from scamintel.governance.subject_requests import RESPONSE_DAYS
from scamintel.web.i18n import N_
from scamintel.web.rendering import CurrentPage, page_router

privacy_pages = page_router()

# The kinds of data a citizen gives or is named in, in the order the page lists them, in plain
# words. The other kinds (cases, partner records, review items) are in docs/governance.md.
CITIZEN_KINDS: Mapping[DataKind, str] = {
    DataKind.VICTIM_CONTACT: N_("Your name and contact details, when you report a scam"),
    DataKind.NARRATIVE: N_("What happened, in your own words"),
    DataKind.REPORT: N_(
        "The report: the scammer's numbers, accounts and links, the kind of scam, the amount"
    ),
    DataKind.DISPUTE_CONTACT: N_("Your contact details, when you dispute a listing"),
    DataKind.DISPUTE: N_("A dispute and its decision"),
    DataKind.SUBJECT_REQUEST: N_("Your request to see, correct or delete your data, once closed"),
    DataKind.REMOVAL_NOTICE: N_(
        "A note that a value was taken off the list, so that partners remove it too"
    ),
    DataKind.AUDIT_ENTRY: N_("The log of who looked at data and why"),
}
_DAYS_PER_YEAR = 365


@dataclass(frozen=True, slots=True)
class Period:
    """A retention period as the page says it: whole years where it is a whole number of
    years, else days."""

    count: int
    in_years: bool

    @classmethod
    def of(cls, period: timedelta) -> Period:
        days = period.days
        if days % _DAYS_PER_YEAR == 0:
            return cls(days // _DAYS_PER_YEAR, in_years=True)
        return cls(days, in_years=False)


@dataclass(frozen=True, slots=True)
class KeptFor:
    what: str
    shortest: Period
    # Set when some report sources keep this kind for another time than the rest.
    longest: Period | None


def kept_for(policy: RetentionPolicy) -> list[KeptFor]:
    rows = []
    for kind, what in CITIZEN_KINDS.items():
        periods = {policy.period(kind)}
        periods |= {timedelta(days=d) for (k, _), d in policy.source_days.items() if k is kind}
        shortest, longest = min(periods), max(periods)
        rows.append(
            KeptFor(what, Period.of(shortest), Period.of(longest) if longest > shortest else None)
        )
    return rows


@privacy_pages.get("/privacy")
def privacy(page: CurrentPage) -> HTMLResponse:
    # Settings were validated at start-up, so the overrides are known kinds and periods.
    settings = page.settings
    policy = retention_policy(settings.retention_days)
    return page.render(
        "privacy.html",
        kept=kept_for(policy),
        controller=settings.node_name,
        controller_country=page.country_name(settings.node_country),
        dpo_contact=settings.dpo_contact.strip(),
        response_days=RESPONSE_DAYS,
    )
