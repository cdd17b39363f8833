"""The public check and what the warninglists and the brand list tell it."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_short_code_is_read_in_the_region_asked_for(client: TestClient) -> None:
    thai_node = client.get("/api/v1/check", params={"q": "997"})
    malaysian = client.get("/api/v1/check", params={"q": "997", "region": "my"})

    assert thai_node.status_code == 422
    assert malaysian.status_code == 200
    assert malaysian.json()["verdict"] == "official"
    assert "National Scam Response Centre" in malaysian.json()["explanation"]


def test_a_short_code_in_thai_digits_is_the_same_hotline(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": "๑๔๔๑"}).json()

    assert body["verdict"] == "official"
    assert body["indicator"]["value"] == "1441"


def test_an_unknown_region_is_refused_with_the_reason(client: TestClient) -> None:
    response = client.get("/api/v1/check", params={"q": "0812345678", "region": "QQ"})

    assert response.status_code == 422
    assert "QQ is not a country code" in response.text


def test_a_lookalike_domain_names_the_brand_it_imitates(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": "kbank-secure.com"}).json()

    assert body["verdict"] == "no_reports"
    assert body["imitates"] == {
        "brand": "Kasikornbank",
        "official_domain": "kasikornbank.com",
        "technique": "added_words",
    }
    assert "imitates Kasikornbank" in body["explanation"]


def test_a_brand_put_in_front_of_another_domain_is_seen_in_the_host(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": "kbank.co.th.verify-login.xyz"}).json()

    assert body["indicator"] == {"type": "domain", "value": "verify-login.xyz", "country": None}
    assert body["imitates"]["brand"] == "Kasikornbank"


def test_an_unrelated_domain_imitates_nothing(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": "example-noodle-shop.com"}).json()

    assert body["imitates"] is None


def test_an_official_web_address_gets_advice_about_lookalikes_not_calls(
    client: TestClient,
) -> None:
    body = client.get("/api/v1/check", params={"q": "kbank.co.th"}).json()

    assert body["verdict"] == "official"
    assert "letter by letter" in body["advice"]
    assert "caller ID" not in body["advice"]


def test_a_number_reserved_for_fiction_is_said_to_be_made_up(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": "+44 20 7946 0123"}).json()

    assert body["verdict"] == "no_reports"
    assert "reserved for fiction" in body["explanation"]


def test_a_shortened_link_is_said_to_hide_where_it_leads(client: TestClient) -> None:
    body = client.get("/api/v1/check", params={"q": "https://bit.ly/3xYz"}).json()

    assert "hides where it leads" in body["explanation"]
