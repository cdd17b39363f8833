"""How a page is made: the Jinja2 environment of one app, the per-request :class:`Page` (its
language, the reader's country, the CSRF token) and the static files.

A route takes ``page: CurrentPage`` and returns ``page.render("name.html", key=value)``; a
POST route also takes ``form: CheckedForm``, which refuses the request unless its CSRF token
matches (see security.py)."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from gettext import NullTranslations
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qs, urlencode

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from scamintel.settings import Settings
from scamintel.web.i18n import LANGUAGE_NAMES, Catalogs, choose_language, load_catalogs
from scamintel.web.learn import ExercisePool
from scamintel.web.security import (
    CONTENT_SECURITY_POLICY,
    COUNTRY_COOKIE,
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_MAX_AGE_S,
    LANGUAGE_COOKIE,
    PREFERENCE_MAX_AGE_S,
    CsrfRejectedError,
    csrf_is_valid,
    csrf_token_for,
    new_csrf_cookie,
)

# The countries a reader may pick for "who to call" (ASEAN), in the switcher's order.
READER_COUNTRIES: tuple[str, ...] = ("TH", "MM", "KH", "LA", "VN", "ID", "MY", "PH", "SG", "BN")
# CLDR knows Filipino as "fil"; our pages use the ISO 639-1 code "tl".
_CLDR_LOCALE = {"tl": "fil"}
_MAX_FORM_FIELDS = 200
NEVER_STORED_PREFIX = "/analyst"
# Longer query values are not repeated in the language links (see Page.language_url).
MAX_REPEATED_QUERY_VALUE = 200
_VERSIONED_MAX_AGE_S = 365 * 24 * 3600
_UNVERSIONED_MAX_AGE_S = 300
ResponseT = TypeVar("ResponseT", bound=Response)


def page_router(prefix: str = "") -> APIRouter:
    """A router for pages: HTML responses, left out of the OpenAPI document."""
    return APIRouter(prefix=prefix, include_in_schema=False, default_response_class=HTMLResponse)


@dataclass(frozen=True, slots=True)
class StaticFile:
    body: bytes
    media_type: str
    version: str


@dataclass(frozen=True, slots=True)
class StaticAssets:
    """The files under ``web/static``, read once at start-up; URLs carry a content hash so
    browsers may keep them for a year."""

    files: Mapping[str, StaticFile]

    @classmethod
    def load(cls, folder: Traversable | None = None) -> StaticAssets:
        root = folder or resources.files("scamintel.web") / "static"
        found: dict[str, StaticFile] = {}
        _collect_static(root, "", found)
        return cls(found)

    def url(self, path: str) -> str:
        asset = self.files.get(path)
        if asset is None:
            raise KeyError(f"no static file {path!r} under scamintel/web/static")
        return f"/static/{path}?v={asset.version}"

    def response(self, path: str, version: str | None) -> Response:
        asset = self.files.get(path)
        if asset is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        max_age = _VERSIONED_MAX_AGE_S if version == asset.version else _UNVERSIONED_MAX_AGE_S
        cache = f"public, max-age={max_age}" + (", immutable" if version == asset.version else "")
        return Response(
            asset.body,
            media_type=asset.media_type,
            headers={"cache-control": cache, "etag": f'"{asset.version}"'},
        )


def _collect_static(folder: Traversable, prefix: str, found: dict[str, StaticFile]) -> None:
    for entry in folder.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            _collect_static(entry, name + "/", found)
        elif not entry.name.startswith("."):
            body = entry.read_bytes()
            media_type = mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type.endswith("javascript"):
                media_type += "; charset=utf-8"
            found[name] = StaticFile(body, media_type, hashlib.sha256(body).hexdigest()[:12])


@dataclass(frozen=True, slots=True)
class WebUi:
    """Everything the pages of one app share; built by :func:`build_web_ui` in create_app."""

    settings: Settings
    environment: Environment
    catalogs: Catalogs
    assets: StaticAssets
    exercises: ExercisePool


def build_web_ui(settings: Settings) -> WebUi:
    environment = Environment(
        loader=PackageLoader("scamintel.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Newstyle gettext: `_("Hello %(name)s", name=x)` escapes x, and the translations come
    # from the page being rendered (one environment serves every language at once).
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_context_gettext, ngettext=_context_ngettext, newstyle=True
    )
    return WebUi(
        settings,
        environment,
        load_catalogs(),
        StaticAssets.load(),
        ExercisePool(settings.learn_messages_dir),
    )


@pass_context
def _context_gettext(context: Context, message: str) -> str:
    translations: NullTranslations = context["page"].translations
    return translations.gettext(message)


@pass_context
def _context_ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    translations: NullTranslations = context["page"].translations
    return translations.ngettext(singular, plural, count)


@dataclass
class Page:
    """One request's view of the pages: language, reader's country, CSRF token, and the
    cookies the response must set to remember them."""

    request: Request
    ui: WebUi
    language: str
    country: str
    csrf_token: str
    secure_cookies: bool
    _cookies: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    @property
    def translations(self) -> NullTranslations:
        return self.ui.catalogs.for_language(self.language)

    @property
    def settings(self) -> Settings:
        return self.ui.settings

    @property
    def languages(self) -> Mapping[str, str]:
        return LANGUAGE_NAMES

    @property
    def countries(self) -> tuple[str, ...]:
        return READER_COUNTRIES

    def gettext(self, message: str, **variables: object) -> str:
        """``message`` in the page's language, with ``%(name)s`` placeholders filled in."""
        translated = self.translations.gettext(message)
        return translated % variables if variables else translated

    @property
    def locale(self) -> Locale:
        """The page language's CLDR locale (names of countries, dates, numbers; offline)."""
        try:
            return Locale.parse(_CLDR_LOCALE.get(self.language, self.language))
        except (UnknownLocaleError, ValueError):
            return Locale("en")

    def country_name(self, code: str) -> str:
        return str(self.locale.territories.get(code, code))

    def format_date(self, moment: date | None) -> str:
        """A date as readers of the page's language write it ("" for none)."""
        return "" if moment is None else format_date(moment, format="medium", locale=self.locale)

    def format_number(self, number: float | Decimal) -> str:
        return format_decimal(number, locale=self.locale)

    def static_url(self, path: str) -> str:
        return self.ui.assets.url(path)

    def language_url(self, language: str) -> str:
        """This page in another language (same path and query, ``lang`` replaced). A long
        query value (a pasted message) is left out: repeated in nine links it would make the
        page heavy; the check without its message starts again from the box."""
        changes: dict[str, str | None] = {
            key: None
            for key, value in self.request.query_params.items()
            if len(value) > MAX_REPEATED_QUERY_VALUE
        }
        dropped = set(changes)
        changes["lang"] = language
        url = self.url_with(**changes)
        if "q" in dropped and self.request.url.path == "/check":
            url = "/" + url[len("/check") :]
        return url

    def url_with(self, **changes: str | None) -> str:
        query = {
            key: value for key, value in self.request.query_params.items() if key not in changes
        }
        query.update({key: value for key, value in changes.items() if value is not None})
        encoded = urlencode(query)
        return self.request.url.path + (f"?{encoded}" if encoded else "")

    def remember(self, name: str, value: str, max_age: int | None = PREFERENCE_MAX_AGE_S) -> None:
        """Set an HttpOnly, SameSite=Lax cookie on this page's response (Secure over https)."""
        self._cookies[name] = (value, max_age)

    def forget(self, name: str) -> None:
        self._cookies[name] = ("", 0)

    def csrf_field(self) -> Markup:
        """The hidden input every POST form carries: ``{{ page.csrf_field() }}``."""
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            CSRF_FIELD, self.csrf_token
        )

    @property
    def cache_control(self) -> str:
        """Analyst pages (case notes, dossiers) are never kept by the browser or a proxy;
        public pages may be kept if revalidated."""
        if self.request.url.path.startswith(NEVER_STORED_PREFIX):
            return "no-store"
        return "private, no-cache"

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        body = self.ui.environment.get_template(template).render(page=self, **context)
        response = HTMLResponse(body, status_code=status)
        return self.finish(response)

    def redirect(self, url: str) -> RedirectResponse:
        """See other (303): after a POST, the browser GETs ``url``."""
        return self.finish(RedirectResponse(url, status_code=303))

    def finish(self, response: ResponseT) -> ResponseT:
        """The page's headers and cookies on any response a page route returns."""
        response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY
        response.headers["cache-control"] = self.cache_control
        response.headers["vary"] = "Cookie, Accept-Language"
        for name, (value, max_age) in self._cookies.items():
            response.set_cookie(
                name,
                value,
                max_age=max_age,
                path="/",
                httponly=True,
                samesite="lax",
                secure=self.secure_cookies,
            )
        return response


def page_for(request: Request) -> Page:
    """The request's :class:`Page`, made once and kept on the request."""
    existing = getattr(request.state, "page", None)
    if isinstance(existing, Page):
        return existing
    ui: WebUi = request.app.state.web
    settings = ui.settings
    language, chosen_now = choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )
    country, country_chosen_now = _reader_country(request, settings.node_country)
    csrf_cookie = request.cookies.get(CSRF_COOKIE) or ""
    new_cookie = not csrf_cookie
    if new_cookie:
        csrf_cookie = new_csrf_cookie()
    page = Page(
        request=request,
        ui=ui,
        language=language,
        country=country,
        csrf_token=csrf_token_for(settings.secret_key, csrf_cookie),
        secure_cookies=settings.environment == "production" or request.url.scheme == "https",
    )
    if chosen_now:
        page.remember(LANGUAGE_COOKIE, language)
    if country_chosen_now:
        page.remember(COUNTRY_COOKIE, country)
    if new_cookie:
        page.remember(CSRF_COOKIE, csrf_cookie, max_age=CSRF_MAX_AGE_S)
    request.state.page = page
    return page


def _reader_country(request: Request, node_country: str) -> tuple[str, bool]:
    """``?country=``, else the cookie, else the node's country; and whether it was chosen now.
    Only the countries of the switcher are taken: any other code (typed into the address, or
    left in a cookie by an older version) is ignored and never remembered."""
    asked = (request.query_params.get("country") or "").strip().upper()
    if asked in READER_COUNTRIES:
        return asked, True
    remembered = (request.cookies.get(COUNTRY_COOKIE) or "").strip().upper()
    if remembered in READER_COUNTRIES:
        return remembered, False
    return node_country, False


async def current_page(request: Request) -> Page:
    return page_for(request)


CurrentPage = Annotated[Page, Depends(current_page)]


@dataclass(frozen=True, slots=True)
class FormData:
    """The fields of a submitted form (application/x-www-form-urlencoded)."""

    fields: Mapping[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))

    def as_values(self) -> dict[str, str]:
        """Every field's first value, to refill a form (the CSRF token left out)."""
        return {name: values[0] for name, values in self.fields.items() if name != CSRF_FIELD}


async def checked_form(request: Request) -> FormData:
    """The form's fields, once its CSRF token matches the reader's cookie; else
    :class:`CsrfRejectedError` (a 403 page) before anything is read or stored."""
    page = page_for(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    fields: dict[str, list[str]] = {}
    if content_type == "application/x-www-form-urlencoded":
        try:
            fields = parse_qs(
                body.decode("utf-8"),
                keep_blank_values=True,
                strict_parsing=False,
                max_num_fields=_MAX_FORM_FIELDS,
            )
        except (UnicodeDecodeError, ValueError):
            fields = {}
    submitted = fields.get(CSRF_FIELD, [""])[0]
    if not csrf_is_valid(
        page.settings.secret_key, request.cookies.get(CSRF_COOKIE), submitted or None
    ):
        raise CsrfRejectedError(fields)
    return FormData(fields)


CheckedForm = Annotated[FormData, Depends(checked_form)]
