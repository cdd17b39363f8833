"""``scamintel alert``: publish a scam alert and list the alerts, as an operator at the node.

Publishing here is done by the operator (audit actor ``cli``); analysts elsewhere publish
through ``POST /api/v1/alerts`` with their key."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape

from scamintel.alerts.model import (
    ALERT_LANGUAGES,
    MAX_BODY,
    MAX_FEED_SIZE,
    MAX_TITLE,
    Alert,
    InvalidAlertError,
    alert_query,
    draft_alert,
    publish_alert,
)
from scamintel.cli_common import console_actor, fail, load_settings, open_database, out
from scamintel.reports.model import ScamType
from scamintel.storage.alerts_repo import SqlAlertStore, list_alerts

DEFAULT_LIST_SIZE = 20
# The option that carries each field, so that a problem names what to change on the command.
OPTION_OF_FIELD = {
    "title": "--title",
    "body": "--body",
    "scam_type": "--scam-type",
    "countries": "--country",
    "languages": "--language",
    "author": "--author",
    "country": "--country",
    "lang": "--lang",
    "limit": "--limit",
}

alert_app = typer.Typer(help="Scam alerts: publish one, list the newest.", no_args_is_help=True)


def _fail_with(error: InvalidAlertError) -> NoReturn:
    fail(
        "; ".join(
            f"{OPTION_OF_FIELD.get(problem.field, problem.field)}: {problem.message}"
            for problem in error.problems
        )
    )


def _read_body(body: str | None, body_file: Path | None) -> str:
    if body is not None and body_file is not None:
        fail("give the body once: either --body TEXT or --body-file PATH, not both")
    if body is not None:
        return body
    if body_file is None:
        fail("the alert needs a body: --body TEXT, or --body-file PATH (- reads standard input)")
    data = sys.stdin.buffer.read() if str(body_file) == "-" else _read_file(body_file)
    try:
        return data.decode("utf-8-sig")  # Windows editors start UTF-8 files with a BOM
    except UnicodeDecodeError as error:
        fail(
            f"--body-file {body_file} is not UTF-8 text (byte {data[error.start]:#04x} at "
            f"offset {error.start}); save it as UTF-8, e.g. iconv -f TIS-620 -t UTF-8"
        )


def _read_file(path: Path) -> bytes:
    if not path.is_file():
        fail(f"--body-file {path} does not exist or is not a file")
    return path.read_bytes()


@alert_app.command("publish")
def publish(
    title: Annotated[str, typer.Option(help=f"A one-line headline, 1–{MAX_TITLE} characters")],
    scam_type: Annotated[str, typer.Option("--scam-type", help="One of: " + ", ".join(ScamType))],
    country: Annotated[
        list[str] | None,
        typer.Option(
            "--country", help="Where the scam is seen (ISO 3166 alpha-2); repeat for several"
        ),
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option(
            "--language",
            help="Language the alert is written in ("
            + " ".join(ALERT_LANGUAGES)
            + "); repeat for several",
        ),
    ] = None,
    body: Annotated[
        str | None,
        typer.Option(help=f"What the scam looks like and what to do (≤ {MAX_BODY:,} characters)"),
    ] = None,
    body_file: Annotated[
        Path | None,
        typer.Option("--body-file", help="Read the body from a UTF-8 file; - reads standard input"),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option(help="Who the public sees as the publisher (default: the node's name)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the published alert as JSON")] = (
        False
    ),
) -> None:
    """Publish a scam alert; it appears at once in the JSON Feed and the Atom feed."""
    text = _read_body(body, body_file)
    try:
        draft = draft_alert(
            title=title,
            body=text,
            scam_type=scam_type,
            countries=country or [],
            languages=language or [],
        )
    except InvalidAlertError as error:
        _fail_with(error)
    settings = load_settings()
    database = open_database(settings)
    try:
        with database.engine.begin() as connection:
            alert = publish_alert(
                SqlAlertStore(connection),
                draft,
                author=settings.node_name if author is None else author,
                actor=console_actor(),
            )
    except InvalidAlertError as error:
        _fail_with(error)
    finally:
        database.dispose()
    if as_json:
        print(json.dumps(alert.as_dict(), ensure_ascii=False))
        return
    out.print(f"Published alert {alert.id}", highlight=False)
    _print_alert(alert)


@alert_app.command("list")
def list_command(
    country: Annotated[
        str | None, typer.Option(help="Only alerts for this country (ISO 3166 alpha-2)")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="Only alerts in this language (" + " ".join(ALERT_LANGUAGES) + ")"),
    ] = None,
    scam_type: Annotated[
        str | None, typer.Option("--scam-type", help="Only alerts of this scam type")
    ] = None,
    limit: Annotated[
        int, typer.Option(help=f"How many, newest first (1–{MAX_FEED_SIZE})")
    ] = DEFAULT_LIST_SIZE,
    as_json: Annotated[bool, typer.Option("--json", help="Print the alerts as JSON")] = False,
) -> None:
    """The newest alerts first, as the feeds show them."""
    try:
        query = alert_query(country=country, language=lang, scam_type=scam_type, limit=limit)
    except InvalidAlertError as error:
        _fail_with(error)
    settings = load_settings()
    database = open_database(settings)
    try:
        with database.engine.connect() as connection:
            found = list_alerts(connection, query)
    finally:
        database.dispose()
    if as_json:
        print(json.dumps({"alerts": [alert.as_dict() for alert in found]}, ensure_ascii=False))
        return
    if not found:
        out.print("No alert matches.")
    for alert in found:
        _print_alert(alert)


def _print_alert(alert: Alert) -> None:
    published = alert.published_at.strftime("%Y-%m-%d %H:%M UTC")
    out.print(
        f"[bold]{escape(alert.title)}[/]  [dim]{published} · {alert.scam_type.value} · "
        f"{','.join(alert.countries)} · {','.join(alert.languages)} · "
        f"{escape(alert.author)} · {alert.id}[/]",
        highlight=False,
        soft_wrap=True,
    )
