"""A backup holds every row of every table and restores it exactly, on SQLite and PostgreSQL;
a damaged file or a database that is not empty is refused with nothing changed."""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, Table, select

from conftest import TEST_SECRET, _create_postgres_database, _drop_postgres_database
from scamintel.access.keys import OrganisationKind
from scamintel.governance.signing import AuditSigner
from scamintel.storage.access_repo import ensure_organisation
from scamintel.storage.backup import (
    BackupFormatError,
    ColumnKind,
    NodeIdentity,
    RestoreRefusedError,
    column_kind,
    open_backup,
    restore_backup,
    write_backup,
)
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import alembic_config, upgrade_to_head
from scamintel.storage.node import NodeDatabase
from scamintel.storage.sql import as_utc
from scamintel.storage.tables import audit_head, audit_log, metadata, organisations, reports

IDENTITY = NodeIdentity("test-node", "TH", AuditSigner(TEST_SECRET).key_id)
ROWS_PER_TABLE = 2
# Microseconds, a leap day, the last second of it: what a lossy encoding would round away.
EDGE_MOMENT = datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=UTC)
EDGE_TEXT = 'ไทย မြန်မာ 🚨 "quoted" \\ back\nslash, tab\t'
EDGE_BYTES = bytes(range(256))


@pytest.fixture
def target_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database that was never initialised, on the same backend as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"scamintel_restore_{uuid.uuid4().hex[:12]}"
    yield _create_postgres_database(name)
    _drop_postgres_database(name)


def _edge_value(table: Table, name: str, index: int) -> Any:
    """A value at the edge of what the column's type holds; row 2 leaves nullable ones
    empty."""
    column = table.c[name]
    if index == 2 and column.nullable and not column.foreign_keys:
        return None
    kind = column_kind(column.type)
    if kind is ColumnKind.INTEGER:
        return index if column.primary_key else 2**31 - index
    if kind is ColumnKind.BOOLEAN:
        return index == 1
    if kind is ColumnKind.DECIMAL:
        precision = min(getattr(column.type, "precision", None) or 15, 15)
        scale = getattr(column.type, "scale", None) or 0
        whole = "987654321098765"[: precision - scale] or "0"
        return Decimal(f"{whole}.{'12345'[:scale]}" if scale else whole)
    if kind is ColumnKind.DATETIME:
        return EDGE_MOMENT
    if kind is ColumnKind.BYTES:
        return EDGE_BYTES
    if kind is ColumnKind.UUID:
        return uuid.UUID(int=index)
    length = getattr(column.type, "length", None) or 200
    return (f"{index}{EDGE_TEXT}")[:length]


def fill_every_table(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Two rows in every table, children pointing at their parents' rows."""
    written: dict[str, list[dict[str, Any]]] = {}
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        for table in metadata.sorted_tables:
            rows = [
                {col.name: _edge_value(table, col.name, index) for col in table.c}
                for index in range(1, ROWS_PER_TABLE + 1)
            ]
            for row in rows:
                for name in row:
                    for key in table.c[name].foreign_keys:
                        parent = written[key.column.table.name][row_index(rows, row)]
                        row[name] = parent[key.column.name]
            connection.execute(table.insert(), rows)
            written[table.name] = rows
    return written


def row_index(rows: list[dict[str, Any]], row: dict[str, Any]) -> int:
    return next(number for number, item in enumerate(rows) if item is row)


def table_rows(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    """Every row, in key order, datetimes as UTC (SQLite hands them back naive)."""
    with engine.connect() as connection:
        found = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
    return [
        tuple(as_utc(value) if isinstance(value, datetime) else value for value in row)
        for row in found
    ]


def every_table(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    return {table.name: table_rows(engine, table) for table in metadata.sorted_tables}


def test_every_table_and_edge_value_round_trips_exactly(
    node_database: NodeDatabase, target_url: str, tmp_path: Path
) -> None:
    written = fill_every_table(node_database.engine)
    before = every_table(node_database.engine)
    path = tmp_path / "node.backup"

    manifest = write_backup(node_database.engine, path, IDENTITY)
    target = make_engine(target_url)
    try:
        summary = restore_backup(target, open_backup(path), IDENTITY, actor="test")
        after = every_table(target)
    finally:
        target.dispose()

    assert [item.name for item in manifest.tables] == [t.name for t in metadata.sorted_tables]
    assert all(item.rows == ROWS_PER_TABLE for item in manifest.tables)
    assert summary.rows == ROWS_PER_TABLE * len(metadata.sorted_tables)
    # The restore's own audit entry is added after the restored chain; the rest is identical.
    restored_audit = [row for row in after.pop(audit_log.name) if row[0] <= ROWS_PER_TABLE]
    assert restored_audit == before.pop(audit_log.name)
    assert after.pop(audit_head.name)[0][1] == before.pop(audit_head.name)[0][1] + 1
    assert after == before
    report = next(row for row in after[reports.name] if row[0] == uuid.UUID(int=1))
    assert Decimal("987654321098765"[:13] + ".12") in report
    assert EDGE_MOMENT in report
    assert written["reporter_contacts"][0]["sealed"] == EDGE_BYTES
    assert after["reporter_contacts"][0][1] == EDGE_BYTES


def _rewrite(path: Path, change: dict[str, bytes], manifest_change: dict[str, Any]) -> None:
    """Write the archive again with some members replaced and the manifest edited."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    for item in manifest["tables"]:
        item.update(manifest_change.get(item["name"], {}))
    members["manifest.json"] = json.dumps(manifest).encode()
    members.update(change)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _damaged_copies(path: Path) -> Iterator[tuple[str, Path]]:
    data = path.read_bytes()
    truncated = path.with_name("truncated.backup")
    truncated.write_bytes(data[: len(data) // 2])
    yield "cut in half", truncated
    flipped = path.with_name("flipped.backup")
    middle = bytearray(data)
    middle[len(data) // 3] ^= 0xFF
    flipped.write_bytes(bytes(middle))
    yield "one byte flipped", flipped
    edited = path.with_name("edited.backup")
    edited.write_bytes(data)
    with zipfile.ZipFile(edited) as archive:
        line = archive.read("tables/reports.jsonl").replace(b'"1', b'"9', 1)
    _rewrite(edited, {"tables/reports.jsonl": line}, {})
    yield "a row edited", edited
    dropped = path.with_name("dropped.backup")
    dropped.write_bytes(data)
    with zipfile.ZipFile(dropped) as archive:
        first_row_gone = archive.read("tables/indicators.jsonl").split(b"\n", 1)[1]
    _rewrite(dropped, {"tables/indicators.jsonl": first_row_gone}, {"indicators": {"rows": 1}})
    yield "a row removed and the count edited", dropped
    junk = path.with_name("junk.backup")
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    yield "not a zip", junk


def test_damaged_file_is_refused_and_nothing_changes(
    node_database: NodeDatabase, tmp_path: Path
) -> None:
    fill_every_table(node_database.engine)
    path = tmp_path / "node.backup"
    write_backup(node_database.engine, path, IDENTITY)
    before = every_table(node_database.engine)

    refused = []
    for what, damaged in _damaged_copies(path):
        with pytest.raises(BackupFormatError, match=r"\w") as raised:
            open_backup(damaged)
        refused.append((what, str(raised.value)))

    assert len(refused) == 5, refused
    assert (
        "table indicators does not match the manifest"
        in dict(refused)["a row removed and the count edited"]
    )
    assert every_table(node_database.engine) == before


def test_a_bad_value_past_the_checksums_rolls_the_whole_load_back(
    node_database: NodeDatabase, tmp_path: Path
) -> None:
    """A file made to pass the checks with a value that cannot be read: the replace is one
    transaction, so the rows it had already deleted and loaded are back as they were."""
    fill_every_table(node_database.engine)
    path = tmp_path / "node.backup"
    write_backup(node_database.engine, path, IDENTITY)
    with zipfile.ZipFile(path) as archive:
        rows = archive.read("tables/subject_request_events.jsonl")
    bad = rows.replace(b"2024-02-29T23:59:58.123456+00:00", b"the 30th of February", 1)
    _rewrite(
        path,
        {"tables/subject_request_events.jsonl": bad},
        {"subject_request_events": {"sha256": hashlib.sha256(bad).hexdigest()}},
    )
    before = every_table(node_database.engine)

    with pytest.raises(BackupFormatError, match="the 30th of February"):
        restore_backup(node_database.engine, open_backup(path), IDENTITY, actor="t", force=True)

    assert every_table(node_database.engine) == before


def test_database_with_data_is_refused_without_force_and_replaced_with_it(
    node_database: NodeDatabase, tmp_path: Path
) -> None:
    fill_every_table(node_database.engine)
    path = tmp_path / "node.backup"
    write_backup(node_database.engine, path, IDENTITY)
    with node_database.engine.begin() as connection:
        connection.execute(reports.update().values(narrative="changed after the backup"))
    changed = every_table(node_database.engine)

    with pytest.raises(RestoreRefusedError, match=r"not empty .*--force"):
        restore_backup(node_database.engine, open_backup(path), IDENTITY, actor="test")
    assert every_table(node_database.engine) == changed

    summary = restore_backup(
        node_database.engine, open_backup(path), IDENTITY, actor="test", force=True
    )
    narrative = reports.c.keys().index("narrative")
    narratives = {row[narrative] for row in table_rows(node_database.engine, reports)}
    assert "changed after the backup" not in narratives
    assert summary.replaced["reports"] == ROWS_PER_TABLE


def test_force_is_refused_when_the_schema_revision_differs_and_nothing_changes(
    node_database: NodeDatabase, tmp_path: Path, target_url: str
) -> None:
    fill_every_table(node_database.engine)
    path = tmp_path / "node.backup"
    write_backup(node_database.engine, path, IDENTITY)
    target = make_engine(target_url)
    try:
        # A database one migration behind the backup, holding data of its own.
        upgrade_to_head(target)
        command.downgrade(alembic_config(target), "-1")
        with target.begin() as connection:
            ensure_organisation(connection, "Kept Agency", OrganisationKind.AGENCY, "TH")
        before = _organisation_names(target)

        with pytest.raises(RestoreRefusedError, match=r"schema revision .*new, empty database"):
            restore_backup(target, open_backup(path), IDENTITY, actor="test", force=True)
        assert _organisation_names(target) == before == ["Kept Agency"]
    finally:
        target.dispose()


def _organisation_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(organisations.c.name)))


@pytest.mark.parametrize(
    ("identity", "refusal"),
    [
        (NodeIdentity("test-node", "TH", AuditSigner("another-secret").key_id), "SECRET_KEY"),
        (NodeIdentity("another-node", "TH", IDENTITY.audit_key_id), "NODE_NAME=test-node"),
    ],
)
def test_backup_of_another_node_or_key_is_refused(
    node_database: NodeDatabase,
    target_url: str,
    tmp_path: Path,
    identity: NodeIdentity,
    refusal: str,
) -> None:
    fill_every_table(node_database.engine)
    path = tmp_path / "node.backup"
    write_backup(node_database.engine, path, IDENTITY)
    target = make_engine(target_url)
    try:
        with pytest.raises(RestoreRefusedError, match=refusal):
            restore_backup(target, open_backup(path), identity, actor="test")
        assert target.dialect.name == "postgresql" or not Path(target_url[10:]).exists()
    finally:
        target.dispose()
