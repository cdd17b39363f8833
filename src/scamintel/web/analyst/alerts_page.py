"""``/analyst/alerts``: the alerts published, and a form to publish one (on the same rules and
service as ``POST /api/v1/alerts``; publishing is audited). Alerts cannot be withdrawn:
the feeds have no withdrawal, so a mistake is corrected by publishing a new alert."""

from __future__ import annotations

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError

from scamintel.alerts.model import ALERT_LANGUAGES, AlertQuery, InvalidAlertError, draft_alert
from scamintel.alerts.model import publish_alert as publish
from scamintel.reports.model import ScamType
from scamintel.storage.alerts_repo import SqlAlertStore, list_alerts
from scamintel.web.analyst.access import Analyst, AnalystDesk
from scamintel.web.analyst.once import FORM_ID_FIELD, alert_id_for, usable_form_id
from scamintel.web.rendering import CheckedForm, FormData, page_router
from scamintel.web.vocabulary import SCAM_TYPE_NAMES, scam_type_name

alerts_pages = page_router("/analyst")

SHOWN_ALERTS = 50
PUBLISHED = "/analyst/alerts?published=1"


def _alerts_page(
    desk: AnalystDesk,
    *,
    values: dict[str, str],
    languages: list[str],
    problems: dict[str, str],
    published: bool = False,
    status: int = 200,
) -> HTMLResponse:
    with desk.node.database.engine.connect() as connection:
        shown = list_alerts(connection, AlertQuery(limit=SHOWN_ALERTS))
    return desk.render(
        "analyst/alerts.html",
        status=status,
        alerts=shown,
        values=values,
        chosen_languages=languages,
        problems=problems,
        published=published,
        may_publish=desk.may("POST", "/analyst/alerts"),
        scam_types=SCAM_TYPE_NAMES,
        languages=ALERT_LANGUAGES,
        scam_type_name=scam_type_name,
    )


@alerts_pages.get("/alerts")
def alerts(desk: Analyst, published: str = "") -> HTMLResponse:
    return _alerts_page(
        desk,
        values={"countries": desk.node.settings.node_country},
        languages=[],
        problems={},
        published=published == "1",
    )


@alerts_pages.post("/alerts")
def publish_alert(desk: Analyst, form: CheckedForm) -> Response:
    return desk.run_once(form, lambda: _publish(desk, form))


def _publish(desk: AnalystDesk, form: FormData) -> str | HTMLResponse:
    countries = [c for c in form.get("countries").replace(",", " ").split() if c]
    languages = form.get_all("languages")
    form_id = usable_form_id(form.get(FORM_ID_FIELD))
    try:
        draft = draft_alert(
            title=form.get("title"),
            body=form.get("body").replace("\r\n", "\n"),
            scam_type=form.get("scam_type") or ScamType.OTHER,
            countries=countries,
            languages=languages,
        )
        with desk.node.database.engine.begin() as connection:
            publish(
                SqlAlertStore(connection),
                draft,
                author=desk.principal.organisation_name,
                actor=desk.principal.actor,
                alert_id=alert_id_for(desk.principal.key_id, form_id) if form_id else None,
            )
    except InvalidAlertError as error:
        problems = {problem.field: problem.message for problem in error.problems}
        return _alerts_page(
            desk, values=form.as_values(), languages=languages, problems=problems, status=422
        )
    except IntegrityError:
        # This form was published already (by another worker of the node): once is enough.
        return PUBLISHED
    return PUBLISHED
