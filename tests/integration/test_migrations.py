"""Upgrading a node keeps what it knew: reports sent with a key before the verdict engine
get their organisation's trust and source, and the first `init` publishes the listings."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, select, text

from scamintel.storage.database import make_engine
from scamintel.storage.migrate import alembic_config, upgrade_to_head
from scamintel.storage.refresh import publish_listings_if_never_published
from scamintel.storage.tables import listings, reports

POSTGRES_ADMIN_URL = os.environ.get(
    "SCAMINTEL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _fresh_engine(backend: str, tmp_path: Path) -> tuple[Engine, str | None]:
    if backend == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'old.db'}"), None
    name = f"scamintel_migration_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_engine(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"), name


def _drop(name: str | None) -> None:
    if name is None:
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _old_node_with_reports(engine: Engine) -> None:
    """A node at the first schema, with a police key's report and an anonymous one."""
    command.upgrade(alembic_config(engine), "0001")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, kind, country, verified, created_at) "
                "VALUES (1, 'Royal Thai Police', 'police', 'TH', :yes, :now), "
                "(2, 'Example Bank', 'bank', 'TH', :no, :now)"
            ),
            {"yes": True, "no": False, "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO indicators (id, type, value, country, created_at) "
                "VALUES (1, 'phone', '+66812345678', 'TH', :now)"
            ),
            {"now": now},
        )
        for number, organisation in enumerate((1, 2, None)):
            report_id = uuid.UUID(int=number + 1)
            stored_id = report_id.hex if engine.dialect.name == "sqlite" else report_id
            connection.execute(
                text(
                    "INSERT INTO reports (id, source, organisation_id, scam_type, channel, "
                    "received_at, seen_at) VALUES (:id, 'api', :org, "
                    "'officials_impersonated', 'call', :now, :now)"
                ),
                {"id": stored_id, "org": organisation, "now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO report_indicators (report_id, indicator_id, raw, origin) "
                    "VALUES (:id, 1, '0812345678', 'given')"
                ),
                {"id": stored_id},
            )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_upgrade_gives_old_reports_their_senders_trust_and_publishes_the_listings(
    backend: str, tmp_path: Path
) -> None:
    engine, name = _fresh_engine(backend, tmp_path)
    try:
        _old_node_with_reports(engine)
        upgrade_to_head(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                select(reports.c.organisation_id, reports.c.trust, reports.c.source_key).order_by(
                    reports.c.id
                )
            ).all()
        assert [tuple(row) for row in rows] == [
            (1, "verified_agency", "org:1"),
            (2, "bank_telco", "org:2"),
            (None, "anonymous", None),
        ]
        summary = publish_listings_if_never_published(engine)
        assert summary is not None
        assert summary.values == 1
        with engine.connect() as connection:
            assert connection.execute(select(listings.c.verdict)).scalar_one() == "scam"
        assert publish_listings_if_never_published(engine) is None
    finally:
        engine.dispose()
        _drop(name)
