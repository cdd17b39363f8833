"""``/analyst/login`` and ``/analyst/logout``: signing in with an API key, signing out."""

from __future__ import annotations

from fastapi.responses import HTMLResponse, Response

from scamintel.access.keys import split_token
from scamintel.access.roles import DESK_ROLES
from scamintel.api.state import NodeState
from scamintel.web.analyst.access import (
    LOGIN_PATH,
    SESSION_COOKIE,
    SESSION_MAX_AGE_S,
    safe_next,
    session_token,
)
from scamintel.web.i18n import N_
from scamintel.web.rendering import CheckedForm, CurrentPage, page_router

login_pages = page_router("/analyst")

# One message whatever went wrong: it must not tell a guesser whether a key id exists.
LOGIN_REFUSED = N_(
    "This key was not accepted. Check that you pasted the whole key, or ask the operator of "
    "this node for a new one."
)
NOT_A_DESK_KEY = N_(
    "This key works, but it is for a machine (a reporter or a partner node), not for these "
    "pages. Sign in with an analyst, investigator or admin key."
)
MAX_KEY_CHARS = 200


@login_pages.get("/login")
def login_form(page: CurrentPage, next: str = "") -> HTMLResponse:
    return page.render("analyst/login.html", next_url=safe_next(next), problem=None)


@login_pages.post("/login")
def log_in(page: CurrentPage, form: CheckedForm) -> Response:
    next_url = safe_next(form.get("next"))
    token = form.get("api_key").strip()
    node: NodeState = page.request.app.state.node
    principal = None
    if len(token) <= MAX_KEY_CHARS and split_token(token) is not None:
        principal = node.keys.principal_for(token)
    if principal is None:
        return page.render(
            "analyst/login.html", status=401, next_url=next_url, problem=LOGIN_REFUSED
        )
    if principal.role not in DESK_ROLES:
        return page.render(
            "analyst/login.html", status=403, next_url=next_url, problem=NOT_A_DESK_KEY
        )
    page.remember(
        SESSION_COOKIE,
        session_token(page.settings.secret_key, principal.key_id),
        max_age=SESSION_MAX_AGE_S,
    )
    return page.redirect(next_url)


@login_pages.post("/logout")
def log_out(page: CurrentPage, _form: CheckedForm) -> Response:
    page.forget(SESSION_COOKIE)
    return page.redirect(LOGIN_PATH)
