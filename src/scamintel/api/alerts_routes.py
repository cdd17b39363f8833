"""Scam alerts under /api/v1: analysts publish; anyone reads one alert or subscribes to the
JSON Feed or the Atom feed. Each route parses, authorises, calls the alerts code and
serialises."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from scamintel.access.keys import Principal
from scamintel.access.roles import PUBLISHERS
from scamintel.alerts.feeds import (
    ATOM_MEDIA_TYPE,
    JSON_FEED_MEDIA_TYPE,
    FeedHeading,
    FeedLinks,
    feed_heading,
    render_atom_feed,
    render_json_feed,
)
from scamintel.alerts.model import (
    DEFAULT_FEED_SIZE,
    MAX_FEED_SIZE,
    Alert,
    AlertQuery,
    InvalidAlertError,
    alert_query,
    publish_alert,
)
from scamintel.api.alerts_schemas import AlertIn, AlertOut, CountryCode, LanguageCode
from scamintel.api.auth import require_role
from scamintel.api.caching import NOT_MODIFIED, cacheable, content_etag
from scamintel.api.routes import PROBLEM, Node
from scamintel.api.state import NodeState
from scamintel.reports.model import ScamType
from scamintel.storage.alerts_repo import SqlAlertStore, get_alert, list_alerts

# Alerts change a few times a day; five minutes of caching spares the node the crowds that
# a news story sends to the feeds, and clients revalidate cheaply with If-None-Match.
CACHE_MAX_AGE_S = 300
# Where citizens read alerts; the page itself is served by the web package.
ALERTS_PAGE = "alerts"

alerts_api = APIRouter(
    prefix="/api/v1",
    tags=["alerts"],
    responses={
        400: {"description": "Malformed request", **PROBLEM},
        422: {"description": "Invalid input", **PROBLEM},
    },
)


@alerts_api.post(
    "/alerts",
    response_model=AlertOut,
    status_code=201,
    summary="Publish a scam alert (analyst, admin)",
    description=(
        "The alert appears at once in the JSON Feed and the Atom feed. The author shown to "
        "the public is the organisation of the API key; publishing is written to the audit log."
    ),
    responses={401: PROBLEM, 403: PROBLEM},
)
def create_alert(
    node: Node,
    body: AlertIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(require_role(*PUBLISHERS))],
) -> AlertOut:
    try:
        with node.database.engine.begin() as connection:
            alert = publish_alert(
                SqlAlertStore(connection),
                body.draft(),
                author=principal.organisation_name,
                actor=principal.actor,
            )
    except InvalidAlertError as error:
        raise HTTPException(422, f"Fix these fields and send again: {error}") from None
    response.headers["Location"] = str(request.url_for("get_alert", alert_id=alert.id))
    return AlertOut.of(alert, _links(request, AlertQuery()).page_url(alert))


CountryFilter = Annotated[
    CountryCode | None,
    Query(description="Only alerts for this country (ISO 3166 alpha-2)", examples=["TH"]),
]
LanguageFilter = Annotated[
    LanguageCode | None,
    Query(description="Only alerts written in this language (ISO 639-1)", examples=["th"]),
]
ScamTypeFilter = Annotated[ScamType | None, Query(description="Only alerts of this scam type")]
LimitFilter = Annotated[
    int, Query(ge=1, le=MAX_FEED_SIZE, description="How many alerts, newest first")
]


def feed_query(
    country: CountryFilter = None,
    lang: LanguageFilter = None,
    scam_type: ScamTypeFilter = None,
    limit: LimitFilter = DEFAULT_FEED_SIZE,
) -> AlertQuery:
    """The filters both feeds take, checked once."""
    try:
        return alert_query(country=country, language=lang, scam_type=scam_type, limit=limit)
    except InvalidAlertError as error:
        raise HTTPException(422, f"Fix these query parameters: {error}") from None


@alerts_api.get(
    "/alerts",
    response_class=Response,
    summary="The alerts as a JSON Feed 1.1 (public)",
    description=(
        "Newest first, as `application/feed+json` (https://www.jsonfeed.org/version/1.1/). "
        "Each item carries `_scamintel` with its scam type, countries and languages. "
        "Cacheable: send the ETag back in If-None-Match to get 304 when nothing changed."
    ),
    responses={200: {"content": {JSON_FEED_MEDIA_TYPE: {}}}, **NOT_MODIFIED},
)
def alerts_json_feed(
    node: Node,
    request: Request,
    query: Annotated[AlertQuery, Depends(feed_query)],
) -> Response:
    return _feed(node, request, query, render_json_feed, JSON_FEED_MEDIA_TYPE)


@alerts_api.get(
    "/alerts.atom",
    response_class=Response,
    summary="The alerts as an Atom 1.0 feed (public)",
    description=(
        "Newest first, as `application/atom+xml` (RFC 4287), with the same filters as the "
        "JSON Feed. Scam type, countries and languages are `category` terms."
    ),
    responses={200: {"content": {ATOM_MEDIA_TYPE: {}}}, **NOT_MODIFIED},
)
def alerts_atom_feed(
    node: Node,
    request: Request,
    query: Annotated[AlertQuery, Depends(feed_query)],
) -> Response:
    return _feed(node, request, query, render_atom_feed, ATOM_MEDIA_TYPE)


@alerts_api.get(
    "/alerts/{alert_id}",
    name="get_alert",
    response_model=AlertOut,
    summary="One alert (public)",
    responses={404: PROBLEM, **NOT_MODIFIED},
)
def get_alert_by_id(node: Node, request: Request, alert_id: UUID) -> Response:
    with node.database.engine.connect() as connection:
        alert = get_alert(connection, alert_id)
    if alert is None:
        raise HTTPException(404, f"No alert {alert_id} on this node.")
    page_url = _links(request, AlertQuery()).page_url(alert)
    body = AlertOut.of(alert, page_url).model_dump_json().encode("utf-8")
    return _cacheable(request, body, "application/json")


def _feed(
    node: NodeState,
    request: Request,
    query: AlertQuery,
    render: Callable[[Sequence[Alert], FeedLinks, FeedHeading], bytes],
    media_type: str,
) -> Response:
    heading = feed_heading(node.settings.node_name, query)
    body = render(_alerts(node, query), _links(request, query), heading)
    return _cacheable(request, body, media_type)


def _alerts(node: NodeState, query: AlertQuery) -> Sequence[Alert]:
    with node.database.engine.connect() as connection:
        return list_alerts(connection, query)


def _links(request: Request, query: AlertQuery) -> FeedLinks:
    """Absolute URLs from the request (the node's public address is what the client used);
    the feeds' own URLs carry their filters in a fixed order, so one feed has one URL."""
    parameters = {
        "country": query.country,
        "lang": query.language,
        "scam_type": query.scam_type.value if query.scam_type else None,
        "limit": query.limit if query.limit != DEFAULT_FEED_SIZE else None,
    }
    query_string = urlencode({key: value for key, value in parameters.items() if value})
    suffix = f"?{query_string}" if query_string else ""
    json_feed_url = str(request.url_for("alerts_json_feed"))
    return FeedLinks(
        json_feed_url=json_feed_url + suffix,
        atom_feed_url=str(request.url_for("alerts_atom_feed")) + suffix,
        alerts_page_url=str(request.base_url) + ALERTS_PAGE,
        alerts_api_url=json_feed_url,
    )


def _cacheable(request: Request, body: bytes, media_type: str) -> Response:
    # The rendering is deterministic, so the hash of the body changes exactly when what a
    # client would see changes: a new alert, another filter, another public address.
    return cacheable(request, body, media_type, content_etag(body), CACHE_MAX_AGE_S)
