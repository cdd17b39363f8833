"""``scamintel cluster``: group reports into scam operations (docs/network-analysis.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from sqlalchemy import Connection, func, select

from scamintel.cli_common import load_settings, open_database, out
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operation_summaries_repo import OperationRow, list_operations
from scamintel.storage.operations_repo import ClusterRun, cluster_new_reports, recluster_all
from scamintel.storage.tables import report_operations

TOP = 10


def cluster(
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Recompute every operation from scratch (the first run on a node always does)",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON")] = False,
) -> None:
    """Link reports that share values into scam operations and show the most harmful ones."""
    settings = load_settings()
    database = open_database(settings)
    try:
        with database.engine.begin() as connection:
            run = run_clustering(connection, settings, full=full)
            top = list_operations(connection, limit=TOP)
    finally:
        database.dispose()
    if as_json:
        print(json.dumps(run_json(run, top)))
    else:
        _print_run(run, top, settings.cluster_fanout_cap)


def run_clustering(connection: Connection, settings: Settings, *, full: bool) -> ClusterRun:
    """The full recompute when asked or when nothing was clustered yet, else the incremental
    update of the reports that have no operation."""
    now = datetime.now(UTC)
    cap = settings.cluster_fanout_cap
    never_clustered = not connection.scalar(select(func.count()).select_from(report_operations))
    if full or never_clustered:
        return recluster_all(connection, fanout_cap=cap, now=now)
    return cluster_new_reports(connection, fanout_cap=cap, now=now)


def run_json(run: ClusterRun, top: list[OperationRow]) -> dict[str, Any]:
    return {
        "full": run.full,
        "reports_clustered": run.reports_clustered,
        "operations_live": run.operations_live,
        "operations_created": run.created,
        "operations_changed": list(run.touched),
        "merged": {str(old): survivor for old, survivor in sorted(run.merged.items())},
        "top": [_operation_json(row) for row in top],
    }


def _operation_json(row: OperationRow) -> dict[str, Any]:
    summary = row.summary
    return {
        "id": row.id,
        "title": summary.title if summary else None,
        "report_count": row.report_count,
        "victim_count": row.victim_count,
        "total_loss_usd": str(row.total_loss_usd),
        "harm_score": row.harm_score,
        "cross_border": row.cross_border,
        "scam_types": sorted(summary.scam_types) if summary else [],
    }


def _print_run(run: ClusterRun, top: list[OperationRow], cap: int) -> None:
    kind = "full recompute" if run.full else "incremental update"
    out.print(
        f"Clustered {run.reports_clustered:,} report(s) ({kind}, fan-out cap {cap}): "
        f"{run.operations_live:,} live operation(s), {run.created:,} new, "
        f"{len(run.touched):,} changed, {len(run.merged):,} merged.",
        highlight=False,
        soft_wrap=True,
    )
    for old, survivor in sorted(run.merged.items())[:TOP]:
        out.print(f"  operation {old} merged into {survivor}", highlight=False, soft_wrap=True)
    if len(run.merged) > TOP:
        out.print(
            f"  ... and {len(run.merged) - TOP:,} more merges", highlight=False, soft_wrap=True
        )
    if not top:
        out.print("No operations yet: load reports first (`scamintel ingest` or `scamintel demo`).")
        return
    out.print(f"Top {len(top)} operations by harm:")
    out.print(
        f"  {'id':>7}  {'reports':>7}  {'victims':>7}  {'loss USD':>12}  {'harm':>8}  "
        "cross-border  scam types",
        highlight=False,
        soft_wrap=True,
    )
    for row in top:
        types = ", ".join(sorted(row.summary.scam_types)) if row.summary else ""
        out.print(
            f"  {row.id:>7}  {row.report_count:>7,}  {row.victim_count:>7,}  "
            f"{row.total_loss_usd:>12,.0f}  {row.harm_score:>8.2f}  "
            f"{'yes' if row.cross_border else 'no':<12}  {escape(types)}",
            highlight=False,
            soft_wrap=True,
        )


def cluster_after_ingest(settings: Settings, database: NodeDatabase, *, quiet: bool) -> ClusterRun:
    """Cluster the reports an ingest just stored, so operations show at once."""
    with database.engine.begin() as connection:
        run = run_clustering(connection, settings, full=False)
    if not quiet:
        out.print(
            f"Clustered {run.reports_clustered:,} new report(s) into operations: "
            f"{run.operations_live:,} live, {run.created:,} new, {len(run.merged):,} merged "
            "(`scamintel cluster` shows the most harmful).",
            highlight=False,
            soft_wrap=True,
        )
    return run
