"""``scamintel transparency``: the public transparency report for a period, as the API and
the /transparency page show it (docs/governance.md, "Transparency report")."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape

from scamintel.cli_common import fail, load_settings, open_database, out
from scamintel.governance.transparency import (
    PeriodError,
    TransparencyReport,
    parse_period,
    report_document,
)
from scamintel.storage.transparency_repo import transparency_report


def transparency(
    start: Annotated[
        str | None,
        typer.Option("--from", help="First day counted, YYYY-MM-DD (UTC)"),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Day after the last one counted, YYYY-MM-DD (UTC)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The JSON the API serves")] = False,
) -> None:
    """The transparency report: what the node received, listed, decided, purged and shared
    in a period (default: the last twelve full months). Counts only, never values."""
    now = datetime.now(UTC)
    try:
        period = parse_period(start, end, now.date())
    except PeriodError as error:
        fail(f"{error} (--from, --to)")
    settings = load_settings()
    database = open_database(settings)
    try:
        report = transparency_report(database.engine, period, settings.node_name, now)
    finally:
        database.dispose()
    if as_json:
        print(json.dumps(report_document(report), ensure_ascii=False, indent=2))
        return
    for line in report_lines(report):
        out.print(escape(line), highlight=False, soft_wrap=True)


def report_lines(report: TransparencyReport) -> list[str]:
    """The report as plain text, one number per line."""
    period = report.period
    lines = [
        f"Transparency report of {report.node}",
        f"Period: {period.start.isoformat()} to {period.end.isoformat()} "
        f"(the last day not included; {period.days} days, UTC)",
        "",
        f"Reports received: {report.reports.total}",
        *_indented("by scam type", report.reports.by_scam_type),
        *_indented("by channel", report.reports.by_channel),
        "",
        f"Listed: {report.listings.listed} ({report.listings.values_listed} values)",
        f"Delisted: {report.listings.delisted} ({report.listings.values_delisted} values)",
        "",
        f"Disputes opened: {report.disputes.opened} (upheld {report.disputes.upheld}, "
        f"rejected {report.disputes.rejected}, pending {report.disputes.pending})",
        "",
        "Data-subject requests:",
    ]
    for item in report.subject_requests:
        statuses = ", ".join(f"{status} {count}" for status, count in item.by_status.items())
        lines.append(f"  {item.kind}: {item.received} ({statuses})")
    lines += ["", "Cross-border requests (sent, fulfilled / received, fulfilled):"]
    if not report.cross_border_requests:
        lines.append("  none")
    for row in report.cross_border_requests:
        lines.append(
            f"  {row.label}: {row.sent}, {row.sent_fulfilled} / "
            f"{row.received}, {row.received_fulfilled}"
        )
    lines += ["", f"Purge runs: {report.purges.runs}", *_indented("deleted", report.purges.deleted)]
    lines += ["", "Disclosures to partners (pages, objects):"]
    if not report.disclosures:
        lines.append("  none")
    for disclosure in report.disclosures:
        lines.append(f"  {disclosure.partner}: {disclosure.pages}, {disclosure.objects}")
    return lines


def _indented(heading: str, counts: Mapping[str, int]) -> list[str]:
    if not counts:
        return [f"  {heading}: none"]
    return [f"  {heading}:", *(f"    {name}: {count}" for name, count in counts.items())]
