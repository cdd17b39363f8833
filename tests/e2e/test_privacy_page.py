"""``/privacy``: the citizen's policy page renders with the retention periods in force (the
operator's overrides applied), links to the ways to contest, names the controller (the node and
its country), the data-protection officer's contact when the operator set one, the deadline of a
request on /my-data and the right to complain, and follows the reader's language."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from scamintel.api import create_app
from scamintel.governance.subject_requests import RESPONSE_DAYS
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase


def retention_rows(html: str) -> dict[str, str]:
    body = html.split('<table class="retention">', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", body)
    return dict(cells)


def test_the_privacy_page_shows_the_default_periods_and_the_ways_to_contest(
    client: TestClient,
) -> None:
    page = client.get("/privacy")
    assert page.status_code == 200
    assert '<html lang="en"' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert 'style="' not in page.text
    assert "<script>" not in page.text
    rows = retention_rows(page.text)
    assert rows["Your name and contact details, when you report a scam"] == "1 year"
    assert rows["What happened, in your own words"] == "2 years"
    assert rows["The log of who looked at data and why"] == "10 years"
    assert rows["A note that a value was taken off the list, so that partners remove it too"] == (
        "90 days"
    )
    for link in ('href="/dispute"', 'href="/my-data"', 'href="/transparency"'):
        assert link in page.text
    assert 'href="/privacy"' in client.get("/").text  # the footer of every page links to it


def test_the_privacy_page_shows_the_periods_the_operator_set(
    settings: Settings, node_database: NodeDatabase
) -> None:
    overridden = settings.model_copy(
        update={"retention_days": {"victim_contact": 180, "report:ingest": 1095}}
    )
    with TestClient(create_app(overridden, database=node_database)) as client:
        rows = retention_rows(client.get("/privacy").text)
    assert rows["Your name and contact details, when you report a scam"] == "180 days"
    report = next(text for what, text in rows.items() if what.startswith("The report:"))
    assert report == "from 3 years to 5 years, depending on who sent the report"
    assert rows["What happened, in your own words"] == "2 years"


def test_the_privacy_page_answers_in_thai(client: TestClient) -> None:
    page = client.get("/privacy?lang=th")
    assert page.status_code == 200
    assert '<html lang="th"' in page.text
    assert len(retention_rows(page.text)) == 8
    assert page.text.count("<h2") >= 6
    assert 'href="/my-data"' in page.text


def test_the_privacy_page_says_victim_data_never_leaves_and_only_a_reported_value_is_released(
    client: TestClient,
) -> None:
    # As the code does: a shared report carries no narrative or contact under any agreement
    # (federation/stix.py report_object), and the four-eyes release hands one reported value
    # to the partner that asked (federation/release.py).
    sharing = client.get("/privacy").text.split("Who we share it with", 1)[1].split("<h2", 1)[0]
    assert "We never send your name, your contact details or your story" in sharing
    assert "unless" not in sharing
    assert "ask us for the real number, account or link" in sharing
    assert "Two of our staff must approve; then only that partner receives it." in sharing


def test_the_privacy_page_names_the_controller_the_deadline_and_the_authority(
    client: TestClient,
) -> None:
    page = client.get("/privacy").text
    assert "This service is run by test-node in Thailand, which is responsible for your data." in (
        page
    )
    assert f"We answer a request about your data within {RESPONSE_DAYS} days." in page
    assert "complain to the data-protection authority of Thailand." in page
    # No DPO contact was set: no line promising one.
    assert "data-protection officer" not in page
    # docs/governance.md is not served by the node: named, never linked.
    assert "(docs/governance.md)" in page
    assert 'href="docs/' not in page
    assert "governance.md</a>" not in page


def test_the_privacy_page_names_the_country_in_the_readers_language(
    settings: Settings, node_database: NodeDatabase
) -> None:
    philippine = settings.model_copy(update={"node_name": "pacc-node", "node_country": "PH"})
    with TestClient(create_app(philippine, database=node_database)) as client:
        english = client.get("/privacy").text
        thai = client.get("/privacy?lang=th").text
    assert "run by pacc-node in Philippines" in english
    assert "pacc-node" in thai
    assert "ฟิลิปปินส์" in thai  # Babel's Thai name of PH, not the code
    assert f"{RESPONSE_DAYS} วัน" in thai


def test_the_privacy_page_shows_the_dpo_contact_the_operator_set(
    settings: Settings, node_database: NodeDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCAMINTEL_DPO_CONTACT", "DPO <dpo@pacc.example.org>")
    from_environment = Settings(
        home=settings.home,
        database_url=settings.database_url,
        node_name=settings.node_name,
        node_country=settings.node_country,
        secret_key=settings.secret_key,
        environment="test",
    )
    assert from_environment.dpo_contact == "DPO <dpo@pacc.example.org>"
    with TestClient(create_app(from_environment, database=node_database)) as client:
        page = client.get("/privacy").text
        thai = client.get("/privacy?lang=th").text
    assert "To reach our data-protection officer: DPO &lt;dpo@pacc.example.org&gt;" in page
    assert "<dpo@" not in page  # escaped, as everything the operator writes
    assert "dpo@pacc.example.org" in thai
