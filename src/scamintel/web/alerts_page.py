"""``/alerts``: the scam alerts for the reader's country in the reader's language (from the
same store as the JSON Feed and the Atom feed, which the page links)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.responses import HTMLResponse

from scamintel.alerts.model import Alert, AlertQuery, InvalidAlertError, alert_query
from scamintel.api.state import NodeState
from scamintel.storage.alerts_repo import list_alerts
from scamintel.web.rendering import CurrentPage, page_router
from scamintel.web.vocabulary import scam_type_name

alerts_pages = page_router()
SHOWN_ALERTS = 20


@alerts_pages.get("/alerts")
def alerts(page: CurrentPage) -> HTMLResponse:
    node: NodeState = page.request.app.state.node
    try:
        in_language = _alerts(node, alert_query(country=page.country, language=page.language))
        # Without an alert in the reader's language, the country's alerts in other languages
        # still warn them (the page says so).
        other_languages = [] if in_language else _alerts(node, alert_query(country=page.country))
    except InvalidAlertError:
        # A country the alerts cannot be filtered by has no alerts; the page still works.
        in_language, other_languages = [], []
    feed_url = "/api/v1/alerts.atom?" + urlencode({"country": page.country, "lang": page.language})
    return page.render(
        "alerts.html",
        alerts=in_language or other_languages,
        in_other_languages=bool(other_languages),
        feed_url=feed_url,
        scam_type_name=scam_type_name,
    )


def _alerts(node: NodeState, query: AlertQuery) -> list[Alert]:
    limited = AlertQuery(query.country, query.language, query.scam_type, SHOWN_ALERTS)
    with node.database.engine.connect() as connection:
        return list_alerts(connection, limited)
