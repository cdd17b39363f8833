"""The investigator's path through issue 6, on two real nodes (SQLite and PostgreSQL): the
Thai centre loads the demonstration data, finds its worst scam operation, prints a dossier,
opens a case on it and asks the Cambodian partner node to freeze the operation's mule
account; the partner accepts, works on it and freezes it, and the Thai case shows the answer
after a sync, with the outcome in the Thai verdict engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from e2e.conftest import make_key
from e2e.nodes import Node, second_node, serving
from helpers import indicator_outcomes
from scamintel.access.keys import OrganisationKind, Role
from scamintel.federation.agreement import Agreement
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement

THAI, CAMBODIAN = "TH-AOC", "KH-NCC"
DEMO_REPORTS = "400"
MONEY_TYPES = ("bank_account", "ewallet", "crypto_wallet")


def agreement_with(partner: str) -> Agreement:
    return Agreement.model_validate(
        {
            "partner": partner,
            "version": 1,
            "types": ["phone", *MONEY_TYPES],
            "markings": ["amber"],
            "share_as": "amber",
            "purposes": ["investigation"],
            "retention_days": 90,
        }
    )


def apply(database: NodeDatabase, partner: str) -> None:
    with database.engine.begin() as connection:
        apply_agreement(
            connection, agreement_with(partner), database.sealer, "test", datetime.now(UTC)
        )


def cli_json(node: Node, *arguments: str) -> Any:
    done = node.cli(*arguments, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def thai(settings: Settings, node_database: NodeDatabase, tmp_path: Path) -> Node:
    apply(node_database, CAMBODIAN)
    (tmp_path / "th").mkdir()
    return Node(settings.model_copy(update={"node_name": THAI}), node_database, tmp_path / "th")


@pytest.fixture
def cambodian(second_database_url: str, tmp_path: Path) -> Iterator[Node]:
    node = second_node(
        second_database_url,
        tmp_path,
        name=CAMBODIAN,
        country="KH",
        agreement=agreement_with(THAI),
    )
    yield node
    node.database.dispose()


def worst_operation(node: Node) -> dict[str, Any]:
    listed = node.cli("operation", "list", "--top", "1", "--json")
    assert listed.returncode == 0, listed.stderr
    top: dict[str, Any] = json.loads(listed.stdout.splitlines()[0])
    return top


def mule_account(operation: dict[str, Any]) -> dict[str, Any]:
    """The operation's money value named by the most reports."""
    money = [i for i in operation["indicators"] if i["type"] in MONEY_TYPES]
    assert money, f"operation {operation['id']} names no account or wallet"
    best: dict[str, Any] = max(money, key=lambda i: i["report_count"])
    return best


def test_from_the_worst_operation_to_a_dossier_and_a_request_the_partner_answers(
    thai: Node, cambodian: Node, tmp_path: Path
) -> None:
    loaded = thai.cli("demo", "--count", DEMO_REPORTS)
    assert loaded.returncode == 0, loaded.stderr
    assert "operations" in loaded.stdout

    # The worst operation: first by harm, and the same one `operation show` describes.
    top = worst_operation(thai)
    assert top["report_count"] >= 2
    operation = cli_json(thai, "operation", "show", str(top["id"]))
    assert operation["id"] == top["id"]
    account = mule_account(operation)

    dossier = tmp_path / "dossier.html"
    printed = thai.cli(
        "operation", "dossier", str(top["id"]), "--format", "html", "--out", str(dossier)
    )
    assert printed.returncode == 0, printed.stderr
    page = dossier.read_text(encoding="utf-8")
    assert account["value"] in page
    assert "<svg" in page  # the timeline and the network picture are drawn in the page

    case = cli_json(thai, "case", "open", "--operation", str(top["id"]))
    case_id = str(case["id"])

    partner_key = make_key(
        cambodian.database.engine, Role.PARTNER, THAI, kind=OrganisationKind.PARTNER_NODE
    )
    cambodian_police = make_key(cambodian.database.engine, Role.INVESTIGATOR, "KH police")
    with serving(cambodian) as (kh_url, _):
        added = thai.cli("peer", "add", CAMBODIAN, f"{kh_url}/taxii2/", "--key", partner_key)
        assert added.returncode == 0, added.stderr
        sent = cli_json(
            thai,
            "request",
            "send",
            CAMBODIAN,
            "--kind",
            "freeze_account",
            "--type",
            account["type"],
            "--value",
            account["value"],
            "--reason",
            f"Operation {top['id']}: {top['report_count']} reports name this account",
            "--case",
            case_id,
        )
        assert sent["status"] == "received", sent
        request_id = sent["request_id"]

        with httpx.Client(
            base_url=kh_url, headers={"Authorization": f"Bearer {cambodian_police}"}, timeout=30
        ) as kh:
            queue = kh.get("/api/v1/requests", params={"direction": "incoming"}).json()
            assert [(r["request_id"], r["partner"]) for r in queue["requests"]] == [
                (request_id, THAI)
            ]
            for step in ("accept", "start"):
                assert kh.post(f"/api/v1/requests/{request_id}/{step}").status_code == 200
            done = kh.post(
                f"/api/v1/requests/{request_id}/fulfil",
                json={"outcome": "frozen", "reason": "The bank froze it"},
            )
            assert done.status_code == 200, done.text

        synced = thai.cli("sync")
        assert synced.returncode == 0, synced.stderr

    shown = cli_json(thai, "case", "show", case_id)
    assert [(r["request_id"], r["status"], r["outcome"]) for r in shown["requests"]] == [
        (request_id, "fulfilled", "frozen")
    ]
    assert (account["value"], "frozen", f"partner:{CAMBODIAN}") in indicator_outcomes(thai.database)
