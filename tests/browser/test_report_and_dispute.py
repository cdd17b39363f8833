"""A citizen reports a scam through the form to its reference, and a holder contests a
listing, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.browser.actions import check_from_home, send_dispute, send_report
from tests.browser.node import DemoNode

pytestmark = pytest.mark.browser


def test_the_report_form_ends_on_the_reference_and_the_number_is_then_flagged(
    page: Page,
) -> None:
    reference = send_report(page, "092-555-0101")

    assert re.fullmatch(r"R-[0-9A-Z-]+", reference), reference
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    check_from_home(page, "092-555-0101")
    card = page.locator("section.verdict")
    expect(card).to_have_class("verdict verdict-suspicious")
    expect(card).to_contain_text("1 report about it.")


def test_a_report_without_a_story_is_refused_beside_the_field_and_nothing_is_lost(
    page: Page,
) -> None:
    page.goto("/report")
    page.get_by_label("The numbers, links, accounts or chat IDs they used").fill("092-555-0102")
    page.get_by_label("Amount", exact=True).fill("a lot")
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("alert")).to_contain_text("Nothing you typed was lost")
    expect(page.locator("#amount-error")).to_be_visible()
    expect(page.get_by_label("The numbers, links, accounts or chat IDs they used")).to_have_value(
        "092-555-0102"
    )
    expect(page.get_by_label("Amount", exact=True)).to_have_value("a lot")


def test_a_holder_contests_a_listing_and_the_check_then_says_it_is_under_review(
    page: Page, node: DemoNode
) -> None:
    node.list_as_scam("092-555-0103")

    reference = send_dispute(page, "092-555-0103")

    assert reference
    expect(page.locator(".notice")).to_contain_text("+66925550103")
    check_from_home(page, "092-555-0103")
    expect(page.locator("section.verdict")).to_contain_text("The owner has contested this listing")
