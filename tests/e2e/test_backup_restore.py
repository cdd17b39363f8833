"""A node restored from `scamintel backup` answers exactly as the node it was taken from: the
public check, range lookups, a report read by id (its sealed contact included), the
transparency report, the TAXII collection and `audit verify`; on the same backend and from
SQLite to PostgreSQL; and a backup taken while the server writes restores consistent."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from conftest import TEST_SECRET, _create_postgres_database, _drop_postgres_database
from e2e.conftest import make_key
from e2e.nodes import Node, serving
from scamintel.access.keys import Role
from scamintel.federation.taxii import LISTINGS_COLLECTION_ID, TAXII_MEDIA_TYPE
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import listings, reporter_contacts, reports

pytestmark = pytest.mark.slow

DEMO_REPORTS = "300"
CLI_CHECKS = ("1441",)
UNLISTED = ("+66891230001", "https://nothing-reported.example/pay", "TH:KBANK:1234567890")
OFFICIAL = ("1441", "1599", "kasikornbank.com", "https://www.scb.co.th/")


@dataclass(frozen=True)
class Keys:
    analyst: str
    investigator: str


@dataclass(frozen=True)
class Questions:
    listed: tuple[str, ...]
    report_ids: tuple[str, ...]


def _ok(result: Any) -> Any:
    assert result.returncode == 0, result.stderr
    return result


def _cli_json(node: Node, *arguments: str) -> Any:
    return json.loads(_ok(node.cli(*arguments, "--json")).stdout)


@pytest.fixture
def demo_node(settings: Settings, node_database: NodeDatabase, tmp_path: Path) -> Node:
    node = Node(settings, node_database, tmp_path)
    _ok(node.cli("demo", "--count", DEMO_REPORTS))
    _ok(node.cli("audit", "sign"))
    return node


@pytest.fixture
def keys(demo_node: Node) -> Keys:
    engine = demo_node.database.engine
    return Keys(make_key(engine, Role.ANALYST), make_key(engine, Role.INVESTIGATOR))


def _questions(node: Node) -> Questions:
    with node.database.engine.connect() as connection:
        listed = connection.scalars(
            select(listings.c.value)
            .where(listings.c.verdict.in_(("scam", "suspicious")))
            .order_by(listings.c.change_seq)
            .limit(12)
        ).all()
        with_contact = connection.scalars(
            select(reports.c.id)
            .join(reporter_contacts, reporter_contacts.c.report_id == reports.c.id)
            .order_by(reports.c.id)
            .limit(3)
        ).all()
    assert len(listed) == 12
    assert len(with_contact) == 3
    return Questions(tuple(listed), tuple(str(item) for item in with_contact))


def _answers(node: Node, keys: Keys, questions: Questions) -> dict[str, Any]:
    """Everything the node tells its public, its analysts and its audit, as data."""
    answers: dict[str, Any] = {}
    with serving(node) as (base, _process), httpx.Client(base_url=base, timeout=30) as http:
        # First, before any read below is audited: the report counts disclosures.
        transparency = http.get("/api/v1/transparency").json()
        transparency.pop("generated_at")
        answers["transparency"] = transparency
        for value in (*questions.listed, *UNLISTED, *OFFICIAL):
            answers[f"check {value}"] = http.get("/api/v1/check", params={"q": value}).json()
        for value in questions.listed[:5]:
            prefix = answers[f"check {value}"]
            lookup = http.get(f"/api/v1/range/{_prefix_of(prefix)}")
            answers[f"range {value}"] = (lookup.status_code, lookup.text)
        objects = f"/taxii2/api/collections/{LISTINGS_COLLECTION_ID}/objects/"
        taxii = {"Authorization": f"Bearer {keys.analyst}", "Accept": TAXII_MEDIA_TYPE}
        answers["taxii"] = http.get(objects, headers=taxii, params={"limit": 1000}).json()
        for report_id in questions.report_ids:
            read = http.get(
                f"/api/v1/reports/{report_id}",
                params={"include_reporter": "true", "purpose": "investigation"},
                headers={"Authorization": f"Bearer {keys.investigator}"},
            )
            assert read.status_code == 200, read.text
            answers[f"report {report_id}"] = read.json()
    for value in CLI_CHECKS:
        answers[f"cli check {value}"] = _cli_json(node, "check", value)
    return answers


def _prefix_of(check: dict[str, Any]) -> str:
    from scamintel.protection.listing import value_hash

    return value_hash(check["indicator"]["value"])[:5]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    name = f"scamintel_restored_{uuid.uuid4().hex[:12]}"
    yield _create_postgres_database(name)
    _drop_postgres_database(name)


def _restored_node(node: Node, database_url: str, folder: Path) -> Node:
    folder.mkdir()
    settings = node.settings.model_copy(
        update={"database_url": database_url, "home": folder / "home"}
    )
    database = NodeDatabase(make_engine(database_url), PersonalDataSealer(TEST_SECRET))
    return replace(node, settings=settings, database=database, cwd=folder)


def _backup_restore_and_compare(
    node: Node, keys: Keys, target_url: str, tmp_path: Path
) -> dict[str, Any]:
    questions = _questions(node)
    path = tmp_path / "node.backup"
    taken = _cli_json(node, "backup", str(path))
    original = _answers(node, keys, questions)
    original_audit = _cli_json(node, "audit", "verify")

    restored = _restored_node(node, target_url, tmp_path / "restored")
    try:
        summary = _cli_json(restored, "restore", str(path))
        answers = _answers(restored, keys, questions)
        audit = _cli_json(restored, "audit", "verify")
    finally:
        restored.database.dispose()

    assert summary["rows"] == taken["rows"]
    assert summary["tables"] == taken["tables"] == 33
    assert answers == original
    assert {answers[f"check {value}"]["verdict"] for value in questions.listed} <= {
        "scam",
        "suspicious",
    }
    assert {answers[f"check {value}"]["verdict"] for value in UNLISTED} == {"no_reports"}
    assert answers["check 1441"]["verdict"] == "official"
    assert answers["taxii"]["objects"]
    # The same chain, and one entry more: the restore itself.
    assert audit["ok"]
    assert original_audit["ok"]
    assert audit["signed_heads"] >= 1
    assert audit["entries"] == original_audit["entries"] + 1
    figures: dict[str, Any] = {**taken, "restore_seconds": summary["seconds"]}
    return figures


def test_restored_node_answers_exactly_as_the_original(
    demo_node: Node, keys: Keys, database_url: str, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite"):
        target = f"sqlite:///{tmp_path / 'restored.db'}"
        _backup_restore_and_compare(demo_node, keys, target, tmp_path)
        return
    name = f"scamintel_restored_{uuid.uuid4().hex[:12]}"
    try:
        _backup_restore_and_compare(demo_node, keys, _create_postgres_database(name), tmp_path)
    finally:
        _drop_postgres_database(name)


@pytest.fixture
def sqlite_source(database_url: str) -> None:
    """Skips before the demo node is built: the move between backends starts from SQLite."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the move between backends starts from SQLite")


def test_sqlite_node_restored_into_postgresql_answers_exactly_as_the_original(
    sqlite_source: None, demo_node: Node, keys: Keys, postgres_url: str, tmp_path: Path
) -> None:
    _backup_restore_and_compare(demo_node, keys, postgres_url, tmp_path)


def _report_body(number: int) -> dict[str, Any]:
    return {
        "narrative": f"caller claimed to be police, case {number}",
        "scam_type": "officials_impersonated",
        "channel": "call",
        "indicators": [{"type": "phone", "value": f"+6681{number:07d}"}],
    }


def test_backup_taken_while_the_server_writes_restores_consistent(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    node = Node(settings, node_database, tmp_path)
    restored = _restored_node(node, f"sqlite:///{tmp_path / 'during.db'}", tmp_path / "during")
    if not settings.database_url.startswith("sqlite"):
        restored.database.dispose()
        name = f"scamintel_during_{uuid.uuid4().hex[:12]}"
        restored = _restored_node(node, _create_postgres_database(name), tmp_path / "pg")
    path = tmp_path / "during.backup"
    stop = threading.Event()
    accepted: list[int] = []

    def write_reports(base: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            number = 0
            while not stop.is_set():
                number += 1
                sent = http.post("/api/v1/reports", json=_report_body(number))
                assert sent.status_code in (200, 201), sent.text
                accepted.append(number)

    try:
        with serving(node) as (base, _process):
            writer = threading.Thread(target=write_reports, args=(base,))
            writer.start()
            while len(accepted) < 20:
                time.sleep(0.05)
            taken = _cli_json(node, "backup", str(path))
            during = len(accepted)
            time.sleep(0.3)
            stop.set()
            writer.join(timeout=60)
        summary = _cli_json(restored, "restore", str(path))
        audit = _cli_json(restored, "audit", "verify")
        with restored.database.engine.connect() as connection:
            restored_reports = connection.scalar(select(func.count()).select_from(reports))
    finally:
        restored.database.dispose()
        if not settings.database_url.startswith("sqlite"):
            _drop_postgres_database(restored.settings.database_url.rsplit("/", 1)[1])

    assert summary["rows"] == taken["rows"]
    assert taken["row_counts"]["reports"] == restored_reports
    # Writes went on before and after the snapshot: it holds some of them, not all.
    assert 20 <= restored_reports < len(accepted)
    assert during >= 20
    # Every report's audit entry, the chain's head and its links are in the same snapshot.
    assert audit["ok"], audit
