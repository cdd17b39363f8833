"""``scamintel governance``: the node's data-governance policy as documentation.

``scamintel governance docs`` rewrites the generated sections of docs/governance.md (the
retention table, the roles matrix, the legal basis of each audited action) from the code's own
tables; ``--check`` changes nothing and exits 1 naming the sections that are out of date."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scamintel.cli_common import fail, out
from scamintel.governance.policy import PolicyDocumentError, regenerated, stale_sections

STALE = 1
DEFAULT_DOCUMENT = Path("docs/governance.md")

governance_app = typer.Typer(help="Data-governance policy and its documents.", no_args_is_help=True)


@governance_app.command("docs")
def docs(
    path: Annotated[
        Path, typer.Option("--path", help="The policy document (run from the repository root)")
    ] = DEFAULT_DOCUMENT,
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if a section is stale")
    ] = False,
) -> None:
    """Rewrite the generated sections of docs/governance.md from the code."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}; give the document with --path")
    if check:
        stale = stale_sections(text)
        if stale:
            fail(
                f"{path}: generated sections out of date: {', '.join(stale)}; "
                "run `scamintel governance docs` and commit the result",
                STALE,
            )
        out.print(f"{path}: generated sections are up to date", highlight=False)
        return
    try:
        updated = regenerated(text)
    except PolicyDocumentError as error:
        fail(f"{path}: {error}")
    if updated == text:
        out.print(f"{path}: already up to date", highlight=False)
        return
    path.write_text(updated, encoding="utf-8")
    out.print(f"{path}: generated sections rewritten", highlight=False)
