"""Scam alerts over HTTP and from the command line: analysts publish, anyone subscribes to the
JSON Feed or the Atom feed, and caches revalidate with ETags."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from helpers import run_scamintel
from scamintel.access.keys import OrganisationKind, Role
from scamintel.settings import Settings
from scamintel.storage.access_repo import create_api_key, ensure_organisation
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import alerts, audit_log

ATOM = "{http://www.w3.org/2005/Atom}"
PROBLEM_JSON = "application/problem+json"
THAI_TITLE = "แก๊งคอลเซ็นเตอร์อ้างเป็นตำรวจ สั่งให้โอนเงินไปตรวจสอบ"
BURMESE_BODY = "ရဲအဖြစ် ဟန်ဆောင်ပြီး ငွေလွှဲခိုင်းလျှင် ဖုန်းချပါ။"


def an_alert(**overrides: Any) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "title": "Fake parcel SMS asks for a customs fee",
        "body": "Thailand Post never sends payment links by SMS. Do not click; call 1441.",
        "scam_type": "phishing_parcel_utility",
        "countries": ["TH"],
        "languages": ["en"],
    }
    return alert | overrides


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def publish(client: TestClient, key: str, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/alerts", json=an_alert(**overrides), headers=bearer(key))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def stored_alerts(node_database: NodeDatabase) -> int:
    with node_database.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(alerts)) or 0)


def feed_ids(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/api/v1/alerts", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# -- publishing -----------------------------------------------------------------------------


def test_an_analyst_publishes_an_alert_and_reads_it_back_at_its_location(
    client: TestClient, analyst_key: str
) -> None:
    response = client.post(
        "/api/v1/alerts",
        json=an_alert(countries=["th", "mm"], languages=["TH"], title=THAI_TITLE),
        headers=bearer(analyst_key),
    )
    assert response.status_code == 201, response.text
    published = response.json()
    assert published["countries"] == ["TH", "MM"]
    assert published["languages"] == ["th"]
    assert published["title"] == THAI_TITLE
    assert published["author"] == "Thai Anti-Scam Centre"
    assert published["url"] == f"http://testserver/alerts#{published['id']}"
    location = response.headers["location"]
    assert location == f"http://testserver/api/v1/alerts/{published['id']}"
    read = client.get(location)
    assert read.status_code == 200
    assert read.json() == published


def test_publishing_is_written_to_the_audit_log_under_the_analysts_key(
    client: TestClient, analyst_key: str, node_database: NodeDatabase
) -> None:
    published = publish(client, analyst_key)
    with node_database.engine.connect() as connection:
        entry = connection.execute(
            select(audit_log).where(audit_log.c.action == "alert.publish")
        ).one()
    assert entry.object_type == "alert"
    assert entry.object_id == published["id"]
    assert entry.actor == "key:" + analyst_key.split("_")[1]
    assert json.loads(entry.details)["countries"] == ["TH"]


def test_an_admin_key_may_publish_too(client: TestClient, node_database: NodeDatabase) -> None:
    with node_database.engine.begin() as connection:
        organisation = ensure_organisation(
            connection, "National Cyber Security Agency", OrganisationKind.AGENCY, "TH"
        )
        admin_key = create_api_key(connection, organisation, Role.ADMIN).token
    assert publish(client, admin_key)["author"] == "National Cyber Security Agency"


def test_a_reporter_key_may_not_publish_and_nothing_is_stored(
    client: TestClient, reporter_key: str, node_database: NodeDatabase
) -> None:
    response = client.post("/api/v1/alerts", json=an_alert(), headers=bearer(reporter_key))
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "analyst, admin" in response.json()["detail"]
    assert stored_alerts(node_database) == 0


def test_publishing_without_a_key_asks_for_one(
    client: TestClient, node_database: NodeDatabase
) -> None:
    response = client.post("/api/v1/alerts", json=an_alert())
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "needs an API key" in response.json()["detail"]
    assert stored_alerts(node_database) == 0


def test_an_unknown_country_is_a_422_that_names_the_code_and_the_field(
    client: TestClient, analyst_key: str, node_database: NodeDatabase
) -> None:
    response = client.post(
        "/api/v1/alerts", json=an_alert(countries=["TH", "XX"]), headers=bearer(analyst_key)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert "'XX' is not an ISO 3166 alpha-2 country code" in problem["detail"]
    assert [error["field"] for error in problem["errors"]] == ["countries"]
    assert stored_alerts(node_database) == 0


def test_an_alert_with_every_field_wrong_gets_every_problem_back(
    client: TestClient, analyst_key: str
) -> None:
    response = client.post(
        "/api/v1/alerts",
        json={
            "title": "",
            "body": "x" * 20_001,
            "scam_type": "lottery",
            "countries": [],
            "languages": ["fr"],
            "colour": "red",
        },
        headers=bearer(analyst_key),
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"title", "body", "scam_type", "countries", "languages", "colour"}


def test_an_unknown_alert_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/alerts/4f0c9d54-96a0-4c38-9a26-3a0c8e0f2b7e")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "No alert 4f0c9d54-96a0-4c38-9a26-3a0c8e0f2b7e" in response.json()["detail"]


# -- the feeds ------------------------------------------------------------------------------


def test_the_public_json_feed_lists_alerts_newest_first(
    client: TestClient, analyst_key: str
) -> None:
    first = publish(client, analyst_key, title="First")
    second = publish(client, analyst_key, title="Second")
    third = publish(client, analyst_key, title=THAI_TITLE, body=BURMESE_BODY)
    response = client.get("/api/v1/alerts")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/feed+json"
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://testserver/api/v1/alerts"
    assert [item["id"] for item in feed["items"]] == [third["id"], second["id"], first["id"]]
    newest = feed["items"][0]
    assert (newest["title"], newest["content_text"]) == (THAI_TITLE, BURMESE_BODY)
    assert newest["date_published"] == third["published_at"]


def test_the_feeds_filter_by_country_language_scam_type_and_limit(
    client: TestClient, analyst_key: str
) -> None:
    thai = publish(client, analyst_key, countries=["TH"], languages=["th"])
    lao = publish(client, analyst_key, countries=["LA", "TH"], languages=["lo", "en"])
    burmese = publish(client, analyst_key, countries=["MM"], languages=["my"], scam_type="job_task")
    assert feed_ids(client, country="th") == [lao["id"], thai["id"]]
    assert feed_ids(client, country="MM") == [burmese["id"]]
    assert feed_ids(client, lang="lo") == [lao["id"]]
    assert feed_ids(client, lang="EN") == [lao["id"]]
    assert feed_ids(client, scam_type="job_task") == [burmese["id"]]
    assert feed_ids(client, country="TH", lang="th") == [thai["id"]]
    assert feed_ids(client, limit=2) == [burmese["id"], lao["id"]]
    assert feed_ids(client, country="KH") == []
    atom = ET.fromstring(client.get("/api/v1/alerts.atom", params={"lang": "my"}).content)
    assert [e.findtext(f"{ATOM}id") for e in atom.findall(f"{ATOM}entry")] == [
        f"urn:uuid:{burmese['id']}"
    ]


def test_a_filter_the_node_cannot_use_is_a_422_naming_it(client: TestClient) -> None:
    for path in ("/api/v1/alerts", "/api/v1/alerts.atom"):
        response = client.get(path, params={"country": "XX", "lang": "fr", "limit": 500})
        assert response.status_code == 422
        fields = {error["field"] for error in response.json()["errors"]}
        assert fields == {"query.country", "query.lang", "query.limit"}
        assert "'XX' is not an ISO 3166 alpha-2" in response.json()["detail"]


def test_a_feed_answers_304_to_its_etag_until_an_alert_is_published(
    client: TestClient, analyst_key: str
) -> None:
    publish(client, analyst_key)
    for path in ("/api/v1/alerts", "/api/v1/alerts.atom"):
        first = client.get(path, params={"country": "TH"})
        etag = first.headers["etag"]
        assert first.headers["cache-control"] == "public, max-age=300"
        assert client.get(path, params={"country": "TH"}).headers["etag"] == etag
        unchanged = client.get(path, params={"country": "TH"}, headers={"If-None-Match": etag})
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        assert unchanged.headers["etag"] == etag
        weak = client.get(
            path, params={"country": "TH"}, headers={"If-None-Match": f'"other", W/{etag}'}
        )
        assert weak.status_code == 304
        other_filter = client.get(path, params={"country": "MM"}, headers={"If-None-Match": etag})
        assert other_filter.status_code == 200
    etags = {
        path: client.get(path).headers["etag"] for path in ("/api/v1/alerts", "/api/v1/alerts.atom")
    }
    publish(client, analyst_key, title="A newer alert")
    for path, old_etag in etags.items():
        changed = client.get(path, headers={"If-None-Match": old_etag})
        assert changed.status_code == 200
        assert changed.headers["etag"] != old_etag


def test_the_atom_feed_parses_with_entries_newest_first(
    client: TestClient, analyst_key: str
) -> None:
    older = publish(client, analyst_key, title="Fake <job> & easy money")
    newer = publish(client, analyst_key, title=THAI_TITLE, languages=["th"], countries=["TH"])
    response = client.get("/api/v1/alerts.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == "http://testserver/api/v1/alerts.atom"
    assert feed.findtext(f"{ATOM}updated") == newer["published_at"]
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}id") for entry in entries] == [
        f"urn:uuid:{newer['id']}",
        f"urn:uuid:{older['id']}",
    ]
    assert entries[0].findtext(f"{ATOM}title") == THAI_TITLE
    assert entries[1].findtext(f"{ATOM}title") == "Fake <job> & easy money"


def test_one_alert_is_cacheable_like_the_feeds(client: TestClient, analyst_key: str) -> None:
    published = publish(client, analyst_key)
    path = f"/api/v1/alerts/{published['id']}"
    first = client.get(path)
    assert first.headers["cache-control"] == "public, max-age=300"
    assert client.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code == 304


FUZZ = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ANY_TEXT = st.text(max_size=30)
ANY_FIELD_VALUE = st.one_of(
    st.none(), st.integers(), ANY_TEXT, st.lists(ANY_TEXT, max_size=3), st.booleans()
)


@FUZZ
@given(
    body=st.dictionaries(
        st.sampled_from(["title", "body", "scam_type", "countries", "languages"]),
        ANY_FIELD_VALUE,
    )
)
def test_publishing_answers_any_json_without_a_server_error(
    client: TestClient, analyst_key: str, body: dict[str, Any]
) -> None:
    response = client.post("/api/v1/alerts", json=body, headers=bearer(analyst_key))
    assert response.status_code in (201, 422), response.text


@FUZZ
@given(country=ANY_TEXT, lang=ANY_TEXT, limit=ANY_TEXT)
def test_the_feeds_answer_any_filter_without_a_server_error(
    client: TestClient, country: str, lang: str, limit: str
) -> None:
    params = {"country": country, "lang": lang, "limit": limit}
    for path in ("/api/v1/alerts", "/api/v1/alerts.atom"):
        assert client.get(path, params=params).status_code in (200, 422)


# -- the command line -----------------------------------------------------------------------


def test_the_cli_publishes_an_alert_that_the_feeds_and_the_audit_log_show(
    settings: Settings, client: TestClient, node_database: NodeDatabase, tmp_path: Path
) -> None:
    body_file = tmp_path / "alert.txt"
    body_file.write_text(BURMESE_BODY + "\n", encoding="utf-8")
    result = run_scamintel(
        settings, tmp_path, "alert", "publish", "--title", THAI_TITLE, "--body-file",
        str(body_file), "--scam-type", "officials_impersonated", "--country", "th",
        "--country", "MM", "--language", "my", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    published = json.loads(result.stdout)
    assert published["body"] == BURMESE_BODY
    assert published["countries"] == ["TH", "MM"]
    assert published["author"] == settings.node_name
    [item] = client.get("/api/v1/alerts", params={"lang": "my"}).json()["items"]
    assert (item["id"], item["title"]) == (published["id"], THAI_TITLE)
    with node_database.engine.connect() as connection:
        actor = connection.scalar(
            select(audit_log.c.actor).where(audit_log.c.action == "alert.publish")
        )
    assert actor.startswith("cli")
    listed = run_scamintel(settings, tmp_path, "alert", "list", "--country", "MM", "--json")
    assert listed.returncode == 0, listed.stderr.decode()
    assert [alert["id"] for alert in json.loads(listed.stdout)["alerts"]] == [published["id"]]


def test_the_cli_refuses_a_bad_alert_on_stderr_with_status_2_and_stores_nothing(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    result = run_scamintel(
        settings, tmp_path, "alert", "publish", "--title", "Fake bank SMS", "--body",
        "Do not click", "--scam-type", "bank_impersonation", "--country", "XX", "--language", "th",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == b""
    stderr = result.stderr.decode()
    assert "--country: 'XX' is not an ISO 3166 alpha-2 country code" in stderr
    assert stored_alerts(node_database) == 0
    listed = run_scamintel(settings, tmp_path, "alert", "list", "--lang", "fr")
    assert listed.returncode == 2
    assert "--lang: 'fr' is not a language of this node" in listed.stderr.decode()
