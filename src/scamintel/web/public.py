"""The citizens' pages: check, report, alerts, learn, dispute. Each parses what the reader
sent, calls the same service as the JSON API and renders a template."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi.responses import Response

from scamintel.web.alerts_page import alerts_pages
from scamintel.web.check_page import check_pages
from scamintel.web.dispute_page import dispute_pages, dispute_sent_without_token
from scamintel.web.learn_page import learn_pages
from scamintel.web.my_data_page import my_data_pages, my_data_sent_without_token
from scamintel.web.privacy_page import privacy_pages
from scamintel.web.rendering import FormData, Page, page_router
from scamintel.web.report_page import report_pages, report_sent_without_token
from scamintel.web.transparency_page import transparency_pages

public_pages = page_router()
public_pages.include_router(check_pages)
public_pages.include_router(report_pages)
public_pages.include_router(alerts_pages)
public_pages.include_router(dispute_pages)
public_pages.include_router(learn_pages)
public_pages.include_router(privacy_pages)
public_pages.include_router(my_data_pages)
public_pages.include_router(transparency_pages)

# The forms shown again as typed when their CSRF token is refused (see setup.py).
FORMS_SHOWN_AGAIN: Mapping[str, Callable[[Page, FormData], Response]] = {
    "/report": report_sent_without_token,
    "/dispute": dispute_sent_without_token,
    "/my-data": my_data_sent_without_token,
}
