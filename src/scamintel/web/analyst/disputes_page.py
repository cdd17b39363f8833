"""``/analyst/disputes``: the disputes waiting for a decision and the bursts of reports held
for review (as ``GET /api/v1/review-queue``), and deciding a dispute with the reason the
public will read (as ``POST /api/v1/disputes/{id}/decision``)."""

from __future__ import annotations

from uuid import UUID

from fastapi.responses import HTMLResponse, Response

from scamintel.reports.disputes import (
    AlreadyDecidedError,
    Decision,
    DisputeNotFoundError,
    DisputeStatus,
    decide_dispute,
)
from scamintel.storage.disputes_repo import list_disputes, open_bursts
from scamintel.web.analyst.access import Analyst, AnalystDesk
from scamintel.web.i18n import N_
from scamintel.web.rendering import CheckedForm, FormData, page_router
from scamintel.web.vocabulary import INDICATOR_TYPE_NAMES

disputes_pages = page_router("/analyst")

SHOWN_ITEMS = 100
MIN_REASON = 5
MAX_REASON = 2000
DECISION_NAMES = {
    Decision.UPHELD: N_("Uphold: the listing was wrong, remove it"),
    Decision.REJECTED: N_("Reject: the listing stays"),
}
PROBLEMS = {
    "decision": N_("Choose whether to uphold or reject the dispute."),
    "reason": N_("Write the reason in at least a few words: the public reads it with the verdict."),
    "decided": N_("This dispute was already decided, by you or another analyst."),
}
NO_DISPUTE = N_("There is no dispute with this id on this node.")
DECIDED = N_("The decision is saved and the verdict is updated.")


def _queue(
    desk: AnalystDesk,
    *,
    problem: str | None = None,
    problem_for: str | None = None,
    values: dict[str, str] | None = None,
    decided: bool = False,
    status: int = 200,
) -> HTMLResponse:
    with desk.node.database.engine.connect() as connection:
        pending = list_disputes(connection, DisputeStatus.PENDING, SHOWN_ITEMS)
        bursts = open_bursts(connection, SHOWN_ITEMS)
    return desk.render(
        "analyst/disputes.html",
        status=status,
        disputes=pending,
        bursts=bursts,
        decisions=DECISION_NAMES,
        type_names=INDICATOR_TYPE_NAMES,
        problem=problem,
        problem_for=problem_for,
        values=values or {},
        decided=DECIDED if decided else None,
    )


@disputes_pages.get("/disputes")
def disputes(desk: Analyst, decided: str = "") -> HTMLResponse:
    return _queue(desk, decided=decided == "1")


@disputes_pages.post("/disputes/{dispute_id}/decision")
def decide(desk: Analyst, dispute_id: str, form: CheckedForm) -> Response:
    # Taken as text and checked here: a mistyped address gets a page, not a JSON problem.
    try:
        number = UUID(dispute_id)
    except ValueError:
        return desk.render("analyst/message.html", status=404, message=NO_DISPUTE)
    return _decide(desk, number, form)


def _decide(desk: AnalystDesk, dispute_id: UUID, form: FormData) -> Response:
    decision = form.get("decision")
    reason = form.get("reason").strip()
    problem = None
    if decision not in {d.value for d in Decision}:
        problem = "decision"
    elif not MIN_REASON <= len(reason) <= MAX_REASON:
        problem = "reason"
    if problem is None:
        try:
            with desk.node.database.transaction() as store:
                decide_dispute(
                    store, dispute_id, Decision(decision), reason, actor=desk.principal.actor
                )
        except (AlreadyDecidedError, DisputeNotFoundError):
            problem = "decided"
    if problem is not None:
        return _queue(
            desk,
            problem=PROBLEMS[problem],
            problem_for=str(dispute_id),
            values=form.as_values(),
            status=409 if problem == "decided" else 422,
        )
    return desk.page.redirect("/analyst/disputes?decided=1")
