"""``/analyst/``: the dashboard. Headline counts and three charts drawn on the server as SVG:
reports per day by victim country, losses by scam type in US dollars, and where operations
sit against where their victims are."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi.responses import HTMLResponse

from scamintel.analysis.currency import rate_table
from scamintel.storage.dashboard_repo import (
    amounts_by_scam_type,
    headline_counts,
    reports_per_day,
)
from scamintel.storage.operation_summaries_repo import list_operations
from scamintel.web.analyst.access import Analyst
from scamintel.web.analyst.charts import OperationFlow, daily_chart, flow_matrix, loss_chart
from scamintel.web.rendering import page_router
from scamintel.web.vocabulary import scam_type_name

dashboard_pages = page_router("/analyst")

CHART_DAYS = 30
# The flow matrix reads the stored summaries of the most harmful operations: enough to show
# where the harm is, bounded so the page stays fast on a large node.
FLOW_OPERATIONS = 2000


@dashboard_pages.get("/")
def dashboard(desk: Analyst) -> HTMLResponse:
    today = datetime.now(UTC).date()
    since = datetime.combine(today - timedelta(days=CHART_DAYS - 1), time.min, tzinfo=UTC)
    with desk.node.database.engine.connect() as connection:
        daily = reports_per_day(connection, since)
        amounts = amounts_by_scam_type(connection)
        counts = headline_counts(connection, since)
        operations = list_operations(connection, limit=FLOW_OPERATIONS)
    flows = [
        OperationFlow(row.summary.infrastructure_countries, row.summary.victims_by_country)
        for row in operations
        if row.summary is not None
    ]
    return desk.render(
        "analyst/dashboard.html",
        counts=counts,
        days=CHART_DAYS,
        daily=daily_chart(daily, today, CHART_DAYS),
        losses=loss_chart(amounts, rate_table()),
        flows=flow_matrix(flows),
        flow_operations=len(operations),
        flow_capped=len(operations) == FLOW_OPERATIONS,
        scam_type_name=scam_type_name,
    )
