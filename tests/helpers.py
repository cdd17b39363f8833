"""Helpers and factories shared by the tests (importable as ``helpers``)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from sqlalchemy import select

from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import indicator_events, indicators


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment a subprocess (CLI, server) needs to run as this node."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SCAMINTEL_")
    }
    environment.update(
        {
            "SCAMINTEL_HOME": str(settings.home),
            "SCAMINTEL_DATABASE_URL": settings.database_url,
            "SCAMINTEL_NODE_NAME": settings.node_name,
            "SCAMINTEL_NODE_COUNTRY": settings.node_country,
            "SCAMINTEL_SECRET_KEY": settings.secret_key,
            "SCAMINTEL_ENVIRONMENT": settings.environment,
            "SCAMINTEL_INGEST_BATCH_SIZE": str(settings.ingest_batch_size),
            "SCAMINTEL_RATE_LIMIT_CLIENT_PER_MINUTE": str(settings.rate_limit_client_per_minute),
            "SCAMINTEL_RATE_LIMIT_GLOBAL_PER_SECOND": str(settings.rate_limit_global_per_second),
        }
    )
    return environment


def scamintel_command(*arguments: str) -> list[str]:
    """The installed console script, as an operator runs it."""
    import sys
    from pathlib import Path

    return [str(Path(sys.executable).parent / "scamintel"), *arguments]


def run_scamintel(
    settings: Settings, cwd: Path, *arguments: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """One CLI verb run as a process against the node of ``settings``."""
    return subprocess.run(
        scamintel_command(*arguments),
        env=settings_environment(settings),
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def indicator_outcomes(database: NodeDatabase) -> list[tuple[str, str, str]]:
    """(value, outcome or dispute step, actor) of every indicator event the node holds."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(indicators.c.value, indicator_events.c.kind, indicator_events.c.actor)
            .join(indicators, indicators.c.id == indicator_events.c.indicator_id)
            .order_by(indicator_events.c.id)
        ).all()
    return [(row.value, row.kind, row.actor) for row in rows]
