"""What a citizen does on the public pages, step by step, as a reader would (labels and
buttons by their English names). The tests run them with and without JavaScript."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def check_from_home(page: Page, value: str) -> None:
    """Types ``value`` in the box on the home page and asks for the verdict."""
    page.goto("/")
    page.get_by_role("textbox", name="Number, link, account or message").fill(value)
    page.get_by_role("button", name="Check", exact=True).click()


def send_report(page: Page, number: str) -> str:
    """Fills the report form step by step for a fake-police call from ``number``; the
    reference shown at the end."""
    page.goto("/report")
    page.get_by_label("What kind of scam was it?").select_option("officials_impersonated")
    page.get_by_label("Tell us what happened, in your own words").fill(
        "A man said he was from the police and that my bank account was used for crime. "
        "He told me to move my money to a safe account to prove I was innocent."
    )
    page.get_by_label("How did they contact you?").select_option("call")
    page.get_by_label("The numbers, links, accounts or chat IDs they used").fill(number)
    page.get_by_label("Amount", exact=True).fill("25000")
    page.get_by_label("Currency").select_option("THB")
    page.get_by_label("When did it happen?").fill("2026-10-02")
    page.get_by_label("What evidence do you have?").fill("Screenshots of the call log.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your report was received")
    return page.locator("#report-reference").inner_text().strip()


def send_dispute(page: Page, value: str) -> str:
    """Contests the listing of ``value`` as its holder; the dispute reference shown."""
    page.goto("/dispute")
    page.get_by_label("The number, link, account or wallet").fill(value)
    page.get_by_label("Why is the listing wrong?").fill(
        "This number was given to my noodle shop in March; I never called anyone."
    )
    page.get_by_label("Your name").fill("Somsak")
    page.get_by_label("Your phone number").fill("+66899999999")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request was received")
    return page.locator("#dispute-reference").inner_text().strip()


def answer_spot_the_scam(page: Page) -> None:
    """Opens the exercise from the lessons and answers the first message: it is a scam."""
    page.goto("/learn")
    page.get_by_role("link", name="Try it: spot the scam").click()
    page.get_by_label("Yes, it is a scam").check()
    page.get_by_role("button", name="Check my answer").click()
