"""The rules an alert must meet, and the JSON Feed and Atom documents made from alerts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from scamintel.alerts.feeds import (
    COUNTRY_SCHEME,
    JSON_FEED_VERSION,
    LANGUAGE_SCHEME,
    SCAM_TYPE_SCHEME,
    FeedLinks,
    feed_heading,
    render_atom_feed,
    render_json_feed,
)
from scamintel.alerts.model import (
    MAX_BODY,
    MAX_TITLE,
    Alert,
    AlertQuery,
    InvalidAlertError,
    alert_query,
    draft_alert,
)
from scamintel.reports.model import ScamType

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
THAI_BODY = "อย่าโอนเงินให้คนที่อ้างว่าเป็นเจ้าหน้าที่ตำรวจ โทร 1441"
BURMESE_TITLE = "ငွေလွှဲခိုင်းသော ရဲအတုများကို သတိထားပါ"
LINKS = FeedLinks(
    json_feed_url="https://node.example/api/v1/alerts?country=TH",
    atom_feed_url="https://node.example/api/v1/alerts.atom?country=TH",
    alerts_page_url="https://node.example/alerts",
    alerts_api_url="https://node.example/api/v1/alerts",
)
PUBLISHED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def draft_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Fake parcel SMS asks for a customs fee",
        "body": "Thailand Post never sends payment links by SMS. Do not click.",
        "scam_type": "phishing_parcel_utility",
        "countries": ["TH"],
        "languages": ["en"],
    }
    return fields | overrides


def an_alert(number: int = 1, **overrides: Any) -> Alert:
    alert = Alert(
        id=UUID(int=number),
        title="Fake parcel SMS asks for a customs fee",
        body="Thailand Post never sends payment links by SMS.",
        scam_type=ScamType.PHISHING_PARCEL_UTILITY,
        countries=("TH",),
        languages=("en",),
        published_at=PUBLISHED + timedelta(hours=number),
        author="Thai Anti-Scam Centre",
    )
    return replace(alert, **overrides)


def problems_of(error: pytest.ExceptionInfo[InvalidAlertError]) -> dict[str, str]:
    return {problem.field: problem.message for problem in error.value.problems}


# -- validation -----------------------------------------------------------------------------


def test_a_draft_upper_cases_countries_lower_cases_languages_and_drops_repeats() -> None:
    draft = draft_alert(
        **draft_fields(countries=["th", " MM ", "TH"], languages=["TH", "my", "th"])
    )
    assert draft.countries == ("TH", "MM")
    assert draft.languages == ("th", "my")
    assert draft.scam_type is ScamType.PHISHING_PARCEL_UTILITY


def test_a_title_becomes_one_line_and_a_body_keeps_its_line_breaks() -> None:
    draft = draft_alert(
        **draft_fields(title="  Fake\nparcel   SMS ", body="\r\nFirst line\r\nSecond line\n\n")
    )
    assert draft.title == "Fake parcel SMS"
    assert draft.body == "First line\nSecond line"


def test_every_broken_rule_is_reported_at_once_with_what_to_fix() -> None:
    with pytest.raises(InvalidAlertError) as raised:
        draft_alert(title=" ", body="", scam_type="lottery", countries=[], languages=[])
    problems = problems_of(raised)
    assert set(problems) == {"title", "body", "scam_type", "countries", "languages"}
    assert "write a short headline" in problems["title"]
    assert "say what the scam looks like" in problems["body"]
    assert "'lottery' is not a scam type" in problems["scam_type"]
    assert "prize_qr" in problems["scam_type"]
    assert "at least one country" in problems["countries"]
    assert "at least one language" in problems["languages"]
    assert "title: the title is empty" in str(raised.value)


def test_a_title_may_have_200_characters_but_not_201() -> None:
    assert len(draft_alert(**draft_fields(title="x" * MAX_TITLE)).title) == MAX_TITLE
    with pytest.raises(InvalidAlertError) as raised:
        draft_alert(**draft_fields(title="x" * (MAX_TITLE + 1)))
    assert problems_of(raised)["title"].startswith("the title is 201 characters long")
    assert "at most 200" in problems_of(raised)["title"]


def test_a_body_may_have_20000_characters_but_not_more() -> None:
    assert len(draft_alert(**draft_fields(body="ก" * MAX_BODY)).body) == MAX_BODY
    with pytest.raises(InvalidAlertError) as raised:
        draft_alert(**draft_fields(body="ก" * (MAX_BODY + 1)))
    assert "20,001 characters" in problems_of(raised)["body"]
    assert "at most 20,000" in problems_of(raised)["body"]


def test_country_codes_outside_iso_3166_are_named_with_examples_of_good_ones() -> None:
    with pytest.raises(InvalidAlertError) as raised:
        draft_alert(**draft_fields(countries=["TH", "XX", "UK", "THA"]))
    message = problems_of(raised)["countries"]
    assert "'XX', 'UK', 'THA' are not ISO 3166 alpha-2 country codes" in message
    assert "TH, MM, KH" in message


def test_a_language_the_node_does_not_speak_is_refused_with_the_ones_it_does() -> None:
    with pytest.raises(InvalidAlertError) as raised:
        draft_alert(**draft_fields(languages=["fr"]))
    assert problems_of(raised)["languages"] == (
        "'fr' is not a language of this node: use ISO 639-1 codes among en th my km lo vi id ms tl"
    )


@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x1f", "\ud800", "\uffff"])
def test_characters_xml_cannot_carry_are_refused_with_their_position(character: str) -> None:
    with pytest.raises(InvalidAlertError) as raised:
        draft_alert(**draft_fields(body=f"call{character}now"))
    assert problems_of(raised)["body"] == (
        f"contains the invisible character U+{ord(character):04X} at position 4; remove it"
    )


def test_tabs_and_line_breaks_are_welcome_in_a_body() -> None:
    assert draft_alert(**draft_fields(body="Step 1:\tstop\nStep 2:\tcall 1441")).body


def test_a_feed_query_names_each_filter_it_cannot_use() -> None:
    with pytest.raises(InvalidAlertError) as raised:
        alert_query(country="ZZ", language="fr", scam_type="lottery", limit=201)
    assert set(problems_of(raised)) == {"country", "lang", "scam_type", "limit"}
    assert "1 to 200" in problems_of(raised)["limit"]


def test_a_feed_query_cleans_its_filters() -> None:
    assert alert_query(country="th", language="TH", scam_type="loan", limit=5) == AlertQuery(
        "TH", "th", ScamType.LOAN, 5
    )


# -- JSON Feed ------------------------------------------------------------------------------


def json_document(alerts: list[Alert], query: AlertQuery | None = None) -> dict[str, Any]:
    heading = feed_heading("Thai ASC", query or AlertQuery(country="TH"))
    document: dict[str, Any] = json.loads(render_json_feed(alerts, LINKS, heading))
    return document


def test_the_json_feed_is_version_1_1_with_its_own_url_and_home_page() -> None:
    document = json_document([an_alert()])
    assert document["version"] == JSON_FEED_VERSION == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "Scam alerts: Thai ASC (TH)"
    assert document["feed_url"] == LINKS.json_feed_url
    assert document["home_page_url"] == "https://node.example/alerts"
    assert document["authors"] == [{"name": "Thai ASC"}]
    assert "language" not in document


def test_json_feed_items_carry_the_alert_with_its_classification() -> None:
    alert = an_alert(countries=("TH", "MM"), languages=("th",), body=THAI_BODY)
    [item] = json_document([alert])["items"]
    assert item == {
        "id": str(alert.id),
        "url": f"https://node.example/alerts#{alert.id}",
        "title": alert.title,
        "content_text": THAI_BODY,
        "date_published": "2025-03-01T10:30:00Z",
        "authors": [{"name": "Thai Anti-Scam Centre"}],
        "tags": ["phishing_parcel_utility", "TH", "MM", "th"],
        "language": "th",
        "_scamintel": {
            "scam_type": "phishing_parcel_utility",
            "countries": ["TH", "MM"],
            "languages": ["th"],
            "api_url": f"https://node.example/api/v1/alerts/{alert.id}",
        },
    }


def test_a_json_item_in_several_languages_names_no_single_language() -> None:
    [item] = json_document([an_alert(languages=("th", "en"))])["items"]
    assert "language" not in item
    assert item["_scamintel"]["languages"] == ["th", "en"]


def test_the_json_feed_keeps_thai_and_burmese_as_written_and_the_order_it_was_given() -> None:
    newer, older = an_alert(2, title=BURMESE_TITLE), an_alert(1, body=THAI_BODY)
    body = render_json_feed([newer, older], LINKS, feed_heading("n", AlertQuery()))
    assert BURMESE_TITLE.encode() in body
    assert THAI_BODY.encode() in body
    items = json.loads(body)["items"]
    assert [item["id"] for item in items] == [str(newer.id), str(older.id)]


def test_a_language_filter_becomes_the_json_feed_language() -> None:
    document = json_document([], AlertQuery(language="my"))
    assert document["language"] == "my"
    assert document["items"] == []


# -- Atom -----------------------------------------------------------------------------------


def atom_document(alerts: list[Alert], query: AlertQuery | None = None) -> ET.Element:
    heading = feed_heading("Thai ASC", query or AlertQuery(country="TH"))
    return ET.fromstring(render_atom_feed(alerts, LINKS, heading))


def test_the_atom_feed_is_in_the_atom_namespace_with_the_elements_rfc_4287_requires() -> None:
    feed = atom_document([an_alert(1), an_alert(3), an_alert(2)])
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == LINKS.atom_feed_url
    assert feed.findtext(f"{ATOM}title") == "Scam alerts: Thai ASC (TH)"
    assert feed.findtext(f"{ATOM}updated") == "2025-03-01T12:30:00Z"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Thai ASC"
    links = {
        (link.get("rel"), link.get("type")): link.get("href")
        for link in feed.findall(f"{ATOM}link")
    }
    assert links[("self", "application/atom+xml")] == LINKS.atom_feed_url
    assert links[("alternate", "text/html")] == "https://node.example/alerts"
    assert links[("alternate", "application/feed+json")] == LINKS.json_feed_url


def test_an_atom_entry_has_a_urn_uuid_dates_content_author_and_category_terms() -> None:
    alert = an_alert(countries=("TH", "LA"), languages=("th", "lo"))
    [entry] = atom_document([alert]).findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == f"urn:uuid:{alert.id}"
    assert entry.findtext(f"{ATOM}title") == alert.title
    assert entry.findtext(f"{ATOM}published") == "2025-03-01T10:30:00Z"
    assert entry.findtext(f"{ATOM}updated") == "2025-03-01T10:30:00Z"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Thai Anti-Scam Centre"
    content = entry.find(f"{ATOM}content")
    assert content is not None
    assert (content.get("type"), content.text) == ("text", alert.body)
    categories = [(c.get("scheme"), c.get("term")) for c in entry.findall(f"{ATOM}category")]
    assert categories == [
        (SCAM_TYPE_SCHEME, "phishing_parcel_utility"),
        (COUNTRY_SCHEME, "TH"),
        (COUNTRY_SCHEME, "LA"),
        (LANGUAGE_SCHEME, "th"),
        (LANGUAGE_SCHEME, "lo"),
    ]
    page = [
        link.get("href") for link in entry.findall(f"{ATOM}link") if link.get("type") == "text/html"
    ]
    assert page == [f"https://node.example/alerts#{alert.id}"]
    assert entry.get(XML_LANG) is None


def test_angle_brackets_and_ampersands_are_escaped_and_read_back_unchanged() -> None:
    title = 'Win <b>"free"</b> iPhone & 10,000 ฿ ]]>'
    body = "<script>alert('x')</script> & <a href='https://evil.example'>claim</a>"
    document = render_atom_feed(
        [an_alert(title=title, body=body)], LINKS, feed_heading("n", AlertQuery())
    )
    assert b"<script>" not in document
    assert b"&lt;script&gt;" in document
    assert b"&amp; 10,000" in document
    entry = ET.fromstring(document).find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title") == title
    assert entry.findtext(f"{ATOM}content") == body
    assert (
        json.loads(
            render_json_feed([an_alert(title=title)], LINKS, feed_heading("n", AlertQuery()))
        )["items"][0]["title"]
        == title
    )


def test_thai_and_burmese_survive_the_atom_feed_in_utf_8() -> None:
    alert = an_alert(title=BURMESE_TITLE, body=THAI_BODY, languages=("my",))
    document = render_atom_feed([alert], LINKS, feed_heading("n", AlertQuery(language="my")))
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert BURMESE_TITLE.encode() in document
    feed = ET.fromstring(document)
    assert feed.get(XML_LANG) == "my"
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.get(XML_LANG) == "my"
    assert (entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}content")) == (
        BURMESE_TITLE,
        THAI_BODY,
    )


def test_an_empty_atom_feed_is_still_valid_and_always_the_same() -> None:
    heading = feed_heading("Thai ASC", AlertQuery())
    document = render_atom_feed([], LINKS, heading)
    assert document == render_atom_feed([], LINKS, heading)
    feed = ET.fromstring(document)
    assert feed.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}title") == "Scam alerts: Thai ASC"


def test_a_feed_title_names_every_filter_applied() -> None:
    query = AlertQuery(country="KH", language="km", scam_type=ScamType.JOB_TASK)
    assert feed_heading("Node", query).title == "Scam alerts: Node (KH, km, job_task)"
