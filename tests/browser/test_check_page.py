"""The public check in Chromium: a citizen types a listed number or pastes a message into the
box on the home page and reads the verdict card."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.browser.actions import check_from_home
from tests.browser.node import LISTED_NUMBER, SCAM_MESSAGE

pytestmark = pytest.mark.browser


def test_a_listed_number_typed_in_the_box_shows_the_scam_verdict_card(page: Page) -> None:
    check_from_home(page, LISTED_NUMBER)

    expect(page).to_have_url("/check?q=081-234-5678")
    card = page.locator("section.verdict")
    expect(card).to_have_class("verdict verdict-scam")
    expect(card).to_contain_text("do not pay")
    expect(card).to_contain_text("+66812345678")
    expect(page.get_by_role("heading", name="What to do now")).to_be_visible()
    expect(page.get_by_role("link", name="Report a scam").last).to_be_visible()


def test_a_pasted_message_shows_its_red_flags_highlighted(page: Page) -> None:
    check_from_home(page, SCAM_MESSAGE)

    marked = page.locator(".message mark")
    expect(marked.first).to_be_visible()
    # Each <mark> holds the flagged words, then the flag's name for screen readers.
    highlighted = marked.evaluate_all("marks => marks.map(mark => mark.firstChild.textContent)")
    assert "URGENT" in highlighted
    assert "within 24 hours" in highlighted
    # The highlight is more than a colour: the flags are also listed in words.
    expect(page.get_by_role("heading", name="Red flags we found")).to_be_visible()
    expect(page.locator(".indicator-list")).to_contain_text("https://thaipost-fee.top/pay")


def test_a_value_nobody_reported_is_never_called_safe(page: Page) -> None:
    check_from_home(page, "+66 92 555 0199")

    card = page.locator("section.verdict")
    expect(card).to_have_class("verdict verdict-no_reports")
    expect(card).to_contain_text("does not mean it is safe")
