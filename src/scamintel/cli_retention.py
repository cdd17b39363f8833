"""``scamintel retention show|when`` and ``scamintel purge``: the retention policy in force,
when a value's data will be deleted, and the purge itself (storage/retention_repo.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from scamintel.cli_common import (
    canonical_indicator,
    console_actor,
    load_settings,
    open_database,
    out,
    region_context,
)
from scamintel.governance.retention import DEFAULT_RULES, RetentionPolicy, retention_policy
from scamintel.governance.signing import AuditSigner
from scamintel.indicators import IndicatorType
from scamintel.settings import Settings
from scamintel.storage.retention_repo import (
    HeldData,
    PurgeSummary,
    held_about,
    purge_expired_data,
)

retention_app = typer.Typer(
    help="The retention policy: how long each kind of data is kept.", no_args_is_help=True
)


def _policy(settings: Settings) -> RetentionPolicy:
    return retention_policy(settings.retention_days)


def policy_rows(policy: RetentionPolicy) -> list[dict[str, Any]]:
    """The policy in force, one row per kind: what it is, for how long, counted from when."""
    return [
        {
            "kind": rule.kind.value,
            "days": policy.days[rule.kind],
            "default_days": rule.days,
            "per_source": {
                source.value: days
                for (kind, source), days in sorted(policy.source_days.items())
                if kind is rule.kind
            },
            "what": rule.what,
            "counted_from": rule.counted_from,
        }
        for rule in DEFAULT_RULES
    ]


@retention_app.command("show")
def show(
    as_json: Annotated[bool, typer.Option("--json", help="Print the policy as JSON")] = False,
) -> None:
    """The retention policy in force: each kind of data, its period, and from when it counts
    (the defaults with SCAMINTEL_RETENTION_DAYS applied)."""
    rows = policy_rows(_policy(load_settings()))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        sources = ", ".join(f"{s}: {d} days" for s, d in row["per_source"].items())
        changed = "" if row["days"] == row["default_days"] else f" (default {row['default_days']})"
        out.print(
            f"[bold]{row['kind']}[/]: {row['days']} days{changed} from when "
            f"{escape(row['counted_from'])}" + (f"; by source: {sources}" if sources else ""),
            highlight=False,
        )
        out.print(f"  {escape(row['what'])}", highlight=False, soft_wrap=True)


def held_json(item: HeldData) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "what": item.what,
        "count": item.count,
        "newest": item.newest.isoformat() if item.newest else None,
        "deleted_on": item.deleted_on.isoformat() if item.deleted_on else None,
        "basis": item.basis,
    }


@retention_app.command("when")
def when(
    value: Annotated[str, typer.Argument(help="Number, link, domain, e-mail, account, wallet…")],
    indicator_type: Annotated[
        IndicatorType | None, typer.Option("--type", help="Skip type detection")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(help="Country for local numbers and short codes (default: the node's)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON")] = False,
) -> None:
    """What the node holds about VALUE and the date each record will be deleted if nothing
    new arrives."""
    settings = load_settings()
    indicator = canonical_indicator(value, indicator_type, region_context(region, settings))
    database = open_database(settings)
    try:
        with database.engine.connect() as connection:
            held = held_about(
                connection, _policy(settings), indicator, datetime.now(UTC), database.sealer
            )
    finally:
        database.dispose()
    if as_json:
        answer = {
            "indicator": {"type": indicator.type.value, "value": indicator.value},
            "held": [held_json(item) for item in held],
        }
        print(json.dumps(answer, ensure_ascii=False))
        return
    out.print(f"{indicator.type.value} {escape(indicator.value)}", highlight=False)
    if not held:
        out.print("This node holds nothing about this value.")
        return
    for item in held:
        date = item.deleted_on.date().isoformat() if item.deleted_on else "no date yet"
        out.print(
            f"[bold]{item.kind}[/] ×{item.count}: deleted {date} — {escape(item.basis)}",
            highlight=False,
            soft_wrap=True,
        )


def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what has expired; delete nothing")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON")] = False,
) -> None:
    """Delete what the retention policy says has expired, and record the counts in the audit
    log (`serve` does this every SCAMINTEL_PURGE_INTERVAL_SECONDS)."""
    settings = load_settings()
    database = open_database(settings)
    try:
        summary = purge_expired_data(
            database,
            _policy(settings),
            datetime.now(UTC),
            actor=console_actor(),
            dry_run=dry_run,
            signer=AuditSigner(settings.secret_key),
        )
    finally:
        database.dispose()
    if as_json:
        print(json.dumps(purge_json(summary), ensure_ascii=False))
        return
    if summary.skipped:
        out.print("Another purge is running on this node's database; nothing was done.")
        return
    verb = "would delete" if dry_run else "deleted"
    out.print(f"Purge {verb} {summary.total} records:")
    for kind, count in sorted(summary.counts.items()):
        out.print(f"  {kind}: {count}")


def purge_json(summary: PurgeSummary) -> dict[str, Any]:
    return {
        "dry_run": summary.dry_run,
        "skipped": summary.skipped,
        "counts": dict(sorted(summary.counts.items())),
        "cutoffs": {kind: at.isoformat() for kind, at in sorted(summary.cutoffs.items())},
    }
