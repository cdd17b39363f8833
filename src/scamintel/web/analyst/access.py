"""Who may open which analyst page, and the signed session cookie that says who is asking.

An analyst signs in with their API key: the node has no user passwords, so the key is each
person's secret. The session cookie holds the key's id and an expiry, signed with the node's
secret key, never the key itself; every request reads the key's row again, so a revoked key
or a changed role counts from the next page on.

:data:`PAGE_ROLES` lists each route under ``/analyst`` (method and path) and the JSON API route
or command it follows; the roles that may use it are read from the one table of rules,
``access/roles.py`` ``PERMISSIONS``, so a page and its API route cannot drift apart.
docs/analyst-pages.md shows the same table; the tests walk it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from babel.dates import format_skeleton
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from scamintel.access.keys import Principal, Role
from scamintel.access.roles import governing_permission
from scamintel.api.state import NodeState
from scamintel.storage.access_repo import find_api_key
from scamintel.web.analyst.names import VOCABULARY, name_of, names_of
from scamintel.web.analyst.once import (
    FORM_ID_FIELD,
    OneTimeForms,
    ResultT,
    new_form_id,
    usable_form_id,
)
from scamintel.web.i18n import N_
from scamintel.web.rendering import CurrentPage, FormData, Page, page_for
from scamintel.web.security import signed, unsigned

SESSION_COOKIE = "scamintel_analyst"
SESSION_PURPOSE = "analyst-session"
SESSION_MAX_AGE_S = 8 * 3600
LOGIN_PATH = "/analyst/login"
HOME_PATH = "/analyst/"
# The hidden field of every analyst form that names the page it is on (see return_path).
RETURN_FIELD = "return_to"
MAX_FORM_FIELDS = 200


@dataclass(frozen=True, slots=True)
class PageRule:
    method: str
    path: str
    roles: tuple[Role, ...]
    follows: str  # the API route or command whose rule this copies (for the docs)


def page_rule(method: str, path: str, follows: str) -> PageRule:
    """The page with the roles PERMISSIONS gives it. A page no row names is refused to
    everybody: forgetting a row fails closed (and the roles tests name the page)."""
    permission = governing_permission(method, path)
    return PageRule(method, path, permission.roles if permission is not None else (), follows)


PAGE_ROLES: tuple[PageRule, ...] = (
    page_rule("GET", "/analyst/", "GET /api/v1/reports/{id}"),
    page_rule("GET", "/analyst/indicators", "GET /api/v1/reports/{id}"),
    page_rule("GET", "/analyst/operations", "GET /api/v1/clusters"),
    page_rule("GET", "/analyst/operations/{operation_id}", "GET /api/v1/clusters/{id}"),
    page_rule(
        "GET", "/analyst/operations/{operation_id}/dossier", "GET /api/v1/clusters/{id}/dossier"
    ),
    page_rule("GET", "/analyst/cases", "GET /api/v1/cases"),
    page_rule("POST", "/analyst/cases", "POST /api/v1/cases"),
    page_rule("GET", "/analyst/cases/{case_id}", "GET /api/v1/cases/{id}"),
    page_rule("POST", "/analyst/cases/{case_id}/status", "PATCH /api/v1/cases/{id}"),
    page_rule("POST", "/analyst/cases/{case_id}/notes", "POST /api/v1/cases/{id}/notes"),
    page_rule("POST", "/analyst/cases/{case_id}/links", "POST /api/v1/cases/{id}/links"),
    page_rule(
        "POST", "/analyst/cases/{case_id}/unlink", "DELETE /api/v1/cases/{id}/links/{kind}/{ref}"
    ),
    page_rule("GET", "/analyst/requests", "GET /api/v1/requests"),
    page_rule("GET", "/analyst/alerts", "GET /api/v1/alerts (public)"),
    page_rule("POST", "/analyst/alerts", "POST /api/v1/alerts"),
    page_rule("GET", "/analyst/disputes", "GET /api/v1/review-queue"),
    page_rule(
        "POST", "/analyst/disputes/{dispute_id}/decision", "POST /api/v1/disputes/{id}/decision"
    ),
    page_rule("GET", "/analyst/partners", "scamintel agreement list, peer list"),
    page_rule("GET", "/analyst/audit", "scamintel audit verify (the operator)"),
)
RULES: Mapping[tuple[str, str], PageRule] = {(rule.method, rule.path): rule for rule in PAGE_ROLES}

# The analyst navigation, in order: the pages a role may open are shown to it.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("/analyst/", N_("Dashboard")),
    ("/analyst/indicators", N_("Indicators")),
    ("/analyst/operations", N_("Operations")),
    ("/analyst/cases", N_("Cases")),
    ("/analyst/requests", N_("Requests")),
    ("/analyst/alerts", N_("Alerts")),
    ("/analyst/disputes", N_("Disputes")),
    ("/analyst/partners", N_("Partners")),
    ("/analyst/audit", N_("Audit log")),
)

ROLE_NAMES: Mapping[Role, str] = {
    Role.REPORTER: N_("reporter"),
    Role.ANALYST: N_("analyst"),
    Role.INVESTIGATOR: N_("investigator"),
    Role.ADMIN: N_("admin"),
    Role.PARTNER: N_("partner node"),
}


class LoginNeededError(Exception):
    """No valid session: the visitor is sent to the login page, then back to ``next_url``."""

    def __init__(self, next_url: str, *, drop_cookie: bool) -> None:
        super().__init__(next_url)
        self.next_url = next_url
        self.drop_cookie = drop_cookie


class RoleRefusedError(Exception):
    """A signed-in key whose role may not use this page (403)."""

    def __init__(self, principal: Principal, roles: tuple[Role, ...]) -> None:
        super().__init__(principal.role.value)
        self.principal = principal
        self.roles = roles


def may_open(role: Role, path: str) -> bool:
    rule = RULES.get(("GET", path))
    return rule is not None and role in rule.roles


def navigation_for(role: Role) -> list[tuple[str, str]]:
    return [(path, label) for path, label in NAVIGATION if may_open(role, path)]


def session_token(secret_key: str, key_id: str, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + SESSION_MAX_AGE_S)
    return signed(secret_key, SESSION_PURPOSE, f"{key_id}:{expires}")


def session_key_id(secret_key: str, token: str | None, now: float | None = None) -> str | None:
    """The key id of a signed, unexpired session token; None otherwise."""
    value = unsigned(secret_key, SESSION_PURPOSE, token)
    if value is None:
        return None
    key_id, _, expires = value.rpartition(":")
    if not key_id or not expires.isdigit():
        return None
    if int(expires) <= (now if now is not None else time.time()):
        return None
    return key_id


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site; else the dashboard. Refuses absolute URLs,
    scheme-relative ``//host`` and backslash tricks that browsers read as another host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME_PATH
    if any(ord(ch) < 0x20 or ch == "\\" for ch in target):
        return HOME_PATH
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME_PATH
    return target


def login_url(next_url: str) -> str:
    return f"{LOGIN_PATH}?{urlencode({'next': safe_next(next_url)})}"


@dataclass
class AnalystDesk:
    """A signed-in analyst's request: the page, the key's principal and the page the
    analyst is on (for a form: the page the form was sent from)."""

    page: Page
    principal: Principal
    here: str = HOME_PATH

    @property
    def node(self) -> NodeState:
        node: NodeState = self.page.request.app.state.node
        return node

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        return self.page.render(
            template,
            status=status,
            analyst=self.principal,
            role_name=ROLE_NAMES[self.principal.role],
            navigation=navigation_for(self.principal.role),
            short_date=self.short_date,
            form_fields=self.form_fields,
            vocabulary=VOCABULARY,
            name_of=name_of,
            names_of=names_of,
            **context,
        )

    def form_fields(self, *, once: bool = False) -> Markup:
        """The hidden fields of an analyst form: the CSRF token, the page it is on, and with
        ``once`` a one-time id that makes a repeat of the form act only once."""
        hidden = Markup('<input type="hidden" name="{}" value="{}">')
        fields = [self.page.csrf_field(), hidden.format(RETURN_FIELD, self.here)]
        if once:
            fields.append(hidden.format(FORM_ID_FIELD, new_form_id()))
        return Markup("").join(fields)

    def run_once(self, form: FormData, act: Callable[[], str | ResultT]) -> Response | ResultT:
        """``act()`` unless this form's one-time id already succeeded; a success (the URL it
        leads to) and a repeat of it both answer with a redirect there."""
        forms: OneTimeForms = self.page.request.app.state.analyst_forms
        form_id = usable_form_id(form.get(FORM_ID_FIELD))
        outcome = forms.run(self.principal.key_id, form_id, act)
        return self.page.redirect(outcome) if isinstance(outcome, str) else outcome

    def short_date(self, day: date) -> str:
        """Day and month as the page's language writes them (chart axes)."""
        return format_skeleton("MMMd", day, locale=self.page.locale)

    def may(self, method: str, path: str) -> bool:
        """Whether this analyst's role may use another route (to show or hide its form)."""
        rule = RULES.get((method, path))
        return rule is not None and self.principal.role in rule.roles


def _rule_of(request: Request) -> PageRule | None:
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    # HEAD is a GET without the body: the same rule applies.
    method = "GET" if request.method == "HEAD" else request.method
    return RULES.get((method, path)) if isinstance(path, str) else None


async def return_path(request: Request) -> str:
    """Where to come back after signing in: this page, or for a form sent after the session
    ended, the page the form was on. The node sends ``Referrer-Policy: no-referrer``, so each
    analyst form names its page in a hidden field (``{{ return_field() }}`` in the layout)."""
    if request.method in ("GET", "HEAD"):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return HOME_PATH
    try:
        fields = parse_qs((await request.body()).decode("utf-8"), max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return HOME_PATH
    target = safe_next(fields.get(RETURN_FIELD, [""])[0])
    return target if target.startswith("/analyst") else HOME_PATH


ReturnPath = Annotated[str, Depends(return_path)]


def _signed_in(page: Page, here: str) -> Principal:
    request = page.request
    token = request.cookies.get(SESSION_COOKIE)
    key_id = session_key_id(page.settings.secret_key, token)
    if key_id is None:
        raise LoginNeededError(here, drop_cookie=token is not None)
    node: NodeState = request.app.state.node
    with node.database.engine.connect() as connection:
        stored = find_api_key(connection, key_id)
    if stored is None or stored.revoked:
        raise LoginNeededError(here, drop_cookie=True)
    return Principal(
        stored.organisation_id,
        stored.organisation_name,
        stored.role,
        stored.key_id,
        stored.organisation_kind,
        stored.organisation_verified,
    )


def current_analyst(page: CurrentPage, here: ReturnPath) -> AnalystDesk:
    """The signed-in analyst, allowed by :data:`PAGE_ROLES` for this route; otherwise a
    redirect to the login page (no session) or a 403 page (a role that may not)."""
    principal = _signed_in(page, here)
    rule = _rule_of(page.request)
    # A route missing from the table is refused to everybody: forgetting a rule fails closed.
    allowed = rule.roles if rule is not None else ()
    if principal.role not in allowed:
        raise RoleRefusedError(principal, allowed)
    return AnalystDesk(page, principal, here)


Analyst = Annotated[AnalystDesk, Depends(current_analyst)]


def login_needed(request: Request, error: Exception) -> Response:
    page = page_for(request)
    if isinstance(error, LoginNeededError) and error.drop_cookie:
        page.forget(SESSION_COOKIE)
    next_url = error.next_url if isinstance(error, LoginNeededError) else HOME_PATH
    return page.redirect(login_url(next_url))


def role_refused(request: Request, error: Exception) -> Response:
    page = page_for(request)
    roles = error.roles if isinstance(error, RoleRefusedError) else ()
    principal = error.principal if isinstance(error, RoleRefusedError) else None
    return page.render(
        "analyst/forbidden.html",
        status=403,
        needed=[page.gettext(ROLE_NAMES[role]) for role in roles],
        role_name=page.gettext(ROLE_NAMES[principal.role]) if principal else "",
    )
