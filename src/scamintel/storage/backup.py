"""Backups: every row of a node's database in one portable file, and the restore of it.

The file is a zip archive: ``manifest.json`` (format version, Alembic revision, node, when,
and per table its columns, row count and SHA-256) and ``tables/<name>.jsonl``, one JSON array
per row, tables in dependency order. Values are written so that they come back exactly, on
SQLite or PostgreSQL, whichever wrote them: datetimes in UTC with their offset, amounts as
decimal strings, bytes in base64, UUIDs as text (docs/operators.md, section Backups).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    TableClause,
    Text,
    Uuid,
    column,
    delete,
    func,
    insert,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Select
from sqlalchemy.types import TypeEngine

from scamintel.governance.audit import AuditEvent
from scamintel.storage.migrate import alembic_config, upgrade_to_head
from scamintel.storage.sql import as_utc
from scamintel.storage.store import append_audit
from scamintel.storage.tables import metadata

BACKUP_FORMAT = "scamintel-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
ROWS_PER_BATCH = 1000
# Rows every migrated schema starts with (the chains' heads at zero): not data of their own.
INITIAL_HEAD_TABLES = ("audit_head", "listing_head")
ALEMBIC_TABLE = "alembic_version"

# (rows done, rows in all, table being read or written)
ProgressCallback = Callable[[int, int, str], None]


class BackupFormatError(ValueError):
    """The file is not a backup this node can read, or it was damaged: nothing was changed."""


class RestoreRefusedError(ValueError):
    """The restore would lose data or could not be verified afterwards: nothing was changed."""


class ColumnKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DECIMAL = "decimal"
    DATETIME = "datetime"
    BYTES = "bytes"
    UUID = "uuid"


def column_kind(type_: TypeEngine[Any]) -> ColumnKind:
    """How a column's values are written to the file."""
    kinds: list[tuple[type[TypeEngine[Any]], ColumnKind]] = [
        (Boolean, ColumnKind.BOOLEAN),
        (DateTime, ColumnKind.DATETIME),
        (Numeric, ColumnKind.DECIMAL),
        (LargeBinary, ColumnKind.BYTES),
        (Uuid, ColumnKind.UUID),
        (Integer, ColumnKind.INTEGER),
        (String, ColumnKind.TEXT),
    ]
    for python_type, kind in kinds:
        if isinstance(type_, python_type):
            return kind
    raise TypeError(f"no backup encoding for the column type {type_!r}")


# The type each kind is bound with on restore: the same storage the schema's own type uses.
_RESTORE_TYPES: dict[ColumnKind, TypeEngine[Any]] = {
    ColumnKind.TEXT: Text(),
    ColumnKind.INTEGER: BigInteger(),
    ColumnKind.BOOLEAN: Boolean(),
    ColumnKind.DECIMAL: Numeric(asdecimal=True),
    ColumnKind.DATETIME: DateTime(timezone=True),
    ColumnKind.BYTES: LargeBinary(),
    ColumnKind.UUID: Uuid(),
}


def encode_value(kind: ColumnKind, value: Any) -> Any:
    if value is None:
        return None
    if kind is ColumnKind.DATETIME:
        return (as_utc(value) or value).isoformat()
    if kind is ColumnKind.DECIMAL:
        return str(value)
    if kind is ColumnKind.BYTES:
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind is ColumnKind.UUID:
        return str(value)
    if kind is ColumnKind.BOOLEAN:
        return bool(value)
    return value


def decode_value(kind: ColumnKind, value: Any) -> Any:
    if value is None:
        return None
    try:
        if kind is ColumnKind.DATETIME:
            return datetime.fromisoformat(value).astimezone(UTC)
        if kind is ColumnKind.DECIMAL:
            return Decimal(value)
        if kind is ColumnKind.BYTES:
            return base64.b64decode(value, validate=True)
        if kind is ColumnKind.UUID:
            return UUID(value)
    except (TypeError, ValueError, InvalidOperation) as error:
        raise BackupFormatError(f"a {kind.value} value {value!r} cannot be read") from error
    return value


@dataclass(frozen=True, slots=True)
class TableManifest:
    name: str
    columns: tuple[tuple[str, ColumnKind], ...]
    rows: int
    sha256: str

    @property
    def member(self) -> str:
        return f"tables/{self.name}.jsonl"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "columns": [{"name": name, "kind": kind.value} for name, kind in self.columns],
            "rows": self.rows,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class Manifest:
    alembic_revision: str
    node_name: str
    node_country: str
    audit_key_id: str
    created_at: datetime
    source_dialect: str
    tables: tuple[TableManifest, ...]
    format_version: int = FORMAT_VERSION

    @property
    def rows(self) -> int:
        return sum(item.rows for item in self.tables)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": BACKUP_FORMAT,
            "format_version": self.format_version,
            "alembic_revision": self.alembic_revision,
            "node_name": self.node_name,
            "node_country": self.node_country,
            "audit_key_id": self.audit_key_id,
            "created_at": self.created_at.isoformat(),
            "source_dialect": self.source_dialect,
            "tables": [item.to_json() for item in self.tables],
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
            raise BackupFormatError("the manifest does not name the scamintel-backup format")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupFormatError(
                f"backup format version {data.get('format_version')!r} is not one this "
                f"scamintel reads (it reads version {FORMAT_VERSION}); restore with the "
                "scamintel release that wrote it"
            )
        try:
            return cls(
                alembic_revision=str(data["alembic_revision"]),
                node_name=str(data["node_name"]),
                node_country=str(data["node_country"]),
                audit_key_id=str(data["audit_key_id"]),
                created_at=datetime.fromisoformat(data["created_at"]),
                source_dialect=str(data["source_dialect"]),
                tables=tuple(
                    TableManifest(
                        name=str(item["name"]),
                        columns=tuple(
                            (str(entry["name"]), ColumnKind(entry["kind"]))
                            for entry in item["columns"]
                        ),
                        rows=int(item["rows"]),
                        sha256=str(item["sha256"]),
                    )
                    for item in data["tables"]
                ),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise BackupFormatError(f"the manifest is incomplete or malformed: {error}") from error


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """What a backup records of the node, and what a restore checks it against: the audit
    log's signed heads name the node and are signed with the key from its secret."""

    node_name: str
    node_country: str
    audit_key_id: str


# -- backup --------------------------------------------------------------------------------------


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction: every table is read as it stood at the same moment, while the
    server goes on writing."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield connection
            return
        # pysqlite opens a transaction only before a write; an explicit BEGIN makes every
        # read below see the one snapshot taken at the first of them (WAL keeps it).
        connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.rollback()


def _revision(connection: Connection) -> str | None:
    heads = MigrationContext.configure(connection).get_current_heads()
    if len(heads) > 1:
        raise RestoreRefusedError(f"the database has several schema heads {heads}")
    return heads[0] if heads else None


def _ordered(connection: Connection, source: Table) -> list[ColumnElement[Any]]:
    """Primary-key order, the same on both backends, so that equal tables hash equal."""
    order: list[ColumnElement[Any]] = []
    for key_column in source.primary_key.columns:
        is_text = column_kind(key_column.type) is ColumnKind.TEXT
        if is_text and connection.dialect.name == "postgresql":
            order.append(key_column.collate("C"))
        else:
            order.append(key_column)
    return order


def _write_table(
    connection: Connection,
    source: Table,
    archive: zipfile.ZipFile,
    progress: Callable[[int], None],
) -> TableManifest:
    columns = tuple((item.name, column_kind(item.type)) for item in source.columns)
    digest = hashlib.sha256()
    rows = 0
    query = select(source).order_by(*_ordered(connection, source))
    with archive.open(f"tables/{source.name}.jsonl", "w", force_zip64=True) as member:
        result = connection.execution_options(yield_per=ROWS_PER_BATCH).execute(query)
        for row in result:
            values = [
                encode_value(kind, value) for (_, kind), value in zip(columns, row, strict=True)
            ]
            line = json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n"
            encoded = line.encode("utf-8")
            digest.update(encoded)
            member.write(encoded)
            rows += 1
            if rows % ROWS_PER_BATCH == 0:
                progress(ROWS_PER_BATCH)
    progress(rows % ROWS_PER_BATCH)
    return TableManifest(source.name, columns, rows, digest.hexdigest())


def write_backup(
    engine: Engine,
    path: Path,
    identity: NodeIdentity,
    on_progress: ProgressCallback | None = None,
) -> Manifest:
    """Write a snapshot of every table to ``path``. The file appears whole or not at all: it
    is written beside ``path`` and renamed when complete."""
    partial = path.with_name(path.name + ".partial")
    tables = metadata.sorted_tables
    try:
        with _snapshot(engine) as connection:
            revision = _revision(connection)
            if revision is None:
                raise RestoreRefusedError("the database has no schema to back up")
            counts = {
                source.name: int(connection.scalar(select(func.count()).select_from(source)) or 0)
                for source in tables
            }
            total = sum(counts.values())
            done = 0

            def advance(rows: int, name: str) -> None:
                nonlocal done
                done += rows
                if on_progress is not None:
                    on_progress(done, total, name)

            def partial_advance(name: str) -> Callable[[int], None]:
                return lambda rows: advance(rows, name)

            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with (
                os.fdopen(descriptor, "wb") as raw,
                zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            ):
                written = tuple(
                    _write_table(connection, source, archive, partial_advance(source.name))
                    for source in tables
                )
                manifest = Manifest(
                    alembic_revision=revision,
                    node_name=identity.node_name,
                    node_country=identity.node_country,
                    audit_key_id=identity.audit_key_id,
                    created_at=datetime.now(UTC),
                    source_dialect=connection.dialect.name,
                    tables=written,
                )
                archive.writestr(MANIFEST_NAME, json.dumps(manifest.to_json(), indent=2))
            with partial.open("rb") as finished:
                os.fsync(finished.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


# -- reading a backup ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupFile:
    """A backup whose every table was read back and matched its manifest."""

    path: Path
    manifest: Manifest
    sha256: str
    size: int


_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError)


def open_backup(path: Path) -> BackupFile:
    """Read the whole file once and check it against its manifest: every table's row count
    and SHA-256. Raises BackupFormatError saying what does not match."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive)
            expected = {item.member for item in manifest.tables} | {MANIFEST_NAME}
            unexpected = sorted(set(archive.namelist()) - expected)
            if unexpected:
                raise BackupFormatError(f"the file holds entries no manifest names: {unexpected}")
            for item in manifest.tables:
                _check_table(archive, item)
    except _READ_ERRORS as error:
        raise BackupFormatError(f"the file is damaged or not a backup: {error}") from error
    digest = hashlib.sha256()
    with path.open("rb") as whole:
        for block in iter(lambda: whole.read(1 << 20), b""):
            digest.update(block)
    return BackupFile(path, manifest, digest.hexdigest(), path.stat().st_size)


def _read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        data = json.loads(archive.read(MANIFEST_NAME))
    except KeyError:
        raise BackupFormatError("the file has no manifest.json: it is not a backup") from None
    except json.JSONDecodeError as error:
        raise BackupFormatError(f"the manifest is not JSON: {error}") from error
    return Manifest.from_json(data)


def _check_table(archive: zipfile.ZipFile, item: TableManifest) -> None:
    digest = hashlib.sha256()
    rows = 0
    try:
        member: IO[bytes] = archive.open(item.member)
    except KeyError:
        raise BackupFormatError(f"table {item.name} is missing from the file") from None
    with member:
        for line in member:
            digest.update(line)
            rows += 1
    if rows != item.rows or digest.hexdigest() != item.sha256:
        raise BackupFormatError(
            f"table {item.name} does not match the manifest ({rows} rows, manifest says "
            f"{item.rows}; SHA-256 {'matches' if digest.hexdigest() == item.sha256 else 'differs'})"
            ": the file was altered or damaged"
        )


def _rows_of(archive: zipfile.ZipFile, item: TableManifest) -> Iterator[list[dict[str, Any]]]:
    """The table's rows as insert parameters, a batch at a time."""
    names = [name for name, _ in item.columns]
    kinds = [kind for _, kind in item.columns]
    batch: list[dict[str, Any]] = []
    with archive.open(item.member) as member:
        for number, line in enumerate(member, start=1):
            values = json.loads(line)
            if not isinstance(values, list) or len(values) != len(names):
                raise BackupFormatError(f"table {item.name}, row {number}: not a row of it")
            batch.append(
                {
                    name: decode_value(kind, value)
                    for name, kind, value in zip(names, kinds, values, strict=True)
                }
            )
            if len(batch) == ROWS_PER_BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


# -- restore -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    tables: int
    rows: int
    revision: str
    replaced: dict[str, int] = field(default_factory=dict)


def occupied_tables(engine: Engine) -> dict[str, int]:
    """Tables that hold rows (the head rows every new schema starts with aside)."""
    inspector = inspect(engine)
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for name in inspector.get_table_names():
            if name == ALEMBIC_TABLE:
                continue
            query = select(func.count()).select_from(table(name))
            if name in INITIAL_HEAD_TABLES:
                query = query.where(text("seq <> 0"))
            rows = int(connection.scalar(query) or 0)
            if rows:
                found[name] = rows
    return found


def _check_identity(manifest: Manifest, identity: NodeIdentity) -> None:
    if manifest.audit_key_id != identity.audit_key_id:
        raise RestoreRefusedError(
            f"this backup was taken by a node whose secret key has audit key id "
            f"{manifest.audit_key_id}; this node's is {identity.audit_key_id}. Set "
            "SCAMINTEL_SECRET_KEY to the backed-up node's secret: the sealed personal data and "
            "the signed audit heads in the file can only be opened and verified with it"
        )
    if manifest.node_name != identity.node_name:
        raise RestoreRefusedError(
            f"this backup is of node {manifest.node_name!r}, and this node is named "
            f"{identity.node_name!r}: set SCAMINTEL_NODE_NAME={manifest.node_name} (the signed "
            "audit heads name the node)"
        )


def _check_revision(engine: Engine, revision: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(engine))
    known = {item.revision for item in script.walk_revisions()}
    if revision not in known:
        raise RestoreRefusedError(
            f"the backup's schema revision {revision} is unknown to this scamintel (a newer "
            "release wrote it): restore with that release or a later one"
        )


def _drop_everything(engine: Engine) -> None:
    existing = MetaData()
    existing.reflect(bind=engine)
    with engine.begin() as connection:
        existing.drop_all(connection)


def _restore_table(item: TableManifest) -> TableClause:
    return table(item.name, *(column(name, _RESTORE_TYPES[kind]) for name, kind in item.columns))


def _reset_sequences(connection: Connection, tables: Sequence[TableManifest]) -> None:
    """PostgreSQL hands out ids from a sequence that the loaded rows did not advance."""
    for item in tables:
        for name, kind in item.columns:
            if kind is not ColumnKind.INTEGER:
                continue
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": item.name, "column": name},
            )
            if sequence is None:
                continue
            highest: Select[tuple[Any]] = select(func.max(column(name))).select_from(
                table(item.name)
            )
            next_id = func.coalesce(highest.scalar_subquery(), 0) + 1
            connection.execute(select(func.setval(sequence, next_id, False)))


def _load(
    engine: Engine, backup: BackupFile, on_progress: ProgressCallback | None
) -> dict[str, int]:
    """Replace every row with the file's, in one transaction: all of it or none of it."""
    manifest = backup.manifest
    tables = manifest.tables
    present = set(inspect(engine).get_table_names()) - {ALEMBIC_TABLE}
    named = {item.name for item in tables}
    if present != named:
        raise BackupFormatError(
            f"the schema at revision {manifest.alembic_revision} has tables "
            f"{sorted(present ^ named)} that the manifest does not list alike"
        )
    done = 0
    replaced: dict[str, int] = {}
    with zipfile.ZipFile(backup.path) as archive, engine.begin() as connection:
        for item in reversed(tables):
            removed = connection.execute(delete(_restore_table(item))).rowcount
            if removed and item.name not in INITIAL_HEAD_TABLES:
                replaced[item.name] = removed
        for item in tables:
            target = _restore_table(item)
            for batch in _rows_of(archive, item):
                connection.execute(insert(target), batch)
                done += len(batch)
                if on_progress is not None:
                    on_progress(done, manifest.rows, item.name)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, tables)
    return replaced


def restore_backup(
    engine: Engine,
    backup: BackupFile,
    identity: NodeIdentity,
    *,
    actor: str,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
) -> RestoreSummary:
    """Load a checked backup into the database: empty, or replaced when ``force``. The schema
    is migrated to the backup's revision, the rows loaded, then the schema upgraded to this
    release's head, and the restore written to the audit log."""
    manifest = backup.manifest
    _check_identity(manifest, identity)
    _check_revision(engine, manifest.alembic_revision)
    occupied = occupied_tables(engine)
    if occupied and not force:
        listed = ", ".join(f"{name}: {rows}" for name, rows in sorted(occupied.items()))
        raise RestoreRefusedError(
            f"the database is not empty ({listed} rows); restore into a new, empty database, "
            "or add --force to replace everything in it with the backup"
        )
    with engine.connect() as connection:
        current = _revision(connection)
    if current is not None and current != manifest.alembic_revision:
        if occupied:
            # Rebuilding the schema cannot share the load's transaction on every database, so
            # data is never replaced across revisions: a failed load would leave nothing.
            raise RestoreRefusedError(
                f"the database holds data at schema revision {current} and the backup is at "
                f"revision {manifest.alembic_revision}; restore into a new, empty database "
                "(a new PostgreSQL database, or a new SQLite file) and point "
                "SCAMINTEL_DATABASE_URL at it"
            )
        _drop_everything(engine)
        current = None
    if current is None:
        command.upgrade(alembic_config(engine), manifest.alembic_revision)
    replaced = _load(engine, backup, on_progress)
    upgrade_to_head(engine)
    with engine.begin() as connection:
        append_audit(connection, _restore_event(backup, actor, replaced or occupied))
    return RestoreSummary(
        tables=len(manifest.tables),
        rows=manifest.rows,
        revision=manifest.alembic_revision,
        replaced=replaced or occupied,
    )


def _restore_event(backup: BackupFile, actor: str, replaced: dict[str, int]) -> AuditEvent:
    manifest = backup.manifest
    return AuditEvent(
        actor=actor,
        action="data.restored",
        object_type="node",
        object_id=manifest.node_name,
        details={
            "file": backup.path.name,
            "sha256": backup.sha256,
            "backup_created_at": manifest.created_at.isoformat(),
            "alembic_revision": manifest.alembic_revision,
            "source_dialect": manifest.source_dialect,
            "rows": manifest.rows,
            "replaced_rows": sum(replaced.values()),
        },
    )
