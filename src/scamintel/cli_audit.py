"""``scamintel audit``: prove the audit log was not edited, sign its head, hand the head and the
public key to a partner or auditor, prove a kept head against today's log, and read who saw
a value's data and why (docs/governance.md, section audit)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from scamintel.cli_common import console_actor, err, fail, load_settings, open_database, out
from scamintel.governance.audit import AuditEntry
from scamintel.governance.signing import AuditSigner, HeadFormatError, KeyRing, SignedHead
from scamintel.indicators import IndicatorType
from scamintel.settings import Settings
from scamintel.storage.audit_repo import (
    AuditLogBrokenError,
    AuditRangeError,
    audit_trail,
    check_external_head,
    consistency,
    latest_signed_head,
    record_trail_read,
    sign_head,
    verify_log,
)
from scamintel.storage.evidence_repo import indicator_id_of
from scamintel.storage.store import latest_audit_entries

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=None)


def _read_head(path: Path) -> SignedHead:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        fail(f"cannot read the head file {path}: {error.strerror or error}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"the head file {path} is not JSON ({error}); give what `audit head --json` printed")
    try:
        return SignedHead.from_json(data)
    except HeadFormatError as error:
        fail(f"the head file {path}: {error}")


@audit_app.command("verify")
def audit_verify(
    head: Annotated[
        Path | None,
        typer.Option(
            "--head",
            help="A signed head given out earlier (the JSON of `audit head --json`): check "
            "that today's log still extends it",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Prove that no entry was altered, removed or reordered: every entry's hash and link, the
    head row, every signed head, and (with --head) a head kept outside the node."""
    settings = load_settings()
    kept = _read_head(head) if head is not None else None
    keys = _keys(settings)
    database = open_database(settings)
    try:
        with database.engine.connect() as connection:
            report = verify_log(connection, keys, settings.node_name)
            check = (
                check_external_head(connection, kept, keys, settings.node_name)
                if kept is not None
                else None
            )
    finally:
        database.dispose()
    log_problems = list(report.to_json()["problems"])
    head_problems = list(check.problems) if check else []
    problems = [*log_problems, *head_problems]
    if as_json:
        data: dict[str, Any] = report.to_json()
        data["ok"] = not problems
        if check is not None:
            data["head_check"] = check.to_json()
        print(_dumps(data))
    elif not problems:
        out.print(
            f"Audit log intact: {report.entries} entries ({report.redacted} redacted), "
            f"{report.signed_heads} signed heads checked, head {report.head_hash}",
            soft_wrap=True,
        )
        if check is not None:
            out.print(f"The head of size {check.head.size} you kept is consistent with it.")
    for note in report.notes:
        err.print(f"note: {escape(note)}", highlight=False, soft_wrap=True)
    if not problems and report.signed_heads == 0:
        err.print(
            "note: no head was signed yet, so a cut at the end of the log could not be seen; "
            "`scamintel audit sign` signs one (serve does every "
            "SCAMINTEL_AUDIT_SIGN_INTERVAL_SECONDS)",
            highlight=False,
            soft_wrap=True,
        )
    if log_problems:
        err.print("[bold red]Audit log broken:[/]", highlight=False)
        for problem in log_problems:
            err.print(f"  {escape(problem)}", highlight=False, soft_wrap=True)
    if head_problems:
        err.print(
            "[bold red]The head you kept does not check against this log:[/]", highlight=False
        )
        for problem in head_problems:
            err.print(f"  {escape(problem)}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)


@audit_app.command("sign")
def audit_sign() -> None:
    """Sign the log's head now and print it (JSON); nothing new when nothing was written since
    the latest head, which is printed instead."""
    settings = load_settings()
    signer = AuditSigner(settings.secret_key)
    database = open_database(settings)
    try:
        with database.engine.begin() as connection:
            signed = sign_head(
                connection, signer, settings.node_name, datetime.now(UTC), actor=console_actor()
            )
            if signed is None:
                signed = latest_signed_head(connection, settings.node_name, signer.public)
    except AuditLogBrokenError as error:
        fail(str(error), code=1)
    finally:
        database.dispose()
    if signed is None:
        fail("the audit log is empty: there is nothing to sign yet", code=1)
    print(_dumps(signed.to_json()))


@audit_app.command("head")
def audit_head(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The latest signed head: the JSON to give a partner or auditor, who can check it later
    with `audit verify --head FILE` or POST /api/v1/audit/heads/check."""
    settings = load_settings()
    database = open_database(settings)
    try:
        with database.engine.connect() as connection:
            head = latest_signed_head(connection, settings.node_name, _keys(settings))
    finally:
        database.dispose()
    if head is None:
        fail("no head was signed yet: run `scamintel audit sign`", code=1)
    if as_json:
        print(_dumps(head.to_json()))
        return
    out.print(
        f"size {head.size}\nroot {head.root_hash}\nlast entry {head.head_hash}\n"
        f"signed {head.signed_at.isoformat()} by {escape(head.node)} with key {head.key_id}",
        highlight=False,
        soft_wrap=True,
    )


@audit_app.command("key")
def audit_key(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The node's audit-signing public key (Ed25519, base64) and its id."""
    settings = load_settings()
    signer = AuditSigner(settings.secret_key)
    data = _key_json(settings, signer)
    if as_json:
        print(_dumps(data))
        return
    out.print(
        f"node {escape(settings.node_name)}\nalgorithm Ed25519\npublic key {data['public_key']}\n"
        f"key id {data['key_id']}",
        highlight=False,
        soft_wrap=True,
    )
    for key in data["retired"]:
        out.print(f"retired key {key['public_key']} (id {key['key_id']})", highlight=False)


def _keys(settings: Settings) -> KeyRing:
    """This node's key and the retired ones (SCAMINTEL_AUDIT_RETIRED_KEYS)."""
    return AuditSigner(settings.secret_key).key_ring(settings.audit_retired_keys)


def _key_json(settings: Settings, signer: AuditSigner) -> dict[str, Any]:
    retired = _keys(settings).retired
    return {
        "node": settings.node_name,
        "algorithm": "Ed25519",
        "public_key": signer.public.base64,
        "key_id": signer.key_id,
        "retired": [{"public_key": key.base64, "key_id": key.key_id} for key in retired],
    }


@audit_app.command("prove")
def audit_prove(
    first: Annotated[int, typer.Option("--from", help="The size of the earlier log (a head)")],
    second: Annotated[
        int | None, typer.Option("--to", help="The size of the later log (default: today's)")
    ] = None,
) -> None:
    """The RFC 9162 consistency proof that the log of --to entries extends the first --from
    (JSON)."""
    database = open_database(load_settings())
    try:
        with database.engine.connect() as connection:
            proof = consistency(connection, first, second)
    except AuditRangeError as error:
        fail(str(error))
    except AuditLogBrokenError as error:
        fail(str(error), code=1)
    finally:
        database.dispose()
    print(_dumps(proof.to_json()))


@audit_app.command("trail")
def audit_trail_command(
    value: Annotated[str, typer.Argument(help="Number, link, account, wallet… in any form")],
    indicator_type: Annotated[
        IndicatorType | None, typer.Option("--type", help="Skip type detection")
    ] = None,
    purpose: Annotated[
        str | None, typer.Option(help="Why you read the trail (recorded in the audit log)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """Who saw this value's data, when, why and on what legal basis: the audit entries that
    name it and those about its reports, disputes, releases and cross-border requests. The
    read is itself audited (audit.trail_read)."""
    from scamintel.cli_common import canonical_indicator, region_context

    settings = load_settings()
    indicator = canonical_indicator(value, indicator_type, region_context(None, settings))
    database = open_database(settings)
    try:
        with database.engine.begin() as connection:
            indicator_id = indicator_id_of(connection, indicator)
            trail = audit_trail(
                connection, indicator_id, indicator=indicator, sealer=database.sealer
            )
            record_trail_read(
                connection,
                indicator,
                indicator_id,
                actor=console_actor(),
                purpose=purpose,
                entries=len(trail),
            )
    finally:
        database.dispose()
    if indicator_id is None:
        # On stderr, so --json output stays one entry per line.
        err.print(
            f"This node holds no row for {escape(indicator.value)} (no report or listing "
            "names it): only entries that name it without one, such as cross-border "
            "requests, can be shown.",
            highlight=False,
            soft_wrap=True,
        )
    if as_json:
        for item in trail:
            print(_dumps(item.to_json()))
        return
    if not trail:
        out.print(f"No audit entry concerns {escape(indicator.value)}.", highlight=False)
    for item in trail:
        purpose = f" for {item.purpose}" if item.purpose else ""
        about = f" {item.object_type}:{item.object_id}" if item.object_id else ""
        who = item.actor or "(redacted)"
        out.print(
            f"{item.seq} {item.at:%Y-%m-%d %H:%M:%S} UTC {escape(who)} {item.action}"
            f"{escape(about)}{escape(purpose)} [{item.legal_basis or 'no legal basis recorded'}]",
            highlight=False,
            soft_wrap=True,
        )


@audit_app.command("list")
def audit_list(
    action: Annotated[
        str | None, typer.Option(help="Only actions starting with this, e.g. operation.dossier")
    ] = None,
    object_type: Annotated[
        str | None, typer.Option("--object-type", help="Only this kind of object, e.g. case")
    ] = None,
    object_id: Annotated[str | None, typer.Option("--object-id", help="Only this object")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="At most this many")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines")] = False,
) -> None:
    """The latest audit entries, newest first: who read, changed or disclosed what, and when."""
    database = open_database(load_settings())
    try:
        with database.engine.connect() as connection:
            entries = latest_audit_entries(
                connection,
                limit=limit,
                action_prefix=action,
                object_type=object_type,
                object_id=object_id,
            )
    finally:
        database.dispose()
    if as_json:
        for entry in entries:
            print(json.dumps(_audit_json(entry), ensure_ascii=False))
        return
    if not entries:
        out.print("No audit entries match.")
    for entry in entries:
        event = entry.event
        about = f" {event.object_type}:{event.object_id}" if event.object_id else ""
        purpose = f" for {event.purpose}" if event.purpose else ""
        basis = event.legal_basis or "no legal basis recorded"
        out.print(
            f"{entry.seq} {entry.at:%Y-%m-%d %H:%M:%S} UTC {escape(event.actor)} "
            f"{event.action}{escape(about)}{escape(purpose)} [{basis}]",
            highlight=False,
            soft_wrap=True,
        )


def _audit_json(entry: AuditEntry) -> dict[str, object]:
    event = entry.event
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "purpose": event.purpose,
        "legal_basis": event.legal_basis,
        "subjects": list(event.subjects),
        "details": event.details,
        "entry_hash": entry.entry_hash,
    }
