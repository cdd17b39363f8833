"""``/my-data``: a person asks what this node holds about their phone number, account or
e-mail, or asks for it to be corrected or erased, on the same service as
``POST /api/v1/subject-requests``; ``/my-data/{id}`` follows the request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from uuid import UUID

from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from scamintel.api.state import NodeState
from scamintel.api.subject_requests_schemas import SubjectRequestIn
from scamintel.governance.subject_requests import (
    InvalidSubjectRequestError,
    NewSubjectRequest,
    RequestKind,
    RequestStatus,
    SubjectRequestNotFoundError,
)
from scamintel.indicators import InvalidIndicatorError, ParseContext
from scamintel.reports.reading import Reading, read_value
from scamintel.storage import subject_requests_repo as repo
from scamintel.web.i18n import N_
from scamintel.web.rendering import CheckedForm, CurrentPage, FormData, Page, page_router
from scamintel.web.report_page import SEND_AGAIN

my_data_pages = page_router()

MY_DATA_PROBLEMS: Mapping[str, str] = {
    "kind": N_("Choose what you are asking for."),
    "value": N_("Give your phone number, bank account, e-wallet or e-mail address."),
    "unreadable": N_("We could not read this as a phone number, account, e-wallet or e-mail."),
    "not_personal": N_(
        "This is a website, not a person's number or account. To contest a listed website, "
        "use the dispute form."
    ),
    "contact": N_("Give an e-mail address or a phone number where we can reach you."),
    "details": N_("Your message is too long: keep it under 5000 characters."),
}
KIND_LABELS: Mapping[str, str] = {
    RequestKind.ACCESS.value: N_("Tell me what you hold about it"),
    RequestKind.CORRECTION.value: N_("Correct what is wrong"),
    RequestKind.ERASURE.value: N_("Erase it"),
}
STATUS_WORDS: Mapping[str, str] = {
    RequestStatus.RECEIVED.value: N_(
        "Received. An operator will contact you to confirm that the number, account or "
        "address is yours."
    ),
    RequestStatus.VERIFIED.value: N_(
        "Confirmed as yours. The operator is working on your request."
    ),
    RequestStatus.COMPLETED.value: N_("Completed."),
    RequestStatus.REFUSED.value: N_("Refused."),
}


@my_data_pages.get("/my-data")
def my_data_form(page: CurrentPage) -> HTMLResponse:
    return _form(page, {"kind": RequestKind.ACCESS.value}, {}, None)


def my_data_sent_without_token(page: Page, form: FormData) -> HTMLResponse:
    """The form as typed, with a fresh token, when its token was refused: nothing stored."""
    return _form(page, form.as_values(), {}, SEND_AGAIN, status=403)


@my_data_pages.post("/my-data")
def send_my_data_request(page: CurrentPage, form: CheckedForm) -> HTMLResponse:
    typed = form.as_values()
    contact = {
        key: form.get(f"contact_{key}").strip() or None for key in ("name", "phone", "email")
    }
    problems: dict[str, str] = {}
    if not (contact["email"] or contact["phone"]):
        # The operator must reach the person to verify them; without a way, nothing can happen.
        problems["contact"] = MY_DATA_PROBLEMS["contact"]
    try:
        body = SubjectRequestIn.model_validate(
            {
                "kind": form.get("kind"),
                "identifier": {"value": form.get("value").strip(), "region": page.country},
                "contact": {k: v for k, v in contact.items() if v} or None,
                "details": form.get("details").strip() or None,
            }
        )
    except ValidationError as error:
        for item in error.errors():
            field = str((item.get("loc") or ("value",))[0])
            field = "value" if field == "identifier" else field
            problems.setdefault(field, MY_DATA_PROBLEMS.get(field, MY_DATA_PROBLEMS["value"]))
        return _form(page, typed, problems, None, status=422)
    if problems:
        return _form(page, typed, problems, None, status=422)
    node: NodeState = page.request.app.state.node
    reading = Reading(node.registry, ParseContext(page.country), node.warninglist)
    try:
        identifier = read_value(body.identifier.value, None, reading)
        with node.database.engine.begin() as connection:
            opened = repo.open_request(
                connection,
                node.database.sealer,
                node.settings.secret_key,
                NewSubjectRequest(
                    body.kind,
                    identifier,
                    body.contact.model_dump(exclude_none=True) if body.contact else None,
                    body.details,
                ),
                actor="public",
                now=datetime.now(UTC),
            )
    except InvalidIndicatorError:
        problems["value"] = MY_DATA_PROBLEMS["unreadable"]
    except InvalidSubjectRequestError:
        problems["value"] = MY_DATA_PROBLEMS["not_personal"]
    if problems:
        return _form(page, typed, problems, None, status=422)
    return page.render("my_data_done.html", request=opened, kind_labels=KIND_LABELS)


@my_data_pages.get("/my-data/{request_id}")
def my_data_status(page: CurrentPage, request_id: str) -> Response:
    node: NodeState = page.request.app.state.node
    try:
        number = UUID(request_id.strip())
        with node.database.engine.connect() as connection:
            found = repo.get_request(connection, number)
    except (ValueError, SubjectRequestNotFoundError):
        return page.render("error_not_found.html", status=404)
    return page.render(
        "my_data_status.html",
        request=found,
        kind_labels=KIND_LABELS,
        status_words=STATUS_WORDS,
    )


def _form(
    page: Page,
    values: Mapping[str, str],
    problems: Mapping[str, str],
    notice: str | None,
    *,
    status: int = 200,
) -> HTMLResponse:
    return page.render(
        "my_data.html",
        status=status,
        values=values,
        problems=problems,
        notice=notice,
        kind_labels=KIND_LABELS,
    )
