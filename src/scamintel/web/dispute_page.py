"""``/dispute``: the holder of a listed number, account or site contests the listing, on the
same dispute service as ``POST /api/v1/disputes``."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from scamintel.api.review_schemas import DisputeIn, DisputeOut
from scamintel.api.state import NodeState
from scamintel.indicators import InvalidIndicatorError, ParseContext
from scamintel.reports.disputes import NothingToDisputeError
from scamintel.reports.reading import Reading
from scamintel.storage.submissions import file_dispute
from scamintel.web.i18n import N_
from scamintel.web.rendering import CheckedForm, CurrentPage, FormData, Page, page_router
from scamintel.web.report_page import SEND_AGAIN

dispute_pages = page_router()

DISPUTE_PROBLEMS: Mapping[str, str] = {
    "value": N_("Give the number, link, account or wallet exactly as it is listed."),
    "unreadable": N_("We could not read this as a phone number, link, account, wallet or chat ID."),
    "not_listed": N_("This is not listed as a scam here, so there is nothing to contest."),
    "claim": N_("Explain in at least a few words why the listing is wrong."),
    "contact": N_("Check your contact details: each must be shorter than 300 characters."),
    "busy": N_("Someone sent a dispute of this value at the same moment. Please send yours again."),
}


@dispute_pages.get("/dispute")
def dispute_form(page: CurrentPage, value: str = "") -> HTMLResponse:
    return page.render("dispute.html", values={"value": value.strip()}, problems={}, notice=None)


def dispute_sent_without_token(page: Page, form: FormData) -> HTMLResponse:
    """The form as typed, with a fresh token, when its token was refused: nothing stored."""
    values = form.as_values()
    return page.render("dispute.html", status=403, values=values, problems={}, notice=SEND_AGAIN)


@dispute_pages.post("/dispute")
def send_dispute(page: CurrentPage, form: CheckedForm) -> HTMLResponse:
    typed = form.as_values()
    contact = {
        key: form.get(f"contact_{key}").strip() or None for key in ("name", "phone", "email")
    }
    problems: dict[str, str] = {}
    try:
        body = DisputeIn.model_validate(
            {
                "value": form.get("value").strip(),
                "region": page.country,
                "claim": form.get("claim"),
                "contact": {k: v for k, v in contact.items() if v} or None,
            }
        )
    except ValidationError as error:
        for item in error.errors():
            field = str(item.get("loc", ("value",))[0])
            problems.setdefault(field, DISPUTE_PROBLEMS.get(field, DISPUTE_PROBLEMS["value"]))
        return _form_again(page, typed, problems)
    node: NodeState = page.request.app.state.node
    reading = Reading(node.registry, ParseContext(page.country), node.warninglist)
    try:
        dispute, created = file_dispute(
            node.database,
            body.value,
            body.type,
            reading=reading,
            claim=body.claim,
            contact=body.contact,
            actor="public",
        )
    except InvalidIndicatorError:
        problems["value"] = DISPUTE_PROBLEMS["unreadable"]
    except NothingToDisputeError:
        problems["value"] = DISPUTE_PROBLEMS["not_listed"]
    except IntegrityError:
        problems["value"] = DISPUTE_PROBLEMS["busy"]
    if problems:
        return _form_again(page, typed, problems)
    return page.render("dispute_done.html", dispute=DisputeOut.of(dispute), created=created)


def _form_again(page: Page, typed: Mapping[str, str], problems: Mapping[str, str]) -> HTMLResponse:
    return page.render("dispute.html", status=422, values=typed, problems=problems, notice=None)
