"""The analysts' pages under /analyst/: sign in with an API key, then the dashboard, indicator
search, operations, cases, requests, alerts, disputes, partners and the audit log, each open
to the roles :data:`scamintel.web.analyst.access.PAGE_ROLES` names."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from scamintel.web.analyst.access import (
    LoginNeededError,
    RoleRefusedError,
    login_needed,
    role_refused,
)
from scamintel.web.analyst.alerts_page import alerts_pages
from scamintel.web.analyst.audit_page import audit_pages
from scamintel.web.analyst.cases_page import cases_pages
from scamintel.web.analyst.dashboard_page import dashboard_pages
from scamintel.web.analyst.disputes_page import disputes_pages
from scamintel.web.analyst.indicators_page import indicators_pages
from scamintel.web.analyst.login_page import login_pages
from scamintel.web.analyst.once import OneTimeForms
from scamintel.web.analyst.operations_page import operations_pages
from scamintel.web.analyst.partners_page import partners_pages
from scamintel.web.analyst.requests_page import requests_pages
from scamintel.web.rendering import page_router

# Every router of the analyst pages; the tests walk them against the roles table.
ANALYST_ROUTERS: tuple[APIRouter, ...] = (
    login_pages,
    dashboard_pages,
    indicators_pages,
    operations_pages,
    cases_pages,
    requests_pages,
    alerts_pages,
    disputes_pages,
    partners_pages,
    audit_pages,
)
analyst_pages = page_router()
for router in ANALYST_ROUTERS:
    # A page that answers GET answers HEAD too (link checkers, monitoring), under the GET rule.
    for route in router.routes:
        if isinstance(route, APIRoute) and route.methods and "GET" in route.methods:
            route.methods.add("HEAD")
    analyst_pages.include_router(router)


def install_analyst_errors(app: FastAPI) -> None:
    """The answers to a visitor without a session (to the login page) and to a key whose
    role may not open a page (403); and the memory of one-time form ids."""
    app.state.analyst_forms = OneTimeForms()
    app.add_exception_handler(LoginNeededError, login_needed)
    app.add_exception_handler(RoleRefusedError, role_refused)
