"""Shared fixtures: settings made per test, and one node database per backend (SQLite and
PostgreSQL) built by the Alembic migrations and emptied after every test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from scamintel.governance.audit import GENESIS_HASH
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import audit_head, listing_head, metadata

POSTGRES_ADMIN_URL = os.environ.get(
    "SCAMINTEL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-0123456789"
BACKENDS = ["sqlite", "postgresql"]


def postgres_unavailable(reason: str) -> None:
    # In CI a missing PostgreSQL is a broken environment, never a reason to skip.
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not reachable: {reason}")


def _create_postgres_database(name: str) -> str:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database for this test session, on each backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "node.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade_to_head(engine)
        engine.dispose()
        yield url
        return
    name = f"scamintel_test_{uuid.uuid4().hex[:12]}"
    try:
        url = _create_postgres_database(name)
    except OperationalError as error:
        postgres_unavailable(str(error).splitlines()[0])
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    yield url
    _drop_postgres_database(name)


def empty_all_tables(engine: Engine, keep: tuple[str, ...] = ()) -> None:
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name not in keep:
                connection.execute(table.delete())
        connection.execute(audit_head.insert().values(id=1, seq=0, entry_hash=GENESIS_HASH))
        connection.execute(listing_head.insert().values(id=1, seq=0))


@pytest.fixture
def node_database(database_url: str) -> Iterator[NodeDatabase]:
    database = NodeDatabase(make_engine(database_url), PersonalDataSealer(TEST_SECRET))
    yield database
    empty_all_tables(database.engine)
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=database_url,
        node_name="test-node",
        node_country="TH",
        secret_key=TEST_SECRET,
        environment="test",
        ingest_batch_size=50,
        # Off for every test: many requests come from one address in a short time. The
        # abuse-control tests turn them on (tests/e2e/test_abuse_controls.py).
        rate_limit_client_per_minute=0,
        rate_limit_global_per_second=0,
    )
