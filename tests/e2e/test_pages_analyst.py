"""The analyst pages through the real app and database: signing in with an API key, the role
of every page (walked from the one table that states them), the dashboard's charts, and the
forms that publish alerts, decide disputes and work cases, with their CSRF protection."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select, update

from e2e.conftest import csrf_token_of, make_key
from operation_rows import ReportRow, add_report, new_operation
from scamintel.access.keys import OrganisationKind, Role, split_token
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operation_summaries_repo import refresh_summaries
from scamintel.storage.tables import alerts, api_keys, audit_log, case_notes, cases, disputes
from scamintel.web.analyst import ANALYST_ROUTERS
from scamintel.web.analyst.access import PAGE_ROLES, SESSION_COOKIE, PageRule, session_token

OPEN_ROUTES = {("GET", "/analyst/login"), ("POST", "/analyst/login"), ("POST", "/analyst/logout")}
LISTED_NUMBER = "0812345678"
POLICE_REPORT = {
    "narrative": "Caller said he was from customs and asked for a fee",
    "scam_type": "officials_impersonated",
    "channel": "call",
    "victim_country": "TH",
    "amount": "15000",
    "currency": "THB",
    "indicators": [{"type": "phone", "value": LISTED_NUMBER}],
}
SHOP_CLAIM = {
    "value": LISTED_NUMBER,
    "claim": "This number was given to my noodle shop in March; I never called anyone.",
}
PATH_EXAMPLES = {
    "{operation_id}": "1",
    "{case_id}": "1",
    "{dispute_id}": "00000000-0000-4000-8000-000000000001",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: TestClient, key: str, next_url: str = "/analyst/") -> Response:
    form = client.get("/analyst/login")
    return client.post(
        "/analyst/login",
        data={"csrf_token": csrf_token_of(form.text), "api_key": key, "next": next_url},
        follow_redirects=False,
    )


def key_id(key: str) -> str:
    parts = split_token(key)
    assert parts is not None
    return parts[0]


def example_path(rule: PageRule) -> str:
    path = rule.path
    for placeholder, value in PATH_EXAMPLES.items():
        path = path.replace(placeholder, value)
    return path


def visit(client: TestClient, rule: PageRule) -> Response:
    """The page as a browser would ask for it; a form is sent with a valid CSRF token, so
    only the session and the role can refuse it."""
    path = example_path(rule)
    if rule.method == "GET":
        return client.get(path, follow_redirects=False)
    token = csrf_token_of(client.get("/analyst/login").text)
    return client.post(path, data={"csrf_token": token}, follow_redirects=False)


def refused_roles() -> list[tuple[PageRule, Role]]:
    """Every route with every role of the centre's staff that the table does not allow."""
    staff = (Role.ANALYST, Role.INVESTIGATOR, Role.ADMIN)
    return [(rule, role) for rule in PAGE_ROLES for role in staff if role not in rule.roles]


def rule_id(rule: PageRule) -> str:
    return f"{rule.method} {rule.path}"


@pytest.fixture
def admin_key(node_database: NodeDatabase) -> str:
    return make_key(node_database.engine, Role.ADMIN, "Node operator")


@pytest.fixture
def analyst_client(client: TestClient, analyst_key: str) -> TestClient:
    assert sign_in(client, analyst_key).status_code == 303
    return client


def test_every_analyst_route_has_a_rule_in_the_roles_table() -> None:
    routes = {
        (method, route.path)
        for router in ANALYST_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if method != "HEAD"  # follows the rule of GET
    }
    assert all(path.startswith("/analyst/") for _, path in routes)
    stated = {(rule.method, rule.path) for rule in PAGE_ROLES}
    assert routes - OPEN_ROUTES == stated


@pytest.mark.parametrize("rule", PAGE_ROLES, ids=rule_id)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client: TestClient, rule: PageRule) -> None:
    response = visit(client, rule)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/analyst/login?next=%2Fanalyst")


@pytest.mark.parametrize("rule", PAGE_ROLES, ids=rule_id)
def test_a_reporter_key_gets_403_on_every_analyst_page(
    client: TestClient, settings: Settings, reporter_key: str, rule: PageRule
) -> None:
    client.cookies.set(SESSION_COOKIE, session_token(settings.secret_key, key_id(reporter_key)))
    response = visit(client, rule)
    assert response.status_code == 403
    assert "Not allowed with this key" in response.text
    assert "reporter" in response.text
    assert "style=" not in response.text


@pytest.mark.parametrize(("rule", "role"), refused_roles(), ids=lambda item: str(item))
def test_staff_roles_the_api_refuses_are_refused_on_the_page(
    client: TestClient,
    settings: Settings,
    node_database: NodeDatabase,
    rule: PageRule,
    role: Role,
) -> None:
    key = make_key(node_database.engine, role, f"Staff {role.value}")
    client.cookies.set(SESSION_COOKIE, session_token(settings.secret_key, key_id(key)))
    response = visit(client, rule)
    assert response.status_code == 403
    for allowed in rule.roles:
        assert allowed.value in response.text


def test_an_analyst_signs_in_and_the_dashboard_draws_its_three_charts(
    client: TestClient, node_database: NodeDatabase, police_key: str, analyst_key: str
) -> None:
    assert client.post("/api/v1/reports", json=POLICE_REPORT, headers=bearer(police_key)).is_success
    with node_database.engine.begin() as connection:
        operation = new_operation(connection)
        add_report(
            connection,
            operation,
            ReportRow(
                victim_country="MM",
                amount="300",
                currency="USD",
                values=[("bank_account", "KH:ABA:000123456", "KH")],
            ),
        )
        refresh_summaries(connection, [operation], datetime.now(UTC))

    signed_in = sign_in(client, analyst_key)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/analyst/"
    cookie = signed_in.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "Max-Age=28800" in cookie
    assert analyst_key.split("_", 2)[2] not in cookie  # the key's secret never leaves

    page = client.get("/analyst/")
    assert page.status_code == 200
    for chart in ("chart-daily", "chart-losses", "chart-flows"):
        assert '<svg class="chart' in page.text
        assert f'id="{chart}"' in page.text
    assert page.text.count("<table>") == 3  # each chart's numbers for screen readers
    assert "<title id=" in page.text
    assert "Cambodia" in page.text
    assert "Myanmar" in page.text
    assert "style=" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_a_wrong_key_gets_401_and_no_session(client: TestClient, analyst_key: str) -> None:
    wrong_secret = analyst_key[:-4] + "abcd"
    for attempt in ("not a key", wrong_secret, "si_000000000000_" + "x" * 43):
        response = sign_in(client, attempt)
        assert response.status_code == 401
        assert "This key was not accepted" in response.text
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert client.get("/analyst/", follow_redirects=False).status_code == 303


def test_a_reporter_or_partner_key_cannot_sign_in(
    client: TestClient, node_database: NodeDatabase, reporter_key: str
) -> None:
    partner = make_key(
        node_database.engine, Role.PARTNER, "KH-NCC", kind=OrganisationKind.PARTNER_NODE
    )
    for key in (reporter_key, partner):
        response = sign_in(client, key)
        assert response.status_code == 403
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_tampered_or_expired_session_cookie_is_refused(
    client: TestClient, settings: Settings, analyst_key: str, admin_key: str
) -> None:
    good = session_token(settings.secret_key, key_id(analyst_key))
    value, _, signature = good.rpartition(".")
    _, _, expiry = value.partition(":")
    forged = [
        f"{key_id(admin_key)}:{expiry}.{signature}",  # another key's id under this signature
        f"{key_id(analyst_key)}:{int(expiry) + 3600}.{signature}",  # a later expiry
        good[:-2] + "xx",  # a damaged signature
        session_token(settings.secret_key, key_id(analyst_key), now=0),  # expired in 1970
        session_token("another node's secret", key_id(analyst_key)),
    ]
    for token in forged:
        client.cookies.set(SESSION_COOKIE, token)
        response = client.get("/analyst/", follow_redirects=False)
        assert response.status_code == 303, token
        assert response.headers["location"].startswith("/analyst/login")
        assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]  # dropped


def test_a_revoked_key_loses_its_session_at_once(
    analyst_client: TestClient, node_database: NodeDatabase, analyst_key: str
) -> None:
    assert analyst_client.get("/analyst/").status_code == 200
    with node_database.engine.begin() as connection:
        connection.execute(
            update(api_keys)
            .where(api_keys.c.key_id == key_id(analyst_key))
            .values(revoked_at=datetime.now(UTC))
        )
    assert analyst_client.get("/analyst/", follow_redirects=False).status_code == 303


def test_signing_out_ends_the_session(analyst_client: TestClient) -> None:
    page = analyst_client.get("/analyst/")
    out = analyst_client.post(
        "/analyst/logout", data={"csrf_token": csrf_token_of(page.text)}, follow_redirects=False
    )
    assert (out.status_code, out.headers["location"]) == (303, "/analyst/login")
    assert analyst_client.get("/analyst/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("asked", "landing"),
    [
        ("/analyst/cases?status=open", "/analyst/cases?status=open"),
        ("https://evil.example/analyst/", "/analyst/"),
        ("//evil.example/analyst/", "/analyst/"),
        ("/\\evil.example", "/analyst/"),
    ],
)
def test_after_signing_in_only_a_path_on_this_site_is_followed(
    client: TestClient, analyst_key: str, asked: str, landing: str
) -> None:
    assert sign_in(client, analyst_key, asked).headers["location"] == landing


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_published(
    analyst_client: TestClient, node_database: NodeDatabase
) -> None:
    form = {
        "title": "Fake parcel fee SMS",
        "body": "Do not pay.",
        "scam_type": "phishing_parcel_utility",
        "countries": "TH",
        "languages": "en",
    }
    for token in (None, "forged"):
        data = dict(form) if token is None else {**form, "csrf_token": token}
        refused = analyst_client.post("/analyst/alerts", data=data)
        assert refused.status_code == 403
        assert "Please send the form again" in refused.text
    with node_database.engine.connect() as connection:
        assert connection.execute(select(alerts.c.id)).first() is None


def test_publishing_an_alert_from_the_page_stores_and_audits_it(
    analyst_client: TestClient, node_database: NodeDatabase, analyst_key: str
) -> None:
    page = analyst_client.get("/analyst/alerts")
    sent = analyst_client.post(
        "/analyst/alerts",
        data={
            "csrf_token": csrf_token_of(page.text),
            "title": "Fake parcel fee SMS <b>",
            "body": "A text says your parcel is held.\r\n\r\nDo not pay; call 1441.",
            "scam_type": "phishing_parcel_utility",
            "countries": "TH, MM",
            "languages": ["th", "en"],
        },
        follow_redirects=False,
    )
    assert (sent.status_code, sent.headers["location"]) == (303, "/analyst/alerts?published=1")
    feed = analyst_client.get("/api/v1/alerts").json()
    assert [item["title"] for item in feed["items"]] == ["Fake parcel fee SMS <b>"]
    assert feed["items"][0]["_scamintel"]["countries"] == ["TH", "MM"]
    shown = analyst_client.get("/analyst/alerts?published=1").text
    assert "Fake parcel fee SMS &lt;b&gt;" in shown
    with node_database.engine.connect() as connection:
        actors = connection.execute(
            select(audit_log.c.actor).where(audit_log.c.action == "alert.publish")
        ).scalars()
        assert list(actors) == [f"key:{key_id(analyst_key)}"]


def test_an_alert_with_mistakes_is_not_published_and_keeps_what_was_typed(
    analyst_client: TestClient, node_database: NodeDatabase
) -> None:
    page = analyst_client.get("/analyst/alerts")
    sent = analyst_client.post(
        "/analyst/alerts",
        data={
            "csrf_token": csrf_token_of(page.text),
            "title": "Kept title",
            "body": "",
            "countries": "ZZ",
        },
    )
    assert sent.status_code == 422
    assert 'value="Kept title"' in sent.text
    with node_database.engine.connect() as connection:
        assert connection.execute(select(alerts.c.id)).first() is None


def test_deciding_a_dispute_from_the_page_stores_the_decision(
    client: TestClient, node_database: NodeDatabase, police_key: str, analyst_key: str
) -> None:
    assert client.post("/api/v1/reports", json=POLICE_REPORT, headers=bearer(police_key)).is_success
    dispute = client.post("/api/v1/disputes", json=SHOP_CLAIM).json()
    assert sign_in(client, analyst_key).status_code == 303
    queue = client.get("/analyst/disputes")
    assert "noodle shop" in queue.text

    decided = client.post(
        f"/analyst/disputes/{dispute['id']}/decision",
        data={
            "csrf_token": csrf_token_of(queue.text),
            "decision": "upheld",
            "reason": "The number belongs to a noodle shop since March.",
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303
    with node_database.engine.connect() as connection:
        row = connection.execute(
            select(disputes.c.status, disputes.c.decided_by, disputes.c.decision_reason)
        ).one()
    assert row.status == "upheld"
    assert row.decided_by == f"key:{key_id(analyst_key)}"
    assert "noodle shop" in str(client.get("/api/v1/check", params={"q": LISTED_NUMBER}).json())

    again = client.post(
        f"/analyst/disputes/{dispute['id']}/decision",
        data={"csrf_token": csrf_token_of(queue.text), "decision": "rejected", "reason": "Changed"},
    )
    assert again.status_code == 409


def test_the_audit_page_verifies_the_log_and_finds_an_altered_entry(
    client: TestClient, node_database: NodeDatabase, analyst_key: str, admin_key: str
) -> None:
    assert sign_in(client, analyst_key).status_code == 303
    client.get("/analyst/cases")  # an audited listing
    assert sign_in(client, admin_key).status_code == 303
    page = client.get("/analyst/audit")
    assert page.status_code == 200
    assert 'id="audit-verified"' in page.text
    assert "case.listed" in page.text

    with node_database.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 1).values(actor="someone"))
    broken = client.get("/analyst/audit")
    assert 'id="audit-broken"' in broken.text
    assert "entry 1 was altered" in broken.text


def test_indicator_search_finds_a_reported_value_by_part_of_it(
    client: TestClient, police_key: str, analyst_key: str
) -> None:
    assert client.post("/api/v1/reports", json=POLICE_REPORT, headers=bearer(police_key)).is_success
    assert sign_in(client, analyst_key).status_code == 303
    for typed in ("081-234", "+6681234", LISTED_NUMBER):
        found = client.get("/analyst/indicators", params={"q": typed, "type": "phone"})
        assert found.status_code == 200
        assert "+66812345678" in found.text, typed
        assert "/check?q=%2B66812345678" in found.text
        assert "Reported as a scam" in found.text
    nothing = client.get("/analyst/indicators", params={"q": "0899999"})
    assert "does not mean the value is safe" in nothing.text


def test_a_case_is_opened_noted_and_closed_from_the_pages(
    client: TestClient, node_database: NodeDatabase, investigator_key: str
) -> None:
    assert sign_in(client, investigator_key).status_code == 303
    listing = client.get("/analyst/cases")
    token = csrf_token_of(listing.text)
    opened = client.post(
        "/analyst/cases",
        data={"csrf_token": token, "title": "Parcel fee calls", "assignee": "Lt. Somchai"},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    case_page = opened.headers["location"]
    noted = client.post(
        f"{case_page}/notes",
        data={"csrf_token": token, "text": "Called the bank <script>"},
        follow_redirects=False,
    )
    assert noted.status_code == 303
    refused = client.post(
        f"{case_page}/status",
        data={"csrf_token": token, "status": "closed", "assignee": "Lt. Somchai"},
    )
    assert refused.status_code == 422  # closing needs a reason
    closed = client.post(
        f"{case_page}/status",
        data={
            "csrf_token": token,
            "status": "closed",
            "reason": "referred",
            "assignee": "Lt. Somchai",
        },
        follow_redirects=False,
    )
    assert closed.status_code == 303
    shown = client.get(case_page).text
    assert "Called the bank &lt;script&gt;" in shown
    with node_database.engine.connect() as connection:
        assert connection.execute(select(cases.c.status)).scalar_one() == "closed"
        assert connection.execute(select(case_notes.c.text)).scalar_one() == (
            "Called the bank <script>"
        )
    assert client.get("/analyst/cases/CASE-999").status_code == 404


def test_an_operation_shows_its_network_and_its_dossier_download_is_audited(
    analyst_client: TestClient, node_database: NodeDatabase
) -> None:
    with node_database.engine.begin() as connection:
        operation = new_operation(connection)
        for n in range(3):
            add_report(
                connection,
                operation,
                ReportRow(
                    narrative=f"Victim {n} paid <b>",
                    values=[("phone", "+66812345678", "TH"), ("bank_account", "TH:KBANK:1", "TH")],
                ),
            )
        refresh_summaries(connection, [operation], datetime.now(UTC))
    page = analyst_client.get(f"/analyst/operations/{operation}")
    assert page.status_code == 200
    assert 'id="chart-network"' in page.text
    assert page.text.count('class="node-report"') == 3
    assert "style=" not in page.text
    assert "Victim 0" not in page.text  # narratives only in the dossier
    listed = analyst_client.get("/analyst/operations")
    assert f'href="/analyst/operations/{operation}"' in listed.text

    download = analyst_client.get(f"/analyst/operations/{operation}/dossier?format=json")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert "Victim 0 paid <b>" in download.text
    with node_database.engine.connect() as connection:
        exports = connection.execute(
            select(audit_log.c.object_id).where(audit_log.c.action == "operation.dossier_export")
        ).scalars()
        assert list(exports) == [str(operation)]
    assert analyst_client.get(f"/analyst/operations/{operation + 50}").status_code == 404


def test_requests_and_partners_pages_render_for_an_investigator(
    client: TestClient, investigator_key: str
) -> None:
    assert sign_in(client, investigator_key).status_code == 303
    for path in ("/analyst/requests?overdue=1", "/analyst/partners"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "style=" not in page.text
    navigation = client.get("/analyst/").text
    assert 'href="/analyst/cases"' in navigation
    assert 'href="/analyst/audit"' not in navigation  # not offered to a role it refuses
    assert uuid.UUID(PATH_EXAMPLES["{dispute_id}"])


def test_the_docs_show_the_roles_table_as_the_code_states_it() -> None:
    document = (Path(__file__).parents[2] / "docs" / "analyst-pages.md").read_text("utf-8")
    order = list(Role)
    for rule in PAGE_ROLES:
        roles = ", ".join(role.value for role in sorted(rule.roles, key=order.index))
        assert f"| {rule.method} | `{rule.path}` | {roles} | {rule.follows} |" in document


def form_id_of(html: str) -> str:
    found = re.search(r'name="form_id" value="([^"]+)"', html)
    assert found is not None, "the form carries no one-time id"
    return found.group(1)


@pytest.mark.parametrize("typed", ["\u00b2", "9" * 30, "0", "-3", "\u0661\u0662"])
def test_an_operation_number_that_is_not_one_is_a_field_error(
    client: TestClient, node_database: NodeDatabase, investigator_key: str, typed: str
) -> None:
    assert sign_in(client, investigator_key).status_code == 303
    listing = client.get("/analyst/cases").text
    sent = client.post(
        "/analyst/cases",
        data={"csrf_token": csrf_token_of(listing), "operation_id": typed, "title": "T"},
    )
    assert sent.status_code == 422
    assert 'class="field-error" id="operation-error"' in sent.text
    with node_database.engine.connect() as connection:
        assert connection.execute(select(cases.c.id)).first() is None


def test_a_double_click_publishes_an_alert_once_and_shows_the_first_result(
    analyst_client: TestClient, node_database: NodeDatabase
) -> None:
    page = analyst_client.get("/analyst/alerts").text
    form = {
        "csrf_token": csrf_token_of(page),
        "form_id": form_id_of(page),
        "title": "Fake parcel fee SMS",
        "body": "Do not pay; call 1441.",
        "countries": "TH",
        "languages": ["th"],
    }
    first = analyst_client.post("/analyst/alerts", data=form, follow_redirects=False)
    again = analyst_client.post("/analyst/alerts", data=form, follow_redirects=False)
    assert first.headers["location"] == again.headers["location"] == "/analyst/alerts?published=1"
    # Another worker process of the node does not share the memory: the database refuses.
    analyst_client.app.state.analyst_forms.__init__()  # type: ignore[attr-defined, misc]
    third = analyst_client.post("/analyst/alerts", data=form, follow_redirects=False)
    assert third.headers["location"] == "/analyst/alerts?published=1"
    with node_database.engine.connect() as connection:
        assert len(connection.execute(select(alerts.c.id)).all()) == 1
        published = select(audit_log.c.actor).where(audit_log.c.action == "alert.publish")
        assert len(connection.execute(published).all()) == 1
    fresh = analyst_client.get("/analyst/alerts").text
    assert form_id_of(fresh) != form["form_id"]


def test_a_case_and_a_note_sent_twice_are_stored_once(
    client: TestClient, node_database: NodeDatabase, investigator_key: str
) -> None:
    assert sign_in(client, investigator_key).status_code == 303
    listing = client.get("/analyst/cases").text
    form = {
        "csrf_token": csrf_token_of(listing),
        "form_id": form_id_of(listing),
        "title": "Parcel fee calls",
    }
    first = client.post("/analyst/cases", data=form, follow_redirects=False)
    again = client.post("/analyst/cases", data=form, follow_redirects=False)
    assert first.headers["location"] == again.headers["location"]
    case_page = client.get(first.headers["location"]).text
    note = {
        "csrf_token": csrf_token_of(case_page),
        "form_id": form_id_of(case_page),
        "text": "Called the bank",
    }
    for _ in range(2):
        noted = client.post(f"{first.headers['location']}/notes", data=note, follow_redirects=False)
        assert noted.status_code == 303
    with node_database.engine.connect() as connection:
        assert len(connection.execute(select(cases.c.id)).all()) == 1
        assert len(connection.execute(select(case_notes.c.id)).all()) == 1


def test_analyst_answers_are_never_stored_by_the_browser(analyst_client: TestClient) -> None:
    for path in ("/analyst/", "/analyst/cases", "/analyst/login", "/analyst/no-such-page"):
        answer = analyst_client.get(path, headers={"accept": "text/html"})
        assert answer.headers["cache-control"] == "no-store", path
    assert analyst_client.get("/").headers["cache-control"] == "private, no-cache"


def test_the_sign_in_page_says_when_a_session_ends(client: TestClient) -> None:
    page = client.get("/analyst/login").text
    assert "until you sign out" not in page
    assert "If your key is revoked, all its sessions end at once." in page
    assert "<code>scamintel apikey create</code>" in page
    assert "`" not in page


def test_a_form_sent_after_the_session_ended_returns_to_its_page(
    client: TestClient, investigator_key: str
) -> None:
    assert sign_in(client, investigator_key).status_code == 303
    listing = client.get("/analyst/cases?status=open").text
    assert 'name="return_to" value="/analyst/cases?status=open"' in listing
    client.cookies.delete(SESSION_COOKIE)
    sent = client.post(
        "/analyst/cases",
        data={"csrf_token": csrf_token_of(listing), "return_to": "/analyst/cases?status=open"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/analyst/login?next=%2Fanalyst%2Fcases%3Fstatus%3Dopen"
    elsewhere = client.post(
        "/analyst/cases",
        data={"csrf_token": csrf_token_of(listing), "return_to": "https://evil.example/"},
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == "/analyst/login?next=%2Fanalyst%2F"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/analyst/operations/abc", 404),
        ("/analyst/operations/99999999999999999999999", 404),
        ("/analyst/operations/1/dossier?format=pdf", 422),
        ("/analyst/operations?sort=name", 422),
        ("/analyst/operations?offset=-1", 422),
        ("/analyst/nothing-here", 404),
    ],
)
def test_a_mistyped_analyst_address_gets_an_html_page(
    analyst_client: TestClient, path: str, status: int
) -> None:
    answer = analyst_client.get(path, headers={"accept": "text/html"})
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")


def test_a_mistyped_dispute_id_gets_an_html_page(analyst_client: TestClient) -> None:
    page = analyst_client.get("/analyst/disputes").text
    answer = analyst_client.post(
        "/analyst/disputes/not-a-uuid/decision",
        data={"csrf_token": csrf_token_of(page), "decision": "upheld", "reason": "Because so"},
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")


def test_an_unknown_public_address_gets_a_translated_page_and_the_api_keeps_json(
    client: TestClient,
) -> None:
    page = client.get("/alert?lang=th", headers={"accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="th"' in page.text
    api = client.get("/api/v1/nothing", headers={"accept": "text/html"})
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    program = client.get("/alert")
    assert program.headers["content-type"].startswith("application/problem+json")


def test_head_on_an_analyst_page_follows_the_rule_of_get(analyst_client: TestClient) -> None:
    assert analyst_client.head("/analyst/").status_code == 200
    assert analyst_client.head("/analyst/audit").status_code == 403


def test_codes_are_shown_as_words_in_the_pages_language(
    client: TestClient, node_database: NodeDatabase, admin_key: str
) -> None:
    with node_database.engine.begin() as connection:
        operation = new_operation(connection)
        add_report(
            connection,
            operation,
            ReportRow(channel="sms", narrative="Paid", values=[("phone", "+66812345678", "TH")]),
        )
        refresh_summaries(connection, [operation], datetime.now(UTC))
    assert sign_in(client, admin_key).status_code == 303
    shown = client.get(f"/analyst/operations/{operation}").text
    assert "<td>Phone number</td>" in shown
    assert "<td>phone</td>" not in shown
    assert "<td>Text message (SMS)</td>" in shown
    requests_page = client.get("/analyst/requests").text
    assert ">In progress</option>" in requests_page
    assert ">in_progress</option>" not in requests_page
