"""Scam operations over HTTP: the ranked list, one operation, merged ids and dossiers, on the
real app and both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Connection, insert
from stix2validator import ValidationOptions, validate_instance

from e2e.conftest import make_key
from operation_rows import ReportRow, add_report, new_operation
from scamintel.access.keys import Role
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operation_summaries_repo import refresh_summaries
from scamintel.storage.operations_repo import recluster_all
from scamintel.storage.store import read_audit_entries
from scamintel.storage.tables import partner_indicators

HOTLINE = ("phone", "+66812345678", "TH")
MULE = ("bank_account", "KH:ABA:000123456", "KH")
# Found only in a narrative: the victim's own Myanmar number.
VICTIM_PHONE = ("phone", "+95912345678", "MM")
NARRATIVE = "He said <b>invest</b> & 'double' your money; I sent 20,000 baht."
# Accepted validator warnings (see tests/unit/federation/test_stix_mapping.py): 103 UUIDv5
# ids, 401 OpenCTI's custom observables.
ACCEPTED_WARNINGS = ("{103}", "{401}")


def operations(connection: Connection) -> tuple[int, int, int]:
    big = new_operation(connection)
    small = new_operation(connection)
    merged = new_operation(connection, merged_into=big)
    add_report(
        connection,
        big,
        ReportRow(
            amount="20000",
            currency="THB",
            source_key="v1",
            narrative=NARRATIVE,
            values=[HOTLINE, MULE],
        ),
    )
    add_report(
        connection,
        big,
        ReportRow(victim_country="MM", amount="300", currency="USD", days=12, values=[MULE]),
    )
    add_report(
        connection,
        small,
        ReportRow(
            narrative="Call me back on +95 9 1234 5678",
            values=[("phone", "+66899999999", "TH")],
            mentioned=[VICTIM_PHONE],
        ),
    )
    # What a partner shared under TLP:AMBER without onward sharing: counted, never passed on.
    connection.execute(
        insert(partner_indicators).values(
            partner="KH-NCC",
            stix_id="indicator--kh-1",
            version=datetime.now(UTC),
            type=HOTLINE[0],
            value=HOTLINE[1],
            score=0.9,
            report_count=6,
            marking="amber",
            purpose="investigation",
            revoked=False,
            expires_at=datetime(2100, 1, 1, tzinfo=UTC),
            onward=False,
            received_at=datetime.now(UTC),
        )
    )
    refresh_summaries(connection, [big, small, merged], datetime.now(UTC))
    return big, small, merged


def headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_only_analysts_investigators_and_admins_read_operations(
    client: TestClient, node_database: NodeDatabase, analyst_key: str, reporter_key: str
) -> None:
    assert client.get("/api/v1/clusters").status_code == 401
    refused = client.get("/api/v1/clusters", headers=headers(reporter_key))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/clusters", headers=headers(analyst_key)).status_code == 200
    admin = make_key(node_database.engine, Role.ADMIN, "Node operator")
    assert client.get("/api/v1/clusters", headers=headers(admin)).status_code == 200


def test_list_is_ranked_by_harm_and_filtered(
    client: TestClient, node_database: NodeDatabase, investigator_key: str
) -> None:
    with node_database.engine.begin() as connection:
        big, small, _ = operations(connection)
    listed = client.get("/api/v1/clusters", headers=headers(investigator_key)).json()
    assert [item["id"] for item in listed["items"]] == [big, small]
    top = listed["items"][0]
    assert top["cross_border"] is True
    assert top["victim_count"] == 2
    assert top["title"] == "investment · 2 reports · MM, TH"
    assert top["total_loss_usd"] == "880.00"
    only_mm = client.get(
        "/api/v1/clusters", params={"country": "mm"}, headers=headers(investigator_key)
    )
    assert [item["id"] for item in only_mm.json()["items"]] == [big]
    local = client.get(
        "/api/v1/clusters", params={"cross_border": "false"}, headers=headers(investigator_key)
    )
    # The Myanmar number in the small operation's narrative makes it neither cross-border
    # nor Myanmar's.
    assert [item["id"] for item in local.json()["items"]] == [small]
    assert local.json()["items"][0]["summary"]["narrative_indicators"] == 1
    latest = client.get(
        "/api/v1/clusters", params={"sort": "last_seen"}, headers=headers(investigator_key)
    )
    assert [item["id"] for item in latest.json()["items"]] == [big, small]
    assert "recency_factor" not in latest.json()["items"][0]["summary"]["harm"]
    bad = client.get("/api/v1/clusters", params={"limit": 0}, headers=headers(investigator_key))
    assert bad.status_code == 422


def test_one_operation_and_merged_and_unknown_ids(
    client: TestClient, node_database: NodeDatabase, analyst_key: str
) -> None:
    with node_database.engine.begin() as connection:
        big, small, merged = operations(connection)
    detail = client.get(f"/api/v1/clusters/{big}", headers=headers(analyst_key)).json()
    assert detail["id"] == big
    assert next((i["type"], i["report_count"]) for i in detail["indicators"]) == (
        "bank_account",
        2,
    )
    assert len(detail["reports"]) == 2
    assert all("narrative" not in report for report in detail["reports"])
    assert "v1" not in json.dumps(detail)  # no source key, no contact
    # This node's analysts see what partners shared with it.
    assert detail["summary"]["partners"][0]["values"] == ["phone:+66812345678"]
    small_detail = client.get(f"/api/v1/clusters/{small}", headers=headers(analyst_key)).json()
    assert [i["value"] for i in small_detail["indicators"]] == ["+66899999999"]
    moved = client.get(
        f"/api/v1/clusters/{merged}?reports_limit=1",
        headers=headers(analyst_key),
        follow_redirects=False,
    )
    assert moved.status_code == 308
    assert moved.headers["location"] == f"/api/v1/clusters/{big}?reports_limit=1"
    dossier_moved = client.get(
        f"/api/v1/clusters/{merged}/dossier?format=html",
        headers=headers(analyst_key),
        follow_redirects=False,
    )
    assert dossier_moved.headers["location"] == f"/api/v1/clusters/{big}/dossier?format=html"
    huge = client.get(f"/api/v1/clusters/{2**70}", headers=headers(analyst_key))
    assert huge.status_code == 422
    unknown = client.get("/api/v1/clusters/987654", headers=headers(analyst_key))
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")


def test_an_operation_not_summarised_yet_is_shown_and_exported(
    client: TestClient, node_database: NodeDatabase, analyst_key: str
) -> None:
    """The clustering made it, no summary is stored yet: summarised on the fly, not a 404."""
    with node_database.engine.begin() as connection:
        fresh = new_operation(connection)
        add_report(connection, fresh, ReportRow(narrative="story", values=[HOTLINE]))
    detail = client.get(f"/api/v1/clusters/{fresh}", headers=headers(analyst_key))
    assert detail.status_code == 200
    assert detail.json()["report_count"] == 1
    assert detail.json()["title"] == "investment · 1 report · TH"
    dossier = client.get(
        f"/api/v1/clusters/{fresh}/dossier", params={"format": "json"}, headers=headers(analyst_key)
    )
    assert dossier.status_code == 200
    assert dossier.json()["summary"]["report_count"] == 1


def test_dossiers_download_in_three_formats_and_are_audited(
    client: TestClient, node_database: NodeDatabase, investigator_key: str
) -> None:
    with node_database.engine.begin() as connection:
        big, _, _ = operations(connection)
    url = f"/api/v1/clusters/{big}/dossier"

    stix = client.get(url, params={"format": "stix"}, headers=headers(investigator_key))
    assert stix.status_code == 200
    assert stix.headers["content-disposition"] == (
        f'attachment; filename="operation-{big}-dossier.stix.json"'
    )
    bundle = stix.json()
    results = validate_instance(bundle, ValidationOptions(version="2.1", strict=False))
    assert results.is_valid, [str(error) for error in results.errors]
    assert not [str(w) for w in results.warnings if not any(a in str(w) for a in ACCEPTED_WARNINGS)]
    grouping = next(obj for obj in bundle["objects"] if obj["type"] == "grouping")
    assert grouping["context"] == "suspicious-activity"
    kinds = {ref.split("--")[0] for ref in grouping["object_refs"]}
    assert kinds == {"indicator", "report"}
    assert NARRATIVE not in stix.text

    # Partners are neither named in STIX nor their amber, no-onward values passed on.
    assert "KH-NCC" not in stix.text
    assert "1 federation partners reported the same values (6 reports)" in stix.text

    as_json = client.get(url, params={"format": "json"}, headers=headers(investigator_key))
    document = as_json.json()
    assert document["reports"][0]["narrative"] == NARRATIVE
    assert document["summary"]["report_count"] == 2
    assert document["summary"]["partners"] == [
        {"partner": "KH-NCC", "matched_values": 1, "report_count": 6, "values": []}
    ]

    html = client.get(url, params={"format": "html"}, headers=headers(investigator_key))
    assert html.headers["content-type"].startswith("text/html")
    assert "He said &lt;b&gt;invest&lt;/b&gt; &amp;" in html.text
    assert "<script" not in html.text
    assert "http://" not in html.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "+66812345678" in html.text
    assert "<svg" in html.text

    bad = client.get(url, params={"format": "pdf"}, headers=headers(investigator_key))
    assert bad.status_code == 422

    with node_database.engine.connect() as connection:
        exports = [
            entry.event
            for entry in read_audit_entries(connection)
            if entry.event.action == "operation.dossier_export"
        ]
    assert [event.details["format"] for event in exports] == ["stix", "json", "html"]
    # Which reports' narratives left the node: none in STIX, the one with a narrative else.
    assert [event.details["narrative_report_ids"] for event in exports] == [
        [],
        [document["reports"][0]["id"]],
        [document["reports"][0]["id"]],
    ]
    assert all(event.object_id == str(big) for event in exports)
    key_id = investigator_key.split("_")[1]
    assert {event.actor for event in exports} == {f"key:{key_id}"}


def test_operations_found_by_the_clustering_are_listed_with_their_summaries(
    client: TestClient, node_database: NodeDatabase, analyst_key: str
) -> None:
    with node_database.engine.begin() as connection:
        for number in range(3):
            add_report(
                connection,
                None,
                ReportRow(
                    source_key=f"org:2:{number:016x}",
                    victim_country="LA" if number else "TH",
                    amount="100",
                    currency="USD",
                    values=[HOTLINE, MULE] if number < 2 else [MULE],
                ),
            )
        recluster_all(connection, fanout_cap=200, now=datetime.now(UTC))
    listed = client.get("/api/v1/clusters", headers=headers(analyst_key)).json()["items"]
    assert len(listed) == 1
    (operation,) = listed
    assert (operation["report_count"], operation["victim_count"]) == (3, 3)
    assert operation["total_loss_usd"] == "300.00"
    assert operation["summary"]["infrastructure_countries"] == ["KH", "TH"]
    assert operation["cross_border"] is True
