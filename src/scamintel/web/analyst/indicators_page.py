"""``/analyst/indicators?q=``: indicators reports named, found by their value or a part of it,
each with the verdict the public check gives it now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse

from scamintel.api.state import NodeState
from scamintel.indicators import IndicatorType, InvalidIndicatorError, ParseContext
from scamintel.reports.service import check_value
from scamintel.reports.verdict import Verdict
from scamintel.storage.dashboard_repo import FoundIndicator, search_indicators
from scamintel.storage.store import SqlStore
from scamintel.web.analyst.access import Analyst
from scamintel.web.i18n import N_
from scamintel.web.rendering import page_router
from scamintel.web.vocabulary import INDICATOR_TYPE_NAMES, VERDICT_NAMES

indicators_pages = page_router("/analyst")

SHOWN_RESULTS = 50
MAX_QUERY = 2048
TOO_SHORT = N_("Type at least 3 characters of the value.")
MIN_QUERY = 3


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    type: str
    type_name: str
    value: str
    verdict: Verdict
    verdict_name: str
    report_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    check_url: str


@indicators_pages.get("/indicators")
def indicators(desk: Analyst, q: str = "", type: str = "") -> HTMLResponse:
    query = q.strip()[:MAX_QUERY]
    chosen = type if type in {t.value for t in IndicatorType} else ""
    rows: list[IndicatorRow] = []
    problem = None
    if query and len(query) < MIN_QUERY:
        problem = TOO_SHORT
    elif query:
        rows = _search(desk.node, query, chosen or None, desk.page.country)
    return desk.render(
        "analyst/indicators.html",
        query=query,
        chosen_type=chosen,
        types=[(t.value, INDICATOR_TYPE_NAMES[t]) for t in IndicatorType],
        rows=rows,
        shown=SHOWN_RESULTS,
        problem=problem,
    )


def _canonical_forms(node: NodeState, query: str, indicator_type: str | None) -> list[str]:
    """The query as the canonical value it may be (a phone number as typed locally, a
    defanged link), so an exact match is found however it was written."""
    try:
        wanted = IndicatorType(indicator_type) if indicator_type else None
        return [node.registry.canonicalise(query, wanted, node.context).value]
    except (InvalidIndicatorError, ValueError):
        return []


def _fragments(query: str) -> list[str]:
    """The query, and for something typed like a local number (0812-345), its digits without
    the leading zero: stored numbers are international (+66812345…)."""
    fragments = [query]
    if set(query) <= set("0123456789 -+()."):
        digits = "".join(ch for ch in query if ch.isdigit()).lstrip("0")
        if len(digits) >= MIN_QUERY and digits != query:
            fragments.append(digits)
    return fragments


def _search(
    node: NodeState, query: str, indicator_type: str | None, country: str
) -> list[IndicatorRow]:
    exact = _canonical_forms(node, query, indicator_type)
    with node.database.engine.connect() as connection:
        found = search_indicators(
            connection,
            _fragments(query),
            indicator_type=indicator_type,
            exact=exact,
            limit=SHOWN_RESULTS,
        )
        store = node.database.reader(connection)
        return [_row(node, store, item, country) for item in found]


def _row(node: NodeState, store: SqlStore, item: FoundIndicator, country: str) -> IndicatorRow:
    kind = IndicatorType(item.type)
    result = check_value(
        store,
        item.value,
        registry=node.registry,
        context=ParseContext(country),
        warninglist=node.warninglist,
        lookalikes=node.lookalikes,
        indicator_type=kind,
    )
    return IndicatorRow(
        type=item.type,
        type_name=INDICATOR_TYPE_NAMES[kind],
        value=item.value,
        verdict=result.verdict,
        verdict_name=VERDICT_NAMES[result.verdict],
        report_count=result.report_count,
        first_seen=result.first_seen,
        last_seen=result.last_seen,
        check_url="/check?" + urlencode({"q": item.value}),
    )
