"""The transparency report end to end: the JSON API, the /transparency page and the CLI show
the same numbers, which equal counts taken directly from the database; bad periods get a
problem (422) that says what to fix; the JSON is cacheable and revalidates."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpers import run_scamintel
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import reports
from transparency_rows import IN, PERIOD, comparable, direct_counts, period_query, seed

COUNT = re.compile(r'data-count="([^"]+)">([^<]*)<')


def page_numbers(html: str) -> dict[str, int]:
    """Every number the page shows, by its ``data-count`` name."""
    found = COUNT.findall(html)
    numbers = {name: int(shown.replace(",", "")) for name, shown in found}
    assert len(numbers) == len(found), "two numbers on the page share a name"
    return numbers


def json_numbers(document: dict[str, Any]) -> dict[str, int]:
    """The API's numbers under the names the page gives them."""
    numbers = {"reports.total": document["reports"]["total"]}
    for group in ("by_scam_type", "by_channel"):
        for code, count in document["reports"][group].items():
            numbers[f"reports.{group}.{code}"] = count
    for group in ("listings", "disputes"):
        for name, count in document[group].items():
            numbers[f"{group}.{name}"] = count
    for item in document["subject_requests"]:
        numbers[f"subject_requests.{item['kind']}.total"] = item["received"]
        for status, count in item["by_status"].items():
            numbers[f"subject_requests.{item['kind']}.status.{status}"] = count
    for row in document["cross_border_requests"]:
        label = row["country"] or row["partner"]
        for name in ("sent", "sent_fulfilled", "received", "received_fulfilled"):
            numbers[f"cross_border.{label}.{name}"] = row[name]
    numbers["purges.runs"] = document["purges"]["runs"]
    for kind, count in document["purges"]["deleted"].items():
        numbers[f"purges.deleted.{kind}"] = count
    for row in document["disclosures"]:
        numbers[f"disclosures.{row['partner']}.pages"] = row["pages"]
        numbers[f"disclosures.{row['partner']}.objects"] = row["objects"]
    return numbers


def test_the_api_the_page_and_the_database_agree(
    client: TestClient, node_database: NodeDatabase
) -> None:
    seed(node_database)
    answer = client.get("/api/v1/transparency", params=period_query(PERIOD))
    assert answer.status_code == 200
    document = answer.json()
    assert document["period"] == {
        "from": PERIOD.start.isoformat(),
        "to": PERIOD.end.isoformat(),
        "days": PERIOD.days,
    }
    with node_database.engine.connect() as connection:
        assert comparable(document) == direct_counts(connection, PERIOD)
    page = client.get("/transparency", params={**period_query(PERIOD), "lang": "en"})
    assert page.status_code == 200
    assert page_numbers(page.text) == json_numbers(document)
    assert "/api/v1/transparency?from=" in page.text  # the page links its JSON
    assert "Myanmar" in page.text
    assert "LA-Node" in page.text


def test_the_json_is_cacheable_and_revalidates(client: TestClient) -> None:
    first = client.get("/api/v1/transparency", params=period_query(PERIOD))
    assert first.headers["cache-control"] == "public, max-age=300"
    again = client.get(
        "/api/v1/transparency",
        params=period_query(PERIOD),
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304


def test_a_period_asked_again_is_answered_from_memory_by_the_api_and_the_page(
    client: TestClient, node_database: NodeDatabase
) -> None:
    # Public and up to five years long: a repeated period must not be counted again.
    seed(node_database)
    first = client.get("/api/v1/transparency", params=period_query(PERIOD)).json()
    with node_database.engine.begin() as connection:  # one more report in the period
        connection.execute(
            reports.insert(),
            {"id": uuid.uuid4(), "source": "web", "scam_type": "loan", "channel": "sms"}
            | {"received_at": IN, "seen_at": IN},
        )
        assert (
            direct_counts(connection, PERIOD)["reports"]["total"] == first["reports"]["total"] + 1
        )
    again = client.get("/api/v1/transparency", params=period_query(PERIOD)).json()
    assert again == first
    page = client.get("/transparency", params={**period_query(PERIOD), "lang": "en"})
    assert page_numbers(page.text) == json_numbers(first)


def test_without_a_period_the_last_twelve_full_months_are_reported(client: TestClient) -> None:
    document = client.get("/api/v1/transparency").json()
    assert document["period"]["from"].endswith("-01")
    assert document["period"]["to"].endswith("-01")
    assert 365 <= document["period"]["days"] <= 366


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"from": "2025-02-30"}, "from '2025-02-30' is not a date: write it as YYYY-MM-DD"),
        ({"from": "2025-03-01", "to": "2025-02-01"}, "must be before to"),
        ({"from": "2015-01-01", "to": "2025-01-01"}, "longer than 5 years"),
    ],
)
def test_a_bad_period_is_a_problem_that_says_what_to_fix(
    client: TestClient, query: dict[str, str], words: str
) -> None:
    answer = client.get("/api/v1/transparency", params=query)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"].endswith("/invalid-period")
    assert words in body["detail"]


def test_the_page_explains_a_bad_period_and_keeps_the_form(client: TestClient) -> None:
    page = client.get("/transparency", params={"from": "2025-03-01", "to": "2025-02-01"})
    assert page.status_code == 422
    assert "The first day must come before the end of the period." in page.text
    assert 'value="2025-03-01"' in page.text
    assert 'aria-invalid="true"' in page.text


@pytest.mark.parametrize("language", ["th", "my"])
def test_the_page_renders_in_other_languages_under_the_strict_policy(
    client: TestClient, language: str
) -> None:
    page = client.get("/transparency", params={"lang": language})
    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert 'style="' not in page.text
    assert "<script>" not in page.text


def test_the_cli_prints_the_apis_json_and_refuses_a_bad_period(
    client: TestClient, node_database: NodeDatabase, settings: Settings, tmp_path: Path
) -> None:
    seed(node_database)
    api = client.get("/api/v1/transparency", params=period_query(PERIOD)).json()
    bounds = period_query(PERIOD)
    done = run_scamintel(
        settings, tmp_path, "transparency", "--from", bounds["from"], "--to", bounds["to"], "--json"
    )
    assert done.returncode == 0, done.stderr.decode()
    printed = json.loads(done.stdout)
    printed.pop("generated_at")
    api.pop("generated_at")
    assert printed == api
    refused = run_scamintel(settings, tmp_path, "transparency", "--from", "2025-13-01")
    assert refused.returncode == 2
    assert "is not a date" in refused.stderr.decode()
