"""Every public page does its main job with JavaScript switched off: the check, the report,
the alerts and their feed, the spot-the-scam exercise and the dispute."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.browser.actions import answer_spot_the_scam, check_from_home, send_dispute, send_report
from tests.browser.node import LISTED_NUMBER, SCAM_MESSAGE, DemoNode

pytestmark = pytest.mark.browser


def test_the_check_gives_its_verdict_without_javascript(no_script_page: Page) -> None:
    check_from_home(no_script_page, LISTED_NUMBER)
    expect(no_script_page.locator("section.verdict")).to_have_class("verdict verdict-scam")

    check_from_home(no_script_page, SCAM_MESSAGE)
    expect(no_script_page.locator(".message mark").first).to_be_visible()


def test_a_report_reaches_its_reference_without_javascript(no_script_page: Page) -> None:
    reference = send_report(no_script_page, "092-555-0201")
    assert re.fullmatch(r"R-[0-9A-Z-]+", reference), reference


def test_the_alerts_and_their_feed_open_without_javascript(no_script_page: Page) -> None:
    no_script_page.goto("/alerts")
    expect(no_script_page.get_by_role("heading", level=1)).to_contain_text("Scam alerts for")
    feed = no_script_page.get_by_role("link", name=re.compile("Atom feed"))
    href = feed.get_attribute("href")
    assert href
    response = no_script_page.request.get(href)
    assert response.ok
    assert "atom" in response.headers["content-type"]


def test_spot_the_scam_gives_feedback_without_javascript(no_script_page: Page) -> None:
    answer_spot_the_scam(no_script_page)
    expect(no_script_page.get_by_role("status")).to_contain_text(re.compile(r"Right!|Not quite\."))
    expect(no_script_page.get_by_role("heading", name="Why")).to_be_visible()


def test_a_dispute_reaches_its_reference_without_javascript(
    no_script_page: Page, node: DemoNode
) -> None:
    node.list_as_scam("092-555-0203")
    assert send_dispute(no_script_page, "092-555-0203")
