"""Verbs for private lookups and blocklists (docs/privacy.md): ``scamintel export``,
``scamintel bundle build|apply|check`` and the reference client of the range API behind
``scamintel check --private``."""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from sqlalchemy import Connection

from scamintel import __version__
from scamintel.cli_common import (
    canonical_indicator,
    console_actor,
    err,
    fail,
    load_settings,
    open_database,
    out,
    region_context,
)
from scamintel.federation.misp_feed import FeedListing, MispFeed, build_feed
from scamintel.governance.audit import AuditEvent
from scamintel.indicators import (
    Indicator,
    IndicatorType,
    ParseContext,
    default_registry,
)
from scamintel.indicators.warninglist import Warninglist
from scamintel.protection.blocklist import (
    DEFAULT_MIN_SCORE,
    MAX_CURSOR,
    BlocklistPage,
    BlocklistQuery,
    CursorAheadError,
    collect_blocklist,
    download_event,
)
from scamintel.protection.bundle import (
    Bundle,
    BundleAheadError,
    BundleDelta,
    BundleFormatError,
    build_bundle,
    build_delta,
    parse_any,
)
from scamintel.protection.listing import value_hash
from scamintel.protection.range import (
    MalformedRangeAnswerError,
    RangeEntry,
    find_in_answer,
    split_hash,
)
from scamintel.reports.reading import Reading, official_name
from scamintel.reports.service import PartnerLookup
from scamintel.reports.verdict import CheckResult, PartnerKnowledge, shown_to
from scamintel.settings import Settings
from scamintel.storage.listings_repo import snapshot_reads
from scamintel.storage.node import NodeDatabase
from scamintel.storage.protection_store import SqlListings
from scamintel.storage.releases_repo import partner_knowledge
from scamintel.storage.store import append_audit
from scamintel.storage.taxii_repo import listings_after

DEFAULT_NODE_URL = "http://127.0.0.1:8000"
NODE_URL_VARIABLE = "SCAMINTEL_NODE_URL"
REQUEST_TIMEOUT_S = 15.0
NOT_LISTED = "not listed on that node — that does not mean it is safe"
VERDICT_STYLE = {"scam": "bold red", "suspicious": "bold yellow"}

bundle_app = typer.Typer(
    help="The blocklist bundle: a hashed set of every listed value, checked offline.",
    no_args_is_help=True,
)


# -- export --------------------------------------------------------------------------------------
class ExportFormat(StrEnum):
    STIX = "stix"
    MISP = "misp"
    CSV = "csv"
    BLOCKLIST = "blocklist"


@dataclass(frozen=True, slots=True)
class ExportOptions:
    types: tuple[str, ...]
    min_score: float
    since: int
    output: Path | None
    as_csv: bool
    out_dir: Path | None = None


Exporter = Callable[[Settings, ExportOptions], None]


def export(
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="What to export (blocklist: below)")
    ],
    types: Annotated[
        list[IndicatorType] | None,
        typer.Option("--type", help="blocklist: only this type (repeat for several)"),
    ] = None,
    min_score: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="blocklist: only values scoring at least this")
    ] = DEFAULT_MIN_SCORE,
    since: Annotated[
        int,
        typer.Option(min=0, max=MAX_CURSOR, help="blocklist: cursor of the last export; 0: all"),
    ] = 0,
    output: Annotated[
        Path | None, typer.Option(help="Write to this file (default: standard output)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="blocklist: JSON (the default)")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="blocklist: CSV, one row a change")] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="misp: the feed folder (manifest.json, hashes.csv, one <uuid>.json per event)",
        ),
    ] = None,
) -> None:
    """Export for partners (blocklist: listed values by type, and what changed since a cursor;
    misp: a MISP feed folder of the listed values, one event per type)."""
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    if (export_format is ExportFormat.MISP) != (out_dir is not None):
        fail("--out DIR goes with --format misp, and --format misp needs --out DIR")
    exporter = EXPORTERS.get(export_format)
    if exporter is None:
        fail(f"--format {export_format.value} is not available yet; use --format blocklist")
    options = ExportOptions(
        types=tuple(sorted({kind.value for kind in types or ()})),
        min_score=min_score,
        since=since,
        output=output,
        as_csv=as_csv,
        out_dir=out_dir,
    )
    exporter(load_settings(), options)


def export_blocklist(settings: Settings, options: ExportOptions) -> None:
    query = BlocklistQuery(options.types, options.min_score, options.since)
    form = "csv" if options.as_csv else "json"
    database = open_database(settings)
    try:
        with snapshot_reads(database.engine) as connection:
            source = SqlListings(connection)
            page = collect_blocklist(source, query)
            source.audit(download_event("cli", query, page, form))
    except CursorAheadError as error:
        fail(str(error))
    finally:
        database.dispose()
    text = page.as_csv() if options.as_csv else json.dumps(page.as_dict(), ensure_ascii=False)
    _write_export(text if options.as_csv else text + "\n", options.output, page)


def _write_export(text: str, output: Path | None, page: BlocklistPage) -> None:
    summary = (
        f"{len(page.added)} added, {len(page.removed)} removed; cursor {page.cursor} "
        f"(next time: --since {page.cursor})"
    )
    if output is None:
        sys.stdout.write(text)
        err.print(summary, highlight=False)
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"{escape(str(output))}: {summary}", highlight=False, soft_wrap=True)


def export_misp(settings: Settings, options: ExportOptions) -> None:
    """Write the MISP feed of every published listing (removed ones as deleted attributes)."""
    assert options.out_dir is not None  # export() checks it
    database = open_database(settings)
    try:
        with snapshot_reads(database.engine) as connection:
            feed = build_feed(_feed_listings(connection), settings.node_name)
        with database.engine.begin() as connection:
            append_audit(connection, misp_export_event(feed, options.out_dir))
    finally:
        database.dispose()
    try:
        _write_feed(feed, options.out_dir)
    except OSError as error:
        fail(f"cannot write the feed to {options.out_dir}: {error.strerror or error}")
    out.print(
        f"{escape(str(options.out_dir))}: MISP feed of {len(feed.events)} events, "
        f"{feed.attribute_count} attributes ({len(feed.hashes)} listed)",
        highlight=False,
        soft_wrap=True,
    )


def _feed_listings(connection: Connection) -> Iterator[FeedListing]:
    after = 0
    while True:
        page = listings_after(connection, after, None, FEED_PAGE)
        for row in page:
            yield FeedListing(
                IndicatorType(row.type), row.value, row.verdict, row.score, row.changed_at
            )
        if len(page) < FEED_PAGE:
            return
        after = page[-1].change_seq


def misp_export_event(feed: MispFeed, folder: Path) -> AuditEvent:
    return AuditEvent(
        actor=console_actor(),
        action="export.misp",
        object_type="listings",
        details={
            "folder": str(folder),
            "events": len(feed.events),
            "attributes": feed.attribute_count,
            "listed": len(feed.hashes),
        },
    )


def _write_feed(feed: MispFeed, folder: Path) -> None:
    """Events first, the manifest last: a MISP fetching meanwhile reads the old manifest,
    whose events are still there (each file is replaced atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = feed.files()
    manifest = files.pop("manifest.json")
    for name, text in files.items():
        _write_atomically(folder / name, text.encode("utf-8"))
    _write_atomically(folder / "manifest.json", manifest.encode("utf-8"))


# Formats other engineers add (stix, csv) register here.
EXPORTERS: dict[ExportFormat, Exporter] = {
    ExportFormat.BLOCKLIST: export_blocklist,
    ExportFormat.MISP: export_misp,
}
FEED_PAGE = 10_000


# -- partner knowledge in `scamintel check` ------------------------------------------------------
def partner_lookup(connection: Connection, database: NodeDatabase) -> PartnerLookup:
    """What partners shared about a value, read on the check's connection."""

    def lookup(indicator: Indicator) -> list[PartnerKnowledge]:
        return partner_knowledge(connection, database.sealer, indicator, datetime.now(UTC))

    return lookup


def partners_json(result: CheckResult) -> list[dict[str, Any]]:
    """The check's ``partners`` as the API gives them; the CLI is the operator, who sees all."""
    return [item.as_json() for item in shown_to(result.partners, restricted=True)]


def print_partners(result: CheckResult) -> None:
    for item in shown_to(result.partners, restricted=True):
        said = f" as {item.verdict}" if item.verdict else ""
        how = " (by blind selector)" if item.blind else ""
        out.print(
            f"[bold]Partner:[/] {escape(item.summary)}{escape(said)}{how}",
            highlight=False,
            soft_wrap=True,
        )


# -- bundle --------------------------------------------------------------------------------------
@bundle_app.command("build")
def bundle_build(
    output: Annotated[Path, typer.Option(help="Where to write the bundle (or delta)")],
    since: Annotated[
        int, typer.Option(min=0, max=MAX_CURSOR, help="Write a delta from this version")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Write the blocklist bundle (every listed value as a hashed set), or a delta."""
    database = open_database(load_settings())
    try:
        with snapshot_reads(database.engine) as connection:
            source = SqlListings(connection)
            built: Bundle | BundleDelta | None = build_delta(source, since) if since else None
            built = built or build_bundle(source)
    except BundleAheadError as error:
        fail(str(error))
    finally:
        database.dispose()
    data = built.encode()
    output.write_bytes(data)
    summary = _bundle_summary(built, len(data))
    if as_json:
        print(json.dumps(summary | {"output": str(output)}))
        return
    if since and isinstance(built, Bundle):
        out.print(f"Too much changed since version {since} for a delta: a full bundle instead.")
    out.print(f"{escape(str(output))}: {_describe(summary)}", highlight=False, soft_wrap=True)


def _bundle_summary(built: Bundle | BundleDelta, size: int) -> dict[str, Any]:
    if isinstance(built, Bundle):
        return {
            "kind": "full",
            "version": built.version,
            "records": len(built),
            "bytes": size,
            "false_positive_rate": built.false_positive_rate,
        }
    return {
        "kind": "delta",
        "since": built.since,
        "version": built.version,
        "upserts": len(built.upsert_keys),
        "removals": len(built.removals),
        "bytes": size,
    }


def _describe(summary: dict[str, Any]) -> str:
    if summary["kind"] == "full":
        return (
            f"full bundle at version {summary['version']}, {summary['records']:,} values, "
            f"{summary['bytes']:,} bytes, false-positive rate {summary['false_positive_rate']:.1e}"
        )
    return (
        f"delta from version {summary['since']} to {summary['version']}, "
        f"{summary['upserts']:,} upserts, {summary['removals']:,} removals, "
        f"{summary['bytes']:,} bytes"
    )


@bundle_app.command("apply")
def bundle_apply(
    bundle_file: Annotated[Path, typer.Argument(metavar="BUNDLE", help="The full bundle you hold")],
    delta_file: Annotated[
        Path,
        typer.Argument(
            metavar="DELTA", help="The answer to GET /api/v1/bundle?since=<BUNDLE's version>"
        ),
    ],
    output: Annotated[
        Path | None, typer.Option(help="Write the result here (default: replace BUNDLE)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Bring a bundle forward with a delta, offline; the result is, byte for byte, the
    node's full bundle at the delta's version. BUNDLE is replaced atomically unless
    --output is given. A full bundle given as DELTA (the node's answer when too much
    changed) replaces BUNDLE."""
    held = _read_bundle_file(bundle_file)
    if not isinstance(held, Bundle):
        fail(f"{bundle_file} is a delta, not a full bundle; give the full bundle first")
    update = _read_bundle_file(delta_file)
    result = _brought_forward(held, update, delta_file)
    target = output or bundle_file
    data = result.encode()
    try:
        _write_atomically(target, data)
    except OSError as error:
        fail(f"cannot write {target}: {error.strerror or error}")
    summary = _bundle_summary(result, len(data)) | {"from_version": held.version}
    if as_json:
        print(json.dumps(summary | {"output": str(target)}))
        return
    out.print(
        f"{escape(str(target))}: {_describe(summary)} (was version {held.version})",
        highlight=False,
        soft_wrap=True,
    )


def _read_bundle_file(file: Path) -> Bundle | BundleDelta:
    if not file.is_file():
        fail(f"{file} does not exist or is not a file")
    try:
        return parse_any(file.read_bytes())
    except BundleFormatError as error:
        fail(f"{file} is not a bundle: {error}")


def _brought_forward(held: Bundle, update: Bundle | BundleDelta, update_file: Path) -> Bundle:
    """``held`` at the update's version: the update applied, or the update itself when it
    is a full bundle that is not older."""
    if isinstance(update, Bundle):
        if update.version < held.version:
            fail(
                f"{update_file} is a full bundle at version {update.version}, older than the "
                f"bundle's version {held.version}"
            )
        return update
    if update.since != held.version:
        fail(
            f"{update_file} is a delta from version {update.since} to {update.version}, but "
            f"the bundle is at version {held.version}: download the delta from version "
            f"{held.version} (GET /api/v1/bundle?since={held.version})"
        )
    return held.apply(update)


def _write_atomically(target: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename it over ``target``:
    a reader sees the old bytes or the new ones, never a part."""
    destination = target.resolve()  # a link to the bundle keeps pointing at it
    descriptor, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), _file_mode(destination))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_mode(target: Path) -> int:
    """The permissions ``target`` has, or those a new file gets (0666 less the umask)."""
    if target.exists():
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@bundle_app.command("check")
def bundle_check(
    file: Annotated[Path, typer.Argument(help="A full bundle from GET /api/v1/bundle")],
    value: Annotated[str, typer.Argument(help="Number, link, domain, e-mail, account, wallet…")],
    indicator_type: Annotated[
        IndicatorType | None, typer.Option("--type", help="Skip type detection")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Country for local numbers (default: the node's)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON")] = False,
) -> None:
    """Check a value against a downloaded bundle, offline: nothing leaves this machine."""
    parsed = _read_bundle_file(file)
    if not isinstance(parsed, Bundle):
        fail(
            f"{file} is a delta; check against a full bundle (bring one forward with "
            "`scamintel bundle apply BUNDLE DELTA` first)"
        )
    context = region_context(region, load_settings())
    answer_if_official(value, indicator_type, context, as_json)
    indicator = canonical_indicator(value, indicator_type, context)
    found = parsed.lookup(indicator.value)
    verdict = found.verdict if found else None
    answer = LookupAnswer(value, indicator, found is not None, verdict, None)
    extra = {"bundle_version": parsed.version, "under_review": bool(found and found.under_review)}
    _print_answer(answer, as_json, extra, source=f"bundle version {parsed.version}")


# -- the private check: reference client of the range API ---------------------------------------
@dataclass(frozen=True, slots=True)
class LookupAnswer:
    query: str
    indicator: Indicator
    listed: bool
    verdict: str | None
    score: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "indicator": {
                "type": self.indicator.type.value,
                "value": self.indicator.value,
                "country": self.indicator.country,
            },
            "listed": self.listed,
            "verdict": self.verdict,
            "score": self.score,
            "explanation": self.explanation,
        }

    @property
    def explanation(self) -> str:
        if self.listed:
            return f"listed as {self.verdict} on that node"
        return NOT_LISTED


@dataclass(frozen=True, slots=True)
class RangeReply:
    body: str
    listing_version: str | None


def private_check(
    value: str,
    indicator_type: IndicatorType | None,
    context: ParseContext,
    node_url: str,
    as_json: bool,
) -> None:
    """``scamintel check --private``: only the first 5 characters of the value's SHA-256
    leave this machine; the node cannot tell which value of that bucket was asked about."""
    answer_if_official(value, indicator_type, context, as_json)
    indicator = canonical_indicator(value, indicator_type, context)
    hashed = value_hash(indicator.value)
    prefix, _suffix = split_hash(hashed)
    reply = fetch_range(node_url, prefix)
    try:
        entry = find_in_answer(reply.body, hashed)
    except MalformedRangeAnswerError as error:
        fail(f"{node_url} did not answer like a scamintel range API: {error}", code=1)
    answer = _answer_of(value, indicator, entry)
    extra = {
        "under_review": bool(entry and entry.under_review),
        "node": node_url,
        "prefix": prefix,
        "listing_version": reply.listing_version,
    }
    _print_answer(answer, as_json, extra, source=node_url)


def _answer_of(value: str, indicator: Indicator, entry: RangeEntry | None) -> LookupAnswer:
    if entry is None:
        return LookupAnswer(value, indicator, False, None, None)
    return LookupAnswer(value, indicator, True, entry.verdict, entry.score)


def fetch_range(node_url: str, prefix: str) -> RangeReply:
    """GET {node}/api/v1/range/{prefix} with the standard library (no other dependency)."""
    url = f"{node_url.rstrip('/')}/api/v1/range/{urllib.parse.quote(prefix)}"
    if not url.startswith(("http://", "https://")):
        fail(f"--node {node_url!r} is not an http:// or https:// address")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"User-Agent": f"scamintel/{__version__}", "Accept": "text/plain"}
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:  # noqa: S310
            body = response.read().decode("ascii", errors="replace")
            version = response.headers.get("Scamintel-Listing-Version")
    except urllib.error.HTTPError as error:
        fail(f"{node_url} answered {error.code} {error.reason} to the range lookup", code=1)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        fail(f"cannot reach {node_url}: {reason}", code=1)
    return RangeReply(body, version)


def answer_if_official(
    value: str, indicator_type: IndicatorType | None, context: ParseContext, as_json: bool
) -> None:
    """Official contacts and short codes are answered from the warninglist shipped with this
    program, before anything is looked up: they are never listed, and asking for them would
    tell the node nothing it should know."""
    reading = Reading(default_registry(), context, Warninglist())
    name = official_name(value, indicator_type, reading)
    if name is None:
        return
    if as_json:
        print(json.dumps({"query": value, "verdict": "official", "official": name}))
    else:
        out.print(f"[bold blue]official[/]: {escape(name)}", highlight=False, soft_wrap=True)
    raise typer.Exit(0)


def _print_answer(answer: LookupAnswer, as_json: bool, extra: dict[str, Any], source: str) -> None:
    if as_json:
        print(json.dumps(answer.as_dict() | extra, ensure_ascii=False))
        return
    indicator = answer.indicator
    out.print(f"{indicator.type.value} {escape(indicator.value)}", highlight=False)
    if not answer.listed:
        out.print(f"[bold]{NOT_LISTED}[/] ({escape(source)})", highlight=False, soft_wrap=True)
        return
    style = VERDICT_STYLE.get(answer.verdict or "", "bold")
    score = f", score {answer.score:.2f}" if answer.score is not None else ""
    review = " (under review)" if extra.get("under_review") else ""
    out.print(
        f"[{style}]listed: {answer.verdict}[/]{score}{review} ({escape(source)})",
        highlight=False,
        soft_wrap=True,
    )
