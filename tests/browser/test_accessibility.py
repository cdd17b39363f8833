"""axe-core finds no serious or critical accessibility violation on the public pages, in
English and in the scripts of the region, with and without a form error shown."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import BrowserContext
from tests.browser.axe import axe_violations, describe_violations
from tests.browser.node import LISTED_NUMBER, SCAM_MESSAGE

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "home": "/",
    "verdict on a number": f"/check?q={LISTED_NUMBER}",
    "verdict on a message": "/check?" + urlencode({"q": SCAM_MESSAGE}),
    "check with nothing to check": "/check?q=%20",
    "report form": "/report",
    "alerts": "/alerts",
    "lessons": "/learn",
    "spot the scam": "/learn/spot?n=0",
    "spot the scam, answered": "/learn/spot?n=0&answer=scam",
    "dispute form": "/dispute",
    "data-subject request form": "/my-data",
    "privacy policy": "/privacy",
    "transparency report": "/transparency",
    "analyst sign-in": "/analyst/login",
}


def assert_accessible(context: BrowserContext, path: str) -> None:
    page = context.new_page()
    response = page.goto(path)
    assert response is not None
    assert response.status < 400, f"{path} answered {response.status}"
    violations = axe_violations(page)
    page.close()
    assert not violations, f"axe-core on {path}:\n{describe_violations(violations)}"


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_has_no_serious_accessibility_violation(
    axe_context: BrowserContext, path: str
) -> None:
    assert_accessible(axe_context, path)


@pytest.mark.parametrize("language", ["th", "my", "km", "lo", "vi"])
def test_home_and_verdict_in_other_languages_have_no_serious_violation(
    axe_context: BrowserContext, language: str
) -> None:
    assert_accessible(axe_context, f"/?lang={language}")
    assert_accessible(axe_context, f"/check?q={LISTED_NUMBER}&lang={language}")


def test_form_errors_have_no_serious_accessibility_violation(
    axe_context: BrowserContext,
) -> None:
    page = axe_context.new_page()
    page.goto("/report")
    page.get_by_label("Amount", exact=True).fill("a lot")
    page.get_by_role("button", name="Send the report").click()
    page.get_by_role("alert").wait_for()
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core on the refused report form:\n{describe_violations(violations)}"
    )
