"""The analyst pages in Chromium: a citizen who is not signed in cannot open them; an analyst
signs in with an API key and the dashboard draws its charts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.browser.node import DemoNode

pytestmark = pytest.mark.browser


def test_a_citizen_who_is_not_logged_in_cannot_open_an_analyst_page(page: Page) -> None:
    response = page.goto("/analyst/")

    assert response is not None
    sent_to_login = "/analyst/login" in page.url
    refused = response.status in (401, 403)
    assert sent_to_login or refused, f"/analyst/ answered {response.status} at {page.url}"
    expect(page.locator("svg.chart")).to_have_count(0)


def test_an_analyst_signs_in_with_a_key_and_the_dashboard_draws_its_charts(
    page: Page, node: DemoNode
) -> None:
    page.goto("/analyst/")
    page.get_by_label("Your API key").fill(node.analyst_key)
    page.get_by_role("button", name="Sign in").click()

    assert "/analyst/login" not in page.url
    charts = page.locator("svg.chart[role=img]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2
    # Each chart is drawn: it has marks on it, not an empty frame.
    for index in range(charts.count()):
        assert charts.nth(index).locator("rect, path, line, circle").count() > 0


def test_a_reporter_key_does_not_open_the_analyst_pages(page: Page, node: DemoNode) -> None:
    page.goto("/analyst/login")
    page.get_by_label("Your API key").fill(node.police_key)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("not for these pages")
    expect(page.locator("svg.chart")).to_have_count(0)
