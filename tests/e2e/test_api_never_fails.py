"""Whatever a client sends, the API answers with a result or a 4xx problem, never a 5xx."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scamintel.reports.submission import ReportSubmission

ANY_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)
)
ANY_JSON = st.recursive(
    ANY_SCALAR,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
REPORT_FIELDS = st.sampled_from(sorted(ReportSubmission.model_fields))
REPORTISH = st.dictionaries(REPORT_FIELDS, ANY_JSON, max_size=6)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(query=st.text(min_size=1, max_size=80))
def test_check_answers_every_query_without_a_server_error(client: TestClient, query: str) -> None:
    response = client.get("/api/v1/check", params={"q": query})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["verdict"] in {"scam", "suspicious", "no_reports", "official"}


@FUZZ
@given(body=st.one_of(REPORTISH, ANY_JSON))
def test_report_intake_answers_any_json_without_a_server_error(
    client: TestClient, body: object
) -> None:
    response = client.post(
        "/api/v1/reports",
        content=json.dumps(body),
        headers={"content-type": "application/json"},
    )
    assert response.status_code in (200, 201, 400, 422), response.text


@FUZZ
@given(raw=st.binary(max_size=200))
def test_report_intake_answers_any_bytes_without_a_server_error(
    client: TestClient, raw: bytes
) -> None:
    response = client.post(
        "/api/v1/reports", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 201, 400, 422), response.text
