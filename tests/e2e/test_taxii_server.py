"""The read-only TAXII 2.1 server over the published listings (docs/federation.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from taxii2client.v21 import Collection, as_pages

from e2e.conftest import make_key
from scamintel.access.keys import Role
from scamintel.federation.stix import indicator_id
from scamintel.federation.taxii import LISTINGS_COLLECTION_ID, TAXII_MEDIA_TYPE
from scamintel.indicators import Indicator, IndicatorType
from scamintel.protection.listing import value_hash
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import indicators, listing_head, listings

ACCEPT = {"Accept": TAXII_MEDIA_TYPE}
COLLECTION = f"/taxii2/api/collections/{LISTINGS_COLLECTION_ID}/"
CHANGED_AT = datetime(2025, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)
FIRST_SEEN = datetime(2025, 5, 1, tzinfo=UTC)


def phone(number: int) -> str:
    return f"+6681{number:07d}"


def publish(engine: Engine, numbers: Sequence[int], changed_at: datetime = CHANGED_AT) -> None:
    """Bare inserts of listed phone numbers, one change_seq each, like bench/protection.py."""
    items = [Indicator(IndicatorType.PHONE, phone(n)) for n in numbers]
    publish_values(engine, items, changed_at)


def publish_values(
    engine: Engine, items: Sequence[Indicator], changed_at: datetime = CHANGED_AT
) -> list[int]:
    """Bare inserts of listed values of any type, one change_seq each, in order; returns
    their indicator ids."""
    with engine.begin() as connection:
        ids = connection.scalars(
            indicators.insert().returning(indicators.c.id, sort_by_parameter_order=True),
            [
                {"type": item.type.value, "value": item.value, "created_at": FIRST_SEEN}
                for item in items
            ],
        ).all()
        start = connection.scalar(listing_head.select().with_only_columns(listing_head.c.seq))
        rows: list[dict[str, Any]] = [
            {
                "indicator_id": row_id,
                "type": item.type.value,
                "value": item.value,
                "value_hash": value_hash(item.value),
                "verdict": "scam",
                "score": Decimal("0.900"),
                "under_review": False,
                "change_seq": (start or 0) + offset,
                "changed_at": changed_at,
            }
            for offset, (row_id, item) in enumerate(zip(ids, items, strict=True), start=1)
        ]
        connection.execute(listings.insert(), rows)
        connection.execute(update(listing_head).values(seq=(start or 0) + len(rows)))
    return list(ids)


def remove(engine: Engine, number: int, changed_at: datetime) -> None:
    with engine.begin() as connection:
        seq = connection.scalar(listing_head.select().with_only_columns(listing_head.c.seq)) + 1
        connection.execute(update(listing_head).values(seq=seq))
        connection.execute(
            update(listings)
            .where(listings.c.value == phone(number))
            .values(verdict="removed", score=0, change_seq=seq, changed_at=changed_at)
        )


def stix_id(number: int) -> str:
    return indicator_id(Indicator(IndicatorType.PHONE, phone(number)))


@pytest.fixture
def partner_key(node_database: NodeDatabase) -> str:
    """The public listings collection is read by this node's own analysts (partners read
    only under an agreement)."""
    return make_key(node_database.engine, Role.ANALYST, "Thai Anti-Scam Centre")


def test_a_partner_key_does_not_see_the_listings_collection(
    client: TestClient, node_database: NodeDatabase
) -> None:
    partner = make_key(node_database.engine, Role.PARTNER, "Cambodia NCC")
    collections = get(client, "/taxii2/api/collections/", partner).json()
    assert collections.get("collections", []) == []
    assert get(client, COLLECTION + "objects/", partner).status_code == 404


def get(client: TestClient, path: str, key: str, **params: Any) -> Any:
    headers = {**ACCEPT, "Authorization": f"Bearer {key}"}
    return client.get(path, headers=headers, params=params)


def test_discovery_api_root_and_collections(client: TestClient, partner_key: str) -> None:
    found = get(client, "/taxii2/", partner_key)
    assert found.status_code == 200
    assert found.headers["content-type"] == TAXII_MEDIA_TYPE
    assert found.json()["api_roots"] == ["http://testserver/taxii2/api/"]
    root = get(client, "/taxii2/api/", partner_key).json()
    assert root["versions"] == [TAXII_MEDIA_TYPE]
    assert root["max_content_length"] > 0
    collections = get(client, "/taxii2/api/collections/", partner_key).json()["collections"]
    assert [(c["id"], c["can_read"], c["can_write"]) for c in collections] == [
        (LISTINGS_COLLECTION_ID, True, False)
    ]
    assert get(client, COLLECTION, partner_key).json()["title"] == "listings"
    unknown = get(client, "/taxii2/api/collections/nope/", partner_key)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == TAXII_MEDIA_TYPE


def test_keys_and_roles(client: TestClient, analyst_key: str, reporter_key: str) -> None:
    anonymous = client.get("/taxii2/", headers=ACCEPT)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == TAXII_MEDIA_TYPE
    assert anonymous.json()["http_status"] == "401"
    assert "title" in anonymous.json()
    reporter = get(client, COLLECTION + "objects/", reporter_key)
    assert reporter.status_code == 403
    assert reporter.json()["title"] == "Forbidden"
    assert get(client, COLLECTION + "objects/", analyst_key).status_code == 200


def test_accept_negotiation(client: TestClient, partner_key: str) -> None:
    auth = {"Authorization": f"Bearer {partner_key}"}
    for accept in ("application/json", "application/taxii+json;version=2.0", "text/html"):
        refused = client.get("/taxii2/api/", headers={**auth, "Accept": accept})
        assert refused.status_code == 406, accept
        assert refused.headers["content-type"] == TAXII_MEDIA_TYPE
    for accept in ("application/taxii+json", "*/*", TAXII_MEDIA_TYPE):
        assert client.get("/taxii2/api/", headers={**auth, "Accept": accept}).status_code == 200


def test_envelope_paging_and_headers(
    client: TestClient, node_database: NodeDatabase, partner_key: str
) -> None:
    publish(node_database.engine, range(5))
    later = CHANGED_AT + timedelta(minutes=5)
    remove(node_database.engine, 0, later)
    first = get(client, COLLECTION + "objects/", partner_key, limit=2)
    assert first.status_code == 200
    body = first.json()
    assert body["more"] is True
    assert [o["id"] for o in body["objects"]] == [stix_id(1), stix_id(2)]
    assert first.headers["x-taxii-date-added-first"] == "2025-06-01T12:00:00.123456Z"
    assert first.headers["x-taxii-date-added-last"] == "2025-06-01T12:00:00.123456Z"
    seen = [o["id"] for o in body["objects"]]
    while body["more"]:
        body = get(client, COLLECTION + "objects/", partner_key, limit=2, next=body["next"]).json()
        seen += [o["id"] for o in body["objects"]]
    assert seen == [stix_id(n) for n in (1, 2, 3, 4, 0)]
    revoked = body["objects"][-1]
    assert revoked["revoked"] is True
    assert revoked["modified"] == "2025-06-01T12:05:00.123Z"
    assert revoked["object_marking_refs"] == [
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
    ]
    after = get(client, COLLECTION + "objects/", partner_key, added_after="2025-06-01T12:01:00Z")
    assert [o["id"] for o in after.json()["objects"]] == [stix_id(0)]
    assert get(client, COLLECTION + "objects/", partner_key, next="bogus").status_code == 400


def test_filters_object_versions_and_manifest(
    client: TestClient, node_database: NodeDatabase, partner_key: str
) -> None:
    publish(node_database.engine, range(3))
    objects = COLLECTION + "objects/"
    wanted = f"{stix_id(2)},{stix_id(0)}"
    by_id = get(client, objects, partner_key, **{"match[id]": wanted}).json()
    assert [o["id"] for o in by_id["objects"]] == [stix_id(0), stix_id(2)]
    assert get(client, objects, partner_key, **{"match[type]": "indicator"}).json()["objects"]
    assert get(client, objects, partner_key, **{"match[type]": "malware"}).json() == {"more": False}
    assert get(client, objects, partner_key, **{"match[spec_version]": "2.0"}).json() == {
        "more": False
    }
    version = get(client, objects, partner_key, **{"match[version]": "2025-06-01T12:00:00.123Z"})
    assert len(version.json()["objects"]) == 3
    one = get(client, objects + f"{stix_id(1)}/", partner_key).json()
    assert [o["id"] for o in one["objects"]] == [stix_id(1)]
    versions = get(client, objects + f"{stix_id(1)}/versions/", partner_key).json()
    assert versions == {"more": False, "versions": ["2025-06-01T12:00:00.123Z"]}
    assert get(client, objects + "indicator--nope/", partner_key).status_code == 404
    manifest = get(client, COLLECTION + "manifest/", partner_key, limit=2).json()
    assert manifest["more"] is True
    assert manifest["objects"][0] == {
        "id": stix_id(0),
        "date_added": "2025-06-01T12:00:00.123456Z",
        "version": "2025-06-01T12:00:00.123Z",
        "media_type": "application/stix+json;version=2.1",
    }


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.key}"
        return request


@pytest.mark.slow
def test_taxii2_client_reads_ten_thousand_objects_with_one_timestamp_exactly_once(
    server: str, node_database: NodeDatabase, partner_key: str
) -> None:
    publish(node_database.engine, range(10_000))
    collection = Collection(f"{server}{COLLECTION}", auth=BearerAuth(partner_key))
    pages = list(as_pages(collection.get_objects, per_request=1000))
    ids = [obj["id"] for envelope in pages for obj in envelope.get("objects", [])]
    assert len(pages) == 10
    assert len(ids) == 10_000
    assert set(ids) == {stix_id(n) for n in range(10_000)}
