"""Small SQL helpers every repository of the storage package shares."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite

# Well under SQLite's bound-parameter limit and PostgreSQL's comfortable IN-list size.
LOOKUP_CHUNK = 500


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes and PostgreSQL the session's zone; both mean UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def insert_ignoring_conflicts(connection: Connection, table: Table) -> Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def chunked(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
