"""What every group of ``scamintel`` verbs shares: consoles, the error exit, settings and the
database. The verbs live in ``cli`` and in ``cli_<area>`` modules that it registers."""

from __future__ import annotations

import getpass
import re
from typing import NoReturn

import typer
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError
from rich.console import Console
from rich.markup import escape

from scamintel.indicators import (
    Indicator,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
    default_registry,
)
from scamintel.indicators.phone import known_region
from scamintel.settings import Settings
from scamintel.storage.migrate import schema_is_current
from scamintel.storage.node import NodeDatabase

BAD_INPUT = 2
out = Console(emoji=False)  # ":ID:" in "ID:BCA:…" is a value, never an emoji code
err = Console(stderr=True, emoji=False)


def console_actor() -> str:
    """Who runs this command, for the audit log: the operating-system account (the audit log
    should name a person, and the CLI is run from a person's account)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this user id (a bare container)
        return "cli"


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except SettingsError as error:  # a JSON setting that is not JSON
        field = re.search(r'field "(\w+)"', str(error))
        variable = f"SCAMINTEL_{field.group(1).upper()}" if field else "a setting"
        fail(f"settings: {variable} is not valid JSON; write it as JSON (docs/operators.md)")
    except ValidationError as error:
        problems = "; ".join(_settings_problem(item) for item in error.errors(include_url=False))
        fail(f"settings: {problems}")


def _settings_problem(error: ErrorDetails) -> str:
    """One refused setting, named by the variable the operator sets (and the key inside it,
    for a JSON setting)."""
    message = str(error["msg"])
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        message = str(error["ctx"]["error"])  # the validator's own words, without a prefix
    if not error["loc"]:
        return message
    name, *inside = error["loc"]
    variable = f"SCAMINTEL_{str(name).upper()}"
    if variable in message:
        return message
    return variable + "".join(f"[{key}]" for key in inside) + f": {message}"


def open_database(settings: Settings, *, require_schema: bool = True) -> NodeDatabase:
    database = NodeDatabase.connect(
        settings.database_url, settings.secret_key, pool_size=settings.database_pool_size
    )
    if require_schema and not schema_is_current(database.engine):
        fail("the database is not initialised or out of date; run `scamintel init` first")
    return database


def region_context(region: str | None, settings: Settings) -> ParseContext:
    if region is None:
        return ParseContext(settings.node_country)
    code = region.strip().upper()
    if not known_region(code):
        fail(
            f"--region {region!r} is not a country code this node knows: give the ISO 3166 "
            "alpha-2 code, such as TH, MM, KH, LA, VN, MY, SG, ID or PH"
        )
    return ParseContext(code)


def canonical_indicator(
    value: str, indicator_type: IndicatorType | None, context: ParseContext
) -> Indicator:
    """VALUE as the node stores it, or exit 2 saying why it cannot be read."""
    try:
        return default_registry().canonicalise(value, indicator_type, context)
    except InvalidIndicatorError as error:
        fail(f"{value!r} cannot be read: {error.reason}")
