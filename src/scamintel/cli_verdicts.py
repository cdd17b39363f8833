"""``scamintel dispute``, ``scamintel outcome`` and ``scamintel listings``: due process and
upkeep of the verdicts, for analysts and operators at the node's console."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.markup import escape

from scamintel.cli_common import fail, load_settings, open_database, out, region_context
from scamintel.indicators import IndicatorType, InvalidIndicatorError, default_registry
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.disputes import (
    AlreadyDecidedError,
    Decision,
    Dispute,
    DisputeNotFoundError,
    DisputeStatus,
    NothingToDisputeError,
    Reading,
    decide_dispute,
    open_dispute,
    record_outcome,
)
from scamintel.reports.engine import OUTCOMES, EventKind
from scamintel.storage.disputes_repo import list_disputes
from scamintel.storage.refresh import refresh_all

CONSOLE_ACTOR = "cli"
dispute_app = typer.Typer(help="Disputes of listings: open, list and decide.", no_args_is_help=True)
listings_app = typer.Typer(help="The published listings.", no_args_is_help=True)


def _reading(region: str | None) -> Reading:
    return Reading(default_registry(), region_context(region, load_settings()), Warninglist())


def _dispute_json(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": str(dispute.id),
        "reference": dispute.reference,
        "status": dispute.status.value,
        "type": dispute.indicator.type.value,
        "value": dispute.indicator.value,
        "claim": dispute.claim,
        "opened_at": dispute.created_at.isoformat(),
        "decided_at": dispute.decided_at.isoformat() if dispute.decided_at else None,
        "reason": dispute.decision_reason,
    }


@dispute_app.command("open")
def dispute_open(
    value: Annotated[str, typer.Argument(help="The listed number, link, account or wallet")],
    claim: Annotated[str, typer.Option(help="Why the listing is wrong, in the holder's words")],
    indicator_type: Annotated[
        IndicatorType | None, typer.Option("--type", help="Skip type detection")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Country of local formats")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Record a dispute received by phone, letter or at the counter."""
    if len(claim.strip()) < 10:
        fail("--claim must say in a sentence why the listing is wrong (10 characters or more)")
    database = open_database(load_settings())
    try:
        with database.transaction() as store:
            dispute, created = open_dispute(
                store,
                value,
                indicator_type,
                reading=_reading(region),
                claim=claim,
                contact=None,
                actor=CONSOLE_ACTOR,
            )
    except InvalidIndicatorError as error:
        fail(f"{value!r} cannot be read: {error.reason}")
    except NothingToDisputeError as error:
        fail(str(error))
    finally:
        database.dispose()
    if as_json:
        print(json.dumps({**_dispute_json(dispute), "created": created}, ensure_ascii=False))
        return
    state = "opened" if created else "already under review as"
    out.print(f"Dispute {state} {dispute.reference} ({dispute.id}) for {dispute.indicator.value}")


@dispute_app.command("list")
def dispute_list(
    status: Annotated[
        DisputeStatus | None, typer.Option(help="Only this status (default: all)")
    ] = DisputeStatus.PENDING,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Disputes, oldest first (pending ones by default)."""
    database = open_database(load_settings())
    with database.engine.connect() as connection:
        found = list_disputes(connection, status, limit)
    database.dispose()
    if as_json:
        print(json.dumps([_dispute_json(d) for d in found], ensure_ascii=False))
        return
    if not found:
        out.print("No disputes.")
    now = datetime.now(UTC)
    for dispute in found:
        age = (now - dispute.created_at).days
        out.print(
            f"{dispute.id}  {dispute.status.value:<8}  {age:>3} days  "
            f"{dispute.indicator.type.value} {escape(dispute.indicator.value)}",
            highlight=False,
        )
        out.print(f"    {escape(dispute.claim)}", highlight=False, soft_wrap=True)


@dispute_app.command("decide")
def dispute_decide(
    dispute_id: Annotated[UUID, typer.Argument(help="The dispute's id")],
    decision: Annotated[Decision, typer.Option(help="upheld removes the listing")],
    reason: Annotated[str, typer.Option(help="Shown to the public with the verdict")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Decide a pending dispute, with the reason the public will read."""
    if len(reason.strip()) < 5:
        fail("--reason must say why, for the citizen who checks the value (5 characters or more)")
    database = open_database(load_settings())
    try:
        with database.transaction() as store:
            decided = decide_dispute(store, dispute_id, decision, reason, actor=CONSOLE_ACTOR)
    except (DisputeNotFoundError, AlreadyDecidedError) as error:
        fail(str(error))
    finally:
        database.dispose()
    if as_json:
        print(json.dumps(_dispute_json(decided), ensure_ascii=False))
        return
    out.print(f"Dispute {decided.reference} {decided.status.value}: {escape(reason.strip())}")


def outcome(
    value: Annotated[str, typer.Argument(help="The number, link, account or wallet")],
    kind: Annotated[
        str, typer.Option("--outcome", help="frozen, blocked, taken_down or false_positive")
    ],
    indicator_type: Annotated[
        IndicatorType | None, typer.Option("--type", help="Skip type detection")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Country of local formats")] = None,
    note: Annotated[str | None, typer.Option(help="What was done, for the record")] = None,
) -> None:
    """Record what was done about a value, or that it was a false positive."""
    names = {event.value: event for event in OUTCOMES}
    if kind not in names:
        fail(f"--outcome {kind!r} is not an outcome; use one of: {', '.join(names)}")
    database = open_database(load_settings())
    try:
        with database.transaction() as store:
            indicator = record_outcome(
                store,
                value,
                indicator_type,
                EventKind(kind),
                reading=_reading(region),
                note=note,
                actor=CONSOLE_ACTOR,
                organisation_id=None,
            )
    except InvalidIndicatorError as error:
        fail(f"{value!r} cannot be read: {error.reason}")
    finally:
        database.dispose()
    out.print(f"Recorded {kind} for {indicator.type.value} {escape(indicator.value)}")


@listings_app.command("refresh")
def listings_refresh(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute every verdict and publish what changed (run daily: confidence decays)."""
    database = open_database(load_settings())
    with database.engine.begin() as connection:
        summary = refresh_all(connection, datetime.now(UTC))
    database.dispose()
    if as_json:
        print(json.dumps({"values": summary.values, "changed": summary.changed}))
        return
    out.print(f"{summary.values} values assessed, {summary.changed} listings changed")
