"""Every page in each of the nine languages, in Chromium: it answers, the document says its
language, and the words around it (navigation, footer) come from that language's catalog. The
analyst pages are the ones an analyst's navigation offers (the pages' own role table)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.browser.node import DemoNode

from scamintel.access.keys import Role
from scamintel.web.analyst.access import navigation_for
from scamintel.web.i18n import LANGUAGE_NAMES, load_catalogs

pytestmark = pytest.mark.browser

PUBLIC_PAGES = (
    "/",
    "/check?q=081-234-5678",
    "/report",
    "/alerts",
    "/learn",
    "/learn/spot?n=1",
    "/dispute",
    "/my-data",
    "/privacy",
    "/transparency",
)
FOOTER_NOTE = "Never share one-time codes (OTP), PINs or passwords with anyone who contacts you."


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_public_page_is_in_the_readers_language(page: Page, language: str) -> None:
    words = load_catalogs().for_language(language)
    for path in PUBLIC_PAGES:
        separator = "&" if "?" in path else "?"
        response = page.goto(f"{path}{separator}lang={language}")

        assert response is not None
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        navigation = page.get_by_role("navigation", name=words.gettext("Main"))
        expect(navigation.get_by_role("link", name=words.gettext("Report a scam"))).to_be_visible()
        expect(page.locator(".footer-note")).to_have_text(words.gettext(FOOTER_NOTE))


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_analyst_page_is_in_the_analysts_language(
    page: Page, node: DemoNode, language: str
) -> None:
    words = load_catalogs().for_language(language)
    page.goto(f"/analyst/login?lang={language}")
    page.locator("#api_key").fill(node.analyst_key)
    page.locator("button[type=submit]").click()

    for path, _label in navigation_for(Role.ANALYST):
        response = page.goto(path)

        assert response is not None
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("navigation", name=words.gettext("Analyst pages"))).to_be_visible()
