"""The audit log's proofs over HTTP and from the command line: who may ask, what a partner
keeps and checks, the disclosures TAXII pages record, and `audit verify --head FILE`."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select, update

from e2e.conftest import make_key
from e2e.test_taxii_partner_collections import (
    KH,
    VALUES,
    agreements,  # noqa: F401 - fixture
    collection_path,
    get,
    kh_key,  # noqa: F401 - fixture
    listed,  # noqa: F401 - fixture
)
from helpers import run_scamintel
from scamintel.access.keys import OrganisationKind, Role
from scamintel.api import create_app
from scamintel.federation.agreement import Agreement
from scamintel.governance.audit import AuditEvent
from scamintel.governance.signing import AuditSigner
from scamintel.indicators import IndicatorType
from scamintel.settings import Settings
from scamintel.storage.audit_repo import sign_head
from scamintel.storage.node import NodeDatabase
from scamintel.storage.store import append_audit
from scamintel.storage.tables import audit_log, audit_signed_heads, audit_subjects

AUDIT = "/api/v1/audit"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def write(connection: Connection, count: int) -> None:
    for n in range(count):
        append_audit(
            connection,
            AuditEvent("analyst", "report.read", "report", str(n), "investigation", subjects=(n,)),
        )


def signed(settings: Settings, database: NodeDatabase, entries: int = 4) -> None:
    with database.engine.begin() as connection:
        write(connection, entries)
        sign_head(
            connection, AuditSigner(settings.secret_key), settings.node_name, datetime.now(UTC)
        )


@pytest.fixture
def admin_key(node_database: NodeDatabase) -> str:
    return make_key(node_database.engine, Role.ADMIN, "Node operator")


@pytest.fixture
def partner_key(node_database: NodeDatabase) -> str:
    return make_key(
        node_database.engine, Role.PARTNER, "MY-NSRC", kind=OrganisationKind.PARTNER_NODE
    )


def test_only_admins_verify_and_read_trails_and_partners_also_get_heads(
    client: TestClient, analyst_key: str, reporter_key: str, admin_key: str, partner_key: str
) -> None:
    admin_only = [f"{AUDIT}/verify", f"{AUDIT}/trail?q=0812345678"]
    head_readers = [f"{AUDIT}/key", f"{AUDIT}/consistency?first=1"]
    for path in admin_only + head_readers:
        assert client.get(path).status_code == 401, path
        for key in (analyst_key, reporter_key):
            answer = client.get(path, headers=bearer(key))
            assert answer.status_code == 403, path
            assert answer.headers["content-type"] == "application/problem+json"
    for path in admin_only:
        assert client.get(path, headers=bearer(partner_key)).status_code == 403, path
    assert client.post(f"{AUDIT}/heads/check", json={}).status_code == 401
    assert (
        client.post(f"{AUDIT}/heads/check", json={}, headers=bearer(analyst_key)).status_code == 403
    )
    key = client.get(f"{AUDIT}/key", headers=bearer(partner_key)).json()
    assert key["algorithm"] == "Ed25519"
    assert key["retired"] == []
    assert key["key_id"] == client.get(f"{AUDIT}/key", headers=bearer(admin_key)).json()["key_id"]


def test_a_partner_keeps_a_head_and_checks_it_later(
    client: TestClient,
    settings: Settings,
    node_database: NodeDatabase,
    admin_key: str,
    partner_key: str,
) -> None:
    assert client.get(f"{AUDIT}/head", headers=bearer(partner_key)).status_code == 404
    signed(settings, node_database)
    kept = client.get(f"{AUDIT}/head", headers=bearer(partner_key)).json()
    assert kept["size"] == 4
    assert kept["node"] == settings.node_name
    with node_database.engine.begin() as connection:
        write(connection, 3)
        sign_head(
            connection, AuditSigner(settings.secret_key), settings.node_name, datetime.now(UTC)
        )
    verified = client.get(f"{AUDIT}/verify", headers=bearer(admin_key)).json()
    assert verified["ok"], verified["problems"]
    assert (verified["entries"], verified["signed_heads"]) == (9, 2)

    check = client.post(f"{AUDIT}/heads/check", json=kept, headers=bearer(partner_key)).json()
    assert check["consistent"], check["problems"]
    assert (check["proof"]["first"], check["proof"]["second"]) == (4, 8)
    assert check["latest"]["size"] == 8
    proof = client.get(
        f"{AUDIT}/consistency", params={"first": 4, "second": 8}, headers=bearer(partner_key)
    ).json()
    assert proof["proof"] == check["proof"]["proof"]
    too_far = client.get(f"{AUDIT}/consistency?first=3&second=99", headers=bearer(admin_key))
    assert too_far.status_code == 422
    assert "<= 9" in too_far.json()["detail"]

    forged = {**kept, "root_hash": "00" * 32}
    refused = client.post(f"{AUDIT}/heads/check", json=forged, headers=bearer(partner_key)).json()
    assert not refused["consistent"]
    with node_database.engine.begin() as connection:
        connection.execute(
            update(audit_log).where(audit_log.c.seq == 2).values(entry_hash="ab" * 32)
        )
    broken = client.post(f"{AUDIT}/heads/check", json=kept, headers=bearer(partner_key)).json()
    assert not broken["consistent"]
    after = client.get(f"{AUDIT}/verify", headers=bearer(admin_key)).json()
    assert not after["ok"]
    assert "entry 2 was altered after it was written" in after["problems"]
    malformed = client.post(
        f"{AUDIT}/heads/check", json={**kept, "size": 0}, headers=bearer(partner_key)
    )
    assert malformed.status_code == 422


def test_taxii_pages_served_to_a_partner_are_disclosures_with_their_values(
    client: TestClient,
    node_database: NodeDatabase,
    agreements: dict[str, Agreement],  # noqa: F811
    kh_key: str,  # noqa: F811
    listed: dict[IndicatorType, int],  # noqa: F811
    admin_key: str,
) -> None:
    kh = agreements[KH]
    page = get(client, collection_path(kh) + "objects/", kh_key, limit=2)
    assert page.status_code == 200
    get(client, collection_path(kh) + "manifest/", kh_key, limit=2)
    with node_database.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log)
            .where(audit_log.c.action == "federation.page_served")
            .order_by(audit_log.c.seq)
        ).all()
        subjects = connection.scalars(
            select(audit_subjects.c.indicator_id).where(audit_subjects.c.seq == rows[0].seq)
        ).all()
    assert len(rows) == 2
    details = json.loads(rows[0].details)
    assert rows[0].legal_basis == "partner_agreement"
    assert rows[0].object_id == kh.collection_id
    assert rows[0].actor.startswith("key:")
    assert details["partner"] == KH
    assert details["count"] == 2
    assert details["more"] is True
    assert details["next"]
    assert details["agreement_version"] == 3
    assert details["agreement_legal_basis"] == "TH-KH MoU 2025"
    assert json.loads(rows[1].details)["endpoint"] == "manifest"
    assert len(subjects) == 2
    assert set(subjects) <= set(listed.values())
    shown = next(t for t, i in listed.items() if i == subjects[0])
    trail = client.get(
        f"{AUDIT}/trail",
        params={"q": VALUES[shown].value, "type": shown.value},
        headers=bearer(admin_key),
    ).json()
    assert trail["held"]
    assert [e["action"] for e in trail["entries"]][:2] == ["federation.page_served"] * 2


def test_taxii_pages_read_by_staff_and_trail_reads_are_recorded(
    client: TestClient,
    node_database: NodeDatabase,
    agreements: dict[str, Agreement],  # noqa: F811
    listed: dict[IndicatorType, int],  # noqa: F811
    analyst_key: str,
    admin_key: str,
) -> None:
    """An analyst's TAXII page is a disclosure in the values' trail, but not one to a partner
    (its own action, which the transparency report does not count); reading a trail is
    audited with its purpose; a value the node holds no row for says so."""
    assert get(client, collection_path(agreements[KH]) + "objects/", analyst_key).status_code == 200
    shown = next(iter(listed))
    trail = client.get(
        f"{AUDIT}/trail",
        params={"q": VALUES[shown].value, "type": shown.value, "purpose": "dsar-7"},
        headers=bearer(admin_key),
    ).json()
    unknown = client.get(
        f"{AUDIT}/trail", params={"q": "0899999999"}, headers=bearer(admin_key)
    ).json()
    with node_database.engine.connect() as connection:
        reads = connection.execute(
            select(audit_log)
            .where(audit_log.c.action == "audit.trail_read")
            .order_by(audit_log.c.seq)
        ).all()
        subjects = connection.scalars(
            select(audit_subjects.c.indicator_id).where(audit_subjects.c.seq == reads[0].seq)
        ).all()
        served = connection.scalar(
            select(func.count()).where(audit_log.c.action == "federation.page_served")
        )
    assert [e["action"] for e in trail["entries"]] == ["taxii.page_read"]
    assert trail["entries"][0]["legal_basis"] == "public_task"
    assert served == 0
    assert [(r.purpose, r.legal_basis) for r in reads] == [
        ("dsar-7", "legal_obligation"),
        (None, "legal_obligation"),
    ]
    assert subjects == [listed[shown]]
    assert (unknown["held"], unknown["entries"]) == (False, [])
    assert "holds no row" in unknown["note"]


def test_audit_verify_with_a_kept_head_fails_after_tampering(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    signed(settings, node_database)
    with node_database.engine.begin() as connection:
        write(connection, 2)
    head = run_scamintel(settings, tmp_path, "audit", "head", "--json")
    assert head.returncode == 0, head.stderr
    kept = tmp_path / "head.json"
    kept.write_bytes(head.stdout)
    assert json.loads(head.stdout)["size"] == 4
    with node_database.engine.begin() as connection:
        connection.execute(
            update(audit_log).where(audit_log.c.seq == 3).values(entry_hash="cd" * 32)
        )
        connection.execute(update(audit_log).where(audit_log.c.seq == 3).values(actor="someone"))
    broken = run_scamintel(settings, tmp_path, "audit", "verify", "--head", str(kept))
    assert broken.returncode == 1
    stderr = broken.stderr.decode()
    assert "entry 3 was altered after it was written" in stderr
    assert "first 4 entries no longer have the root" in stderr


def test_the_served_app_signs_the_head_on_its_interval(
    settings: Settings, node_database: NodeDatabase
) -> None:
    with node_database.engine.begin() as connection:
        write(connection, 2)
    quick = settings.model_copy(
        update={"audit_sign_interval_seconds": 0.2, "purge_interval_seconds": 0}
    )
    with TestClient(create_app(quick, database=node_database)):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with node_database.engine.connect() as connection:
                if connection.scalar(select(func.count()).select_from(audit_signed_heads)):
                    break
            time.sleep(0.1)
    with node_database.engine.connect() as connection:
        sizes = connection.scalars(select(audit_signed_heads.c.size)).all()
    # Signed once: its own entry is all that was written since, so later runs write nothing.
    assert sizes == [2]
