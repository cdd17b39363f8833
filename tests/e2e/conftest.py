"""HTTP fixtures: the real app over the real database of each backend."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import _create_postgres_database, _drop_postgres_database
from e2e.nodes import Node, serving
from scamintel.access.keys import OrganisationKind, Role
from scamintel.api import create_app
from scamintel.settings import Settings
from scamintel.storage.access_repo import create_api_key, ensure_organisation
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.node import NodeDatabase


def csrf_token_of(html: str) -> str:
    """The CSRF token of the (first) form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "the form carries no CSRF token"
    return found.group(1)


@pytest.fixture
def second_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second node's own migrated database, on the same backend as ``database_url``."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'second-node.db'}"
        engine = make_engine(url)
        upgrade_to_head(engine)
        engine.dispose()
        yield url
        return
    name = f"scamintel_b_{uuid.uuid4().hex[:12]}"
    url = _create_postgres_database(name)
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    yield url
    _drop_postgres_database(name)


@pytest.fixture
def client(settings: Settings, node_database: NodeDatabase) -> Iterator[TestClient]:
    with TestClient(create_app(settings, database=node_database)) as test_client:
        yield test_client


def make_key(
    engine: Engine,
    role: Role,
    org: str = "Thai Anti-Scam Centre",
    *,
    kind: OrganisationKind = OrganisationKind.AGENCY,
    verified: bool = False,
) -> str:
    with engine.begin() as connection:
        organisation = ensure_organisation(connection, org, kind, "TH", verified=verified)
        return create_api_key(connection, organisation, role).token


@pytest.fixture
def analyst_key(node_database: NodeDatabase) -> str:
    return make_key(node_database.engine, Role.ANALYST)


@pytest.fixture
def investigator_key(node_database: NodeDatabase) -> str:
    return make_key(node_database.engine, Role.INVESTIGATOR, "Royal Thai Police CCIB")


@pytest.fixture
def reporter_key(node_database: NodeDatabase) -> str:
    return make_key(node_database.engine, Role.REPORTER, "Example Bank", kind=OrganisationKind.BANK)


@pytest.fixture
def citizen_app_key(node_database: NodeDatabase) -> str:
    """A reporter key of a citizen app: its users count as registered citizens."""
    return make_key(
        node_database.engine, Role.REPORTER, "Scam Alert App", kind=OrganisationKind.OTHER
    )


@pytest.fixture
def police_key(node_database: NodeDatabase) -> str:
    """A reporter key of a police unit the operator has verified: its reports weigh most."""
    return make_key(
        node_database.engine,
        Role.REPORTER,
        "Royal Thai Police Cyber Unit",
        kind=OrganisationKind.POLICE,
        verified=True,
    )


@pytest.fixture
def server(settings: Settings, node_database: NodeDatabase, tmp_path: Path) -> Iterator[str]:
    """``scamintel serve`` as an operator runs it, on a free port."""
    with serving(Node(settings, node_database, tmp_path)) as (base, _process):
        yield base
