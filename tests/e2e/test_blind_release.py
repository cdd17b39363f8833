"""Four-eyes release of the value behind a blind selector, on SQLite and PostgreSQL: a partner
asks the node that shared the selector, two different approvers say yes, the partner reads the
value, and every step is in the audit log. The CLI on both sides, against a real server."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from e2e.conftest import make_key
from helpers import run_scamintel
from scamintel.access.keys import OrganisationKind, Role
from scamintel.federation.agreement import Agreement, parse_agreement
from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from scamintel.protection.listing import ListingState
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.listings_repo import publish
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.peers_repo import add_peer
from scamintel.storage.releases_repo import SqlReleases
from scamintel.storage.store import read_audit_entries
from scamintel.storage.tables import blind_releases, indicators

REGISTRY = default_registry()
THAILAND = ParseContext("TH")
PARTNER = "MM-CCD"
BLIND_KEY = "th-and-mm-share-this-blind-key-0123456789"
RELEASES = "/api/v1/federation/releases"
REASON = "Case MM-2025-118: the account received a victim's transfer"


# -- factories -----------------------------------------------------------------------------------
def canonical(raw: str) -> Indicator:
    return REGISTRY.canonicalise(raw, None, THAILAND)


def agreement(
    partner: str = PARTNER,
    *,
    version: int = 1,
    victim_data: str = "on_approved_request",
    blind: str = "[bank_account]",
    blind_key: str = BLIND_KEY,
) -> Agreement:
    return parse_agreement(
        f"""
        partner: {partner}
        version: {version}
        types: [phone, bank_account]
        markings: [amber]
        share_as: amber
        purposes: [investigation]
        blind: {blind}
        blind_key: {blind_key}
        victim_data: {victim_data}
        retention_days: 90
        """
    )


def indicator_row(engine: Engine, indicator: Indicator) -> int:
    with engine.begin() as connection:
        found = connection.scalar(
            select(indicators.c.id).where(
                indicators.c.type == indicator.type.value, indicators.c.value == indicator.value
            )
        )
        if found is not None:
            return int(found)
        return int(
            connection.execute(
                indicators.insert()
                .values(
                    type=indicator.type.value,
                    value=indicator.value,
                    country=indicator.country,
                    created_at=datetime.now(UTC),
                )
                .returning(indicators.c.id)
            ).scalar_one()
        )


def publish_listing(engine: Engine, indicator: Indicator, verdict: str = "scam") -> None:
    """Publish a verdict as the verdict engine does (storage.listings_repo.publish)."""
    row = indicator_row(engine, indicator)
    state = ListingState(row, indicator.type.value, indicator.value, verdict, 0.9, False)
    with engine.begin() as connection:
        publish(connection, [state], datetime.now(UTC))


def apply(database: NodeDatabase, terms: Agreement) -> None:
    with database.engine.begin() as connection:
        apply_agreement(connection, terms, database.sealer, "cli", datetime.now(UTC))


def audit_actions(engine: Engine) -> list[tuple[str, str | None, dict[str, Any], str]]:
    with engine.connect() as connection:
        return [
            (e.event.action, e.event.purpose, e.event.details, e.event.actor)
            for e in read_audit_entries(connection)
            if e.event.object_type == "blind_release"
        ]


MULE = canonical("KBANK 123-4-56789-0")
OTHER_ACCOUNT = canonical("SCB 987-6-54321-0")


@pytest.fixture
def owner(node_database: NodeDatabase) -> NodeDatabase:
    """This node lists the mule account and shares bank accounts blind with MM-CCD, whose
    agreement allows approved requests for the raw value."""
    apply(node_database, agreement())
    publish_listing(node_database.engine, MULE)
    return node_database


@pytest.fixture
def partner_key(owner: NodeDatabase) -> str:
    return make_key(owner.engine, Role.PARTNER, PARTNER, kind=OrganisationKind.PARTNER_NODE)


@pytest.fixture
def second_analyst_key(owner: NodeDatabase) -> str:
    return make_key(owner.engine, Role.ANALYST, "Thai Anti-Scam Centre")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def selector_of(indicator: Indicator) -> str:
    return agreement().selector(indicator)


def ask(client: TestClient, key: str, **changes: str) -> httpx.Response:
    body = {
        "selector": selector_of(MULE),
        "type": "bank_account",
        "purpose": "investigation",
        "reason": REASON,
    } | changes
    return client.post(RELEASES, json=body, headers=bearer(key))


def asked(client: TestClient, key: str) -> str:
    answer = ask(client, key)
    assert answer.status_code == 201, answer.text
    release_id: str = answer.json()["id"]
    return release_id


# -- the whole path ------------------------------------------------------------------------------
def test_two_approvers_release_the_value_and_every_step_is_audited(
    client: TestClient,
    owner: NodeDatabase,
    partner_key: str,
    analyst_key: str,
    second_analyst_key: str,
) -> None:
    answer = ask(client, partner_key)
    assert answer.status_code == 201
    assert answer.json()["status"] == "pending"
    assert answer.json()["value"] is None
    release_id = answer.json()["id"]
    assert answer.headers["location"].endswith(f"{RELEASES}/{release_id}")

    waiting = client.get(f"{RELEASES}/{release_id}", headers=bearer(partner_key)).json()
    assert (waiting["status"], waiting["value"]) == ("pending", None)

    listed = client.get(RELEASES, headers=bearer(analyst_key)).json()["releases"]
    assert [(r["id"], r["partner"], r["value"], r["reason"]) for r in listed] == [
        (release_id, PARTNER, MULE.value, REASON)
    ]
    assert listed[0]["approvals_needed"] == 2

    first = client.post(f"{RELEASES}/{release_id}/approve", headers=bearer(analyst_key))
    assert first.status_code == 200
    assert (first.json()["status"], first.json()["approvals_needed"]) == ("pending", 1)
    again = client.post(f"{RELEASES}/{release_id}/approve", headers=bearer(analyst_key))
    assert again.status_code == 409
    assert "another person" in again.json()["detail"]
    still = client.get(f"{RELEASES}/{release_id}", headers=bearer(partner_key)).json()
    assert (still["status"], still["value"]) == ("pending", None)

    second = client.post(f"{RELEASES}/{release_id}/approve", headers=bearer(second_analyst_key))
    assert second.json()["status"] == "approved"

    released = client.get(f"{RELEASES}/{release_id}", headers=bearer(partner_key)).json()
    assert (released["status"], released["value"]) == ("released", MULE.value)
    assert released["released_at"] is not None
    client.get(f"{RELEASES}/{release_id}", headers=bearer(partner_key))

    steps = audit_actions(owner.engine)
    assert [action for action, *_ in steps] == [
        "blind_release.requested",
        "blind_release.approval",
        "blind_release.approved",
        "blind_release.disclosed",
        "blind_release.disclosed",
    ]
    _action, purpose, details, actor = steps[3]
    assert (purpose, details["partner"], details["type"]) == (
        "investigation",
        PARTNER,
        "bank_account",
    )
    assert actor.startswith("key:")
    assert len(set(details["approvers"])) == 2
    assert MULE.value not in json.dumps([s[2] for s in steps])  # the log names no raw value


def test_one_rejection_ends_the_request_and_the_value_is_never_shown(
    client: TestClient, owner: NodeDatabase, partner_key: str, analyst_key: str
) -> None:
    release_id = asked(client, partner_key)
    rejected = client.post(
        f"{RELEASES}/{release_id}/reject",
        json={"reason": "No case reference we can verify"},
        headers=bearer(analyst_key),
    )
    assert rejected.status_code == 200
    assert rejected.json()["rejection"]["reason"] == "No case reference we can verify"
    late = client.post(f"{RELEASES}/{release_id}/approve", headers=bearer(analyst_key))
    assert late.status_code == 409
    assert "rejected already" in late.json()["detail"]
    seen = client.get(f"{RELEASES}/{release_id}", headers=bearer(partner_key)).json()
    assert (seen["status"], seen["value"]) == ("rejected", None)
    assert "blind_release.disclosed" not in [a for a, *_ in audit_actions(owner.engine)]


# -- refusals ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (agreement(version=2, victim_data="never"), "victim_data: never"),
        (agreement(version=2, blind="[]"), "does not share bank_account values as blind"),
    ],
)
def test_a_request_the_agreement_does_not_allow_is_refused(
    client: TestClient, owner: NodeDatabase, partner_key: str, terms: Agreement, expected: str
) -> None:
    apply(owner, terms)
    refused = ask(client, partner_key)
    assert refused.status_code == 403
    assert expected in refused.json()["detail"]


def test_a_partner_without_an_agreement_or_asking_for_another_purpose_is_refused(
    client: TestClient, owner: NodeDatabase, partner_key: str
) -> None:
    stranger = make_key(owner.engine, Role.PARTNER, "LA-MPS", kind=OrganisationKind.PARTNER_NODE)
    refused = ask(client, stranger)
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "LA-MPS has no sharing agreement with this node",
    )
    other_purpose = ask(client, partner_key, purpose="prevention")
    assert other_purpose.status_code == 403
    assert "purpose prevention is not in the agreement" in other_purpose.json()["detail"]


def test_a_selector_naming_no_published_value_is_not_found(
    client: TestClient, owner: NodeDatabase, partner_key: str
) -> None:
    indicator_row(owner.engine, OTHER_ACCOUNT)  # held (a report names it) but never published
    for selector in (selector_of(OTHER_ACCOUNT), "0" * 64):
        missing = ask(client, partner_key, selector=selector)
        assert missing.status_code == 404
        assert "holds no bank_account value with that selector" in missing.json()["detail"]
    assert ask(client, partner_key, selector="xyz").status_code == 422


def test_a_request_remembers_the_value_it_names_so_later_reads_need_no_search(
    client: TestClient, owner: NodeDatabase, partner_key: str
) -> None:
    release_id = asked(client, partner_key)
    with owner.engine.connect() as connection:
        stored = connection.execute(
            select(blind_releases.c.indicator_id).where(blind_releases.c.id == UUID(release_id))
        ).scalar_one()
    assert stored == indicator_row(owner.engine, MULE)
    # Resolving again finds the value through the stored id, checked with the current key.
    with owner.engine.connect() as connection:
        store = SqlReleases(connection, owner.sealer)
        found = store.resolve(agreement(), IndicatorType.BANK_ACCOUNT, [selector_of(MULE)])
        with_other_key = store.resolve(
            agreement(blind_key="another-blind-key-of-forty-characters-00"),
            IndicatorType.BANK_ACCOUNT,
            [selector_of(MULE)],
        )
    assert {selector: found[selector].value for selector in found} == {
        selector_of(MULE): MULE.value
    }
    assert with_other_key == {}


def test_a_removed_listing_can_still_be_asked_for_since_it_was_shared(
    client: TestClient, owner: NodeDatabase, partner_key: str
) -> None:
    publish_listing(owner.engine, MULE, verdict="no_reports")
    assert ask(client, partner_key).status_code == 201


def test_only_the_requesting_partner_reads_its_request(
    client: TestClient, owner: NodeDatabase, partner_key: str
) -> None:
    release_id = asked(client, partner_key)
    apply(owner, agreement("KH-NCC"))
    other = make_key(owner.engine, Role.PARTNER, "KH-NCC", kind=OrganisationKind.PARTNER_NODE)
    assert client.get(f"{RELEASES}/{release_id}", headers=bearer(other)).status_code == 404


def test_roles(
    client: TestClient, partner_key: str, reporter_key: str, investigator_key: str
) -> None:
    release_id = asked(client, partner_key)
    assert client.get(RELEASES).status_code == 401
    assert client.get(RELEASES, headers=bearer(reporter_key)).status_code == 403
    assert client.get(RELEASES, headers=bearer(partner_key)).status_code == 403
    approve = f"{RELEASES}/{release_id}/approve"
    assert client.post(approve, headers=bearer(partner_key)).status_code == 403
    assert client.post(approve, headers=bearer(investigator_key)).status_code == 403
    assert ask(client, reporter_key).status_code == 403


def test_the_approval_read_again_after_the_agreement_withdrew_it_is_refused(
    client: TestClient,
    owner: NodeDatabase,
    partner_key: str,
    analyst_key: str,
    second_analyst_key: str,
) -> None:
    release_id = asked(client, partner_key)
    for key in (analyst_key, second_analyst_key):
        client.post(f"{RELEASES}/{release_id}/approve", headers=bearer(key))
    apply(owner, agreement(version=2, victim_data="never"))
    refused = client.get(f"{RELEASES}/{release_id}", headers=bearer(partner_key))
    assert refused.status_code == 403
    assert "approved, but now" in refused.json()["detail"]


RELEASE_FIELDS = st.sampled_from(["selector", "type", "purpose", "reason", "extra"])
ANY_VALUE = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=80),
    st.sampled_from(["bank_account", "phone", "investigation", "0" * 64, "F" * 64]),
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(RELEASE_FIELDS, ANY_VALUE, max_size=5))
def test_any_release_request_body_gets_an_answer_not_a_server_error(
    client: TestClient, partner_key: str, body: dict[str, Any]
) -> None:
    answer = client.post(RELEASES, json=body, headers=bearer(partner_key))
    assert answer.status_code in (201, 403, 404, 422), answer.text


# -- a real server: approvals at the same moment, and the CLI on both nodes -----------------------
def test_approvals_at_the_same_moment_take_turns(
    server: str, owner: NodeDatabase, partner_key: str, analyst_key: str, second_analyst_key: str
) -> None:
    def approve(release_id: str, key: str) -> int:
        url = f"{server}{RELEASES}/{release_id}/approve"
        return httpx.post(url, headers=bearer(key), timeout=30).status_code

    def request_one() -> str:
        answer = httpx.post(
            server + RELEASES,
            json={
                "selector": selector_of(MULE),
                "type": "bank_account",
                "purpose": "investigation",
                "reason": REASON,
            },
            headers=bearer(partner_key),
            timeout=30,
        )
        release_id: str = answer.json()["id"]
        return release_id

    same_person, two_people = request_one(), request_one()
    with ThreadPoolExecutor(4) as pool:
        twice = list(pool.map(approve, [same_person] * 2, [analyst_key] * 2))
        both = list(pool.map(approve, [two_people] * 2, [analyst_key, second_analyst_key]))
    assert sorted(twice) == [200, 409]
    assert both == [200, 200]
    listed = {
        r["id"]: r
        for r in httpx.get(server + RELEASES, headers=bearer(analyst_key)).json()["releases"]
    }
    assert (listed[same_person]["status"], len(listed[same_person]["approvals"])) == ("pending", 1)
    assert (listed[two_people]["status"], len(listed[two_people]["approvals"])) == ("approved", 2)


def cli(settings: Settings, cwd: Path, *arguments: str) -> subprocess.CompletedProcess[bytes]:
    result = run_scamintel(settings, cwd, *arguments)
    assert result.returncode == 0, result.stderr.decode()
    return result


@pytest.fixture
def asking_node(tmp_path: Path, settings: Settings, server: str, partner_key: str) -> Settings:
    """MM-CCD's own node (SQLite), with this node as its peer and the partner key."""
    asker = settings.model_copy(
        update={
            "home": tmp_path / "mm-ccd",
            "database_url": f"sqlite:///{tmp_path / 'mm-ccd.db'}",
            "node_name": PARTNER,
            "node_country": "MM",
        }
    )
    engine = make_engine(asker.database_url)
    upgrade_to_head(engine)
    database = NodeDatabase.connect(asker.database_url, asker.secret_key)
    with database.engine.begin() as connection:
        add_peer(
            connection,
            database.sealer,
            name="TH-TOCC",
            url=f"{server}/taxii2/api/collections/x/",
            api_key=partner_key,
            now=datetime.now(UTC),
        )
    database.dispose()
    engine.dispose()
    return asker


def test_the_cli_asks_a_peer_and_fetches_the_value_once_approved(
    settings: Settings, asking_node: Settings, owner: NodeDatabase, tmp_path: Path
) -> None:
    asked_out = cli(
        asking_node,
        tmp_path,
        "release",
        "ask",
        "TH-TOCC",
        "--selector",
        selector_of(MULE).upper(),
        "--type",
        "bank_account",
        "--reason",
        REASON,
        "--json",
    )
    release_id = json.loads(asked_out.stdout)["id"]
    pending = json.loads(
        cli(asking_node, tmp_path, "release", "fetch", "TH-TOCC", release_id, "--json").stdout
    )
    assert (pending["status"], pending["value"]) == ("pending", None)

    listed = json.loads(cli(settings, tmp_path, "release", "list", "--json").stdout)
    assert [(r["id"], r["value"]) for r in listed] == [(release_id, MULE.value)]
    text = cli(settings, tmp_path, "release", "approve", release_id, "--by", "somchai")
    assert "1 more approval from another person" in text.stdout.decode()
    twice = run_scamintel(settings, tmp_path, "release", "approve", release_id, "--by", "somchai")
    assert twice.returncode == 2
    assert "cli:somchai approved this request already" in twice.stderr.decode()
    cli(settings, tmp_path, "release", "approve", release_id, "--by", "malee")

    fetched = cli(asking_node, tmp_path, "release", "fetch", "TH-TOCC", release_id)
    assert MULE.value in fetched.stdout.decode()
    actors = [actor for _, _, _, actor in audit_actions(owner.engine)]
    assert actors[1:3] == ["cli:somchai", "cli:malee"]
    asker_engine = make_engine(asking_node.database_url)
    assert [a for a, *_ in audit_actions(asker_engine)] == [
        "blind_release.asked",
        "blind_release.received",
    ]
    asker_engine.dispose()


def test_the_cli_rejects_with_a_reason_and_says_what_the_peer_answered(
    settings: Settings, asking_node: Settings, owner: NodeDatabase, tmp_path: Path
) -> None:
    refused = run_scamintel(
        asking_node,
        tmp_path,
        "release",
        "ask",
        "TH-TOCC",
        "--selector",
        selector_of(OTHER_ACCOUNT),
        "--type",
        "bank_account",
        "--reason",
        REASON,
    )
    assert refused.returncode == 1
    assert "TH-TOCC answered 404" in refused.stderr.decode()
    asked_out = cli(
        asking_node,
        tmp_path,
        "release",
        "ask",
        "TH-TOCC",
        "--selector",
        selector_of(MULE),
        "--type",
        "bank_account",
        "--reason",
        REASON,
        "--json",
    )
    release_id = json.loads(asked_out.stdout)["id"]
    cli(settings, tmp_path, "release", "reject", release_id, "--by", "malee", "--reason", "unclear")
    listed = json.loads(cli(settings, tmp_path, "release", "list", "--json").stdout)
    assert listed[0]["status"] == "rejected"
    assert listed[0]["rejection"]["actor"] == "cli:malee"
    fetched = cli(asking_node, tmp_path, "release", "fetch", "TH-TOCC", release_id)
    assert "rejected" in fetched.stdout.decode()
    unknown = run_scamintel(asking_node, tmp_path, "release", "fetch", "NOPE", release_id)
    assert unknown.returncode == 2
    assert "no peer named 'NOPE'" in unknown.stderr.decode()
