"""``scamintel agreement``, ``scamintel peer``, ``scamintel sync`` and ``scamintel refusals``:
the sharing agreements in force, the TAXII peers this node pulls from, the pull itself, and
what the importer refused (docs/federation.md)."""

from __future__ import annotations

import json
import sys
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

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
from scamintel.federation.agreement import Agreement, AgreementError, parse_agreement
from scamintel.federation.request_transport import deliver_requests, delivery_line
from scamintel.federation.sync import (
    AUTH_BASIC,
    AUTH_BEARER,
    PeerSyncResult,
    SyncOptions,
    canonicaliser,
    sync_peers,
)
from scamintel.governance.audit import AuditEvent
from scamintel.indicators import default_registry
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.reading import Reading
from scamintel.storage import partner_repo, peers_repo
from scamintel.storage.peers_repo import Peer, PeerExistsError, PeerSyncStore
from scamintel.storage.store import append_audit

agreement_app = typer.Typer(
    help="Sharing agreements with partner nodes (MoU as code).", no_args_is_help=True
)
peer_app = typer.Typer(help="The TAXII peers this node pulls from.", no_args_is_help=True)


# -- agreements -----------------------------------------------------------------------------------
@agreement_app.command("apply")
def agreement_apply(
    path: Annotated[Path, typer.Argument(help="The agreement file (YAML or JSON)")],
) -> None:
    """Put an agreement in force; a changed one needs a higher version. Audited."""
    if not path.is_file():
        fail(f"{path} is not a file")
    try:
        agreement = parse_agreement(path.read_text(encoding="utf-8"), str(path))
    except (AgreementError, UnicodeDecodeError) as error:
        fail(str(error))
    database = open_database(load_settings())
    try:
        with database.engine.begin() as connection:
            applied = partner_repo.apply_agreement(
                connection, agreement, database.sealer, console_actor(), datetime.now(UTC)
            )
    except ValueError as error:
        fail(str(error))
    finally:
        database.dispose()
    name, version = escape(agreement.partner), agreement.version
    if not applied.changed:
        out.print(f"agreement with {name} v{version} unchanged")
    elif applied.previous_version is None:
        out.print(f"applied agreement with {name} v{version} (new partner)")
    else:
        out.print(f"applied agreement with {name} v{version} (was v{applied.previous_version})")


@agreement_app.command("list")
def agreement_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The agreements in force, one per partner."""
    database = open_database(load_settings())
    with database.engine.connect() as connection:
        found = partner_repo.all_agreements(connection, database.sealer)
    database.dispose()
    if as_json:
        print(json.dumps([a.document() for a in found]))
        return
    if not found:
        out.print("No agreements. Apply one with `scamintel agreement apply FILE`.")
    for agreement in found:
        out.print(_agreement_line(agreement), highlight=False, soft_wrap=True)


def _agreement_line(agreement: Agreement) -> str:
    types = ", ".join(sorted(t.value for t in agreement.types))
    markings = ", ".join(sorted(f"TLP:{m.value.upper()}" for m in agreement.markings))
    return (
        f"{escape(agreement.partner)} v{agreement.version}: {types}; {markings}; "
        f"kept {agreement.retention_days} days"
    )


@agreement_app.command("show")
def agreement_show(partner: Annotated[str, typer.Argument(help="The partner node")]) -> None:
    """The agreement in force with PARTNER, as JSON (never its blind key)."""
    database = open_database(load_settings())
    with database.engine.connect() as connection:
        agreement = partner_repo.find_agreement(connection, partner, database.sealer)
    database.dispose()
    if agreement is None:
        fail(f"no agreement with {partner}")
    print(json.dumps(agreement.document(), indent=2, sort_keys=True))


# -- peers ----------------------------------------------------------------------------------------
@peer_app.command("add")
def peer_add(
    name: Annotated[str, typer.Argument(help="The partner, as named in its agreement")],
    url: Annotated[
        str,
        typer.Argument(
            help="Its TAXII discovery or API root URL (a scamintel node: http://host:port/taxii2/)"
        ),
    ],
    key: Annotated[
        str,
        typer.Option(
            help="The API key the peer issued to this node (with --basic: user:password); "
            "- reads it from standard input, keeping it out of the shell's history"
        ),
    ],
    basic: Annotated[
        bool,
        typer.Option("--basic", help="Send the key as HTTP Basic user:password (medallion)"),
    ] = False,
    collection: Annotated[
        str | None,
        typer.Option(help="The collection id to read (default: chosen at the first sync)"),
    ] = None,
) -> None:
    """Add a peer to pull from. Its key is stored sealed."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(f"{url!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        fail("put credentials in --key (with --basic for user:password), not in the URL")
    if key == "-":
        key = sys.stdin.readline()
    if not key.strip():
        fail("--key must not be empty")
    if basic and ":" not in key:
        fail("with --basic, --key is user:password")
    database = open_database(load_settings())
    try:
        with database.engine.begin() as connection:
            if partner_repo.find_agreement(connection, name, database.sealer) is None:
                fail(
                    f"no agreement with {name}: apply one first (`scamintel agreement apply "
                    "FILE`); what a peer sends is checked against it"
                )
            peers_repo.add_peer(
                connection,
                database.sealer,
                name=name,
                url=url,
                api_key=key.strip(),
                now=datetime.now(UTC),
                collection_id=collection,
                auth=AUTH_BASIC if basic else AUTH_BEARER,
            )
            append_audit(connection, _peer_event("peer.added", name, {"url": url}))
    except PeerExistsError as error:
        fail(str(error))
    finally:
        database.dispose()
    out.print(f"added peer {escape(name)} at {escape(url)}", highlight=False)


def _peer_event(action: str, name: str, details: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        actor=console_actor(), action=action, object_type="peer", object_id=name, details=details
    )


@peer_app.command("list")
def peer_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The peers, their cursors and their last sync (never their keys)."""
    database = open_database(load_settings())
    with database.engine.connect() as connection:
        found = peers_repo.list_peers(connection, database.sealer)
    database.dispose()
    if as_json:
        print(json.dumps([_peer_json(p) for p in found]))
        return
    if not found:
        out.print("No peers. Add one with `scamintel peer add NAME URL --key KEY`.")
    for peer in found:
        last = peer.last_sync_at.isoformat() if peer.last_sync_at else "never"
        line = f"{escape(peer.name)}  {escape(peer.url)}  last sync: {last}"
        if peer.last_error:
            line += f"  [red]last error: {escape(peer.last_error)}[/]"
        out.print(line, highlight=False, soft_wrap=True)


def _peer_json(peer: Peer) -> dict[str, Any]:
    return {
        "name": peer.name,
        "url": peer.url,
        "collection": peer.collection_id,
        "auth": peer.auth,
        "next": peer.next_cursor,
        "added_after": peer.added_after,
        "last_sync_at": peer.last_sync_at.isoformat() if peer.last_sync_at else None,
        "last_error": peer.last_error,
    }


@peer_app.command("remove")
def peer_remove(name: Annotated[str, typer.Argument(help="The peer's name")]) -> None:
    """Stop pulling from a peer. What it sent stays until its retention runs out."""
    database = open_database(load_settings())
    with database.engine.begin() as connection:
        removed = peers_repo.remove_peer(connection, name)
        if removed:
            append_audit(connection, _peer_event("peer.removed", name, {}))
    database.dispose()
    if not removed:
        fail(f"no peer named {name}")
    out.print(f"removed peer {escape(name)}")


# -- sync -----------------------------------------------------------------------------------------
def sync(
    peer: Annotated[str | None, typer.Option(help="Sync only this peer")] = None,
    page_size: Annotated[
        int | None, typer.Option(min=1, max=10_000, help="Objects asked for per page")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Pull what peers shared since the last sync; exits 1 if any peer failed."""
    settings = load_settings()
    database = open_database(settings)
    store = PeerSyncStore(database)
    if peer is not None and not store.peers(peer):
        database.dispose()
        fail(f"no peer named {peer}")
    reader = canonicaliser(default_registry(), region_context(None, settings))
    try:
        results = sync_peers(
            store, reader, SyncOptions.of(settings, page_size), actor=console_actor(), peer=peer
        )
        # Cross-border requests travel on the same link (docs/cross-border-requests.md).
        delivered = deliver_requests(
            database,
            Reading(default_registry(), region_context(None, settings), Warninglist()),
            actor=console_actor(),
            timeout=settings.sync_timeout_seconds,
            peer=peer,
        )
    finally:
        database.dispose()
    if as_json:
        print(json.dumps([r.details() for r in results]))
    else:
        if not results:
            out.print("No peers to sync. Add one with `scamintel peer add`.")
        for result in results:
            out.print(_sync_line(result), highlight=False, soft_wrap=True)
        for item in delivered:
            out.print(escape(delivery_line(item)), highlight=False, soft_wrap=True)
    if any(r.failed for r in results):
        raise typer.Exit(1)


def _sync_line(result: PeerSyncResult) -> str:
    counts = (
        f"{result.pages} pages, {result.received} objects received, {result.stored} stored, "
        f"{result.refused} refused"
    )
    cursor = result.cursor
    where = f"next {cursor.next}" if cursor.next else f"added_after {cursor.added_after or '-'}"
    line = f"{escape(result.peer)}: {counts}; cursor: {escape(where)}"
    if result.yielded:
        line += " (another sync of this peer took over)"
    if result.error:
        line += f"\n  [red]failed:[/] {escape(result.error)}"
    return line


def refusals(
    peer: Annotated[str | None, typer.Option(help="Only this peer's")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """What the importer refused from partners, and why (newest first)."""
    database = open_database(load_settings())
    with database.engine.connect() as connection:
        found = partner_repo.recent_refusals(connection, peer, limit)
    database.dispose()
    if as_json:
        print(
            json.dumps(
                [{"peer": r.partner, "stix_id": r.stix_id, "reason": r.reason} for r in found]
            )
        )
        return
    if not found:
        out.print("Nothing refused.")
    for refusal in found:
        stix_id = refusal.stix_id or "-"
        out.print(
            f"{escape(refusal.partner)}  {escape(stix_id)}  {escape(refusal.reason)}",
            highlight=False,
            soft_wrap=True,
        )
