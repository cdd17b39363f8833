"""A victim's own phone number or e-mail, given among the scammer's values or written in the
narrative, is the victim's personal data: never stored as an indicator of the report."""

from __future__ import annotations

from datetime import UTC, datetime

from scamintel.indicators import ParseContext, default_registry
from scamintel.reports.intake import build_report
from scamintel.reports.model import NewReport, ReportSource
from scamintel.reports.submission import ReportSubmission


def built(submission: dict[str, object]) -> NewReport:
    return build_report(
        ReportSubmission.model_validate(submission),
        registry=default_registry(),
        context=ParseContext("TH"),
        source=ReportSource.API,
        received_at=datetime(2026, 11, 28, tzinfo=UTC),
    )


def test_the_reporters_own_number_and_address_are_not_indicators() -> None:
    report = built(
        {
            "scam_type": "investment",
            "channel": "line",
            "narrative": "They called me on 081 744 2472 and wrote to somchai@example.com; "
            "I paid to the account they gave.",
            "indicators": [
                {"value": "0617442472"},  # the victim's own number, as many victims add it
                {"value": "089-123-4567"},
                {"type": "email", "value": "Somchai@Example.com"},
            ],
            "reporter": {"phone": "+66 61 744 2472", "email": "somchai@example.com"},
        }
    )
    assert {(i.indicator.value, i.origin) for i in report.indicators} == {
        ("+66891234567", "given"),
        ("+66817442472", "narrative"),
    }
    # The contact itself is kept, sealed, with the report.
    assert report.reporter == {"phone": "+66 61 744 2472", "email": "somchai@example.com"}


def test_an_unreadable_reporter_contact_changes_nothing() -> None:
    report = built(
        {
            "scam_type": "investment",
            "channel": "sms",
            "indicators": [{"value": "089-123-4567"}],
            "reporter": {"phone": "call me", "email": "not an address"},
        }
    )
    assert [i.indicator.value for i in report.indicators] == ["+66891234567"]
