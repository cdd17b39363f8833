"""The public pages through the real app and database: languages, the check for a value and
for a message, the report and dispute forms with their CSRF protection, escaping and headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from e2e.conftest import csrf_token_of
from scamintel.api import create_app
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import disputes, reports

PUBLIC_PAGES = [
    "/",
    "/check?q=0812345678",
    "/report",
    "/alerts",
    "/learn",
    "/learn/spot",
    "/dispute",
    "/my-data",
    "/privacy",
    "/transparency",
]
LISTED_NUMBER = "0899999999"
SCAM_MESSAGE = (
    "URGENT: your parcel is held at customs. Pay the fee within 24 hours at "
    "https://bit.ly/parcel-fee or it will be returned."
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def count_rows(node_database: NodeDatabase, table: object) -> int:
    with node_database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_renders_in_english_with_the_strict_policy(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="en"' in response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert 'style="' not in response.text
    assert "<script>" not in response.text
    assert 'hreflang="my"' in response.text  # the language switcher is on every page


@pytest.mark.parametrize("language", ["th", "my"])
def test_a_language_chosen_with_lang_is_remembered_in_a_cookie(
    client: TestClient, language: str
) -> None:
    chosen = client.get(f"/?lang={language}")
    assert f'<html lang="{language}"' in chosen.text
    cookie = chosen.headers["set-cookie"]
    assert f"lang={language}" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert f'<html lang="{language}"' in client.get("/alerts").text


@pytest.mark.parametrize(
    ("header", "language"), [("th-TH,th;q=0.9,en;q=0.5", "th"), ("my-MM, en;q=0.3", "my")]
)
def test_the_language_follows_accept_language_without_a_choice(
    client: TestClient, header: str, language: str
) -> None:
    page = client.get("/report", headers={"Accept-Language": header})
    assert f'<html lang="{language}"' in page.text


def test_cookies_are_secure_in_production(settings: Settings, node_database: NodeDatabase) -> None:
    production = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(production, database=node_database)) as client:
        cookie = client.get("/?lang=th").headers["set-cookie"]
    assert "Secure" in cookie


def test_a_number_reported_by_the_police_shows_the_scam_verdict(
    client: TestClient, police_key: str
) -> None:
    report = {"narrative": "Fake police officer", "indicators": [{"value": LISTED_NUMBER}],
              "scam_type": "officials_impersonated", "victim_country": "TH"}  # fmt: skip
    assert (
        client.post("/api/v1/reports", json=report, headers=bearer(police_key)).status_code == 201
    )
    assert client.get("/api/v1/check", params={"q": LISTED_NUMBER}).json()["verdict"] == "scam"
    page = client.get("/check", params={"q": LISTED_NUMBER})
    assert page.status_code == 200
    assert "verdict-scam" in page.text
    assert "Reported as a scam" in page.text
    assert "+66899999999" in page.text
    assert 'href="tel:1441"' in page.text  # the Thai anti-scam hotline


def test_no_reports_is_never_worded_as_safe(client: TestClient) -> None:
    page = client.get("/check", params={"q": "0811112222"}).text
    assert "verdict-no_reports" in page
    assert "No reports yet. That does not mean it is safe." in page
    words = re.sub(r"<[^>]+>", " ", page)
    for sentence in re.split(r"[.!?]", words):
        if "safe" in sentence:
            assert " not " in f" {sentence} ", sentence


def test_a_pasted_message_shows_its_red_flags_marked(client: TestClient) -> None:
    page = client.get("/check", params={"q": SCAM_MESSAGE}).text
    assert "<mark>URGENT" in page
    assert "Red flags we found" in page
    assert "https://bit.ly/parcel-fee" in page


def test_a_careful_card_never_says_the_words_look_fine(client: TestClient) -> None:
    parcel = (
        "URGENT: Your parcel is held at customs. Pay the 150 THB fee within 24 hours at "
        "https://thaipost-fee.top/pay or it will be returned."
    )
    page = client.get("/check", params={"q": parcel, "lang": "en"}).text

    assert "verdict-suspicious" in page
    assert "does not read like a scam, but that does not prove it is safe" not in page
    assert "the red flags in it are reason to be careful" in page


def test_user_input_comes_back_escaped(client: TestClient) -> None:
    attack = "<script>alert(1)</script>"
    page = client.get("/check", params={"q": attack}).text
    assert attack not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    message = client.get("/check", params={"q": f"URGENT pay now {attack} within 24 hours"}).text
    assert attack not in message


def test_a_report_sent_through_the_form_gets_a_reference_and_is_stored(
    client: TestClient, node_database: NodeDatabase
) -> None:
    form = client.get("/report?value=0812223333")
    assert 'value="0812223333"' not in form.text  # prefilled in the textarea, not an input
    assert "0812223333</textarea>" in form.text
    sent = client.post(
        "/report",
        data={
            "csrf_token": csrf_token_of(form.text),
            "submission_id": "form-1",
            "scam_type": "job_task",
            "narrative": "They offered a job liking videos, then asked for a deposit.",
            "channel": "line",
            "values": "0812223333",
            "amount": "5,000",
            "currency": "THB",
            "occurred_on": "2026-01-15",
        },
    )
    assert sent.status_code == 200
    reference = re.search(r'id="report-reference">(R-[0-9A-F]{10})<', sent.text)
    assert reference is not None
    assert count_rows(node_database, reports) == 1


def test_a_report_form_with_mistakes_keeps_what_was_typed(
    client: TestClient, node_database: NodeDatabase
) -> None:
    form = client.get("/report")
    sent = client.post(
        "/report",
        data={
            "csrf_token": csrf_token_of(form.text),
            "narrative": "Lost money <b>",
            "amount": "abc",
        },
    )
    assert sent.status_code == 422
    assert "Write the amount as a number" in sent.text
    assert "Lost money &lt;b&gt;</textarea>" in sent.text
    assert count_rows(node_database, reports) == 0


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_stored(
    client: TestClient, node_database: NodeDatabase, token: str | None
) -> None:
    client.get("/report")
    data = {"narrative": "A scam happened to me", "values": "0812223333"}
    if token is not None:
        data["csrf_token"] = token
    refused = client.post("/report", data=data)
    assert refused.status_code == 403
    assert "send it again" in refused.text
    assert count_rows(node_database, reports) == 0
    disputed = client.post("/dispute", data={**data, "value": "0812223333", "claim": "x" * 20})
    assert disputed.status_code == 403
    assert "send it again" in disputed.text
    assert count_rows(node_database, disputes) == 0


def test_a_dispute_of_a_listed_number_gets_a_reference(
    client: TestClient, police_key: str, node_database: NodeDatabase
) -> None:
    report = {"narrative": "Fake police", "indicators": [{"value": LISTED_NUMBER}]}
    client.post("/api/v1/reports", json=report, headers=bearer(police_key))
    form = client.get(f"/dispute?value={LISTED_NUMBER}")
    sent = client.post(
        "/dispute",
        data={
            "csrf_token": csrf_token_of(form.text),
            "value": LISTED_NUMBER,
            "claim": "This number was assigned to my shop last month.",
        },
    )
    assert sent.status_code == 200
    assert 'id="dispute-reference"' in sent.text
    assert count_rows(node_database, disputes) == 1


def test_a_dispute_of_an_unlisted_number_says_there_is_nothing_to_contest(
    client: TestClient,
) -> None:
    form = client.get("/dispute")
    sent = client.post(
        "/dispute",
        data={
            "csrf_token": csrf_token_of(form.text),
            "value": "0811112222",
            "claim": "It is my number.",
        },
    )
    assert sent.status_code == 422
    assert "nothing to contest" in sent.text


def test_the_alerts_page_links_the_atom_feed(client: TestClient) -> None:
    page = client.get("/alerts?lang=th&country=TH").text
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert "/api/v1/alerts.atom?country=TH&amp;lang=th" in page


def test_spot_the_scam_gives_feedback_on_an_answer(client: TestClient) -> None:
    question = client.get("/learn/spot?n=0")
    assert 'name="answer"' in question.text
    answered = client.get("/learn/spot?n=0&answer=not_scam")
    assert "Not quite." in answered.text or "Right!" in answered.text
    assert 'href="/learn/spot?n=1"' in answered.text


def test_static_css_is_served_with_a_long_cache(client: TestClient) -> None:
    link = re.search(r'href="(/static/site\.css\?v=[0-9a-f]+)"', client.get("/").text)
    assert link is not None
    css = client.get(link.group(1))
    assert css.status_code == 200
    assert "immutable" in css.headers["cache-control"]
    assert '"Noto Sans Myanmar"' in css.text


def report_fields(form_html: str, **fields: str) -> dict[str, str]:
    """A report form's hidden fields (token, one-time id) and the fields given."""
    submission_id = re.search(r'name="submission_id" value="([^"]*)"', form_html)
    assert submission_id is not None
    return {
        "csrf_token": csrf_token_of(form_html),
        "submission_id": submission_id.group(1),
        "narrative": "They asked me to pay a fee for a parcel.",
        **fields,
    }


def stored_reports(node_database: NodeDatabase) -> list[dict[str, object]]:
    with node_database.engine.connect() as connection:
        rows = connection.execute(
            select(reports.c.victim_country, reports.c.source, reports.c.source_key)
        )
        return [dict(row._mapping) for row in rows]


@pytest.mark.parametrize("amount", ["1e30", "Infinity", "NaN", "-5", "1" * 19])
def test_an_amount_that_cannot_be_stored_is_a_field_error(
    client: TestClient, node_database: NodeDatabase, amount: str
) -> None:
    form = client.get("/report")
    sent = client.post("/report", data=report_fields(form.text, amount=amount, currency="THB"))
    assert sent.status_code == 422
    assert "Write the amount as a number" in sent.text
    assert count_rows(node_database, reports) == 0


@pytest.mark.parametrize("n", ["²", "9" * 5000, "-1", "12345678"])
def test_spot_the_scam_takes_only_small_plain_numbers(client: TestClient, n: str) -> None:
    page = client.get("/learn/spot", params={"n": n})
    assert page.status_code == 200
    assert 'href="/learn/spot?n=1"' in client.get("/learn/spot?n=0&answer=scam").text


def test_a_country_outside_the_list_is_ignored_and_never_remembered(client: TestClient) -> None:
    asked = client.get("/alerts?country=XK")
    assert asked.status_code == 200
    assert "country=" not in asked.headers.get("set-cookie", "")
    client.cookies.set("country", "XK")  # left by an older version, or typed by hand
    assert client.get("/alerts").status_code == 200
    assert client.get("/check?q=0811112222").status_code == 200


def test_a_report_of_today_is_taken_in_every_time_zone(
    client: TestClient, node_database: NodeDatabase
) -> None:
    tomorrow_utc = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    form = client.get("/report")
    assert f'max="{tomorrow_utc}"' in form.text
    too_late = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    refused = client.post("/report", data=report_fields(form.text, occurred_on=too_late))
    assert refused.status_code == 422
    sent = client.post("/report", data=report_fields(refused.text, occurred_on=tomorrow_utc))
    assert sent.status_code == 200
    assert count_rows(node_database, reports) == 1


@pytest.mark.parametrize(("country", "currency"), [("TH", "THB"), ("MM", "MMK"), ("VN", "VND")])
def test_the_currency_of_the_readers_country_is_preselected(
    client: TestClient, country: str, currency: str
) -> None:
    form = client.get(f"/report?country={country}").text
    assert f'<option value="{currency}" selected>' in form
    assert len(re.findall(r"<option value=\"[A-Z]{3}\" selected>", form)) == 1


def test_the_reader_chooses_the_victims_country(
    client: TestClient, node_database: NodeDatabase
) -> None:
    form = client.get("/report?country=KH")
    assert '<option value="KH" selected>' in form.text
    assert '<label for="victim_country">' in form.text
    sent = client.post("/report", data=report_fields(form.text, victim_country="MM"))
    assert sent.status_code == 200
    wrong = client.post("/report", data=report_fields(form.text, victim_country="XK"))
    assert wrong.status_code == 422
    assert [row["victim_country"] for row in stored_reports(node_database)] == ["MM"]


def test_a_report_from_the_form_counts_as_the_same_sender_as_from_the_api(
    client: TestClient, node_database: NodeDatabase
) -> None:
    report = {"narrative": "Fake parcel fee", "indicators": [{"value": "0812223333"}]}
    assert client.post("/api/v1/reports", json=report).status_code == 201
    form = client.get("/report")
    sent = client.post(
        "/report", data=report_fields(form.text, values="0812223333", contact_name="Somchai")
    )
    assert sent.status_code == 200
    stored = stored_reports(node_database)
    assert {row["source"] for row in stored} == {"api", "web"}
    assert len({row["source_key"] for row in stored}) == 1


def test_a_form_sent_twice_after_an_edit_stores_one_report(
    client: TestClient, node_database: NodeDatabase
) -> None:
    form = client.get("/report")
    first = client.post("/report", data=report_fields(form.text, amount="abc"))
    assert first.status_code == 422
    edited = report_fields(first.text, amount="500", currency="THB")
    sent = client.post("/report", data=edited)
    changed = client.post("/report", data={**edited, "narrative": "Changed after sending."})
    assert sent.status_code == changed.status_code == 200
    reference = re.compile(r'id="report-reference">(R-[0-9A-F]{10})<')
    first_reference = reference.search(sent.text)
    assert first_reference is not None
    assert first_reference.group(1) in changed.text
    assert count_rows(node_database, reports) == 1


def test_a_refused_token_gives_the_form_back_as_typed(
    client: TestClient, node_database: NodeDatabase
) -> None:
    form = client.get("/report")
    assert "Max-Age=86400" in form.headers["set-cookie"]
    typed = report_fields(form.text, narrative="A long story <b>typed on a phone</b>")
    client.cookies.clear()  # the browser dropped the cookie while the tab was away
    refused = client.post("/report", data=typed)
    assert refused.status_code == 403
    assert "please check it and send it again" in refused.text
    assert "A long story &lt;b&gt;typed on a phone&lt;/b&gt;</textarea>" in refused.text
    assert count_rows(node_database, reports) == 0
    again = client.post("/report", data={**typed, "csrf_token": csrf_token_of(refused.text)})
    assert again.status_code == 200
    assert count_rows(node_database, reports) == 1
    dispute = {"csrf_token": "forged", "value": LISTED_NUMBER, "claim": "It is my shop's line."}
    refused_dispute = client.post("/dispute", data=dispute)
    assert refused_dispute.status_code == 403
    assert "It is my shop&#39;s line.</textarea>" in refused_dispute.text


def test_a_long_pasted_message_is_not_repeated_in_the_language_links(client: TestClient) -> None:
    message = "ด่วน! โอนเงินเพื่อตรวจสอบบัญชี " * 170  # about 5,000 characters
    page = client.get("/check", params={"q": message})
    assert page.status_code == 200
    assert len(page.content) < 300_000
    assert 'href="/?lang=th"' in page.text
    short = client.get("/check", params={"q": "0811112222"}).text
    assert 'href="/check?q=0811112222&amp;lang=th"' in short


def test_hotline_names_are_marked_as_english(client: TestClient) -> None:
    page = client.get("/check?q=0811112222&lang=th&country=TH").text
    assert re.search(r'<li><span lang="en">[^<]+</span>: <a href="tel:', page)


def test_field_errors_are_linked_to_their_fields(client: TestClient) -> None:
    form = client.get("/report")
    no_currency = client.post("/report", data=report_fields(form.text, amount="100", currency=""))
    assert no_currency.status_code == 422
    assert 'id="currency-error"' in no_currency.text
    assert 'aria-describedby="currency-error"' in no_currency.text
    long_name = client.post("/report", data=report_fields(form.text, contact_name="x" * 400))
    assert long_name.status_code == 422
    assert 'id="contact-error"' in long_name.text
    assert 'aria-describedby="contact-hint contact-error"' in long_name.text
    dispute = client.get("/dispute")
    assert 'id="contact_name"' in dispute.text
    assert 'aria-describedby="contact' not in dispute.text
