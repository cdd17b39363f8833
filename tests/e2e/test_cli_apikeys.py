"""An operator lists the node's API keys and revokes a leaked one at the console
(`scamintel apikey list|revoke`, run as processes against the real database): the API then
refuses that key and still serves the other, and the revocation is on the audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from helpers import run_scamintel
from scamintel.api import create_app
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase

KEYED_PATH = "/api/v1/clusters"


def cli(settings: Settings, tmp_path: Path, *arguments: str) -> str:
    done = run_scamintel(settings, tmp_path, *arguments)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def created_key(settings: Settings, tmp_path: Path, *arguments: str) -> dict[str, Any]:
    created: dict[str, Any] = json.loads(cli(settings, tmp_path, "apikey", "create", *arguments))
    return created


def answers_for(settings: Settings, database: NodeDatabase, *tokens: str) -> list[int]:
    """Status codes of one keyed request per token, from a freshly built app: a new app has
    not verified any key yet, so the 60-second cache of verified keys hides nothing."""
    with TestClient(create_app(settings, database=database)) as fresh:
        return [
            fresh.get(KEYED_PATH, headers={"Authorization": f"Bearer {token}"}).status_code
            for token in tokens
        ]


def revoke_entries(settings: Settings, tmp_path: Path) -> list[dict[str, Any]]:
    listed = cli(settings, tmp_path, "audit", "list", "--action", "apikey.revoke", "--json")
    return [json.loads(line) for line in listed.splitlines() if line.strip()]


def test_a_revoked_key_is_refused_while_the_others_keep_working(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    leaked = created_key(
        settings, tmp_path, "--org", "Example Bank", "--kind", "bank", "--role", "analyst", "--json"
    )
    kept = created_key(
        settings,
        tmp_path,
        "--org",
        "Thai Anti-Scam Centre",
        "--kind",
        "agency",
        "--role",
        "investigator",
        "--label",
        "duty desk",
        "--json",
    )
    before = answers_for(settings, node_database, leaked["key"], kept["key"])

    listed = json.loads(cli(settings, tmp_path, "apikey", "list", "--json"))
    listed_text = cli(settings, tmp_path, "apikey", "list")
    # The whole leaked key, pasted as it was found, is enough to revoke it.
    revoked_text = cli(
        settings, tmp_path, "apikey", "revoke", leaked["key"], "--reason", "pasted in a ticket"
    )
    after = answers_for(settings, node_database, leaked["key"], kept["key"])
    live = json.loads(cli(settings, tmp_path, "apikey", "list", "--json"))
    everything = json.loads(cli(settings, tmp_path, "apikey", "list", "--all", "--json"))
    bank_only = json.loads(
        cli(settings, tmp_path, "apikey", "list", "--all", "--org", "Example Bank", "--json")
    )
    again = cli(settings, tmp_path, "apikey", "revoke", leaked["key_id"])
    entries = revoke_entries(settings, tmp_path)
    verified = run_scamintel(settings, tmp_path, "audit", "verify")

    assert before == [200, 200]
    assert after == [401, 200]
    assert [(k["key_id"], k["organisation"], k["kind"], k["role"]) for k in listed["keys"]] == [
        (leaked["key_id"], "Example Bank", "bank", "analyst"),
        (kept["key_id"], "Thai Anti-Scam Centre", "agency", "investigator"),
    ]
    assert [k["revoked"] for k in listed["keys"]] == [False, False]
    assert listed["keys"][1]["label"] == "duty desk"
    assert all(k["created_at"].endswith("+00:00") for k in listed["keys"])
    assert leaked["key_id"] in listed_text
    assert kept["key_id"] in listed_text
    # Neither the secret nor its hash is ever printed, by list or by revoke.
    for secret in (leaked["key"].split("_", 2)[2], kept["key"].split("_", 2)[2]):
        for shown in (json.dumps(listed), listed_text, revoked_text, json.dumps(everything)):
            assert secret not in shown
            assert "argon2" not in shown
    assert f"API key {leaked['key_id']} (Example Bank, analyst) revoked" in revoked_text
    assert [k["key_id"] for k in live["keys"]] == [kept["key_id"]]
    assert [(k["key_id"], k["revoked"]) for k in everything["keys"]] == [
        (leaked["key_id"], True),
        (kept["key_id"], False),
    ]
    assert everything["keys"][0]["revoked_at"] is not None
    assert [k["key_id"] for k in bank_only["keys"]] == [leaked["key_id"]]
    # Revoking twice says so and audits once.
    assert "already revoked" in again
    assert len(entries) == 1
    entry = entries[0]
    assert entry["object_type"] == "api_key"
    assert entry["object_id"] == leaked["key_id"]
    assert entry["actor"].startswith("cli")
    assert entry["legal_basis"] == "legal_obligation"
    assert entry["details"] == {
        "organisation": "Example Bank",
        "role": "analyst",
        "reason": "pasted in a ticket",
    }
    assert verified.returncode == 0, verified.stderr.decode()


def test_revoking_an_unknown_key_exits_2_and_changes_nothing(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    kept = created_key(settings, tmp_path, "--org", "Example Bank", "--role", "reporter", "--json")
    unknown = run_scamintel(settings, tmp_path, "apikey", "revoke", "0123456789ab")
    not_an_id = run_scamintel(settings, tmp_path, "apikey", "revoke", "x" * 60)
    listed = json.loads(cli(settings, tmp_path, "apikey", "list", "--all", "--json"))

    assert unknown.returncode == 2
    assert "no API key has the id '0123456789ab'" in unknown.stderr.decode()
    assert "apikey list --all" in unknown.stderr.decode()
    assert not_an_id.returncode == 2
    # Something too long to be an id may be a mistyped secret: it is not echoed.
    assert "x" * 60 not in not_an_id.stderr.decode()
    assert "si_<id>_<secret>" in not_an_id.stderr.decode()
    assert [(k["key_id"], k["revoked"]) for k in listed["keys"]] == [(kept["key_id"], False)]
    assert revoke_entries(settings, tmp_path) == []
