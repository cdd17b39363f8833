"""The node as an operator runs it: CLI verbs and a real server process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy.pool import QueuePool

from helpers import scamintel_command, settings_environment
from scamintel.api.app import create_app
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase


def run_cli(
    settings: Settings, *arguments: str, cwd: Path, **environment: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        scamintel_command(*arguments),
        env=settings_environment(settings) | environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_report_posted_to_a_running_server_changes_the_cli_check(
    server: str, settings: Settings, tmp_path: Path
) -> None:
    report = {
        "scam_type": "job_task",
        "channel": "telegram",
        "indicators": [{"value": "+60 12-345 6789"}],
        "narrative": "Paid for tasks, never got money back",
    }
    assert httpx.post(server + "/api/v1/reports", json=report).status_code == 201
    answer = httpx.get(server + "/api/v1/check", params={"q": "+60123456789"}).json()
    assert (answer["verdict"], answer["indicator"]["country"]) == ("suspicious", "MY")
    cli = run_cli(settings, "check", "+60 12 345 6789", "--json", cwd=tmp_path)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["report_count"] == 1


def test_check_of_an_unreadable_value_exits_2_with_the_reason(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    result = run_cli(settings, "check", "hello world", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot be read" in result.stderr


def test_an_api_key_is_shown_once_and_works_for_its_role(
    server: str, settings: Settings, tmp_path: Path
) -> None:
    created = run_cli(
        settings, "apikey", "create", "--org", "TCSD", "--role", "analyst", "--json", cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)["key"]
    posted = httpx.post(server + "/api/v1/reports", json={"narrative": "fake DHL parcel fee"})
    report_id = posted.json()["id"]
    headers = {"Authorization": f"Bearer {key}"}
    read = httpx.get(f"{server}/api/v1/reports/{report_id}", headers=headers)
    assert read.status_code == 200
    assert read.json()["narrative"] == "fake DHL parcel fee"
    verified = run_cli(settings, "audit", "verify", "--json", cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    # The server's start (its settings), the key, the report, the read.
    assert json.loads(verified.stdout)["entries"] == 4
    listed = run_cli(settings, "audit", "list", "--json", cwd=tmp_path)
    actions = [json.loads(line)["action"] for line in listed.stdout.splitlines()]
    assert actions == ["report.read", "report.create", "apikey.create", "setting.changed"]


def test_bad_settings_are_refused_with_the_variable_to_fix(
    settings: Settings, tmp_path: Path
) -> None:
    result = run_cli(settings, "check", "0812345678", cwd=tmp_path, SCAMINTEL_NODE_COUNTRY="XYZ")
    assert result.returncode == 2
    assert "SCAMINTEL_NODE_COUNTRY" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("DATABASE_POOL_SIZE", "0", "SCAMINTEL_DATABASE_POOL_SIZE: Input should be greater"),
        (
            "REQUEST_SLA_HOURS",
            '{"freeze_account": "soon"}',
            "SCAMINTEL_REQUEST_SLA_HOURS[freeze_account]: Input should be a valid number",
        ),
        ("REQUEST_SLA_HOURS", "12 hours", "SCAMINTEL_REQUEST_SLA_HOURS is not valid JSON"),
    ],
)
def test_a_refused_setting_is_named_by_its_variable(
    tmp_path: Path, variable: str, value: str, said: str
) -> None:
    # Settings are read before any database is opened: no database is needed.
    fresh = Settings(home=tmp_path / "home", environment="test")
    result = run_cli(fresh, "check", "0812345678", cwd=tmp_path, **{f"SCAMINTEL_{variable}": value})
    assert result.returncode == 2
    assert said in result.stderr
    assert "Traceback" not in result.stderr


def test_the_server_pool_holds_the_configured_number_of_connections(
    settings: Settings, node_database: NodeDatabase
) -> None:
    if node_database.dialect != "postgresql":
        pytest.skip("SQLite is one file: there is no pool of server connections to size")
    app = create_app(settings.model_copy(update={"database_pool_size": 3}))
    engine = app.state.node.database.engine
    try:
        assert isinstance(engine.pool, QueuePool)
        assert engine.pool.size() == 3
    finally:
        engine.dispose()


def test_serve_on_an_uninitialised_database_says_to_run_init(tmp_path: Path) -> None:
    fresh = Settings(home=tmp_path / "empty", environment="test")
    result = run_cli(fresh, "serve", cwd=tmp_path)
    assert result.returncode == 2
    assert "scamintel init" in result.stderr
