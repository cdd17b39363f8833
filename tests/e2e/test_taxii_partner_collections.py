"""One TAXII collection per sharing agreement: what each partner reads there, and what it may
push (docs/federation.md)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from taxii2client.v21 import ApiRoot, Collection, as_pages

from e2e.conftest import make_key
from e2e.test_taxii_server import ACCEPT, BearerAuth, phone, publish_values
from scamintel.access.keys import OrganisationKind, Role
from scamintel.federation.agreement import Agreement, parse_agreement
from scamintel.federation.export import blind_object_id
from scamintel.federation.markings import TLP_MARKING_IDS, SharingContext, Tlp
from scamintel.federation.stix import indicator_id, indicator_object
from scamintel.federation.taxii import LISTINGS_COLLECTION_ID, TAXII_MEDIA_TYPE
from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.tables import federation_rejections, partner_indicators
from scamintel.storage.tables import report_indicators as report_links
from scamintel.storage.tables import reports as report_rows

NOW = datetime(2025, 6, 2, tzinfo=UTC)
KH, LA = "KH-NCC", "LA-MPS"
KH_KEY = "kh-th-blind-key-shared-by-both-nodes-0123"
COLLECTIONS = "/taxii2/api/collections/"
REGISTRY = default_registry()
WRITTEN = {
    IndicatorType.PHONE: "081-234-5678",
    IndicatorType.URL: "hxxps://thai-post-parcel[.]com/pay",
    IndicatorType.DOMAIN: "kbank-secure.com",
    IndicatorType.EMAIL: "support@kbank-help.com",
    IndicatorType.BANK_ACCOUNT: "TH:KBANK:987-6-54321-0",
}


def canonical(indicator_type: IndicatorType, written: str | None = None) -> Indicator:
    raw = written or WRITTEN[indicator_type]
    return REGISTRY.canonicalise(raw, indicator_type, ParseContext(default_region="TH"))


VALUES = {t: canonical(t) for t in WRITTEN}


def terms(partner: str, **overrides: Any) -> Agreement:
    """This node's agreement with ``partner``, as an operator writes it in YAML."""
    fields: dict[str, Any] = {
        "partner": partner,
        "version": 3,
        "types": ["phone", "url", "bank_account"],
        "markings": ["clear", "green", "amber"],
        "share_as": "amber",
        "purposes": ["prevention"],
        "blind": ["phone", "bank_account"],
        "blind_key": KH_KEY,
        "retention_days": 90,
        "push": True,
        "legal_basis": "TH-KH MoU 2025",
    }
    fields.update(overrides)
    lines = [f"{name}: {json.dumps(value)}" for name, value in fields.items()]
    return parse_agreement("\n".join(lines), f"{partner}.yaml")


def apply(database: NodeDatabase, agreement: Agreement) -> None:
    with database.engine.begin() as connection:
        apply_agreement(connection, agreement, database.sealer, "operator", NOW)


def name_in_reports(engine: Engine, indicator_ids: Sequence[int], count: int) -> None:
    """``count`` bare reports, each naming every one of ``indicator_ids``."""
    with engine.begin() as connection:
        for _ in range(count):
            report_id = uuid.uuid4()
            connection.execute(
                report_rows.insert().values(
                    id=report_id,
                    source="web",
                    scam_type="phishing_parcel_utility",
                    channel="sms",
                    received_at=NOW,
                    seen_at=NOW,
                )
            )
            connection.execute(
                report_links.insert(),
                [{"report_id": report_id, "indicator_id": i, "raw": "x", "origin": "given"}
                 for i in indicator_ids],
            )  # fmt: skip


@pytest.fixture
def kh_key(node_database: NodeDatabase) -> str:
    return make_key(node_database.engine, Role.PARTNER, KH, kind=OrganisationKind.PARTNER_NODE)


@pytest.fixture
def la_key(node_database: NodeDatabase) -> str:
    return make_key(node_database.engine, Role.PARTNER, LA, kind=OrganisationKind.PARTNER_NODE)


@pytest.fixture
def agreements(node_database: NodeDatabase) -> dict[str, Agreement]:
    kh = terms(KH)
    la = terms(LA, version=1, types=["domain"], blind=[], push=False, share_as="green")
    apply(node_database, kh)
    apply(node_database, la)
    return {KH: kh, LA: la}


@pytest.fixture
def listed(node_database: NodeDatabase) -> dict[IndicatorType, int]:
    """One listed value of each type of WRITTEN; the phone named in 2 reports, the URL in 1."""
    ids = publish_values(node_database.engine, list(VALUES.values()))
    by_type = dict(zip(VALUES, ids, strict=True))
    name_in_reports(node_database.engine, [by_type[IndicatorType.PHONE]], 1)
    name_in_reports(
        node_database.engine, [by_type[IndicatorType.PHONE], by_type[IndicatorType.URL]], 1
    )
    return by_type


def get(client: TestClient, path: str, key: str, **params: Any) -> Any:
    return client.get(path, headers={**ACCEPT, "Authorization": f"Bearer {key}"}, params=params)


def post(
    client: TestClient, path: str, key: str, body: Any, content_type: str = TAXII_MEDIA_TYPE
) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {**ACCEPT, "Authorization": f"Bearer {key}", "Content-Type": content_type}
    return client.post(path, headers=headers, content=data)


def collection_path(agreement: Agreement) -> str:
    return f"{COLLECTIONS}{agreement.collection_id}/"


# -- collections -----------------------------------------------------------------------------------
def test_a_partner_sees_its_own_collection_only(
    client: TestClient,
    node_database: NodeDatabase,
    agreements: dict[str, Agreement],
    kh_key: str,
    la_key: str,
    analyst_key: str,
) -> None:
    kh, la = agreements[KH], agreements[LA]
    seen = get(client, COLLECTIONS, kh_key).json()["collections"]
    assert [(c["id"], c["can_read"], c["can_write"]) for c in seen] == [
        (kh.collection_id, True, True),
    ]
    assert seen[0]["title"] == "Shared with KH-NCC (agreement v3)"
    assert seen[0]["media_types"] == ["application/stix+json;version=2.1"]
    assert get(client, collection_path(kh), kh_key).json() == seen[0]
    assert [c["can_write"] for c in get(client, COLLECTIONS, la_key).json()["collections"]] == [
        False
    ]
    # The public listings hold every type raw: not for partners.
    listings = f"{COLLECTIONS}{LISTINGS_COLLECTION_ID}/objects/"
    assert get(client, listings, kh_key).status_code == 404
    staff = get(client, COLLECTIONS, analyst_key).json()["collections"]
    assert {(c["id"], c["can_read"], c["can_write"]) for c in staff} == {
        (LISTINGS_COLLECTION_ID, True, False),
        (kh.collection_id, True, False),
        (la.collection_id, True, False),
    }
    # Another partner's collection does not exist for a partner.
    for path in ("", "objects/", "manifest/"):
        hidden = get(client, collection_path(la) + path, kh_key)
        assert hidden.status_code == 404, path
        assert hidden.headers["content-type"] == TAXII_MEDIA_TYPE
        assert LA not in hidden.text
    stranger = make_key(node_database.engine, Role.PARTNER, "VN-A05")
    assert get(client, COLLECTIONS, stranger).json().get("collections", []) == []
    assert get(client, collection_path(kh) + "objects/", stranger).status_code == 404


def test_collections_follow_agreement_changes_without_a_restart(
    client: TestClient,
    node_database: NodeDatabase,
    agreements: dict[str, Agreement],
    listed: dict[IndicatorType, int],
    kh_key: str,
) -> None:
    path = collection_path(agreements[KH]) + "objects/"
    before = {o["x_scamintel_type"] for o in get(client, path, kh_key).json()["objects"]}
    assert before == {"phone", "url", "bank_account"}
    apply(node_database, terms(KH, version=4, types=["url", "phone"], blind=["phone"]))
    after = {o["x_scamintel_type"] for o in get(client, path, kh_key).json()["objects"]}
    assert after == {"phone", "url"}
    title = get(client, collection_path(agreements[KH]), kh_key).json()["title"]
    assert title == "Shared with KH-NCC (agreement v4)"
    apply(node_database, terms(KH, version=5, purposes=["investigation"]))
    assert get(client, path, kh_key).json() == {"more": False}


# -- what a partner reads --------------------------------------------------------------------------
def test_types_outside_the_agreement_never_appear_and_blind_types_only_as_selectors(
    client: TestClient,
    agreements: dict[str, Agreement],
    listed: dict[IndicatorType, int],
    kh_key: str,
) -> None:
    kh = agreements[KH]
    answer = get(client, collection_path(kh) + "objects/", kh_key)
    assert answer.status_code == 200
    objects = {o["x_scamintel_type"]: o for o in answer.json()["objects"]}
    assert set(objects) == {"phone", "url", "bank_account"}
    for obj in objects.values():
        assert obj["object_marking_refs"] == [TLP_MARKING_IDS[Tlp.AMBER]]
        assert obj["x_scamintel_purpose"] == "prevention"
        assert obj["x_scamintel_legal_basis"] == "TH-KH MoU 2025"
        assert obj["x_scamintel_origin"] == "test-node"
    url = objects["url"]
    assert url["id"] == indicator_id(VALUES[IndicatorType.URL])
    assert url["x_scamintel_value"] == VALUES[IndicatorType.URL].value
    assert (url["x_scamintel_report_count"], objects["phone"]["x_scamintel_report_count"]) == (
        1,
        2,
    )
    assert objects["bank_account"]["x_scamintel_report_count"] == 0
    for indicator_type in (IndicatorType.PHONE, IndicatorType.BANK_ACCOUNT):
        selector = kh.selector(VALUES[indicator_type])
        blind = objects[indicator_type.value]
        assert blind["x_scamintel_blind"] == selector
        assert blind["id"] == blind_object_id(selector)
        assert blind["pattern"] == f"[x-scamintel-blind-selector:value = '{selector}']"
    secrets = [
        VALUES[IndicatorType.PHONE].value,
        VALUES[IndicatorType.PHONE].value.removeprefix("+"),
        "0812345678",
        VALUES[IndicatorType.BANK_ACCOUNT].value,
        "9876543210",
        VALUES[IndicatorType.DOMAIN].value,
        VALUES[IndicatorType.EMAIL].value,
        indicator_id(VALUES[IndicatorType.PHONE]),
    ]
    manifest = get(client, collection_path(kh) + "manifest/", kh_key)
    for text in (answer.text, manifest.text):
        for secret in secrets:
            assert secret not in text
    # The blind selector is addressable by its own id, never by the raw value's.
    phone_id = objects["phone"]["id"]
    one = get(client, collection_path(kh) + f"objects/{phone_id}/", kh_key).json()
    assert [o["id"] for o in one["objects"]] == [phone_id]
    raw_id = indicator_id(VALUES[IndicatorType.PHONE])
    assert get(client, collection_path(kh) + f"objects/{raw_id}/", kh_key).status_code == 404
    filtered = get(client, collection_path(kh) + "objects/", kh_key, **{"match[id]": phone_id})
    assert [o["id"] for o in filtered.json()["objects"]] == [phone_id]


def test_the_public_listings_collection_is_unchanged_by_agreements(
    client: TestClient,
    agreements: dict[str, Agreement],
    listed: dict[IndicatorType, int],
    analyst_key: str,
) -> None:
    listings = get(client, f"{COLLECTIONS}{LISTINGS_COLLECTION_ID}/objects/", analyst_key).json()
    assert len(listings["objects"]) == len(VALUES)
    for obj in listings["objects"]:
        assert obj["object_marking_refs"] == [TLP_MARKING_IDS[Tlp.CLEAR]]
        assert "x_scamintel_blind" not in obj


def test_an_agreement_collection_pages_exactly_over_one_timestamp(
    client: TestClient,
    node_database: NodeDatabase,
    agreements: dict[str, Agreement],
    la_key: str,
) -> None:
    """LA reads domains only: 40 of them among 40 phones, all changed at one instant."""
    items: list[Indicator] = []
    for n in range(40):
        items += [
            Indicator(IndicatorType.PHONE, phone(n)),
            Indicator(IndicatorType.DOMAIN, f"scam-{n}.example"),
        ]
    publish_values(node_database.engine, items)
    path = collection_path(agreements[LA]) + "objects/"
    body = get(client, path, la_key, limit=7).json()
    pages = [body]
    while body["more"]:
        body = get(client, path, la_key, limit=7, next=body["next"]).json()
        pages.append(body)
    ids = [o["id"] for page in pages for o in page.get("objects", [])]
    assert [len(page.get("objects", [])) for page in pages] == [7] * 5 + [5]
    assert ids == [indicator_id(item) for item in items if item.type is IndicatorType.DOMAIN]
    assert all(
        o["object_marking_refs"] == [TLP_MARKING_IDS[Tlp.GREEN]]
        for page in pages
        for o in page.get("objects", [])
    )


# -- what a partner pushes -------------------------------------------------------------------------
def sent(indicator: Indicator, tlp: Tlp = Tlp.AMBER, **extra: Any) -> dict[str, Any]:
    """An indicator as KH's node shares it with this node."""
    obj = indicator_object(
        indicator,
        SharingContext(KH, tlp, legal_basis="TH-KH MoU 2025"),
        created=NOW,
        valid_from=NOW,
        score=0.8,
        verdict="scam",
    )
    obj.update(extra)
    return obj


def sent_blind(indicator: Indicator) -> dict[str, Any]:
    """A blind selector as KH's node sends one: keyed with the key both nodes share."""
    selector = terms(KH).selector(indicator)
    obj = sent(indicator)
    for name in ("x_scamintel_value", "name", "description"):
        obj.pop(name)
    obj.update(
        id=blind_object_id(selector),
        pattern=f"[x-scamintel-blind-selector:value = '{selector}']",
        x_scamintel_blind=selector,
        x_scamintel_report_count=4,
    )
    return obj


def pushed_objects() -> list[dict[str, Any]]:
    marking = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_MARKING_IDS[Tlp.AMBER],
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:AMBER",
    }
    return [
        marking,
        sent(Indicator(IndicatorType.URL, "https://kh-loan-fast.com/apply")),
        sent_blind(Indicator(IndicatorType.PHONE, "+855123456789")),
        sent(Indicator(IndicatorType.PHONE, "+855123456780")),
        sent(Indicator(IndicatorType.DOMAIN, "kh-loan-fast.com")),
        sent(Indicator(IndicatorType.URL, "https://kh-secret.com/x"), Tlp.RED),
        "not an object",
    ]


def test_a_push_enabled_partner_adds_objects_and_refusals_are_failures_with_reasons(
    client: TestClient,
    node_database: NodeDatabase,
    agreements: dict[str, Agreement],
    kh_key: str,
    la_key: str,
    analyst_key: str,
) -> None:
    objects = pushed_objects()
    answer = post(
        client, collection_path(agreements[KH]) + "objects/", kh_key, {"objects": objects}
    )
    assert answer.status_code == 202, answer.text
    assert answer.headers["content-type"] == TAXII_MEDIA_TYPE
    status = answer.json()
    assert status["status"] == "complete"
    counts = [status[f"{n}_count"] for n in ("total", "success", "failure", "pending")]
    assert counts == [7, 3, 4, 0]
    assert [s["id"] for s in status["successes"]] == [o["id"] for o in objects[:3]]
    assert status["successes"][1]["version"] == objects[1]["modified"]
    assert "not kept" in status["successes"][0]["message"]
    reasons = {f["id"]: f["message"] for f in status["failures"]}
    assert reasons[objects[3]["id"]] == "phone values must arrive as blind selectors"
    assert reasons[objects[4]["id"]] == "type domain is not in the agreement"
    assert reasons[objects[5]["id"]] == "marking TLP:RED is not in the agreement"
    assert reasons[""] == "not a STIX object"
    with node_database.engine.connect() as connection:
        stored = connection.execute(
            select(partner_indicators.c.partner, partner_indicators.c.type,
                   partner_indicators.c.value, partner_indicators.c.blind_hash)
            .order_by(partner_indicators.c.type)
        ).all()  # fmt: skip
        refused = connection.execute(
            select(federation_rejections.c.partner, federation_rejections.c.stix_id,
                   federation_rejections.c.reason)
        ).all()  # fmt: skip
    assert [tuple(row) for row in stored] == [
        (KH, "phone", None, objects[2]["x_scamintel_blind"]),
        (KH, "url", "https://kh-loan-fast.com/apply", None),
    ]
    assert sorted((row.stix_id or "", row.reason) for row in refused) == sorted(reasons.items())
    assert {row.partner for row in refused} == {KH}
    # The status stays readable by its poster and this node's staff, by nobody else.
    status_path = f"/taxii2/api/status/{status['id']}/"
    assert get(client, status_path, kh_key).json() == status
    assert get(client, status_path, analyst_key).json() == status
    assert get(client, status_path, la_key).status_code == 404
    assert get(client, f"/taxii2/api/status/{uuid.uuid4()}/", kh_key).status_code == 404
    assert get(client, "/taxii2/api/status/nope/", kh_key).status_code == 404
    # Posting the same objects again doubles nothing.
    again = post(client, collection_path(agreements[KH]) + "objects/", kh_key, {"objects": objects})
    assert again.json()["success_count"] == 3
    with node_database.engine.connect() as connection:
        assert len(connection.execute(select(partner_indicators.c.id)).all()) == 2


def test_pushes_are_refused_without_push_in_the_agreement_and_to_other_collections(
    client: TestClient,
    node_database: NodeDatabase,
    agreements: dict[str, Agreement],
    kh_key: str,
    la_key: str,
    analyst_key: str,
) -> None:
    envelope = {"objects": pushed_objects()[1:2]}
    refused = post(client, collection_path(agreements[LA]) + "objects/", la_key, envelope)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == TAXII_MEDIA_TYPE
    assert "push: true" in refused.json()["description"]
    listings_path = f"{COLLECTIONS}{LISTINGS_COLLECTION_ID}/objects/"
    assert post(client, listings_path, kh_key, envelope).status_code == 404
    assert post(client, listings_path, analyst_key, envelope).status_code == 403
    staff = post(client, collection_path(agreements[KH]) + "objects/", analyst_key, envelope)
    assert staff.status_code == 403
    other = post(client, collection_path(agreements[LA]) + "objects/", kh_key, envelope)
    assert other.status_code == 404
    with node_database.engine.connect() as connection:
        assert connection.execute(select(partner_indicators.c.id)).all() == []


def test_bad_pushes_get_taxii_errors(
    client: TestClient, agreements: dict[str, Agreement], kh_key: str
) -> None:
    path = collection_path(agreements[KH]) + "objects/"
    envelope = {"objects": pushed_objects()[1:2]}
    for content_type in ("application/json", "application/taxii+json;version=2.0", "text/plain"):
        wrong = post(client, path, kh_key, envelope, content_type)
        assert wrong.status_code == 415, content_type
        assert wrong.headers["content-type"] == TAXII_MEDIA_TYPE
    spaced = post(client, path, kh_key, envelope, "application/taxii+json; version=2.1")
    assert spaced.status_code == 202
    for body, words in (
        (b"{not json", "not JSON"),
        ([1, 2], "envelope"),
        ({"type": "bundle", "id": "bundle--x", "objects": []}, "not a STIX bundle"),
        ({"object": []}, '"objects"'),
    ):
        bad = post(client, path, kh_key, body)
        assert bad.status_code == 400, body
        assert words in bad.json()["description"]
        assert bad.json()["http_status"] == "400"
    huge = {
        "objects": [sent(Indicator(IndicatorType.URL, "https://a.example/" + "x" * 900))] * 1200
    }
    too_large = post(client, path, kh_key, huge)
    assert too_large.status_code == 413
    assert too_large.headers["content-type"] == TAXII_MEDIA_TYPE
    assert "larger than" in too_large.json()["description"]


# -- with the OASIS client, against a running server -----------------------------------------------
def test_taxii2_client_reads_a_partner_collection_and_pushes_to_it(
    server: str,
    node_database: NodeDatabase,
    agreements: dict[str, Agreement],
    kh_key: str,
) -> None:
    items = [Indicator(IndicatorType.PHONE, phone(n)) for n in range(1500)]
    items += [Indicator(IndicatorType.DOMAIN, f"scam-{n}.example") for n in range(1500)]
    publish_values(node_database.engine, items)
    auth = BearerAuth(kh_key)
    root = ApiRoot(f"{server}/taxii2/api/", auth=auth)
    mine = next(c for c in root.collections if c.id == agreements[KH].collection_id)
    assert (mine.can_read, mine.can_write) == (True, True)
    pages = list(as_pages(mine.get_objects, per_request=1000))
    objects = [obj for envelope in pages for obj in envelope.get("objects", [])]
    assert len(pages) == 2
    selectors = {agreements[KH].selector(item) for item in items[:1500]}
    assert len({o["id"] for o in objects}) == 1500
    assert {o["x_scamintel_blind"] for o in objects} == selectors
    collection = Collection(f"{server}{collection_path(agreements[KH])}", auth=auth)
    status = collection.add_objects({"objects": pushed_objects()[:-1]})
    assert (status.status, status.total_count, status.success_count) == ("complete", 6, 3)
    assert status.failure_count == 3
    again = root.get_status(status.id)
    assert again.id == status.id
    assert {f["message"] for f in again.failures} >= {"type domain is not in the agreement"}
    status.refresh()
    assert status.success_count == 3
