"""Property: for random agreements and random reports, what a partner can read from this node
is exactly what its agreement allows, blind types never show their raw value, and no victim
data (names, contacts, ID numbers, narratives, evidence) appears in anything it can read."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import empty_all_tables
from e2e.conftest import make_key
from scamintel.access.keys import OrganisationKind, Role
from scamintel.federation.agreement import Agreement
from scamintel.federation.markings import TLP_MARKING_IDS, Purpose, Tlp
from scamintel.federation.taxii import TAXII_MEDIA_TYPE
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement

PARTNER = "MM-CCD"
BLIND_KEY = "property-test-blind-key-0123456789abcdef"

# Values of each type as a victim would type them, and their canonical forms.
VALUES: dict[str, list[tuple[str, str]]] = {
    "phone": [("081-234-5678", "+66812345678"), ("02 123 4567", "+6621234567")],
    "url": [("https://thai-post-parcel.com/pay", "https://thai-post-parcel.com/pay")],
    "domain": [("kerry-th-refund.net", "kerry-th-refund.net")],
    "bank_account": [("TH:KBANK:1234567890", "TH:KBANK:1234567890")],
    "email": [("refund@kerry-th-refund.net", "refund@kerry-th-refund.net")],
}
TYPES = sorted(VALUES)


@st.composite
def agreements(draw: st.DrawFn) -> Agreement:
    types = draw(st.sets(st.sampled_from(TYPES), min_size=1))
    markings = draw(st.sets(st.sampled_from(list(Tlp)), min_size=1))
    return Agreement.model_validate(
        {
            "partner": PARTNER,
            "version": 1,
            "types": sorted(types),
            "markings": sorted(markings),
            "share_as": draw(st.sampled_from(sorted(markings))),
            "purposes": sorted(draw(st.sets(st.sampled_from(list(Purpose)), min_size=1))),
            "blind": sorted(draw(st.sets(st.sampled_from(sorted(types))))),
            "blind_key": BLIND_KEY,
            "victim_data": draw(st.sampled_from(["never", "on_approved_request"])),
            "retention_days": 30,
        }
    )


@st.composite
def reports(draw: st.DrawFn) -> dict[str, Any]:
    """A police report naming one to three values, with a victim whose data is marked."""
    marker = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=12, max_size=12))
    named = draw(
        st.lists(st.tuples(st.sampled_from(TYPES), st.integers(0, 1)), min_size=1, max_size=3)
    )
    indicators = []
    for indicator_type, index in named:
        written, _ = VALUES[indicator_type][index % len(VALUES[indicator_type])]
        indicators.append({"type": indicator_type, "value": written})
    return {
        "narrative": f"Victim narrative {marker}: they said my parcel was held",
        "scam_type": "phishing_parcel_utility",
        "channel": "sms",
        "victim_country": "TH",
        "amount": "4500",
        "currency": "THB",
        "indicators": indicators,
        "evidence": [
            {"sha256": hashlib.sha256(marker.encode()).hexdigest(), "name": f"{marker}.png"}
        ],
        "reporter": {
            "name": f"Victim {marker}",
            "phone": "0898765432",
            "email": f"{marker}@example.com",
            "id_number": "1101700230705",
        },
    }


def read_everything(client: TestClient, key: str, collection_id: str) -> tuple[list[Any], str]:
    """Every object of the collection through its pages, and all the text that was served."""
    path = f"/taxii2/api/collections/{collection_id}/objects/"
    headers = {"Authorization": f"Bearer {key}", "Accept": TAXII_MEDIA_TYPE}
    objects: list[Any] = []
    served = ""
    params: dict[str, Any] = {"limit": 2}
    while True:
        response = client.get(path, headers=headers, params=params)
        assert response.status_code == 200, response.text
        served += response.text
        body = response.json()
        objects += body.get("objects", [])
        if not body["more"]:
            return objects, served
        params = {"limit": 2, "next": body["next"]}


def _reset(database: NodeDatabase) -> None:
    """Everything but the keys, which are slow to make (argon2) and the same every time."""
    empty_all_tables(database.engine, keep=("organisations", "api_keys"))
    database.forget_indicator_ids()


@pytest.fixture
def keys(node_database: NodeDatabase) -> tuple[str, str]:
    """A verified police unit's reporter key and the partner's key."""
    engine = node_database.engine
    police = make_key(
        engine, Role.REPORTER, "Royal Thai Police", kind=OrganisationKind.POLICE, verified=True
    )
    partner = make_key(engine, Role.PARTNER, PARTNER, kind=OrganisationKind.PARTNER_NODE)
    return police, partner


@settings(
    max_examples=30,
    deadline=None,
    # Each example resets and refills a database; shrinking a failure would take minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(terms=agreements(), sent=st.lists(reports(), min_size=1, max_size=4))
def test_a_partner_reads_exactly_what_its_agreement_allows_and_never_victim_data(
    client: TestClient,
    node_database: NodeDatabase,
    keys: tuple[str, str],
    terms: Agreement,
    sent: list[dict[str, Any]],
) -> None:
    police, partner = keys
    _reset(node_database)
    with node_database.engine.begin() as connection:
        apply_agreement(connection, terms, node_database.sealer, "test", datetime.now(UTC))
    for report in sent:
        answer = client.post(
            "/api/v1/reports", json=report, headers={"Authorization": f"Bearer {police}"}
        )
        assert answer.status_code == 201, answer.text

    objects, served = read_everything(client, partner, terms.collection_id)

    named = {
        (item["type"], canonical)
        for report in sent
        for item in report["indicators"]
        for written, canonical in VALUES[item["type"]]
        if written == item["value"]
    }
    allowed = {pair for pair in named if pair[0] in {t.value for t in terms.types}}
    if Purpose.PREVENTION not in terms.purposes:
        allowed = set()
    # Exactly what the agreement allows: every allowed listed value once, nothing else.
    assert sorted(obj["x_scamintel_type"] for obj in objects) == sorted(t for t, _ in allowed)
    blind = {t.value for t in terms.blind}
    for obj in objects:
        assert obj["object_marking_refs"] == [TLP_MARKING_IDS[terms.share_as]]
        if obj["x_scamintel_type"] in blind:
            assert "x_scamintel_value" not in obj
            assert len(obj["x_scamintel_blind"]) == 64
        else:
            assert (obj["x_scamintel_type"], obj["x_scamintel_value"]) in allowed
    shown = [value for kind, value in allowed if kind not in blind]
    for indicator_type, canonical in named:
        hidden = indicator_type in blind or (indicator_type, canonical) not in allowed
        # A domain may show inside an allowed e-mail address or URL: only then is it there.
        if hidden and not any(canonical in value for value in shown):
            assert canonical not in served
    # No victim data, whatever the agreement says: releases go through approved requests only.
    for report in sent:
        person = report["reporter"]
        for secret in (person["name"], person["email"], person["id_number"], report["narrative"]):
            assert secret not in served
        assert "0898765432" not in served
        assert "+66898765432" not in served
        assert report["evidence"][0]["sha256"] not in served
