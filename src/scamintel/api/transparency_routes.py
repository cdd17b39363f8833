"""``GET /api/v1/transparency``: the public transparency report for a period, as JSON that
caches may keep (docs/governance.md, "Transparency report"). Reports are read through the
app's :class:`~scamintel.storage.transparency_repo.ReportCache`, shared with the page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from scamintel.api.caching import NOT_MODIFIED, cacheable, content_etag
from scamintel.api.problems import problem
from scamintel.api.routes import PROBLEM, Node
from scamintel.api.transparency_schemas import TransparencyOut
from scamintel.governance.transparency import PeriodError, parse_period, report_document
from scamintel.storage.transparency_repo import REPORT_CACHE_SECONDS, ReportCache

# The numbers of a past period change only when late data arrives; five minutes of caching
# lets a news story's readers share one computation (here and in shared caches).
CACHE_MAX_AGE_S = REPORT_CACHE_SECONDS

transparency_api = APIRouter(prefix="/api/v1", tags=["transparency"])


@transparency_api.get(
    "/transparency",
    response_model=TransparencyOut,
    summary="Transparency report for a period (public)",
    description=(
        "Counts for the days from `from` (included) to `to` (excluded), in UTC: reports "
        "received, values listed and delisted, disputes, data-subject requests, cross-border "
        "requests per partner country, purges and disclosures to partners. Without `from` "
        "and `to`: the last twelve full calendar months. Counts only, never values."
    ),
    responses={
        **NOT_MODIFIED,
        422: {"description": "A period that cannot be reported on", **PROBLEM},
    },
)
def get_transparency(
    node: Node,
    request: Request,
    start: Annotated[
        str | None, Query(alias="from", description="First day, YYYY-MM-DD", max_length=40)
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", description="Day after the last, YYYY-MM-DD", max_length=40)
    ] = None,
) -> Response:
    now = datetime.now(UTC)
    try:
        period = parse_period(start, end, now.date())
    except PeriodError as error:
        return problem(422, str(error), kind="invalid-period")
    cache: ReportCache = request.app.state.transparency
    report = cache.report(period, now)
    document = report_document(report)
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    # The time of generation is left out of the tag: unchanged numbers revalidate as 304.
    stable = {key: value for key, value in document.items() if key != "generated_at"}
    etag = content_etag(json.dumps(stable, sort_keys=True).encode("utf-8"))
    return cacheable(request, body, "application/json", etag, CACHE_MAX_AGE_S)
