"""``scamintel operation``: the scam operations ranked by harm, one operation, and its dossier
(docs/dossiers.md). Dossier exports are audited with the operator's account as actor."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from scamintel.analysis.dossier import FORMATS, export_event, render_dossier, summary_text
from scamintel.analysis.summary import summary_to_dict
from scamintel.cli_common import console_actor, fail, load_settings, open_database, out
from scamintel.indicators import IndicatorType
from scamintel.storage.operation_summaries_repo import (
    OperationRow,
    Order,
    current_operation,
    list_operations,
    load_dossier,
    operation_indicators,
    refresh_all_summaries,
    survivor_of,
)
from scamintel.storage.store import append_audit

SHOWN_INDICATORS = 20

operation_app = typer.Typer(
    help="Scam operations: list them by harm, show one, export its dossier.",
    no_args_is_help=True,
)


def _country(code: str | None) -> str | None:
    if code is None:
        return None
    cleaned = code.strip().upper()
    if len(cleaned) != 2 or not cleaned.isalpha():
        fail(f"--country {code!r}: give an ISO 3166 alpha-2 code, e.g. TH")
    return cleaned


def _row_dict(row: OperationRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.summary.title if row.summary else None,
        "report_count": row.report_count,
        "victim_count": row.victim_count,
        "total_loss_usd": str(row.total_loss_usd),
        "harm_score": row.harm_score,
        "cross_border": row.cross_border,
        "first_seen": row.first_seen.isoformat() if row.first_seen else None,
        "last_seen": row.last_seen.isoformat() if row.last_seen else None,
        "summary": summary_to_dict(row.summary) if row.summary else None,
    }


@operation_app.command("list")
def list_command(
    top: Annotated[int, typer.Option("--top", min=1, max=10_000, help="How many to list")] = 20,
    country: Annotated[
        str | None, typer.Option(help="Only operations with victims or infrastructure here")
    ] = None,
    cross_border: Annotated[
        bool | None,
        typer.Option("--cross-border/--domestic", help="Only cross-border (or domestic) ones"),
    ] = None,
    scam_type: Annotated[
        str | None, typer.Option("--scam-type", help="Only operations with this scam type")
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="harm (default) or last_seen (latest report first)")
    ] = "harm",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """The operations ranked by harm score, the most harmful first (or by last seen)."""
    code = _country(country)
    if sort not in ("harm", "last_seen"):
        fail(f"--sort {sort!r}: use harm or last_seen")
    order: Order = "last_seen" if sort == "last_seen" else "harm"
    database = open_database(load_settings())
    try:
        with database.engine.connect() as connection:
            rows = list_operations(
                connection,
                limit=top,
                country=code,
                cross_border=cross_border,
                scam_type=scam_type,
                order=order,
            )
    finally:
        database.dispose()
    if as_json:
        for row in rows:
            print(json.dumps(_row_dict(row), ensure_ascii=False))
        return
    if not rows:
        out.print("No scam operations yet; run `scamintel cluster` after ingesting reports.")
        return
    table = Table(
        "id", "harm", "reports", "victims", "loss USD", "cross-border", "last seen", "title"
    )
    for row in rows:
        table.add_row(
            str(row.id),
            f"{row.harm_score:.1f}",
            str(row.report_count),
            str(row.victim_count),
            f"{row.total_loss_usd:,.2f}",
            "yes" if row.cross_border else "no",
            row.last_seen.date().isoformat() if row.last_seen else "",
            escape(row.summary.title if row.summary else ""),
        )
    out.print(table)


def _live_or_fail(operation_id: int, row: OperationRow | None, survivor: int | None) -> None:
    if row is not None:
        return
    if survivor is not None and survivor != operation_id:
        fail(f"operation {operation_id} was merged into {survivor}; use that id")
    fail(f"no scam operation {operation_id} on this node; `scamintel operation list` lists them")


def _indicator_type(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return IndicatorType(text.strip().lower()).value
    except ValueError:
        names = ", ".join(t.value for t in IndicatorType)
        fail(f"--type {text!r} is not an indicator type; use one of: {names}")


@operation_app.command("show")
def show(
    operation_id: Annotated[int, typer.Argument(min=1, max=2**63 - 1, help="The operation's id")],
    indicators: Annotated[
        int,
        typer.Option(
            "--indicators",
            min=1,
            max=100_000,
            help="How many of its values to list, most named first",
        ),
    ] = SHOWN_INDICATORS,
    indicator_type: Annotated[
        str | None, typer.Option("--type", help="Only values of this type, e.g. bank_account")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """One operation: its summary and its most named values (20 unless --indicators says)."""
    wanted_type = _indicator_type(indicator_type)
    database = open_database(load_settings())
    try:
        with database.engine.connect() as connection:
            # An operation no clustering run has summarised yet is summarised on the fly.
            row = current_operation(connection, operation_id, datetime.now(UTC))
            survivor = survivor_of(connection, operation_id) if row is None else operation_id
            named = operation_indicators(
                connection, operation_id, limit=indicators, indicator_type=wanted_type
            )
    finally:
        database.dispose()
    _live_or_fail(operation_id, row, survivor)
    assert row is not None
    if as_json:
        document = _row_dict(row) | {
            "indicators": [
                {
                    "type": i.type,
                    "value": i.value,
                    "country": i.country,
                    "report_count": i.report_count,
                }
                for i in named
            ]
        }
        print(json.dumps(document, ensure_ascii=False))
        return
    out.print(f"[bold]Operation {row.id}[/]", highlight=False)
    if row.summary is not None:
        out.print(escape(summary_text(row.summary)), highlight=False, soft_wrap=True)
    table = Table("type", "value", "country", "reports", title="Most named indicators")
    for item in named:
        table.add_row(item.type, escape(item.value), item.country or "", str(item.report_count))
    out.print(table)


@operation_app.command("dossier")
def dossier(
    operation_id: Annotated[int, typer.Argument(min=1, max=2**63 - 1, help="The operation's id")],
    format: Annotated[str, typer.Option("--format", help="One of: " + ", ".join(FORMATS))],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the dossier")],
) -> None:
    """Write the operation's dossier (STIX 2.1, JSON or printable HTML). The JSON and HTML
    dossiers hold victims' narratives; the export is written to the audit log."""
    if format not in FORMATS:
        fail(f"--format {format!r}: use one of {', '.join(FORMATS)}")
    if out_file.is_dir():
        fail(f"--out {out_file} is a folder; give a file name")
    if not out_file.parent.is_dir():
        fail(f"--out {out_file}: the folder {out_file.parent} does not exist")
    settings = load_settings()
    database = open_database(settings)
    try:
        with database.engine.begin() as connection:
            loaded = load_dossier(connection, operation_id, settings.node_name, datetime.now(UTC))
            if loaded is None:
                _live_or_fail(operation_id, None, survivor_of(connection, operation_id))
            assert loaded is not None
            try:
                body = render_dossier(loaded, format)
            except ValueError as error:
                fail(str(error))
            # Audited before the file is written: the log may over-state, never under-state.
            append_audit(connection, export_event(loaded, format, console_actor()))
    finally:
        database.dispose()
    out_file.write_bytes(body)
    out.print(
        f"Wrote the {format} dossier of operation {operation_id} ({len(loaded.reports)} reports) "
        f"to {escape(str(out_file))}; the export is in the audit log.",
        highlight=False,
    )


@operation_app.command("refresh")
def refresh() -> None:
    """Recompute every live operation's summary and harm score: after updating the currency
    table, or when partner data changed (a clustering run refreshes only what it touched)."""
    database = open_database(load_settings())
    try:
        with database.engine.begin() as connection:
            count = refresh_all_summaries(connection, datetime.now(UTC))
    finally:
        database.dispose()
    out.print(f"Refreshed the summaries of {count} operations.", highlight=False)
