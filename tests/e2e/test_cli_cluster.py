"""`scamintel cluster` as an operator runs it, the demo's operations against the generator's
truth, and a report posted to the API joining its operation in the same transaction."""

from __future__ import annotations

import csv
import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import run_scamintel, scamintel_command, settings_environment
from scamintel.analysis.quality import score_clustering
from scamintel.reports.intake import REPORT_ID_NAMESPACE
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operations_repo import operation_of_report
from scamintel.storage.tables import operations, report_operations


def cluster_json(settings: Settings, cwd: Path, *arguments: str) -> dict[str, Any]:
    done = run_scamintel(settings, cwd, "cluster", "--json", *arguments)
    assert done.returncode == 0, done.stderr.decode()
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_demo_shows_operations_and_cluster_keeps_their_ids(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    demo = run_scamintel(settings, tmp_path, "demo", "--count", "300")
    assert demo.returncode == 0, demo.stderr.decode()
    assert "new report(s) into operations" in demo.stdout.decode()

    nothing_new = cluster_json(settings, tmp_path)
    assert (nothing_new["full"], nothing_new["reports_clustered"]) == (False, 0)
    top = nothing_new["top"]
    assert 1 <= len(top) <= 10
    assert top[0]["report_count"] > 1
    assert top[0]["harm_score"] >= top[-1]["harm_score"]

    again = cluster_json(settings, tmp_path, "--full")
    assert again["full"]
    assert again["reports_clustered"] > 250
    assert (again["operations_created"], again["merged"]) == (0, {})
    assert [item["id"] for item in again["top"]] == [item["id"] for item in top]

    printed = run_scamintel(settings, tmp_path, "cluster").stdout.decode()
    assert "Top 10 operations by harm" in printed
    assert f"{top[0]['id']}" in printed

    # The operations found match the generator's truth.
    truth_file = settings.home / "demo" / "truth.csv"
    with truth_file.open(encoding="utf-8") as handle:
        truth = {
            uuid.uuid5(REPORT_ID_NAMESPACE, f"ingest:{row['external_id']}"): row["operation_id"]
            for row in csv.DictReader(handle)
        }
    with node_database.engine.connect() as connection:
        rows = connection.execute(
            select(report_operations.c.report_id, report_operations.c.operation_id)
        )
        found = {report_id: operation_id for report_id, operation_id in rows}
    score = score_clustering([truth[r] for r in found], list(found.values()))
    assert score.precision >= 0.95
    assert score.recall >= 0.9


def test_bad_input_is_refused_with_exit_2(settings: Settings, tmp_path: Path) -> None:
    environment = {**settings_environment(settings), "SCAMINTEL_CLUSTER_FANOUT_CAP": "1"}
    done = subprocess.run(
        scamintel_command("cluster"),
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2
    assert "greater than or equal to 2" in done.stderr.decode()
    unknown = run_scamintel(settings, tmp_path, "cluster", "--everything")
    assert unknown.returncode == 2
    assert "No such option" in unknown.stderr.decode()


REPORT = {
    "narrative": "Investment group on LINE, paid the mentor's account",
    "scam_type": "investment",
    "channel": "line",
    "victim_country": "TH",
    "amount": "20000",
    "currency": "THB",
}


def post(client: TestClient, *indicators: dict[str, str]) -> uuid.UUID:
    response = client.post("/api/v1/reports", json={**REPORT, "indicators": list(indicators)})
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


def test_posted_reports_join_and_merge_operations_at_once(
    client: TestClient, node_database: NodeDatabase
) -> None:
    phone = {"type": "phone", "value": "081-234-5601"}
    account = {"type": "bank_account", "value": "KBANK 123-4-56701-0"}
    first = post(client, phone)
    second = post(client, phone)
    other = post(client, account)
    with node_database.engine.connect() as connection:
        joined = operation_of_report(connection, first)
        assert joined is not None
        assert operation_of_report(connection, second) == joined
        separate = operation_of_report(connection, other)
        assert separate is not None
        assert separate != joined
    bridge = post(client, phone, account)
    with node_database.engine.connect() as connection:
        survivor = operation_of_report(connection, bridge)
        assert survivor == joined  # the larger operation survives
        assert operation_of_report(connection, other) == joined
        merged_into = connection.scalar(
            select(operations.c.merged_into).where(operations.c.id == separate)
        )
        assert merged_into == joined
