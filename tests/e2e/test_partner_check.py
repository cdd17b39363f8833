"""Partner knowledge in the check, on SQLite and PostgreSQL: what partner nodes shared about a
value (raw, or by a blind selector) is shown beside the node's verdict, to whom its TLP
marking allows, and never changes that verdict."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from e2e.conftest import make_key
from helpers import run_scamintel
from scamintel.access.keys import OrganisationKind, Role
from scamintel.federation.agreement import Agreement, parse_agreement
from scamintel.federation.intake import ReceivedIndicator
from scamintel.federation.markings import Purpose, Tlp
from scamintel.federation.stix import indicator_id
from scamintel.indicators import Indicator, ParseContext, default_registry
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement, store_received

NOW = datetime.now(UTC)
REGISTRY = default_registry()
THAILAND = ParseContext("TH")
BLIND_KEY = "mm-ccd-and-th-share-this-key-0123456789"


# -- factories -----------------------------------------------------------------------------------
def canonical(raw: str) -> Indicator:
    return REGISTRY.canonicalise(raw, None, THAILAND)


def agreement(partner: str, *, blind: bool = False) -> Agreement:
    lines = [
        f"partner: {partner}",
        "version: 1",
        "types: [phone, url, bank_account]",
        "markings: [clear, green, amber, amber+strict, red]",
        "share_as: amber",
        "purposes: [prevention, investigation]",
        "retention_days: 90",
    ]
    if blind:
        lines += ["blind: [bank_account]", f"blind_key: {BLIND_KEY}"]
    return parse_agreement("\n".join(lines))


def received(
    partner: str,
    indicator: Indicator,
    *,
    marking: Tlp,
    reports: int,
    blind_with: Agreement | None = None,
    revoked: bool = False,
    expires_at: datetime | None = None,
    valid_until: datetime | None = None,
) -> ReceivedIndicator:
    """A record as the importer keeps it: the raw value, or only its blind selector."""
    blind_hash = blind_with.selector(indicator) if blind_with is not None else None
    stix_id = indicator_id(indicator)
    if blind_hash is not None:
        stix_id = f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, blind_hash)}"
    return ReceivedIndicator(
        partner=partner,
        stix_id=stix_id,
        version=NOW - timedelta(hours=1),
        type=indicator.type,
        value=None if blind_hash else indicator.value,
        blind_hash=blind_hash,
        verdict="scam",
        score=0.9,
        report_count=reports,
        marking=marking,
        purpose=Purpose.PREVENTION,
        revoked=revoked,
        valid_until=valid_until,
        expires_at=expires_at or NOW + timedelta(days=90),
        onward=False,
        received_at=NOW - timedelta(hours=1),
    )


MULE = canonical("KBANK 123-4-56789-0")
CALLER = canonical("081-234-5678")
LINK = canonical("hxxps://kbank-verify-th[.]com/login")


@pytest.fixture
def partners_know(node_database: NodeDatabase) -> None:
    """TH-AOC holds the caller under AMBER, KH-NCC under CLEAR; MM-CCD holds the mule account
    by blind selector only, under AMBER; a revoked and an expired record name the link."""
    mm = agreement("MM-CCD", blind=True)
    with node_database.engine.begin() as connection:
        for item in (agreement("TH-AOC"), agreement("KH-NCC"), mm):
            apply_agreement(connection, item, node_database.sealer, "cli", NOW)
        store_received(
            connection,
            [
                received("TH-AOC", CALLER, marking=Tlp.AMBER, reports=3),
                received("KH-NCC", CALLER, marking=Tlp.CLEAR, reports=1),
                received("MM-CCD", MULE, marking=Tlp.AMBER, reports=2, blind_with=mm),
                received("TH-AOC", LINK, marking=Tlp.CLEAR, reports=4, revoked=True),
                received(
                    "KH-NCC", LINK, marking=Tlp.CLEAR, reports=5, expires_at=NOW - timedelta(1)
                ),
                received(
                    "MM-CCD", LINK, marking=Tlp.CLEAR, reports=6, valid_until=NOW - timedelta(1)
                ),
            ],
        )


def check(client: TestClient, value: str, key: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answer = client.get("/api/v1/check", params={"q": value}, headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def partners_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["partner"]: item for item in body["partners"]}


# -- the API -------------------------------------------------------------------------------------
@pytest.mark.usefixtures("partners_know")
def test_a_citizen_sees_only_what_partners_marked_tlp_clear(client: TestClient) -> None:
    body = check(client, "081 234 5678")
    assert body["partners"] == [
        {
            "partner": "KH-NCC",
            "verdict": "scam",
            "reports": 1,
            "marking": "TLP:CLEAR",
            "blind": False,
            "summary": "known to partner KH-NCC, 1 report, TLP:CLEAR",
        }
    ]


@pytest.mark.usefixtures("partners_know")
def test_partner_knowledge_does_not_change_the_nodes_own_verdict(
    client: TestClient, analyst_key: str
) -> None:
    body = check(client, "081 234 5678", analyst_key)
    assert len(body["partners"]) == 2
    assert (body["verdict"], body["report_count"], body["score"]) == ("no_reports", 0, 0.0)


@pytest.mark.usefixtures("partners_know")
def test_the_nodes_analysts_investigators_and_admins_see_amber_records(
    client: TestClient, node_database: NodeDatabase, analyst_key: str, investigator_key: str
) -> None:
    admin_key = make_key(node_database.engine, Role.ADMIN, "Node operations")
    for key in (analyst_key, investigator_key, admin_key):
        found = partners_of(check(client, "+66812345678", key))
        assert set(found) == {"KH-NCC", "TH-AOC"}
        assert found["TH-AOC"]["marking"] == "TLP:AMBER"
        assert found["TH-AOC"]["summary"] == "known to partner TH-AOC, 3 reports, TLP:AMBER"


@pytest.mark.usefixtures("partners_know")
def test_reporter_and_partner_keys_do_not_see_amber_records(
    client: TestClient, node_database: NodeDatabase, reporter_key: str
) -> None:
    partner_key = make_key(
        node_database.engine, Role.PARTNER, "TH-AOC", kind=OrganisationKind.PARTNER_NODE
    )
    for key in (reporter_key, partner_key):
        assert set(partners_of(check(client, "0812345678", key))) == {"KH-NCC"}


@pytest.mark.usefixtures("partners_know")
def test_a_blind_selector_matches_the_value_it_was_made_from(
    client: TestClient, analyst_key: str
) -> None:
    found = partners_of(check(client, "KBANK 1234567890", analyst_key))
    assert found == {
        "MM-CCD": {
            "partner": "MM-CCD",
            "verdict": "scam",
            "reports": 2,
            "marking": "TLP:AMBER",
            "blind": True,
            "summary": "known to partner MM-CCD, 2 reports, TLP:AMBER",
        }
    }
    assert check(client, "KBANK 1234567890")["partners"] == []
    assert check(client, "KBANK 1234567891", analyst_key)["partners"] == []


@pytest.mark.usefixtures("partners_know")
def test_revoked_expired_and_past_retention_records_are_not_shown(
    client: TestClient, analyst_key: str
) -> None:
    assert check(client, "https://kbank-verify-th.com/login", analyst_key)["partners"] == []


def test_a_check_without_partner_data_answers_an_empty_list(client: TestClient) -> None:
    assert check(client, "0899999999")["partners"] == []


@pytest.mark.usefixtures("partners_know")
def test_the_check_reads_the_agreements_once_and_partner_records_with_one_query(
    client: TestClient, node_database: NodeDatabase
) -> None:
    statements: list[str] = []

    def record(*arguments: Any) -> None:
        statements.append(str(arguments[2]).lower())

    event.listen(node_database.engine, "before_cursor_execute", record)
    try:
        check(client, "KBANK 1234567890")
    finally:
        event.remove(node_database.engine, "before_cursor_execute", record)
    assert sum("from partner_indicators" in s for s in statements) == 1
    assert sum("from agreements" in s for s in statements) == 1


# -- the CLI (the operator sees every record) ----------------------------------------------------
def cli(settings: Settings, cwd: Path, *arguments: str) -> subprocess.CompletedProcess[bytes]:
    result = run_scamintel(settings, cwd, *arguments)
    assert result.returncode == 0, result.stderr.decode()
    return result


@pytest.mark.usefixtures("partners_know")
def test_the_cli_check_prints_every_partner_record(settings: Settings, tmp_path: Path) -> None:
    answer = json.loads(cli(settings, tmp_path, "check", "081-234-5678", "--json").stdout)
    assert [(p["partner"], p["marking"]) for p in answer["partners"]] == [
        ("KH-NCC", "TLP:CLEAR"),
        ("TH-AOC", "TLP:AMBER"),
    ]
    assert answer["verdict"] == "no_reports"
    text = cli(settings, tmp_path, "check", "KBANK 1234567890").stdout.decode()
    assert "known to partner MM-CCD, 2 reports, TLP:AMBER as scam (by blind selector)" in text
