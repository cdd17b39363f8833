"""The public transparency report (docs/governance.md, "Transparency report"): for a period
``[from, to)``, how many reports the node received, how many values it listed and delisted,
how disputes, data-subject requests and cross-border requests went, how often it purged
expired data and what it disclosed to partners. Counts only: never a value, a name of a
person or a narrative.

Pure domain: the counting is done by ``storage.transparency_repo``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

# A longer period is refused: its numbers would say little, and its queries would read years
# of the audit log at once.
MAX_PERIOD_YEARS = 5
# The default period: the last twelve full calendar months.
DEFAULT_MONTHS = 12
DATE_FORMAT = "YYYY-MM-DD"


class PeriodError(ValueError):
    """A period that cannot be reported on; the message says what to fix. ``code`` names the
    problem (``not_a_date``, ``not_before``, ``too_long``) for a page that words it in the
    reader's language; ``field`` is ``from`` or ``to`` where one is at fault."""

    def __init__(self, message: str, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """Whole UTC days from ``start`` (included) to ``end`` (excluded)."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months (negative: back), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def default_period(today: date) -> ReportPeriod:
    """The last twelve full calendar months before ``today``'s month."""
    end = today.replace(day=1)
    return ReportPeriod(add_months(end, -DEFAULT_MONTHS), end)


def parse_period(start_text: str | None, end_text: str | None, today: date) -> ReportPeriod:
    """The period a reader asked for. Neither bound: :func:`default_period`. Only ``from``:
    up to and including today. Only ``to``: the twelve months before it."""
    start = _parse_day("from", start_text)
    end = _parse_day("to", end_text)
    if start is None and end is None:
        return default_period(today)
    if end is None:
        assert start is not None
        end = today + timedelta(days=1)
    if start is None:
        start = _months_or_refuse(end, -DEFAULT_MONTHS)
    if start >= end:
        raise PeriodError(
            f"from ({start.isoformat()}) must be before to ({end.isoformat()}): the period "
            "includes its first day and ends before its last",
            "not_before",
            "to",
        )
    if end > _months_or_refuse(start, 12 * MAX_PERIOD_YEARS):
        raise PeriodError(
            f"the period from {start.isoformat()} to {end.isoformat()} is longer than "
            f"{MAX_PERIOD_YEARS} years; ask for {MAX_PERIOD_YEARS} years or less",
            "too_long",
        )
    return ReportPeriod(start, end)


def _months_or_refuse(day: date, months: int) -> date:
    try:
        return add_months(day, months)
    except ValueError:  # beyond year 1 or 9999: no period of this node reaches there
        raise PeriodError(
            f"{day.isoformat()} is too far in the past or the future for a report",
            "not_a_date",
        ) from None


def _parse_day(name: str, text: str | None) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        # fromisoformat also takes "20250101" and week dates; only YYYY-MM-DD is documented.
        if len(text.strip()) != len(DATE_FORMAT):
            raise ValueError(text)
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(
            f"{name} {text!r} is not a date: write it as {DATE_FORMAT}, for example 2025-01-31",
            "not_a_date",
            name,
        ) from None


# -- the report ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReportCounts:
    """Reports received in the period (by ``received_at``)."""

    total: int
    by_scam_type: Mapping[str, int]
    by_channel: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class ListingCounts:
    """Moves onto and off the published list in the period, and how many values moved."""

    listed: int
    delisted: int
    values_listed: int
    values_delisted: int


@dataclass(frozen=True, slots=True)
class DisputeCounts:
    """Disputes opened in the period, by where each stands now."""

    opened: int
    upheld: int
    rejected: int
    pending: int


@dataclass(frozen=True, slots=True)
class SubjectRequestCounts:
    """Data-subject requests of one kind received in the period, by where each stands now."""

    kind: str
    received: int
    by_status: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class PartnerRequestCounts:
    """Cross-border requests created in the period with the partners of one country (or, when
    the country is not known, with one partner)."""

    country: str | None
    partner: str | None
    sent: int
    sent_fulfilled: int
    received: int
    received_fulfilled: int

    @property
    def label(self) -> str:
        return self.country or self.partner or ""


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    """Purges in the period that deleted something (one audit entry each; a purge that
    failed part-way included, with what it had deleted) and what they deleted, per kind."""

    runs: int
    deleted: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class PartnerDisclosures:
    """Pages of shared objects one partner fetched in the period, and the objects on them."""

    partner: str
    pages: int
    objects: int


@dataclass(frozen=True, slots=True)
class TransparencyReport:
    node: str
    period: ReportPeriod
    generated_at: datetime
    reports: ReportCounts
    listings: ListingCounts
    disputes: DisputeCounts
    subject_requests: tuple[SubjectRequestCounts, ...]
    cross_border_requests: tuple[PartnerRequestCounts, ...]
    purges: PurgeCounts
    disclosures: tuple[PartnerDisclosures, ...] = field(default=())


def report_document(report: TransparencyReport) -> dict[str, Any]:
    """The report as the JSON the API serves and ``scamintel transparency --json`` prints."""
    return {
        "node": report.node,
        "period": {
            "from": report.period.start.isoformat(),
            "to": report.period.end.isoformat(),
            "days": report.period.days,
        },
        "generated_at": report.generated_at.isoformat(),
        "reports": {
            "total": report.reports.total,
            "by_scam_type": dict(report.reports.by_scam_type),
            "by_channel": dict(report.reports.by_channel),
        },
        "listings": {
            "listed": report.listings.listed,
            "delisted": report.listings.delisted,
            "values_listed": report.listings.values_listed,
            "values_delisted": report.listings.values_delisted,
        },
        "disputes": {
            "opened": report.disputes.opened,
            "upheld": report.disputes.upheld,
            "rejected": report.disputes.rejected,
            "pending": report.disputes.pending,
        },
        "subject_requests": [
            {"kind": item.kind, "received": item.received, "by_status": dict(item.by_status)}
            for item in report.subject_requests
        ],
        "cross_border_requests": [
            {
                "country": item.country,
                "partner": item.partner,
                "sent": item.sent,
                "sent_fulfilled": item.sent_fulfilled,
                "received": item.received,
                "received_fulfilled": item.received_fulfilled,
            }
            for item in report.cross_border_requests
        ],
        "purges": {"runs": report.purges.runs, "deleted": dict(report.purges.deleted)},
        "disclosures": [
            {"partner": item.partner, "pages": item.pages, "objects": item.objects}
            for item in report.disclosures
        ],
    }


def sorted_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Largest first, then by name: the order tables and JSON show."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
