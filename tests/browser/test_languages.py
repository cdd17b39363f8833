"""Switching language in Chromium with the switcher at the foot of every page: the document's
language and its words change, and the choice is remembered."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.node import ALERTS

from scamintel.web.i18n import load_catalogs

pytestmark = pytest.mark.browser

HEADING = "Check before you pay"


def heading_in(language: str) -> str:
    """The home page's heading as the catalog of ``language`` words it (English until it is
    translated)."""
    return load_catalogs().for_language(language).gettext(HEADING)


def switch_to(page: Page, name: str) -> None:
    page.locator(".language-switcher").get_by_role("link", name=name, exact=True).click()


@pytest.mark.parametrize(("language", "name"), [("th", "ไทย"), ("my", "မြန်မာ")])
def test_the_switcher_changes_the_page_language_and_remembers_it(
    page: Page, language: str, name: str
) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)

    switch_to(page, name)

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading_in(language))
    page.goto("/")  # no ?lang: the cookie remembers the choice
    expect(page.locator("html")).to_have_attribute("lang", language)
    switch_to(page, "English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)


def test_thai_then_burmese_from_a_verdict_page_keeps_the_check(page: Page) -> None:
    page.goto("/check?q=081-234-5678")
    switch_to(page, "ไทย")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.locator("section.verdict")).to_have_class("verdict verdict-scam")
    switch_to(page, "မြန်မာ")
    expect(page.locator("html")).to_have_attribute("lang", "my")
    expect(page.locator("section.verdict")).to_have_class("verdict verdict-scam")


def test_a_browser_set_to_thai_gets_thai_pages_first(browser: Browser, base_url: str) -> None:
    context = browser.new_context(locale="th-TH", base_url=base_url)
    page = context.new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading_in("th"))
    context.close()


@pytest.mark.parametrize(
    ("language", "title"), [(alert["languages"][0], alert["title"]) for alert in ALERTS]
)
def test_the_alerts_page_shows_the_alerts_written_in_the_readers_language(
    page: Page, language: str, title: str
) -> None:
    page.goto(f"/alerts?lang={language}")

    expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    expect(page.locator("article")).to_have_count(1)
