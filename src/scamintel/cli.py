"""The ``scamintel`` command. Each verb builds what it needs from the one Settings object."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from scamintel.access.keys import OrganisationKind, Role
from scamintel.classify.redflags import RULE_LANGUAGES
from scamintel.classify.service import (
    MessageAssessment,
    MessageContext,
    assess_message,
    is_message,
    message_context,
    message_verdict,
)
from scamintel.cli_alerts import alert_app
from scamintel.cli_audit import audit_app
from scamintel.cli_backup import backup, restore
from scamintel.cli_cases import case_app
from scamintel.cli_cluster import cluster, cluster_after_ingest
from scamintel.cli_common import (
    console_actor,
    err,
    fail,
    load_settings,
    open_database,
    out,
    region_context,
)
from scamintel.cli_federation import agreement_app, peer_app, refusals, sync
from scamintel.cli_governance import governance_app
from scamintel.cli_operations import operation_app
from scamintel.cli_protection import (
    DEFAULT_NODE_URL,
    bundle_app,
    export,
    partner_lookup,
    partners_json,
    print_partners,
    private_check,
)
from scamintel.cli_release import release_app
from scamintel.cli_requests import request_app
from scamintel.cli_retention import purge, retention_app
from scamintel.cli_subject_requests import subject_request_app
from scamintel.cli_transparency import transparency
from scamintel.cli_verdicts import dispute_app, listings_app, outcome, review_app
from scamintel.indicators import (
    IndicatorType,
    InvalidIndicatorError,
    default_registry,
)
from scamintel.indicators.lookalike import default_lookalikes
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.bulk import BulkIngest, FileFormat, IngestSummary, ParserSettings
from scamintel.reports.service import check_value
from scamintel.reports.trust import organisation_source, trust_of_organisation
from scamintel.reports.verdict import CheckResult
from scamintel.settings import Settings
from scamintel.storage.access_repo import (
    ListedKey,
    Revocation,
    create_api_key,
    ensure_organisation,
    find_api_key,
    find_organisation,
    list_api_keys,
    revoke_api_key,
)
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.node import NodeDatabase
from scamintel.storage.refresh import publish_listings_if_never_published
from scamintel.storage.store import most_reported_indicators, record_settings_if_changed

app = typer.Typer(
    help="scamintel: check, report and share scam intelligence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
apikey_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey")
app.add_typer(audit_app, name="audit")
model_app = typer.Typer(help="The message classifier's model.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(alert_app, name="alert")
app.add_typer(operation_app, name="operation")
app.add_typer(bundle_app, name="bundle")
app.add_typer(dispute_app, name="dispute")
app.add_typer(listings_app, name="listings")
app.add_typer(review_app, name="review")
app.add_typer(case_app, name="case")
app.command("outcome")(outcome)
app.command("export")(export)
app.add_typer(release_app, name="release")
app.add_typer(request_app, name="request")
app.add_typer(subject_request_app, name="subject-request")
app.add_typer(agreement_app, name="agreement")
app.add_typer(peer_app, name="peer")
app.add_typer(governance_app, name="governance")
app.command("sync")(sync)
app.command("refusals")(refusals)
app.command("cluster")(cluster)
app.command("transparency")(transparency)
app.add_typer(retention_app, name="retention")
app.command("purge")(purge)
app.command("backup")(backup)
app.command("restore")(restore)


@app.command()
def init() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    database = open_database(settings, require_schema=False)
    upgrade_to_head(database.engine)
    published = publish_listings_if_never_published(database.engine)
    _record_settings(settings, database)
    database.dispose()
    out.print(f"Database ready: {database.engine.url.render_as_string(hide_password=True)}")
    if published is not None:
        out.print(f"Published the verdicts on {published.values} values (first listing).")


def _record_settings(settings: Settings, database: NodeDatabase) -> None:
    """A change of a setting since the node last started goes on the audit record."""
    from scamintel.governance.settings_record import recorded_settings

    with database.engine.begin() as connection:
        changed = record_settings_if_changed(
            connection, recorded_settings(settings), console_actor()
        )
    if changed:
        out.print(f"Settings recorded in the audit log: {', '.join(changed)}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Addresses of the reverse proxies trusted to give the client's address in "
            "X-Forwarded-For (comma-separated); anonymous reports are told apart by it "
            "(docs/operators.md). Never *: clients could then claim any address"
        ),
    ] = "127.0.0.1",
) -> None:
    """Serve the REST API and pages."""
    import uvicorn

    settings = load_settings()
    database = open_database(settings)
    _record_settings(settings, database)
    database.dispose()
    out.print(f"Serving node {settings.node_name} on http://{host}:{port}/")
    uvicorn.run(
        "scamintel.api.asgi:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="warning",
        access_log=False,
    )


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="CSV, JSON Lines or MISP event JSON file")],
    file_format: Annotated[
        FileFormat | None,
        typer.Option("--format", help="csv, jsonl or misp (default: from extension)"),
    ] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Where rejected rows go (default: PATH.rejects.jsonl here)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="Parsing processes beside the writer; on two cores the handover costs what "
            "it saves, so the default parses in the writing process",
        ),
    ] = 0,
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="Organisation that sent the file (made by `scamintel apikey create --org`); "
            "every report is attributed to it and trusted as it is",
        ),
    ] = None,
) -> None:
    """Load reports from a file; safe to rerun after an interruption."""
    if not path.is_file():
        fail(f"{path} does not exist or is not a file")
    try:
        chosen = file_format or FileFormat.for_path(path)
    except ValueError as error:
        fail(str(error))
    settings = load_settings()
    database = open_database(settings)
    rejects_path = rejects or Path.cwd() / f"{path.name}.rejects.jsonl"
    parser = _ingest_parser(settings, database, org)
    summary = _run_ingest(
        settings,
        database,
        path,
        chosen,
        rejects_path,
        quiet=as_json,
        workers=workers,
        parser=parser,
    )
    cluster_after_ingest(settings, database, quiet=as_json)
    database.dispose()
    if as_json:
        print(json.dumps(_summary_json(summary)))
    else:
        _print_summary(summary)


def _run_ingest(
    settings: Settings,
    database: NodeDatabase,
    path: Path,
    file_format: FileFormat,
    rejects_path: Path,
    *,
    quiet: bool,
    workers: int = 0,
    parser: ParserSettings | None = None,
) -> IngestSummary:
    runner = BulkIngest(
        database.transaction,
        parser=parser or ParserSettings(region=settings.node_country),
        batch_size=settings.ingest_batch_size,
        workers=workers,
    )
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
    )
    with progress, rejects_path.open("w", encoding="utf-8") as rejects_file:
        task = progress.add_task(f"ingesting {path.name}", total=path.stat().st_size)
        summary = runner.run(
            path,
            file_format,
            rejects_file,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    if summary.rejected:
        summary.problems_written_to = rejects_path
    else:
        rejects_path.unlink(missing_ok=True)
    return summary


def _ingest_parser(settings: Settings, database: NodeDatabase, org: str | None) -> ParserSettings:
    """Reports of a file sent by an organisation carry its id, its trust and its source."""
    if org is None:
        return ParserSettings(region=settings.node_country)
    with database.engine.connect() as connection:
        found = find_organisation(connection, org.strip())
    if found is None:
        database.dispose()
        fail(
            f"no organisation named {org!r} on this node. Create it with its first key, "
            f"e.g. scamintel apikey create --org {shlex.quote(org.strip())} --role reporter "
            "--kind bank (kinds: " + ", ".join(kind.value for kind in OrganisationKind) + ")"
        )
    return ParserSettings(
        region=settings.node_country,
        organisation_id=found.id,
        trust=trust_of_organisation(found.kind, found.verified).value,
        source_key=organisation_source(found.id),
        secret_key=settings.secret_key,
    )


def _summary_json(summary: IngestSummary) -> dict[str, Any]:
    return {
        "rows": summary.rows,
        "new": summary.new,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected,
        "rejects_file": str(summary.problems_written_to) if summary.problems_written_to else None,
    }


def _print_summary(summary: IngestSummary) -> None:
    out.print(
        f"{summary.rows} rows: [green]{summary.new} new[/], {summary.duplicates} duplicate, "
        f"[red]{summary.rejected} rejected[/]"
    )
    for problem in summary.first_problems[:5]:
        out.print(f"  line {problem.line}: {problem.reason}", highlight=False)
    if summary.problems_written_to:
        out.print(f"Rejected rows with line numbers and reasons: {summary.problems_written_to}")


@app.command()
def check(
    value: Annotated[str, typer.Argument(help="Number, link, domain, e-mail, account, wallet…")],
    indicator_type: Annotated[
        IndicatorType | None, typer.Option("--type", help="Skip type detection")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(help="Country for local numbers and short codes (default: the node's)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the check result as JSON")] = False,
    private: Annotated[
        bool, typer.Option("--private", help="Ask --node's range API; only 5 hex of a hash leave")
    ] = False,
    node: Annotated[
        str, typer.Option("--node", envvar="SCAMINTEL_NODE_URL", help="Node for --private")
    ] = DEFAULT_NODE_URL,
) -> None:
    """Verdict for one value, as the public check gives it."""
    settings = load_settings()
    context = region_context(region, settings)
    if private:
        private_check(value, indicator_type, context, node, as_json)
        return
    database = open_database(settings)
    try:
        with database.engine.connect() as connection:
            result = check_value(
                database.reader(connection),
                value,
                registry=default_registry(),
                context=context,
                warninglist=Warninglist(),
                lookalikes=default_lookalikes(),
                indicator_type=indicator_type,
                partners=partner_lookup(connection, database),
            )
    except InvalidIndicatorError as error:
        if indicator_type is not None or not is_message(value):
            fail(f"{value!r} cannot be read: {error.reason}")
        _check_message(database, settings, value, region, as_json)
        return
    finally:
        database.dispose()
    if as_json:
        print(json.dumps(check_result_json(result), ensure_ascii=False))
    else:
        _print_check(result)


def _check_message(
    database: NodeDatabase, settings: Settings, text: str, region: str | None, as_json: bool
) -> None:
    """The check of a pasted message, as GET /api/v1/check gives it."""
    chosen = region.strip().upper() if region else None
    with database.engine.connect() as connection:
        assessment = assess_message(
            database.reader(connection), text, _message_context(settings), region=chosen
        )
    answer = message_verdict(assessment)
    if as_json:
        data = asdict(answer) | {"query": text, "indicator": None}
        data["verdict"] = answer.verdict.value
        data["scam_types"] = list(answer.scam_types)
        for key in ("first_seen", "last_seen"):
            moment: datetime | None = data[key]
            data[key] = moment.isoformat() if moment else None
        data["message"] = assessment.as_dict()
        print(json.dumps(data, ensure_ascii=False))
        return
    style = VERDICT_STYLE.get(answer.verdict.value, "bold")
    out.print(f"[{style}]{answer.verdict.value.replace('_', ' ')}[/] (score {answer.score})")
    out.print(escape(answer.explanation), highlight=False, soft_wrap=True)
    out.print(f"[bold]What to do:[/] {escape(answer.advice)}", highlight=False, soft_wrap=True)


def check_result_json(result: CheckResult) -> dict[str, Any]:
    data = asdict(result)
    data["indicator"] = {
        "type": result.indicator.type.value,
        "value": result.indicator.value,
        "country": result.indicator.country,
    }
    data["verdict"] = result.verdict.value
    data["scam_types"] = list(result.scam_types)
    for key in ("first_seen", "last_seen"):
        moment: datetime | None = data[key]
        data[key] = moment.isoformat() if moment else None
    review = result.review
    data["review"] = review and {
        "status": review.status.value,
        "opened_at": review.opened_at.isoformat(),
        "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        "reason": review.reason,
    }
    data["partners"] = partners_json(result)
    return data


VERDICT_STYLE = {"scam": "bold red", "suspicious": "bold yellow", "official": "bold blue"}


def _print_check(result: CheckResult) -> None:
    style = VERDICT_STYLE.get(result.verdict.value, "bold")
    indicator = result.indicator
    out.print(f"{indicator.type.value} {escape(indicator.value)}", highlight=False)
    out.print(f"[{style}]{result.verdict.value.replace('_', ' ')}[/] (score {result.score})")
    out.print(escape(result.explanation), highlight=False, soft_wrap=True)
    out.print(f"[bold]What to do:[/] {escape(result.advice)}", highlight=False, soft_wrap=True)
    print_partners(result)


@app.command()
def extract(
    region: Annotated[
        str | None,
        typer.Option(help="Country for numbers without a country code (default: the node's)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the indicators as JSON")] = False,
) -> None:
    """Indicators in the text on standard input, with where each is written."""
    settings = load_settings()
    context = region_context(region, settings)
    region = context.default_region
    text = _read_stdin_text()
    found = default_registry().extract(text, context)
    if as_json:
        indicators = [item.as_dict() for item in found]
        print(json.dumps({"region": region, "indicators": indicators}, ensure_ascii=False))
        return
    if not found:
        out.print("No indicator found.")
    for item in found:
        indicator = item.indicator
        out.print(
            f"{indicator.type.value:<14} {escape(indicator.value)}  [dim]{escape(repr(item.raw))}"
            f" at {item.start}–{item.end}[/]",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
def classify(
    region: Annotated[
        str | None,
        typer.Option(help="Country for numbers without a country code (default: the language's)"),
    ] = None,
    lang: Annotated[
        str,
        typer.Option(help="Language of the explanations (ISO 639-1: en th my km lo vi id ms tl)"),
    ] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON")] = False,
) -> None:
    """Is the message on standard input a scam? Its label, red flags and indicators."""
    settings = load_settings()
    chosen = region_context(region, settings).default_region if region else None
    lang = lang.strip().lower()
    if lang not in RULE_LANGUAGES:
        fail(
            f"--lang {lang!r} is not a language of the explanations: use one of "
            + " ".join(RULE_LANGUAGES)
        )
    text = _read_stdin_text()
    if not text.strip():
        fail("standard input is empty: pipe the message in, e.g. scamintel classify < sms.txt")
    database = open_database(settings)
    node = _message_context(settings)
    try:
        with database.engine.connect() as connection:
            assessment = assess_message(
                database.reader(connection), text, node, region=chosen, reader_language=lang
            )
    finally:
        database.dispose()
    if as_json:
        print(json.dumps(assessment.as_dict(), ensure_ascii=False))
    else:
        _print_assessment(assessment)


def _message_context(settings: Settings) -> MessageContext:
    return message_context(
        default_registry(), Warninglist(), default_lookalikes(), settings.node_country
    )


def _print_assessment(assessment: MessageAssessment) -> None:
    prediction = assessment.prediction
    style = {"scam": "bold red", "spam": "bold yellow"}.get(prediction.label, "bold")
    kind = f", {prediction.scam_type.value}" if prediction.scam_type else ""
    out.print(
        f"[{style}]{prediction.label}[/] (score {prediction.score:.2f}{kind}; "
        f"language {prediction.language})"
    )
    for flag in assessment.red_flags:
        out.print(
            f"  red flag {flag.code.value}: {escape(repr(flag.raw))} — {escape(flag.explanation)}",
            highlight=False,
            soft_wrap=True,
        )
    for item in assessment.indicators:
        indicator = item.found.indicator
        out.print(
            f"  {indicator.type.value} {escape(indicator.value)}: "
            f"{item.check.verdict.value.replace('_', ' ')} ({item.check.report_count} reports)",
            highlight=False,
            soft_wrap=True,
        )


def _read_stdin_text() -> str:
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(
            f"standard input is not UTF-8 text (byte {data[error.start]:#04x} at offset "
            f"{error.start}); convert it first, e.g. Thai text saved as TIS-620 with "
            "iconv -f TIS-620 -t UTF-8"
        )


@app.command()
def demo(
    count: Annotated[int, typer.Option(help="How many synthetic reports")] = 5000,
    seed: Annotated[int, typer.Option(help="Generator seed (same seed, same data)")] = 7,
) -> None:
    """Load the synthetic demonstration data set (idempotent)."""
    from scamintel.demo import write_demo_dataset

    if count < 1:
        fail("--count must be at least 1")
    settings = load_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    database = open_database(settings, require_schema=False)
    upgrade_to_head(database.engine)
    dataset = write_demo_dataset(settings.home / "demo", count=count, seed=seed)
    summary = _run_ingest(
        settings,
        database,
        dataset.reports_path,
        FileFormat.JSONL,
        settings.home / "demo" / "reports.rejects.jsonl",
        quiet=False,
    )
    _print_summary(summary)
    cluster_after_ingest(settings, database, quiet=False)
    if summary.rejected:
        out.print(
            "The demonstration data holds some invalid values on purpose, as real reports do "
            "(a number outside its plan, a bad checksum): the node refuses those rows with the "
            "reason (docs/demo-data.md).",
            highlight=False,
            soft_wrap=True,
        )
    out.print(f"Ground truth of the operations: {dataset.truth_path}")
    with database.engine.connect() as connection:
        examples = {
            kind: most_reported_indicators(connection, kind, 1) for kind in DEMO_EXAMPLE_TYPES
        }
    database.dispose()
    out.print(
        "Once the node is serving, open http://127.0.0.1:8000/ (the public check page) and try "
        "these (the same answers as JSON: /api/v1/check?q=...):",
        highlight=False,
        soft_wrap=True,
    )
    for kind, found in examples.items():
        for value, reports in found:
            link = f"http://127.0.0.1:8000/check?q={quote(value, safe='')}"
            out.print(
                f"  {kind.value:<14} ({reports} reports)  {link}", highlight=False, soft_wrap=True
            )


DEMO_EXAMPLE_TYPES = (
    IndicatorType.PHONE,
    IndicatorType.BANK_ACCOUNT,
    IndicatorType.URL,
    IndicatorType.CRYPTO_WALLET,
)


@apikey_app.command("create")
def apikey_create(
    org: Annotated[str, typer.Option(help="Organisation name (created if new)")],
    role: Annotated[Role, typer.Option(help="What the key may do")],
    kind: Annotated[
        OrganisationKind | None,
        typer.Option(help="Kind of organisation (a new one: other, unless given)"),
    ] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166 alpha-2")] = None,
    label: Annotated[str | None, typer.Option(help="A note to recognise the key")] = None,
    verified: Annotated[
        bool,
        typer.Option(
            "--verified",
            help="You have checked who the organisation is: an agency or police unit's reports "
            "then weigh most in verdicts (docs/verdicts.md)",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create an API key; it is shown once and stored only as a hash."""
    if not org.strip():
        fail("--org must not be empty")
    if country is not None and (len(country) != 2 or not country.isalpha()):
        fail("--country must be an ISO 3166 alpha-2 code such as TH")
    settings = load_settings()
    database = open_database(settings)
    from scamintel.governance.audit import AuditEvent
    from scamintel.storage.store import append_audit

    with database.engine.begin() as connection:
        existing = find_organisation(connection, org.strip())
        if existing is not None and kind is not None and existing.kind is not kind:
            database.dispose()
            fail(
                f"{org.strip()} exists with kind {existing.kind.value}, not {kind.value}; its "
                "kind sets how much its reports weigh, so a new key does not change it. Leave "
                "out --kind, or use another name"
            )
        chosen = existing.kind if existing is not None else (kind or OrganisationKind.OTHER)
        organisation_id = ensure_organisation(
            connection, org.strip(), chosen, country.upper() if country else None, verified=verified
        )
        issued = create_api_key(connection, organisation_id, role, label)
        append_audit(
            connection,
            AuditEvent(
                actor=console_actor(),
                action="apikey.create",
                object_type="api_key",
                object_id=issued.key_id,
                details={"organisation": org.strip(), "role": role.value, "verified": verified},
            ),
        )
    database.dispose()
    if verified and chosen not in (OrganisationKind.AGENCY, OrganisationKind.POLICE):
        err.print(
            f"note: --verified raises the weight of an agency's or police unit's reports; "
            f"{org.strip()} is of kind {chosen.value}, whose weight it does not change "
            "(docs/verdicts.md).",
            highlight=False,
        )
    if as_json:
        print(json.dumps({"key_id": issued.key_id, "key": issued.token, "role": role.value}))
    else:
        out.print(f"API key for {org} ({role.value}); it will not be shown again:")
        print(issued.token)


@apikey_app.command("list")
def apikey_list(
    org: Annotated[str | None, typer.Option(help="Only this organisation's keys")] = None,
    include_revoked: Annotated[
        bool, typer.Option("--all", help="Also the revoked keys (marked as such)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The node's API keys: id, organisation, role, when created and revoked; never a secret."""
    database = open_database(load_settings())
    try:
        with database.engine.connect() as connection:
            keys = list_api_keys(
                connection,
                organisation=org.strip() if org is not None else None,
                include_revoked=include_revoked,
            )
    finally:
        database.dispose()
    if as_json:
        print(json.dumps({"keys": [_key_json(key) for key in keys]}, ensure_ascii=False))
        return
    if not keys:
        out.print("No API keys match." if include_revoked else "No live API keys match.")
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M} UTC" if key.revoked_at else "live"
        label = f' "{key.label}"' if key.label else ""
        out.print(
            f"{key.key_id}  {escape(key.organisation_name)} ({key.organisation_kind.value})  "
            f"{key.role.value}  created {key.created_at:%Y-%m-%d %H:%M} UTC  {state}"
            f"{escape(label)}",
            highlight=False,
            soft_wrap=True,
        )


def _key_json(key: ListedKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "organisation": key.organisation_name,
        "kind": key.organisation_kind.value,
        "role": key.role.value,
        "label": key.label,
        "created_at": key.created_at.isoformat(),
        "revoked": key.revoked,
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


@apikey_app.command("revoke")
def apikey_revoke(
    key: Annotated[
        str, typer.Argument(help="The key id (from `apikey list`), or the whole si_… key")
    ],
    reason: Annotated[
        str | None, typer.Option(help="Why, for the audit log (e.g. leaked in a ticket)")
    ] = None,
) -> None:
    """Revoke an API key: the API refuses it within a minute on every worker; audited."""
    from scamintel.access.keys import split_token
    from scamintel.governance.audit import AuditEvent
    from scamintel.storage.store import append_audit

    # A leaked key is often pasted whole; only its id is needed, and it is never echoed back.
    parts = split_token(key)
    key_id = parts[0] if parts is not None else key.strip()
    if not key_id or len(key_id) > 32:
        # Not echoed: a mistyped whole key is still mostly a secret.
        fail("give the key id shown by `scamintel apikey list`, or the whole key si_<id>_<secret>")
    database = open_database(load_settings())
    try:
        with database.engine.begin() as connection:
            stored = find_api_key(connection, key_id)
            outcome = (
                revoke_api_key(connection, key_id, datetime.now(UTC))
                if stored is not None
                else Revocation.UNKNOWN
            )
            if stored is not None and outcome is Revocation.REVOKED:
                details: dict[str, Any] = {
                    "organisation": stored.organisation_name,
                    "role": stored.role.value,
                }
                if reason is not None and reason.strip():
                    details["reason"] = reason.strip()
                append_audit(
                    connection,
                    AuditEvent(
                        actor=console_actor(),
                        action="apikey.revoke",
                        object_type="api_key",
                        object_id=key_id,
                        details=details,
                    ),
                )
    finally:
        database.dispose()
    if stored is None or outcome is Revocation.UNKNOWN:
        fail(f"no API key has the id {key_id!r}; `scamintel apikey list --all` shows them")
    if outcome is Revocation.ALREADY_REVOKED:
        out.print(f"API key {key_id} ({escape(stored.organisation_name)}) was already revoked.")
        return
    out.print(
        f"API key {key_id} ({escape(stored.organisation_name)}, {stored.role.value}) revoked; "
        "the API refuses it within a minute on every worker.",
        highlight=False,
    )


@model_app.command("train")
def model_train(
    data: Annotated[
        Path, typer.Option(help="Folder of <dataset>/train.csv files (text,label,lang).")
    ],
    output: Annotated[
        Path | None, typer.Option(help="Where to write the model (default: the shipped file).")
    ] = None,
) -> None:
    """Train the message classifier; the same data always give the same file."""
    from scamintel.classify.model import MODEL_PATH
    from scamintel.classify.training import TrainingDataError, train_from_folder

    target = output or MODEL_PATH
    try:
        result = train_from_folder(data)
    except TrainingDataError as error:
        fail(str(error))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(result.data)
    for item in result.parameters.header["training_data"]:
        out.print(
            f"  {item['dataset']}: {item['rows']} rows, sha256 {item['sha256']}", soft_wrap=True
        )
    out.print(
        f"Model written to {escape(str(target))} ({len(result.data):,} bytes, "
        f"sha256 {result.sha256})",
        soft_wrap=True,
    )


def main() -> None:
    app(prog_name="scamintel")


if __name__ == "__main__":
    main()
