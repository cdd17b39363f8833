"""``scamintel export --format misp --out DIR`` on SQLite and PostgreSQL: a MISP feed folder of
the node's listings, the same bytes on every run, removals as deleted attributes, and an
exported event that ``scamintel ingest --format misp`` reads back to the same values."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from helpers import run_scamintel
from scamintel.federation.misp_feed import event_uuid
from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from scamintel.protection.listing import ListingState
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.listings_repo import publish
from scamintel.storage.node import NodeDatabase
from scamintel.storage.store import read_audit_entries
from scamintel.storage.tables import indicators, report_indicators

REGISTRY = default_registry()
THAILAND = ParseContext("TH")
NODE = "test-node"  # the settings fixture's node name


def canonical(raw: str) -> Indicator:
    return REGISTRY.canonicalise(raw, None, THAILAND)


def publish_verdicts(engine: Engine, *changes: tuple[Indicator, str]) -> None:
    """Publish verdicts as the verdict engine does (storage.listings_repo.publish)."""
    with engine.begin() as connection:
        states = []
        for indicator, verdict in changes:
            row = connection.scalar(
                select(indicators.c.id).where(
                    indicators.c.type == indicator.type.value,
                    indicators.c.value == indicator.value,
                )
            )
            if row is None:
                row = connection.execute(
                    indicators.insert()
                    .values(
                        type=indicator.type.value,
                        value=indicator.value,
                        country=indicator.country,
                        created_at=datetime.now(UTC),
                    )
                    .returning(indicators.c.id)
                ).scalar_one()
            score = 0.9 if verdict == "scam" else 0.6 if verdict == "suspicious" else 0.0
            states.append(
                ListingState(row, indicator.type.value, indicator.value, verdict, score, False)
            )
        publish(connection, states, datetime.now(UTC))


CALLERS = [canonical("081-234-5678"), canonical("02-123-4567")]
GONE = canonical("089-999-0000")
MULES = [canonical("KBANK 123-4-56789-0"), canonical("SCB 987-6-54321-0")]
LINK = canonical("hxxps://kbank-verify-th[.]com/login")
WALLET = canonical("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")


@pytest.fixture
def listed(node_database: NodeDatabase) -> NodeDatabase:
    publish_verdicts(
        node_database.engine,
        (CALLERS[0], "scam"),
        (CALLERS[1], "suspicious"),
        (GONE, "scam"),
        (MULES[0], "scam"),
        (MULES[1], "scam"),
        (LINK, "scam"),
        (WALLET, "suspicious"),
    )
    publish_verdicts(node_database.engine, (GONE, "no_reports"))
    return node_database


def export(settings: Settings, cwd: Path, folder: Path) -> subprocess.CompletedProcess[bytes]:
    result = run_scamintel(settings, cwd, "export", "--format", "misp", "--out", str(folder))
    assert result.returncode == 0, result.stderr.decode()
    return result


def read_folder(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def event_file(folder: Path, kind: IndicatorType) -> Path:
    return folder / f"{event_uuid(NODE, kind)}.json"


def attributes(folder: Path, kind: IndicatorType) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(event_file(folder, kind).read_text())["Event"][
        "Attribute"
    ]
    return found


@pytest.mark.usefixtures("listed")
def test_the_feed_folder_has_a_manifest_hashes_and_one_event_per_type(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "feed"
    result = export(settings, tmp_path, folder)
    assert "4 events, 7 attributes (6 listed)" in result.stdout.decode()
    manifest = json.loads((folder / "manifest.json").read_text())
    kinds = [IndicatorType.PHONE, IndicatorType.BANK_ACCOUNT, IndicatorType.URL]
    kinds.append(IndicatorType.CRYPTO_WALLET)
    assert set(manifest) == {event_uuid(NODE, kind) for kind in kinds}
    assert {path.name for path in folder.iterdir()} == {
        "manifest.json",
        "hashes.csv",
        *(f"{key}.json" for key in manifest),
    }
    for key, entry in manifest.items():
        event = json.loads((folder / f"{key}.json").read_text())["Event"]
        assert event["uuid"] == key
        assert entry["timestamp"] == int(event["timestamp"])
        assert entry["Orgc"]["name"] == NODE
    rows = {tuple(row) for row in csv.reader((folder / "hashes.csv").read_text().splitlines())}
    listed = [*CALLERS, *MULES, LINK, WALLET]
    assert rows == {(md5(misp_value(i)), event_uuid(NODE, i.type)) for i in listed}


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def misp_value(indicator: Indicator) -> str:
    return indicator.value  # BTC addresses alone lose their label; none is listed here


@pytest.mark.usefixtures("listed")
def test_a_second_export_writes_the_same_bytes_and_a_removal_becomes_a_deleted_attribute(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "feed"
    export(settings, tmp_path, folder)
    first = read_folder(folder)
    export(settings, tmp_path, folder)
    assert read_folder(folder) == first
    gone = [a for a in attributes(folder, IndicatorType.PHONE) if a["value"] == GONE.value]
    assert [(a["deleted"], a["to_ids"]) for a in gone] == [(True, False)]

    before = json.loads(first["manifest.json"])[event_uuid(NODE, IndicatorType.PHONE)]
    publish_verdicts(node_database.engine, (CALLERS[0], "no_reports"))
    export(settings, tmp_path, folder)
    after = json.loads((folder / "manifest.json").read_text())[
        event_uuid(NODE, IndicatorType.PHONE)
    ]
    assert after["timestamp"] >= before["timestamp"]
    removed = {a["value"]: a for a in attributes(folder, IndicatorType.PHONE)}[CALLERS[0].value]
    assert removed["deleted"] is True
    assert int(removed["timestamp"]) >= int(before["timestamp"])
    with node_database.engine.connect() as connection:
        exports = [e for e in read_audit_entries(connection) if e.event.action == "export.misp"]
    assert len(exports) == 3
    assert exports[-1].event.details["listed"] == 5


@pytest.mark.usefixtures("listed")
def test_an_exported_event_ingested_by_another_node_names_the_same_values(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "feed"
    export(settings, tmp_path, folder)
    partner = settings.model_copy(
        update={
            "home": tmp_path / "partner",
            "database_url": f"sqlite:///{tmp_path / 'partner.db'}",
            "node_name": "KH-NCC",
            "node_country": "KH",
        }
    )
    init = run_scamintel(partner, tmp_path, "init")
    assert init.returncode == 0, init.stderr.decode()
    for kind, expected in (
        (IndicatorType.PHONE, CALLERS),
        (IndicatorType.BANK_ACCOUNT, MULES),
        (IndicatorType.URL, [LINK]),
    ):
        ingested = run_scamintel(
            partner, tmp_path, "ingest", str(event_file(folder, kind)), "--format", "misp", "--json"
        )
        assert ingested.returncode == 0, ingested.stderr.decode()
        assert json.loads(ingested.stdout)["new"] == 1
        assert named_values(partner.database_url, kind) == sorted(i.value for i in expected)


def named_values(database_url: str, kind: IndicatorType) -> list[str]:
    """The values the partner node's reports name, of one type."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.scalars(
                select(indicators.c.value)
                .join(report_indicators, report_indicators.c.indicator_id == indicators.c.id)
                .where(indicators.c.type == kind.value)
                .order_by(indicators.c.value)
            )
            return list(rows)
    finally:
        engine.dispose()


def test_misp_needs_an_out_folder_and_only_misp_takes_one(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    missing = run_scamintel(settings, tmp_path, "export", "--format", "misp")
    assert missing.returncode == 2
    assert "--format misp needs --out DIR" in missing.stderr.decode()
    wrong = run_scamintel(
        settings, tmp_path, "export", "--format", "blocklist", "--out", str(tmp_path)
    )
    assert wrong.returncode == 2


def test_an_empty_node_writes_an_empty_feed(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "feed"
    export(settings, tmp_path, folder)
    assert json.loads((folder / "manifest.json").read_text()) == {}
    assert (folder / "hashes.csv").read_text() == ""
