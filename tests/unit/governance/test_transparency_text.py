"""``scamintel transparency`` without --json: every number on a line of its own, in words."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scamintel.cli_transparency import report_lines
from scamintel.governance.transparency import (
    DisputeCounts,
    ListingCounts,
    PartnerDisclosures,
    PartnerRequestCounts,
    PurgeCounts,
    ReportCounts,
    ReportPeriod,
    SubjectRequestCounts,
    TransparencyReport,
    report_document,
)

REPORT = TransparencyReport(
    node="th-asc",
    period=ReportPeriod(date(2025, 1, 1), date(2026, 1, 1)),
    generated_at=datetime(2026, 1, 2, tzinfo=UTC),
    reports=ReportCounts(5, {"investment": 4, "romance": 1}, {"call": 5}),
    listings=ListingCounts(7, 2, 6, 2),
    disputes=DisputeCounts(3, 1, 1, 1),
    subject_requests=(
        SubjectRequestCounts(
            "access", 2, {"received": 1, "verified": 0, "completed": 1, "refused": 0}
        ),
    ),
    cross_border_requests=(
        PartnerRequestCounts("MM", None, 4, 3, 2, 1),
        PartnerRequestCounts(None, "LA-Node", 1, 0, 0, 0),
    ),
    purges=PurgeCounts(12, {"report": 40}),
    disclosures=(PartnerDisclosures("MM-CCD", 30, 1200),),
)


def test_the_text_report_names_every_number() -> None:
    text = "\n".join(report_lines(REPORT))
    assert "Period: 2025-01-01 to 2026-01-01 (the last day not included; 365 days, UTC)" in text
    assert "Reports received: 5" in text
    assert "    investment: 4" in text
    assert "Listed: 7 (6 values)" in text
    assert "Disputes opened: 3 (upheld 1, rejected 1, pending 1)" in text
    assert "  access: 2 (received 1, verified 0, completed 1, refused 0)" in text
    assert "  MM: 4, 3 / 2, 1" in text
    assert "  LA-Node: 1, 0 / 0, 0" in text
    assert "Purge runs: 12" in text
    assert "  MM-CCD: 30, 1200" in text


def test_the_json_document_holds_counts_and_the_period() -> None:
    document = report_document(REPORT)
    assert document["period"] == {"from": "2025-01-01", "to": "2026-01-01", "days": 365}
    assert document["cross_border_requests"][1] == {
        "country": None,
        "partner": "LA-Node",
        "sent": 1,
        "sent_fulfilled": 0,
        "received": 0,
        "received_fulfilled": 0,
    }
