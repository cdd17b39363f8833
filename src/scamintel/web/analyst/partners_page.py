"""``/analyst/partners``: the sharing agreements in force and the peer nodes this node pulls
from (read-only: the operator changes them with `scamintel agreement` and `scamintel peer`).
Never shows a peer's key or an agreement's blind key."""

from __future__ import annotations

from fastapi.responses import HTMLResponse

from scamintel.storage.partner_repo import all_agreements
from scamintel.storage.peers_repo import list_peers
from scamintel.web.analyst.access import Analyst
from scamintel.web.rendering import page_router

partners_pages = page_router("/analyst")


@partners_pages.get("/partners")
def partners(desk: Analyst) -> HTMLResponse:
    sealer = desk.node.database.sealer
    with desk.node.database.engine.connect() as connection:
        agreements = all_agreements(connection, sealer)
        peers = list_peers(connection, sealer)
    return desk.render(
        "analyst/partners.html",
        agreements=agreements,
        peers=[(peer.name, peer.url, peer.last_sync_at, peer.last_error) for peer in peers],
    )
