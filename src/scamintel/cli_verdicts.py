"""``scamintel dispute``, ``scamintel outcome`` and ``scamintel listings``: due process and
upkeep of the verdicts, for analysts and operators at the node's console."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.markup import escape

from scamintel.cli_common import (
    console_actor,
    fail,
    load_settings,
    open_database,
    out,
    region_context,
)
from scamintel.governance.audit import AuditEvent
from scamintel.indicators import IndicatorType, InvalidIndicatorError, default_registry
from scamintel.indicators.lookalike import default_lookalikes
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.disputes import (
    AlreadyDecidedError,
    Decision,
    Dispute,
    DisputeNotFoundError,
    DisputeStatus,
    NothingToDisputeError,
    OfficialValueError,
    close_held_burst,
    decide_dispute,
    open_dispute,
    record_outcome,
)
from scamintel.reports.engine import OUTCOMES, EventKind
from scamintel.reports.reading import Reading
from scamintel.reports.service import check_value
from scamintel.reports.trust import ACTING_TRUST, trust_of_organisation
from scamintel.storage.access_repo import find_organisation
from scamintel.storage.disputes_repo import list_disputes, open_bursts
from scamintel.storage.node import NodeDatabase
from scamintel.storage.refresh import refresh_all

dispute_app = typer.Typer(help="Disputes of listings: open, list and decide.", no_args_is_help=True)
listings_app = typer.Typer(help="The published listings.", no_args_is_help=True)
review_app = typer.Typer(
    help="Bursts of reports from one sender, held for an analyst (anti-poisoning).",
    no_args_is_help=True,
)


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
    contact_name: Annotated[str | None, typer.Option(help="The holder's name")] = None,
    contact_phone: Annotated[str | None, typer.Option(help="How to call the holder back")] = None,
    contact_email: Annotated[str | None, typer.Option(help="The holder's e-mail")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Record a dispute received by phone, letter or at the counter. The holder's contact is
    personal data: sealed at rest, read back only with a purpose (audited)."""
    contact = {
        field: value.strip()
        for field, value in (
            ("name", contact_name),
            ("phone", contact_phone),
            ("email", contact_email),
        )
        if value and value.strip()
    }
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
                contact=contact or None,
                actor=console_actor(),
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
        DisputeStatus, typer.Option(help="Only disputes with this status")
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


@dispute_app.command("show")
def dispute_show(
    dispute_id: Annotated[UUID, typer.Argument(help="The dispute's id")],
    purpose: Annotated[
        str | None,
        typer.Option(
            help="Why you need the holder's contact; with it the contact is shown "
            "and the read is written to the audit log"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One dispute with its claim; the holder's contact only with --purpose."""
    database = open_database(load_settings())
    with database.transaction() as store:
        dispute = store.get_dispute(dispute_id, with_contact=purpose is not None)
        if dispute is not None and purpose is not None:
            store.audit(
                AuditEvent(
                    actor=console_actor(),
                    action="dispute.read_personal_data",
                    object_type="dispute",
                    object_id=str(dispute_id),
                    purpose=purpose[:60],
                    subjects=(store.indicator_id(dispute.indicator),),
                )
            )
    database.dispose()
    if dispute is None:
        fail(f"no dispute {dispute_id} on this node")
    data = {**_dispute_json(dispute), "contact": dispute.contact if purpose else None}
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    for key, value in data.items():
        if value is not None:
            out.print(f"{key:>10}: {escape(str(value))}", highlight=False, soft_wrap=True)


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
            decided = decide_dispute(store, dispute_id, decision, reason, actor=console_actor())
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
    org: Annotated[
        str | None,
        typer.Option(help="The bank, telco or agency that acted (default: this node's operator)"),
    ] = None,
) -> None:
    """Record what was done about a value, or that it was a false positive."""
    names = {event.value: event for event in OUTCOMES}
    if kind not in names:
        fail(f"--outcome {kind!r} is not an outcome; use one of: {', '.join(names)}")
    database = open_database(load_settings())
    organisation_id = _acting_organisation(database, org)
    reading = _reading(region)
    try:
        with database.transaction() as store:
            indicator = record_outcome(
                store,
                value,
                indicator_type,
                EventKind(kind),
                reading=reading,
                note=note,
                actor=console_actor(),
                organisation_id=organisation_id,
            )
            result = check_value(
                store,
                indicator.value,
                registry=reading.registry,
                context=reading.context,
                warninglist=reading.warninglist,
                lookalikes=default_lookalikes(),
                indicator_type=indicator.type,
            )
    except InvalidIndicatorError as error:
        fail(f"{value!r} cannot be read: {error.reason}")
    except OfficialValueError as error:
        fail(str(error))
    finally:
        database.dispose()
    out.print(f"Recorded {kind} for {indicator.type.value} {escape(indicator.value)}")
    out.print(
        f"Verdict now: {result.verdict.value} (score {result.score}). {escape(result.explanation)}",
        highlight=False,
        soft_wrap=True,
    )


def _acting_organisation(database: NodeDatabase, name: str | None) -> int | None:
    """The organisation recorded as acting; only banks, telcos and verified agencies act."""
    if name is None:
        return None
    with database.engine.connect() as connection:
        found = find_organisation(connection, name.strip())
    if found is None:
        database.dispose()
        fail(
            f"no organisation named {name!r}; create it with its first key, e.g. "
            f"scamintel apikey create --org {name!r} --kind telco --role reporter"
        )
    if trust_of_organisation(found.kind, found.verified) not in ACTING_TRUST:
        database.dispose()
        fail(
            f"{found.name} is of kind {found.kind.value}: outcomes are recorded by banks, telcos "
            "and verified agencies (scamintel apikey create --kind bank|telco, or --kind "
            "agency|police --verified for a new organisation)"
        )
    return found.id


@listings_app.command("refresh")
def listings_refresh(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recompute every verdict and publish what changed (run daily: confidence decays)."""
    database = open_database(load_settings())
    summary = refresh_all(database.engine, datetime.now(UTC))
    database.dispose()
    if as_json:
        print(json.dumps({"values": summary.values, "changed": summary.changed}))
        return
    out.print(f"{summary.values} values assessed, {summary.changed} listings changed")


@review_app.command("list")
def review_list(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Open review items, oldest first: values one sender reported in a burst."""
    database = open_database(load_settings())
    with database.engine.connect() as connection:
        held = open_bursts(connection, limit)
    database.dispose()
    if as_json:
        rows = [
            {
                "id": item.id,
                "type": item.indicator.type.value,
                "value": item.indicator.value,
                "report_count": item.report_count,
                "held_since": item.created_at.isoformat(),
                "report_ids": [str(report_id) for report_id in item.report_ids],
            }
            for item in held
        ]
        print(json.dumps(rows, ensure_ascii=False))
        return
    if not held:
        out.print("No open review items.")
    for item in held:
        out.print(
            f"{item.id:>6}  {item.report_count:>3} reports from one sender  "
            f"{item.indicator.type.value} {escape(item.indicator.value)}",
            highlight=False,
        )


@review_app.command("close")
def review_close(
    item_id: Annotated[int, typer.Argument(help="The review item's id (scamintel review list)")],
    note: Annotated[str, typer.Option(help="What you found, for the record")],
) -> None:
    """Close a review item once the sender's reports have been looked at."""
    if len(note.strip()) < 3:
        fail("--note must say what you found")
    database = open_database(load_settings())
    with database.transaction() as store:
        closed = close_held_burst(store, item_id, note, actor=console_actor())
    database.dispose()
    if not closed:
        fail(f"no open review item {item_id}; `scamintel review list` shows the open ones")
    out.print(f"Review item {item_id} closed.")
