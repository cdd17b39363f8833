"""The alerts as feeds a citizen app or a web site subscribes to: JSON Feed 1.1
(https://www.jsonfeed.org/version/1.1/) and Atom 1.0 (RFC 4287).

Both are rendered from the same alerts and links, and both are deterministic: the same alerts
give the same bytes, so a hash of the body is a sound ETag."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scamintel.alerts.model import Alert, AlertQuery, rfc3339

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_MEDIA_TYPE = "application/feed+json"
ATOM_MEDIA_TYPE = "application/atom+xml"
ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Atom category schemes, so that a reader can tell a scam type from a country or a language.
SCAM_TYPE_SCHEME = "https://scamintel.org/alerts/scam-type"
COUNTRY_SCHEME = "https://scamintel.org/alerts/country"
LANGUAGE_SCHEME = "https://scamintel.org/alerts/language"
# Atom requires a feed's <updated>; an empty feed has no alert to date it by, and "now" would
# change the body (and its ETag) on every request.
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
EXTENSION_KEY = "_scamintel"


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """Where the feeds and the alerts live on the node that serves them (absolute URLs)."""

    json_feed_url: str
    atom_feed_url: str
    alerts_page_url: str
    alerts_api_url: str  # one alert's JSON is at <alerts_api_url>/<id>

    def page_url(self, alert: Alert) -> str:
        return f"{self.alerts_page_url}#{alert.id}"

    def api_url(self, alert: Alert) -> str:
        return f"{self.alerts_api_url}/{alert.id}"


@dataclass(frozen=True, slots=True)
class FeedHeading:
    title: str
    description: str
    node_name: str
    language: str | None = None


def feed_heading(node_name: str, query: AlertQuery) -> FeedHeading:
    """The feed's title says which filters made it, so a subscriber can tell feeds apart."""
    filters = [
        value
        for value in (query.country, query.language, query.scam_type and query.scam_type.value)
        if value
    ]
    title = f"Scam alerts: {node_name}"
    if filters:
        title += " (" + ", ".join(filters) + ")"
    return FeedHeading(
        title=title,
        description=(
            f"Scam alerts published by the analysts of {node_name}: what the scam looks like "
            "and what to do."
        ),
        node_name=node_name,
        language=query.language,
    )


def _single_language(alert: Alert) -> str | None:
    return alert.languages[0] if len(alert.languages) == 1 else None


def json_feed(alerts: Sequence[Alert], links: FeedLinks, heading: FeedHeading) -> dict[str, Any]:
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": heading.title,
        "home_page_url": links.alerts_page_url,
        "feed_url": links.json_feed_url,
        "description": heading.description,
        "authors": [{"name": heading.node_name}],
    }
    if heading.language:
        feed["language"] = heading.language
    feed["items"] = [_json_item(alert, links) for alert in alerts]
    return feed


def _json_item(alert: Alert, links: FeedLinks) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(alert.id),
        "url": links.page_url(alert),
        "title": alert.title,
        "content_text": alert.body,
        "date_published": rfc3339(alert.published_at),
        "authors": [{"name": alert.author}],
        "tags": [alert.scam_type.value, *alert.countries, *alert.languages],
    }
    language = _single_language(alert)
    if language:
        item["language"] = language
    # JSON Feed's extension mechanism: keys starting with "_" that readers may ignore.
    item[EXTENSION_KEY] = {
        "scam_type": alert.scam_type.value,
        "countries": list(alert.countries),
        "languages": list(alert.languages),
        "api_url": links.api_url(alert),
    }
    return item


def render_json_feed(alerts: Sequence[Alert], links: FeedLinks, heading: FeedHeading) -> bytes:
    return json.dumps(json_feed(alerts, links, heading), ensure_ascii=False).encode("utf-8")


def _child(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def atom_feed(alerts: Sequence[Alert], links: FeedLinks, heading: FeedHeading) -> ET.Element:
    # The default namespace is written as a plain xmlns attribute, so the children need no
    # prefix and ElementTree's process-wide namespace registry is left alone.
    feed = ET.Element("feed", {"xmlns": ATOM_NAMESPACE})
    if heading.language:
        feed.set(XML_LANG, heading.language)
    _child(feed, "id", links.atom_feed_url)
    _child(feed, "title", heading.title, type="text")
    _child(feed, "subtitle", heading.description, type="text")
    newest = max((alert.published_at for alert in alerts), default=EMPTY_FEED_UPDATED)
    _child(feed, "updated", rfc3339(newest))
    _child(feed, "link", rel="self", type=ATOM_MEDIA_TYPE, href=links.atom_feed_url)
    _child(feed, "link", rel="alternate", type="text/html", href=links.alerts_page_url)
    _child(feed, "link", rel="alternate", type=JSON_FEED_MEDIA_TYPE, href=links.json_feed_url)
    author = _child(feed, "author")
    _child(author, "name", heading.node_name)
    _child(feed, "generator", "scamintel")
    for alert in alerts:
        _atom_entry(feed, alert, links)
    return feed


def _atom_entry(feed: ET.Element, alert: Alert, links: FeedLinks) -> None:
    entry = _child(feed, "entry")
    language = _single_language(alert)
    if language:
        entry.set(XML_LANG, language)
    published = rfc3339(alert.published_at)
    _child(entry, "id", alert.id.urn)
    _child(entry, "title", alert.title, type="text")
    # Alerts are not edited once published, so they were last updated when published.
    _child(entry, "updated", published)
    _child(entry, "published", published)
    author = _child(entry, "author")
    _child(author, "name", alert.author)
    _child(entry, "link", rel="alternate", type="text/html", href=links.page_url(alert))
    _child(entry, "link", rel="alternate", type="application/json", href=links.api_url(alert))
    _child(entry, "category", term=alert.scam_type.value, scheme=SCAM_TYPE_SCHEME)
    for country in alert.countries:
        _child(entry, "category", term=country, scheme=COUNTRY_SCHEME)
    for code in alert.languages:
        _child(entry, "category", term=code, scheme=LANGUAGE_SCHEME)
    _child(entry, "content", alert.body, type="text")


def render_atom_feed(alerts: Sequence[Alert], links: FeedLinks, heading: FeedHeading) -> bytes:
    document: bytes = ET.tostring(
        atom_feed(alerts, links, heading), encoding="utf-8", xml_declaration=True
    )
    return document
