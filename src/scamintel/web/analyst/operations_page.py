"""``/analyst/operations``: scam operations ranked by harm (as ``GET /api/v1/clusters``), one
operation with its summary and its network of reports and indicators, and its dossier
downloads (audited, as the API's)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Literal

from fastapi.responses import HTMLResponse, Response

from scamintel.analysis.dossier import (
    FORMATS,
    MEDIA_TYPES,
    Dossier,
    export_event,
    file_name,
    network,
    render_dossier,
)
from scamintel.storage.operation_summaries_repo import (
    current_operation,
    list_operations,
    load_dossier,
    operation_indicators,
    operation_reports,
    survivor_of,
)
from scamintel.storage.store import append_audit
from scamintel.web.analyst.access import Analyst, AnalystDesk
from scamintel.web.i18n import N_
from scamintel.web.rendering import page_router
from scamintel.web.vocabulary import scam_type_name

operations_pages = page_router("/analyst")

PER_PAGE = 50
SHOWN_INDICATORS = 200
SHOWN_REPORTS = 100
# The network picture keeps the most connected reports of these (dossier.network caps it).
NETWORK_REPORTS = 5000
OPERATION_NUMBER = re.compile(r"[0-9]{1,19}")
MAX_OPERATION_ID = 2**63 - 1
SORTS: dict[str, Literal["harm", "last_seen"]] = {"harm": "harm", "last_seen": "last_seen"}
MAX_OFFSET = 10**9
NO_OPERATION = N_("There is no scam operation with this number on this node.")
NO_FORMAT = N_("The dossier comes as STIX, JSON or HTML; choose one of these.")
BAD_LISTING = N_("This list cannot be shown in that order or from that place.")
NO_STIX = N_("This operation has no value that STIX can carry; download the JSON or HTML dossier.")


def operation_number(text: str) -> int | None:
    """An operation's number as typed (ASCII digits, 1 to 2**63-1); None when it is not one."""
    if not OPERATION_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_OPERATION_ID else None


# Parameters are taken as text and checked here, so a mistyped address gets a page, not the
# API's JSON problem.
@operations_pages.get("/operations")
def operations(desk: Analyst, sort: str = "harm", offset: str = "0") -> HTMLResponse:
    if sort not in SORTS or not offset.isascii() or not offset.isdigit() or len(offset) > 10:
        return desk.render("analyst/message.html", status=422, message=BAD_LISTING)
    start = int(offset)
    if start > MAX_OFFSET:
        return desk.render("analyst/message.html", status=422, message=BAD_LISTING)
    return _listing(desk, SORTS[sort], start)


def _listing(desk: AnalystDesk, sort: Literal["harm", "last_seen"], offset: int) -> HTMLResponse:
    with desk.node.database.engine.connect() as connection:
        rows = list_operations(connection, limit=PER_PAGE + 1, offset=offset, order=sort)
    return desk.render(
        "analyst/operations.html",
        rows=rows[:PER_PAGE],
        sort=sort,
        offset=offset,
        previous_offset=max(0, offset - PER_PAGE) if offset else None,
        next_offset=offset + PER_PAGE if len(rows) > PER_PAGE else None,
        scam_type_name=scam_type_name,
    )


def _not_found(desk: AnalystDesk, operation_id: int, suffix: str = "") -> Response:
    """To the operation it was merged into, or a 404 page."""
    with desk.node.database.engine.connect() as connection:
        survivor = survivor_of(connection, operation_id)
    if survivor is not None and survivor != operation_id:
        query = desk.page.request.url.query
        return desk.page.redirect(
            f"/analyst/operations/{survivor}{suffix}" + (f"?{query}" if query else "")
        )
    return desk.render("analyst/message.html", status=404, message=NO_OPERATION)


@operations_pages.get("/operations/{operation_id}")
def operation(desk: Analyst, operation_id: str) -> Response:
    number = operation_number(operation_id)
    if number is None:
        return desk.render("analyst/message.html", status=404, message=NO_OPERATION)
    return _operation(desk, number)


def _operation(desk: AnalystDesk, operation_id: int) -> Response:
    now = datetime.now(UTC)
    with desk.node.database.engine.connect() as connection:
        row = current_operation(connection, operation_id, now)
        if row is None or row.summary is None:
            return _not_found(desk, operation_id)
        named = operation_indicators(connection, operation_id)
        reports = operation_reports(connection, operation_id, limit=NETWORK_REPORTS)
    # The dossier's own picture, from facts without narratives (nothing personal is read).
    picture = network(
        Dossier(
            operation_id=operation_id,
            summary=row.summary,
            indicators=tuple(named),
            reports=tuple(reports),
            origin=desk.node.settings.node_name,
            generated_at=now,
        )
    )
    return desk.render(
        "analyst/operation.html",
        operation_id=operation_id,
        row=row,
        summary=row.summary,
        indicators=named[:SHOWN_INDICATORS],
        more_indicators=max(0, len(named) - SHOWN_INDICATORS),
        reports=reports[:SHOWN_REPORTS],
        network=picture,
        formats=FORMATS,
        scam_type_name=scam_type_name,
    )


@operations_pages.get("/operations/{operation_id}/dossier")
def dossier(desk: Analyst, operation_id: str, format: str = "html") -> Response:
    number = operation_number(operation_id)
    if number is None:
        return desk.render("analyst/message.html", status=404, message=NO_OPERATION)
    if format not in FORMATS:
        return desk.render("analyst/message.html", status=422, message=NO_FORMAT)
    return _dossier(desk, number, format)


def _dossier(desk: AnalystDesk, operation_id: int, format: str) -> Response:
    now = datetime.now(UTC)
    with desk.node.database.engine.begin() as connection:
        found = load_dossier(connection, operation_id, desk.node.settings.node_name, now)
        if found is None:
            return _not_found(desk, operation_id, "/dossier")
        try:
            body = render_dossier(found, format)
        except ValueError:
            return desk.render("analyst/message.html", status=422, message=NO_STIX)
        append_audit(connection, export_event(found, format, desk.principal.actor))
    return desk.page.finish(
        Response(
            body,
            media_type=MEDIA_TYPES[format],
            headers={
                "content-disposition": f'attachment; filename="{file_name(operation_id, format)}"'
            },
        )
    )
