"""Interoperability: `scamintel sync` pulls from medallion, the OASIS reference TAXII 2.1
server, run as a process (memory backend, HTTP Basic), paging with medallion's own `next`
tokens and then incrementally with `added_after`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import select

from helpers import free_port, scamintel_command, settings_environment
from scamintel.federation.agreement import Agreement
from scamintel.federation.intake import TLP1_MARKING_IDS
from scamintel.federation.markings import TLP_MARKING_IDS, Tlp
from scamintel.indicators import IndicatorType, ParseContext, default_registry
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.peers_repo import add_peer, find_peer, save_cursor
from scamintel.storage.tables import partner_indicators

PARTNER = "CTI-Exchange"
USER, PASSWORD = "scamintel", "medallion-pass-0123"
TAXII = "application/taxii+json;version=2.1"
COLLECTION = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"
HIDDEN = "472c94ae-3113-4e3e-a4dd-a9f4ac7471d4"
PAGE_SIZE = 7
ADDED = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
# Markings partners use: TLP 2.0 and TLP 1.0 ("white" is 1.0's CLEAR).
MARKINGS = [
    TLP_MARKING_IDS[Tlp.CLEAR],
    TLP_MARKING_IDS[Tlp.GREEN],
    TLP_MARKING_IDS[Tlp.AMBER],
    next(m for m, tlp in TLP1_MARKING_IDS.items() if tlp is Tlp.GREEN),
    next(m for m, tlp in TLP1_MARKING_IDS.items() if tlp is Tlp.CLEAR),
]
RED = TLP_MARKING_IDS[Tlp.RED]


def raw_values() -> list[tuple[IndicatorType, str, str]]:
    """50 values as a partner writes them: (our type, STIX pattern path, raw value)."""
    values = [
        (IndicatorType.URL, "url:value", f"http://Scam-Pay-{i}.com/login?id={i}") for i in range(20)
    ]
    values += [
        (IndicatorType.DOMAIN, "domain-name:value", f"lucky{i}-prize.net") for i in range(15)
    ]
    values += [(IndicatorType.IP, "ipv4-addr:value", f"45.77.10.{i + 1}") for i in range(15)]
    return values


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def indicator(path: str, raw: str, marking: str, moment: datetime) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": stamp(moment),
        "modified": stamp(moment),
        "name": f"scam {path}",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[{path} = '{raw}']",
        "pattern_type": "stix",
        "valid_from": stamp(moment),
        "object_marking_refs": [marking],
        "confidence": 80,
    }


def bundle() -> list[dict[str, Any]]:
    shared = [
        indicator(path, raw, MARKINGS[i % len(MARKINGS)], ADDED + timedelta(seconds=i))
        for i, (_, path, raw) in enumerate(raw_values())
    ]
    # Four the agreement refuses (TLP:RED), among the others.
    refused = [
        indicator("domain-name:value", f"red{i}-secret.org", RED, ADDED + timedelta(seconds=60 + i))
        for i in range(4)
    ]
    return shared + refused


def data_file(port: int, objects: list[dict[str, Any]]) -> dict[str, Any]:
    """medallion's memory backend format (medallion/backends/memory_backend.py)."""
    root = f"http://127.0.0.1:{port}/api1/"
    manifest = [
        {
            "id": obj["id"],
            "date_added": obj["modified"],
            "version": obj["modified"],
            "media_type": "application/stix+json;version=2.1",
        }
        for obj in objects
    ]
    collection = {
        "id": COLLECTION,
        "title": "Scam indicators",
        "can_read": True,
        "can_write": True,
        "media_types": ["application/stix+json;version=2.1"],
        "objects": objects,
        "manifest": manifest,
    }
    write_only = {**collection, "id": HIDDEN, "title": "Drop box", "can_read": False}
    return {
        "/discovery": {"title": "medallion", "default": root, "api_roots": [root]},
        "api1": {
            "information": {
                "title": "Scam sharing",
                "versions": [TAXII],
                "max_content_length": 10_000_000,
            },
            "status": [],
            "collections": [collection, {**write_only, "objects": [], "manifest": []}],
        },
    }


@pytest.fixture
def medallion(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    data = tmp_path / "medallion-data.json"
    data.write_text(json.dumps(data_file(port, bundle())))
    config = tmp_path / "medallion.json"
    config.write_text(
        json.dumps(
            {
                "backend": {
                    "module": "medallion.backends.memory_backend",
                    "module_class": "MemoryBackend",
                    "filename": str(data),
                },
                "users": {USER: PASSWORD},
                "taxii": {"max_page_size": 100},
            }
        )
    )
    log = tmp_path / "medallion.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "medallion"), "--port", str(port), str(config)],
            cwd=tmp_path,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(
                base + "/taxii2/", headers={"Accept": TAXII}, auth=(USER, PASSWORD), timeout=1
            )
            if answer.status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        process.wait(timeout=15)
        pytest.fail("medallion did not start: " + log.read_text(errors="replace"))
    yield base
    process.terminate()
    process.wait(timeout=15)


def cli(
    settings: Settings, cwd: Path, *arguments: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        scamintel_command(*arguments),
        env=settings_environment(settings),
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def held(node_database: NodeDatabase) -> list[tuple[str, str | None]]:
    with node_database.engine.connect() as connection:
        rows = connection.execute(
            select(partner_indicators.c.type, partner_indicators.c.value).where(
                partner_indicators.c.partner == PARTNER
            )
        ).all()
    return sorted((row.type, row.value) for row in rows)


def test_sync_pulls_every_indicator_from_medallion_once_paging_and_then_incrementally(
    settings: Settings, node_database: NodeDatabase, medallion: str, tmp_path: Path
) -> None:
    terms = Agreement.model_validate(
        {
            "partner": PARTNER,
            "version": 1,
            "types": ["url", "domain", "ip"],
            "markings": ["clear", "green", "amber"],
            "purposes": ["prevention"],
            "retention_days": 30,
        }
    )
    with node_database.engine.begin() as connection:
        apply_agreement(connection, terms, node_database.sealer, "test", datetime.now(UTC))
    # The key from standard input, as an operator keeps it out of the shell's history.
    added = cli(
        settings,
        tmp_path,
        *("peer", "add", PARTNER, f"{medallion}/taxii2/", "--key", "-", "--basic"),
        stdin=f"{USER}:{PASSWORD}\n",
    )
    assert added.returncode == 0, added.stderr

    done = cli(settings, tmp_path, "sync", "--page-size", str(PAGE_SIZE), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    [result] = json.loads(done.stdout)
    # 54 objects, 7 a page: medallion's next token carried us through 8 pages.
    assert (result["pages"], result["received"], result["stored"], result["refused"]) == (
        8,
        54,
        50,
        4,
    )
    assert result["collection"] == COLLECTION
    registry, context = default_registry(), ParseContext("TH")
    expected = sorted(
        (kind.value, registry.canonicalise(raw, kind, context).value)
        for kind, _, raw in raw_values()
    )
    assert held(node_database) == expected
    assert len(set(expected)) == 50

    refusals = cli(settings, tmp_path, "refusals", "--peer", PARTNER)
    assert refusals.stdout.count("marking TLP:RED is not in the agreement") == 4

    # Something new on medallion: the next sync asks only for what was added after.
    new = indicator("ipv4-addr:value", "103.20.1.9", MARKINGS[0], datetime.now(UTC))
    posted = httpx.post(
        f"{medallion}/api1/collections/{COLLECTION}/objects/",
        headers={"Accept": TAXII, "Content-Type": TAXII},
        auth=(USER, PASSWORD),
        json={"objects": [new]},
    )
    assert posted.status_code == 202, posted.text
    again = cli(settings, tmp_path, "sync", "--page-size", str(PAGE_SIZE), "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    [incremental] = json.loads(again.stdout)
    assert (incremental["pages"], incremental["received"], incremental["stored"]) == (1, 1, 1)
    assert held(node_database) == sorted([*expected, ("ip", "103.20.1.9")])
    with node_database.engine.connect() as connection:
        peer = find_peer(connection, PARTNER, node_database.sealer)
    assert peer is not None
    assert (peer.auth, peer.last_error, peer.next_cursor) == ("basic", None, None)


def test_a_next_medallion_no_longer_knows_restarts_the_paging_and_doubles_nothing(
    settings: Settings, node_database: NodeDatabase, medallion: str, tmp_path: Path
) -> None:
    """A paging interrupted long enough for medallion to expire its session: the saved next
    is refused (400), so sync starts again from the saved filter."""
    terms = Agreement.model_validate(
        {
            "partner": PARTNER,
            "version": 1,
            "types": ["url", "domain", "ip"],
            "markings": ["clear", "green", "amber"],
            "purposes": ["prevention"],
            "retention_days": 30,
        }
    )
    now = datetime.now(UTC)
    with node_database.engine.begin() as connection:
        apply_agreement(connection, terms, node_database.sealer, "test", now)
        add_peer(
            connection,
            node_database.sealer,
            name=PARTNER,
            url=f"{medallion}/api1/",
            api_key=f"{USER}:{PASSWORD}",
            auth="basic",
            collection_id=COLLECTION,
            now=now,
        )
        save_cursor(connection, PARTNER, next_cursor=str(uuid.uuid4()), added_after=None)
    done = cli(settings, tmp_path, "sync", "--page-size", "25", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    [result] = json.loads(done.stdout)
    assert (result["pages"], result["received"], result["stored"]) == (3, 54, 50)
    assert len(held(node_database)) == 50
