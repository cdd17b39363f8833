"""``scamintel backup`` and ``scamintel restore``: the node's whole database in one file, and
back (docs/operators.md, section Backups)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scamintel.cli_common import console_actor, err, fail, load_settings, open_database, out
from scamintel.governance.signing import AuditSigner
from scamintel.settings import Settings
from scamintel.storage.backup import (
    BackupFormatError,
    NodeIdentity,
    ProgressCallback,
    RestoreRefusedError,
    open_backup,
    restore_backup,
    write_backup,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the summary as JSON")]


def _identity(settings: Settings) -> NodeIdentity:
    return NodeIdentity(
        node_name=settings.node_name,
        node_country=settings.node_country,
        audit_key_id=AuditSigner(settings.secret_key).key_id,
    )


@contextmanager
def _progress(description: str, quiet: bool) -> Iterator[ProgressCallback]:
    """A bar on a terminal; nothing when piped or with --json."""
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    )
    with bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int, table: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{description} {table}")

        yield update


def backup(
    path: Annotated[Path, typer.Argument(help="The file to write (it must not exist yet)")],
    as_json: JsonOption = False,
) -> None:
    """Write a consistent snapshot of the node's database to one file, while the node runs.
    The file holds personal data and API key hashes: keep it as safe as the database."""
    if path.exists():
        fail(f"{path} already exists: give a new file name (backups are never overwritten)")
    if not path.parent.is_dir():
        fail(f"the folder {path.parent} does not exist")
    settings = load_settings()
    database = open_database(settings)
    started = time.perf_counter()
    try:
        with _progress("backing up", as_json) as progress:
            manifest = write_backup(database.engine, path, _identity(settings), progress)
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}", code=1)
    finally:
        database.dispose()
    seconds = time.perf_counter() - started
    summary: dict[str, Any] = {
        "path": str(path),
        "bytes": path.stat().st_size,
        "seconds": round(seconds, 3),
        "tables": len(manifest.tables),
        "rows": manifest.rows,
        "alembic_revision": manifest.alembic_revision,
        "created_at": manifest.created_at.isoformat(),
        "row_counts": {item.name: item.rows for item in manifest.tables},
    }
    if as_json:
        print(json.dumps(summary))
        return
    out.print(
        f"Backed up {manifest.rows} rows of {len(manifest.tables)} tables to {path} "
        f"({summary['bytes']} bytes, {seconds:.1f} s). It holds personal data and API key "
        "hashes: store it encrypted, where only operators can read it.",
        highlight=False,
        soft_wrap=True,
    )


def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `scamintel backup`")],
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace everything in a database that is not empty"),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Load a backup into the node's database (empty, or replaced with --force), then upgrade
    the schema and record the restore in the audit log. Stop the server first."""
    if not path.is_file():
        fail(f"{path} does not exist or is not a file")
    settings = load_settings()
    try:
        backup_file = open_backup(path)
    except BackupFormatError as error:
        fail(f"{path} cannot be restored, nothing was changed: {error}")
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}")
    settings.home.mkdir(parents=True, exist_ok=True)
    database = open_database(settings, require_schema=False)
    started = time.perf_counter()
    try:
        with _progress("restoring", as_json) as progress:
            summary = restore_backup(
                database.engine,
                backup_file,
                _identity(settings),
                actor=console_actor(),
                force=force,
                on_progress=progress,
            )
    except (BackupFormatError, RestoreRefusedError) as error:
        fail(f"{path} was not restored, nothing was changed: {error}")
    finally:
        database.dispose()
    seconds = time.perf_counter() - started
    result = {
        "path": str(path),
        "sha256": backup_file.sha256,
        "seconds": round(seconds, 3),
        "tables": summary.tables,
        "rows": summary.rows,
        "backup_revision": summary.revision,
        "backup_created_at": backup_file.manifest.created_at.isoformat(),
        "replaced": summary.replaced,
    }
    if as_json:
        print(json.dumps(result))
        return
    out.print(
        f"Restored {summary.rows} rows of {summary.tables} tables from {path} (taken "
        f"{backup_file.manifest.created_at:%Y-%m-%d %H:%M} UTC) in {seconds:.1f} s. Check it "
        "with `scamintel audit verify`.",
        highlight=False,
        soft_wrap=True,
    )
