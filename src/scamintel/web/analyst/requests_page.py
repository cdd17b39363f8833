"""``/analyst/requests``: cross-border requests sent and received, their status and whether
they are overdue (as ``GET /api/v1/requests``; the listing is audited)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.responses import HTMLResponse

from scamintel.cases.requests import Direction, RequestStatus
from scamintel.reports.reading import Reading
from scamintel.storage.requests_repo import RequestFilter, SqlRequests
from scamintel.web.analyst.access import Analyst
from scamintel.web.i18n import N_
from scamintel.web.rendering import page_router

requests_pages = page_router("/analyst")

SHOWN_REQUESTS = 200
DIRECTION_NAMES = {Direction.OUTGOING: N_("Sent"), Direction.INCOMING: N_("Received")}


@requests_pages.get("/requests")
def requests(
    desk: Analyst, direction: str = "", status: str = "", overdue: str = ""
) -> HTMLResponse:
    chosen_direction = Direction(direction) if direction in {d.value for d in Direction} else None
    chosen_status = RequestStatus(status) if status in {s.value for s in RequestStatus} else None
    only_overdue = True if overdue == "1" else None
    now = datetime.now(UTC)
    node = desk.node
    wanted = RequestFilter(
        chosen_direction, chosen_status, only_overdue, None, None, SHOWN_REQUESTS
    )
    with node.database.engine.begin() as connection:
        store = SqlRequests(
            connection,
            node.database.sealer,
            Reading(node.registry, node.context, node.warninglist),
        )
        found = store.listed(wanted, now)
        store.record_view(
            found,
            desk.principal.actor,
            direction=chosen_direction,
            status=chosen_status,
            overdue=only_overdue,
        )
    return desk.render(
        "analyst/requests.html",
        requests=found,
        now=now,
        directions=DIRECTION_NAMES,
        statuses=[s.value for s in RequestStatus],
        chosen_direction=chosen_direction.value if chosen_direction else "",
        chosen_status=chosen_status.value if chosen_status else "",
        only_overdue=bool(only_overdue),
    )
