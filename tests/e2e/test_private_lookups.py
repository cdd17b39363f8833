"""Private lookups and blocklists end to end, on SQLite and PostgreSQL: the range API as a
client uses it (hashing on its own side), the bundle and its deltas, the blocklist for telcos
and banks, and the CLI verbs, one of them against a real server process."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast
from urllib.parse import quote

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, select

from e2e.conftest import make_key
from helpers import free_port, run_scamintel
from scamintel.access.keys import OrganisationKind, Role
from scamintel.api import protection_routes
from scamintel.api.protection_routes import DeltaCache, FullBundleCache
from scamintel.indicators import ParseContext, default_registry
from scamintel.protection.bundle import (
    Bundle,
    BundleDelta,
    BundleListing,
    BundleSource,
    build_delta,
    parse_any,
)
from scamintel.protection.listing import ListingState
from scamintel.protection.range import PADDED_LINES, RESPONSE_LENGTH
from scamintel.settings import Settings
from scamintel.storage.listings_repo import publish
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import audit_log, indicators

REGISTRY = default_registry()
THAILAND = ParseContext("TH")
FUZZ = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# -- factories -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Value:
    """A value as people write it, with the node's canonical form."""

    raw: str
    type: str
    canonical: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.canonical.encode("utf-8")).hexdigest()


def value(raw: str) -> Value:
    indicator = REGISTRY.canonicalise(raw, None, THAILAND)
    return Value(raw, indicator.type.value, indicator.value)


def thai_mobile(number: int) -> Value:
    local = f"081{number:07d}"
    return value(f"{local[:3]}-{local[3:6]}-{local[6:]}")


def mule_account(number: int) -> Value:
    return value(f"KBANK {number:010d}")


def phishing_link(number: int) -> Value:
    return value(f"hxxps://kbank-verify{number}[.]com/login")


def publish_verdicts(
    engine: Engine, *changes: tuple[Value, str, float], under_review: bool = False
) -> None:
    """Publish verdicts as the verdict engine does (storage.listings_repo.publish)."""
    with engine.begin() as connection:
        states = [
            _state(connection, item, verdict, score, under_review)
            for item, verdict, score in changes
        ]
        publish(connection, states, datetime.now(UTC))


def _state(
    connection: Connection, item: Value, verdict: str, score: float, under_review: bool
) -> ListingState:
    indicator_id = _indicator_id(connection, item)
    return ListingState(indicator_id, item.type, item.canonical, verdict, score, under_review)


def _indicator_id(connection: Connection, item: Value) -> int:
    found = connection.scalar(
        select(indicators.c.id).where(
            indicators.c.type == item.type, indicators.c.value == item.canonical
        )
    )
    if found is not None:
        return int(found)
    inserted = connection.execute(
        indicators.insert()
        .values(type=item.type, value=item.canonical, country="TH", created_at=datetime.now(UTC))
        .returning(indicators.c.id)
    )
    return int(inserted.scalar_one())


def removal(item: Value) -> tuple[Value, str, float]:
    return item, "no_reports", 0.0


# -- range ---------------------------------------------------------------------------------------
def range_of(client: TestClient, item: Value, **headers: str) -> httpx.Response:
    return client.get(f"/api/v1/range/{item.sha256[:5]}", headers=headers)


def listed_line(body: str, item: Value) -> list[str] | None:
    """What a client does: find its own suffix among the lines, decoys ignored."""
    for line in body.splitlines():
        suffix, verdict, score, review = line.split(":")
        if suffix == item.sha256[5:] and verdict.strip() != "padding":
            return [verdict.strip(), score, review]
    return None


def test_a_client_hashing_its_value_finds_it_listed_and_an_unlisted_value_not_found(
    client: TestClient, node_database: NodeDatabase
) -> None:
    scam, suspect, unlisted = thai_mobile(1234567), mule_account(42), thai_mobile(7654321)
    publish_verdicts(node_database.engine, (scam, "scam", 0.91), (suspect, "suspicious", 0.6))
    answer = range_of(client, scam)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert listed_line(answer.text, scam) == ["scam", "0.91", "0"]
    assert listed_line(range_of(client, suspect).text, suspect) == ["suspicious", "0.60", "0"]
    assert listed_line(range_of(client, unlisted).text, unlisted) is None


def test_every_range_answer_has_the_same_length_whatever_its_bucket_holds(
    client: TestClient, node_database: NodeDatabase
) -> None:
    listed = [thai_mobile(n) for n in range(30)]
    publish_verdicts(node_database.engine, *[(item, "scam", 0.8) for item in listed])
    prefixes = ["00000", "fffff", "ABCDE", *[item.sha256[:5] for item in listed[:5]]]
    lengths = set()
    for prefix in prefixes:
        answer = client.get(f"/api/v1/range/{prefix}")
        assert answer.status_code == 200
        assert len(answer.text.splitlines()) == PADDED_LINES
        lengths.add(len(answer.content))
    assert lengths == {RESPONSE_LENGTH}


def test_a_range_answer_is_revalidated_by_its_etag_until_the_listing_changes(
    client: TestClient, node_database: NodeDatabase
) -> None:
    item = phishing_link(7)
    publish_verdicts(node_database.engine, (item, "suspicious", 0.55))
    first = range_of(client, item)
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert range_of(client, item).content == first.content
    unchanged = range_of(client, item, **{"If-None-Match": first.headers["etag"]})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert unchanged.headers["etag"] == first.headers["etag"]
    publish_verdicts(node_database.engine, (item, "scam", 0.9))
    changed = range_of(client, item, **{"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    assert changed.headers["etag"] != first.headers["etag"]
    assert listed_line(changed.text, item) == ["scam", "0.90", "0"]


@pytest.mark.parametrize("prefix", ["abcd", "abcdef", "abcdg", "%20abcd"])
def test_a_prefix_that_is_not_five_hex_characters_is_refused(
    client: TestClient, prefix: str
) -> None:
    answer = client.get(f"/api/v1/range/{prefix}")
    assert answer.status_code == 422
    assert "first 5 hexadecimal characters" in answer.json()["detail"]


# -- bundle --------------------------------------------------------------------------------------
@pytest.fixture
def fresh_bundles(client: TestClient) -> TestClient:
    """The app's full bundle rebuilt on every request once the listing changes."""
    app = cast(FastAPI, client.app)
    app.state.full_bundle_cache = FullBundleCache(rebuild_after_s=0.0)
    return client


def download(client: TestClient, since: int | None = None) -> Bundle | BundleDelta:
    answer = client.get("/api/v1/bundle", params={} if since is None else {"since": since})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/octet-stream"
    return parse_any(answer.content)


def test_a_bundle_brought_forward_by_deltas_is_exactly_the_nodes_bundle(
    fresh_bundles: TestClient, node_database: NodeDatabase
) -> None:
    engine = node_database.engine
    phones = [thai_mobile(n) for n in range(40)]
    accounts = [mule_account(n) for n in range(10)]
    publish_verdicts(engine, *[(item, "scam", 0.9) for item in phones + accounts])
    client_copy = download(fresh_bundles)
    assert isinstance(client_copy, Bundle)
    assert len(client_copy) == 50
    # More listings, changed verdicts, and removals.
    publish_verdicts(engine, *[(phishing_link(n), "suspicious", 0.6) for n in range(5)])
    publish_verdicts(
        engine, (phones[0], "suspicious", 0.6), removal(phones[1]), removal(accounts[0])
    )
    publish_verdicts(engine, (phones[2], "scam", 0.95), under_review=True)
    for _round in range(2):
        delta = download(fresh_bundles, since=client_copy.version)
        assert isinstance(delta, BundleDelta)
        client_copy = client_copy.apply(delta)
        node_bundle = download(fresh_bundles)
        assert client_copy == node_bundle
        assert client_copy.encode() == fresh_bundles.get("/api/v1/bundle").content
        publish_verdicts(engine, removal(phones[3]), (phones[1], "scam", 0.7))
    assert client_copy.lookup(phones[0].canonical) == BundleListing("suspicious", False)
    assert client_copy.lookup(phones[2].canonical) == BundleListing("scam", True)
    assert not client_copy.contains(accounts[0].canonical)
    assert client_copy.contains(phishing_link(4).canonical)


def test_a_bundle_is_revalidated_by_its_etag_and_a_version_from_the_future_is_refused(
    client: TestClient, node_database: NodeDatabase
) -> None:
    publish_verdicts(node_database.engine, (thai_mobile(1), "scam", 0.9))
    full = client.get("/api/v1/bundle")
    assert full.headers["scamintel-listing-version"] == "1"
    again = client.get("/api/v1/bundle", headers={"If-None-Match": full.headers["etag"]})
    assert again.status_code == 304
    ahead = client.get("/api/v1/bundle", params={"since": 99})
    assert ahead.status_code == 409
    assert "download the full bundle again" in ahead.json()["detail"]


def test_a_full_bundle_is_rebuilt_at_most_once_a_minute_and_a_delta_brings_it_up_to_date(
    client: TestClient, node_database: NodeDatabase
) -> None:
    first, later = thai_mobile(11), thai_mobile(12)
    publish_verdicts(node_database.engine, (first, "scam", 0.9))
    cached = download(client)
    publish_verdicts(node_database.engine, (later, "scam", 0.9))
    again = download(client)
    assert isinstance(again, Bundle)
    assert again == cached
    delta = download(client, since=again.version)
    assert isinstance(delta, BundleDelta)
    assert again.apply(delta).contains(later.canonical)


def test_a_delta_is_built_once_per_version_and_revalidated_by_its_etag(
    client: TestClient, node_database: NodeDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []

    def counted(source: BundleSource, since: int) -> BundleDelta | None:
        builds.append(since)
        return build_delta(source, since)

    monkeypatch.setattr(protection_routes, "build_delta", counted)
    publish_verdicts(node_database.engine, (thai_mobile(21), "scam", 0.9))
    publish_verdicts(node_database.engine, (thai_mobile(22), "scam", 0.9))
    first = client.get("/api/v1/bundle", params={"since": 1})
    assert first.status_code == 200
    assert first.headers["etag"] == '"delta-1-2"'
    assert first.headers["cache-control"] == "public, max-age=60"
    again = client.get("/api/v1/bundle", params={"since": 1})
    assert again.content == first.content
    unchanged = client.get(
        "/api/v1/bundle", params={"since": 1}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert unchanged.headers["etag"] == first.headers["etag"]
    assert unchanged.headers["scamintel-listing-version"] == "2"
    assert builds == [1]
    publish_verdicts(node_database.engine, removal(thai_mobile(21)))
    changed = client.get(
        "/api/v1/bundle", params={"since": 1}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert (changed.status_code, changed.headers["etag"]) == (200, '"delta-1-3"')
    assert builds == [1, 1]
    delta = parse_any(changed.content)
    assert isinstance(delta, BundleDelta)
    assert (delta.since, delta.version, len(delta.upsert_keys)) == (1, 3, 1)


def test_the_delta_cache_keeps_the_latest_deltas_to_the_current_version_only(
    node_database: NodeDatabase,
) -> None:
    engine = node_database.engine
    for number in range(4):
        publish_verdicts(engine, (thai_mobile(30 + number), "scam", 0.9))
    deltas = DeltaCache(max_entries=2)
    assert [deltas.delta(engine, since).since for since in (1, 2, 3)] == [1, 2, 3]
    assert len(deltas) == 2
    assert deltas.delta(engine, 3) is deltas.delta(engine, 3)
    assert deltas.delta(engine, 4).body is not None  # an empty delta: nothing changed
    publish_verdicts(engine, (thai_mobile(30), "suspicious", 0.6))
    newer = deltas.delta(engine, 4)
    assert (newer.version, len(deltas)) == (5, 1)


@FUZZ
@given(prefix=st.text(max_size=12))
def test_the_range_api_answers_any_prefix_without_a_server_error(
    client: TestClient, prefix: str
) -> None:
    answer = client.get("/api/v1/range/" + quote(prefix, safe=""))
    assert answer.status_code in (200, 404, 422), answer.text
    if answer.status_code == 200:
        assert len(answer.content) == RESPONSE_LENGTH


@FUZZ
@given(since=st.one_of(st.integers(), st.text(max_size=8)))
def test_the_bundle_answers_any_since_without_a_server_error(
    client: TestClient, since: object
) -> None:
    answer = client.get("/api/v1/bundle", params={"since": str(since)})
    assert answer.status_code in (200, 409, 422), answer.text


# -- blocklist -----------------------------------------------------------------------------------
@pytest.fixture
def bank_key(node_database: NodeDatabase) -> str:
    return make_key(node_database.engine, Role.REPORTER, "Example Bank", kind=OrganisationKind.BANK)


def blocklist(client: TestClient, key: str | None, **params: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get("/api/v1/blocklist", params=params, headers=headers)


def test_the_blocklist_needs_a_reporter_key_or_above(
    client: TestClient, node_database: NodeDatabase, bank_key: str, analyst_key: str
) -> None:
    partner_key = make_key(node_database.engine, Role.PARTNER, "Partner node")
    assert blocklist(client, None).status_code == 401
    refused = blocklist(client, partner_key)
    assert refused.status_code == 403
    assert "reporter" in refused.json()["detail"]
    assert blocklist(client, bank_key).status_code == 200
    assert blocklist(client, analyst_key).status_code == 200


def test_a_blocklist_cursor_brings_what_was_added_and_removed_since(
    client: TestClient, node_database: NodeDatabase, bank_key: str
) -> None:
    engine = node_database.engine
    mule, caller, weak, link = mule_account(1), thai_mobile(1), thai_mobile(2), phishing_link(1)
    publish_verdicts(engine, (mule, "scam", 0.9), (caller, "scam", 0.8), (weak, "suspicious", 0.3))
    publish_verdicts(engine, (link, "suspicious", 0.6))
    first = blocklist(client, bank_key, type=["phone", "bank_account"]).json()
    assert (first["since"], first["complete"]) == (0, True)
    assert {e["value"] for e in first["added"]} == {mule.canonical, caller.canonical}
    assert first["removed"] == []
    publish_verdicts(engine, removal(caller), (weak, "scam", 0.7), (link, "scam", 0.9))
    publish_verdicts(engine, (mule, "suspicious", 0.4))
    changes = blocklist(client, bank_key, type=["phone", "bank_account"], since=first["cursor"])
    body = changes.json()
    assert body["added"] == [
        {"type": "phone", "value": weak.canonical, "verdict": "scam", "score": 0.7,
         "under_review": False},
    ]  # fmt: skip
    assert {(e["type"], e["value"]) for e in body["removed"]} == {
        ("phone", caller.canonical),
        ("bank_account", mule.canonical),
    }
    assert changes.headers["scamintel-cursor"] == str(body["cursor"])
    assert blocklist(client, bank_key, since=body["cursor"]).json()["added"] == []
    with engine.connect() as connection:
        actions = connection.scalars(select(audit_log.c.action)).all()
    assert actions.count("blocklist.download") == 3


def test_the_blocklist_pages_and_answers_in_csv(
    client: TestClient, node_database: NodeDatabase, bank_key: str
) -> None:
    phones = [thai_mobile(n) for n in range(5)]
    publish_verdicts(node_database.engine, *[(item, "scam", 0.9) for item in phones])
    seen: list[str] = []
    cursor, complete = 0, False
    while not complete:
        page = blocklist(client, bank_key, since=cursor, limit=2, format="csv")
        assert page.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(page.text)))
        assert {row["change"] for row in rows} <= {"added"}
        seen += [row["value"] for row in rows]
        cursor = int(page.headers["scamintel-cursor"])
        complete = page.headers["scamintel-complete"] == "true"
    assert seen == [item.canonical for item in phones]
    publish_verdicts(node_database.engine, removal(phones[0]))
    rows = list(
        csv.DictReader(io.StringIO(blocklist(client, bank_key, since=cursor, format="csv").text))
    )
    assert rows == [
        {"change": "removed", "type": "phone", "value": phones[0].canonical, "verdict": "",
         "score": "", "under_review": ""},
    ]  # fmt: skip


def test_a_blocklist_cursor_ahead_of_the_node_is_refused(client: TestClient, bank_key: str) -> None:
    answer = blocklist(client, bank_key, since=5)
    assert answer.status_code == 409
    assert "start again from cursor 0" in answer.json()["detail"]


# -- the CLI -------------------------------------------------------------------------------------
def test_check_private_asks_a_running_node_with_only_a_hash_prefix(
    server: str, settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    scam, unlisted = thai_mobile(5550123), thai_mobile(5550124)
    publish_verdicts(node_database.engine, (scam, "scam", 0.88))
    found = run_scamintel(
        settings, tmp_path, "check", scam.raw, "--private", "--node", server, "--json"
    )
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)
    assert (answer["listed"], answer["verdict"], answer["score"]) == (True, "scam", 0.88)
    assert answer["indicator"]["value"] == scam.canonical
    assert answer["prefix"] == scam.sha256[:5]
    missing = run_scamintel(
        settings, tmp_path, "check", unlisted.raw, "--private", "--node", server
    )
    assert missing.returncode == 0, missing.stderr
    assert "not listed on that node — that does not mean it is safe" in missing.stdout.decode()


def test_check_private_says_when_the_node_cannot_be_reached(
    settings: Settings, tmp_path: Path
) -> None:
    node = f"http://127.0.0.1:{free_port()}"
    result = run_scamintel(settings, tmp_path, "check", "0812345678", "--private", "--node", node)
    assert result.returncode == 1
    assert "cannot reach" in result.stderr.decode()


def test_export_blocklist_writes_the_list_and_the_cursor_for_next_time(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    mule, caller = mule_account(9), thai_mobile(9)
    publish_verdicts(node_database.engine, (mule, "scam", 0.9), (caller, "suspicious", 0.6))
    exported = run_scamintel(settings, tmp_path, "export", "--format", "blocklist", "--json")
    assert exported.returncode == 0, exported.stderr
    body = json.loads(exported.stdout)
    assert {e["value"] for e in body["added"]} == {mule.canonical, caller.canonical}
    publish_verdicts(node_database.engine, removal(caller))
    target = tmp_path / "changes.csv"
    arguments = ["--type", "phone", "--since", str(body["cursor"]), "--output", str(target)]
    changes = run_scamintel(
        settings, tmp_path, "export", "--format", "blocklist", "--csv", *arguments
    )
    assert changes.returncode == 0, changes.stderr
    assert list(csv.reader(io.StringIO(target.read_text())))[1] == [
        "removed", "phone", caller.canonical, "", "", "",
    ]  # fmt: skip
    assert "--since" in changes.stdout.decode()
    other = run_scamintel(settings, tmp_path, "export", "--format", "stix")
    assert other.returncode == 2
    assert "not available yet" in other.stderr.decode()


def test_a_bundle_built_by_the_cli_answers_offline_checks(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    scam = thai_mobile(3334444)
    publish_verdicts(node_database.engine, (scam, "scam", 0.9), (mule_account(3), "scam", 0.9))
    bundle_file = tmp_path / "bundle.bin"
    built = run_scamintel(
        settings, tmp_path, "bundle", "build", "--output", str(bundle_file), "--json"
    )
    assert built.returncode == 0, built.stderr
    summary = json.loads(built.stdout)
    assert (summary["kind"], summary["records"], summary["bytes"]) == ("full", 2, 32 + 2 * 9)
    found = run_scamintel(
        settings, tmp_path, "bundle", "check", str(bundle_file), scam.raw, "--json"
    )
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["verdict"] == "scam"
    missing = run_scamintel(settings, tmp_path, "bundle", "check", str(bundle_file), "0899999999")
    assert "not listed on that node" in missing.stdout.decode()
    (tmp_path / "junk.bin").write_bytes(b"not a bundle at all, just text")
    junk = run_scamintel(
        settings, tmp_path, "bundle", "check", str(tmp_path / "junk.bin"), scam.raw
    )
    assert junk.returncode == 2
    assert "is not a bundle" in junk.stderr.decode()


def bundle_cli(settings: Settings, cwd: Path, *arguments: str) -> dict[str, object]:
    """One ``scamintel bundle`` verb with --json; its summary."""
    result = run_scamintel(settings, cwd, "bundle", *arguments, "--json")
    assert result.returncode == 0, result.stderr
    return cast(dict[str, object], json.loads(result.stdout))


def test_a_bundle_brought_forward_by_bundle_apply_is_byte_identical_to_a_fresh_build(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    engine = node_database.engine
    phones = [thai_mobile(n) for n in range(6)]
    publish_verdicts(engine, *[(item, "scam", 0.9) for item in phones])
    held, delta, fresh = tmp_path / "bundle.bin", tmp_path / "delta.bin", tmp_path / "fresh.bin"
    start = bundle_cli(settings, tmp_path, "build", "--output", str(held))["version"]
    kept_copy = held.read_bytes()
    publish_verdicts(engine, (phones[0], "suspicious", 0.6), removal(phones[1]))
    publish_verdicts(engine, (mule_account(8), "scam", 0.9), (phones[2], "scam", 0.95))
    publish_verdicts(engine, (phones[3], "scam", 0.9), under_review=True)
    built = bundle_cli(settings, tmp_path, "build", "--since", str(start), "--output", str(delta))
    assert (built["kind"], built["since"]) == ("delta", start)
    end = built["version"]

    held.chmod(0o640)
    applied = bundle_cli(settings, tmp_path, "apply", str(held), str(delta))
    assert (applied["kind"], applied["from_version"], applied["version"]) == ("full", start, end)
    assert stat.S_IMODE(held.stat().st_mode) == 0o640
    assert bundle_cli(settings, tmp_path, "build", "--output", str(fresh))["version"] == end
    assert held.read_bytes() == fresh.read_bytes()
    assert sorted(path.name for path in tmp_path.glob("*.bin*")) == [
        "bundle.bin", "delta.bin", "fresh.bin"
    ]  # fmt: skip

    stale = run_scamintel(settings, tmp_path, "bundle", "apply", str(held), str(delta))
    assert stale.returncode == 2
    message = " ".join(stale.stderr.decode().split())
    expected = f"is a delta from version {start} to {end}, but the bundle is at version {end}"
    assert expected in message
    assert f"GET /api/v1/bundle?since={end}" in message
    assert held.read_bytes() == fresh.read_bytes()

    old, brought = tmp_path / "old.bin", tmp_path / "brought.bin"
    old.write_bytes(kept_copy)
    bundle_cli(settings, tmp_path, "apply", str(old), str(delta), "--output", str(brought))
    assert (old.read_bytes(), brought.read_bytes()) == (kept_copy, fresh.read_bytes())
    # The node answers a full bundle when too much changed: it replaces the one held.
    replaced = bundle_cli(settings, tmp_path, "apply", str(old), str(fresh))
    assert (replaced["from_version"], replaced["version"]) == (start, end)
    assert old.read_bytes() == fresh.read_bytes()
