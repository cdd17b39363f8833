"""``/analyst/audit``: the same verification as `scamintel audit verify` (the whole hash
chain, recomputed from the first entry) and the latest entries."""

from __future__ import annotations

from fastapi.responses import HTMLResponse

from scamintel.governance.audit import verify_chain
from scamintel.storage.store import latest_audit_entries, read_audit_entries
from scamintel.web.analyst.access import Analyst
from scamintel.web.rendering import page_router

audit_pages = page_router("/analyst")

SHOWN_ENTRIES = 50


@audit_pages.get("/audit")
def audit(desk: Analyst) -> HTMLResponse:
    with desk.node.database.engine.connect() as connection:
        verification = verify_chain(read_audit_entries(connection))
        latest = latest_audit_entries(connection, limit=SHOWN_ENTRIES)
    return desk.render(
        "analyst/audit.html",
        verification=verification,
        entries=latest,
    )
