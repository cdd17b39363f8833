"""Puts the pages on an app: the Jinja2 environment and catalogs, the static files, the page
routers, the HTML answer to a refused form and to a mistyped address. Called by create_app."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from scamintel.settings import Settings
from scamintel.web.analyst import analyst_pages, install_analyst_errors
from scamintel.web.public import FORMS_SHOWN_AGAIN, public_pages
from scamintel.web.rendering import FormData, WebUi, build_web_ui, page_for
from scamintel.web.security import CsrfRejectedError

# The routers of the pages, in the order they are matched. Analyst pages join this list.
PAGE_ROUTERS: tuple[APIRouter, ...] = (public_pages, analyst_pages)

static_files = APIRouter(include_in_schema=False)
# Paths read by programs: their errors stay JSON problems whatever the Accept header says.
MACHINE_PREFIXES = ("/api", "/taxii2", "/static")
ExceptionHandler = Callable[[Request, Exception], Response | Awaitable[Response]]


@static_files.get("/static/{path:path}")
async def static_file(request: Request, path: str) -> Response:
    ui: WebUi = request.app.state.web
    return ui.assets.response(path, request.query_params.get("v"))


def _csrf_refused(request: Request, error: Exception) -> Response:
    # Nothing was stored. A long public form comes back as typed, with a fresh token, so the
    # reader only sends it again; any other form: the reader reloads it.
    page = page_for(request)
    show_again = FORMS_SHOWN_AGAIN.get(request.url.path) if request.method == "POST" else None
    if show_again is not None and isinstance(error, CsrfRejectedError):
        return show_again(page, FormData(error.fields))
    return page.render("error_csrf.html", status=403)


def _wants_a_page(request: Request) -> bool:
    """A browser asking for something outside the API: it gets an HTML page, not JSON."""
    if request.url.path.startswith(MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def _not_found_page(fallback: ExceptionHandler) -> ExceptionHandler:
    """A mistyped address gets a page in the reader's language; the API's own errors (and
    every error that is not a 404) keep their JSON problem answer."""

    async def answer(request: Request, error: Exception) -> Response:
        if (
            isinstance(error, StarletteHTTPException)
            and error.status_code == 404
            and _wants_a_page(request)
        ):
            return page_for(request).render("error_not_found.html", status=404)
        answered = fallback(request, error)
        return await answered if inspect.isawaitable(answered) else answered

    return answer


def install_web(app: FastAPI, settings: Settings) -> None:
    app.state.web = build_web_ui(settings)
    app.add_exception_handler(CsrfRejectedError, _csrf_refused)
    app.add_exception_handler(
        StarletteHTTPException,
        _not_found_page(app.exception_handlers.get(StarletteHTTPException, http_exception_handler)),
    )
    install_analyst_errors(app)
    app.include_router(static_files)
    for router in PAGE_ROUTERS:
        app.include_router(router)
