"""Three nodes as separate processes on loopback, Thailand, Myanmar and Cambodia, each with its
own agreements: what is reported in one reaches the others exactly as their agreements allow;
a revocation in one disappears from the others after sync; killing a node, or a sync, in the
middle of a sync and starting again loses and duplicates nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from conftest import TEST_SECRET, _create_postgres_database, _drop_postgres_database
from e2e.conftest import make_key
from e2e.nodes import FAST, Node, serving
from helpers import free_port, scamintel_command, settings_environment
from scamintel.access.keys import Role
from scamintel.federation.agreement import Agreement
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.tables import federation_rejections, partner_indicators

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TH, MM, KH = "TH-AOC", "MM-CCD", "KH-NCC"
TH_MM_KEY = "th-mm-blind-selector-key-0123456789abcdef"

# What each node's police reported.
TH_PHONES = [Indicator(IndicatorType.PHONE, f"+6681234560{i}") for i in range(2)]
TH_URL = Indicator(IndicatorType.URL, "https://thai-post-parcel.com/pay")
TH_DOMAIN = Indicator(IndicatorType.DOMAIN, "kerry-th-refund.net")
TH_ACCOUNT = Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890")
MM_PHONE = Indicator(IndicatorType.PHONE, "+959791234567")
KH_URL = Indicator(IndicatorType.URL, "https://kh-lottery-prize.com/claim")


def terms(partner: str, **fields: Any) -> Agreement:
    base: dict[str, Any] = {
        "partner": partner,
        "version": 1,
        "markings": ["clear", "green", "amber"],
        "share_as": "amber",
        "purposes": ["prevention"],
        "retention_days": 365,
    }
    return Agreement.model_validate(base | fields)


# Each node's agreements about the other two. TH and MM share phones, URLs and bank accounts,
# the accounts only blind; TH gives KH URLs and domains at TLP:GREEN; MM shares phones with KH
# as AMBER, but KH's agreement with MM takes CLEAR and GREEN only, so KH refuses them.
AGREEMENTS: dict[str, list[Agreement]] = {
    TH: [
        terms(
            MM, types=["phone", "url", "bank_account"], blind=["bank_account"], blind_key=TH_MM_KEY
        ),
        terms(KH, types=["url", "domain"], markings=["clear", "green"], share_as="green"),
    ],
    MM: [
        terms(
            TH, types=["phone", "url", "bank_account"], blind=["bank_account"], blind_key=TH_MM_KEY
        ),
        terms(KH, types=["phone"]),
    ],
    KH: [
        terms(TH, types=["url", "domain", "phone"], markings=["clear", "green"], share_as="green"),
        terms(MM, types=["phone"], markings=["clear", "green"], share_as="green"),
    ],
}
REPORTED: dict[str, list[Indicator]] = {
    TH: [*TH_PHONES, TH_URL, TH_DOMAIN, TH_ACCOUNT],
    MM: [MM_PHONE],
    KH: [KH_URL],
}


def database_for(name: str, backend: str, tmp_path: Path) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / name / 'node.db'}", None
    database = f"scamintel_{name.lower().replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    return _create_postgres_database(database), database


def report(database: NodeDatabase, items: Sequence[Indicator]) -> None:
    """The node's verified police unit reports each value: each is listed as a scam."""
    reports = [
        NewReport(
            id=uuid.uuid4(),
            source=ReportSource.API,
            scam_type=ScamType.INVESTMENT,
            channel=Channel.CALL,
            received_at=datetime.now(UTC),
            indicators=(ReportedIndicator(item, item.value, "given"),),
            trust="verified_agency",
            source_key="org:1",
        )
        for item in items
    ]
    with database.transaction() as store:
        store.add_reports(reports)
        store.refresh_listings(store.touched_indicator_ids)


def received(node: Node, partner: str) -> dict[str, tuple[str, str | None, str | None, bool]]:
    """STIX id -> (type, value, blind hash, revoked) of what ``node`` holds from ``partner``;
    fails if any STIX id is held twice."""
    with node.database.engine.connect() as connection:
        rows = connection.execute(
            select(partner_indicators).where(partner_indicators.c.partner == partner)
        ).all()
    assert len(rows) == len({row.stix_id for row in rows})
    return {row.stix_id: (row.type, row.value, row.blind_hash, row.revoked) for row in rows}


def values(held: dict[str, tuple[str, str | None, str | None, bool]]) -> set[tuple[str, str]]:
    return {(kind, value) for kind, value, _, revoked in held.values() if value and not revoked}


def sync(node: Node, *arguments: str) -> list[dict[str, Any]]:
    done = node.cli("sync", "--json", *arguments)
    assert done.returncode == 0, done.stdout + done.stderr
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[dict[str, Node]]:
    """TH on SQLite, MM on PostgreSQL, KH on SQLite, each with its agreements and reports."""
    made: dict[str, Node] = {}
    dropped: list[str] = []
    for name, country, backend in (
        (TH, "TH", "sqlite"),
        (MM, "MM", "postgresql"),
        (KH, "KH", "sqlite"),
    ):
        (tmp_path / name).mkdir()
        url, pg_name = database_for(name, backend, tmp_path)
        if pg_name:
            dropped.append(pg_name)
        engine = make_engine(url)
        upgrade_to_head(engine)
        secret = f"{TEST_SECRET}-{name}"
        database = NodeDatabase(engine, PersonalDataSealer(secret))
        settings = Settings(
            home=tmp_path / name / "home",
            database_url=url,
            node_name=name,
            node_country=country,
            secret_key=secret,
            environment="test",
            sync_interval_seconds=0,
            rate_limit_client_per_minute=0,
            rate_limit_global_per_second=0,
        )
        with engine.begin() as connection:
            for agreement in AGREEMENTS[name]:
                apply_agreement(connection, agreement, database.sealer, "test", datetime.now(UTC))
        report(database, REPORTED[name])
        made[name] = Node(settings, database, tmp_path / name)
    yield made
    for node in made.values():
        node.database.dispose()
    for pg_name in dropped:
        _drop_postgres_database(pg_name)


def connect_all(nodes: dict[str, Node], urls: dict[str, str]) -> None:
    """Every node gives every other a partner key and adds it as a peer."""
    for owner, node in nodes.items():
        for partner in nodes:
            if partner == owner:
                continue
            key = make_key(node.database.engine, Role.PARTNER, partner)
            added = nodes[partner].cli("peer", "add", owner, f"{urls[owner]}/taxii2/", "--key", key)
            assert added.returncode == 0, added.stderr


def test_three_nodes_share_exactly_what_their_agreements_allow(
    nodes: dict[str, Node],
) -> None:
    th, mm, kh = nodes[TH], nodes[MM], nodes[KH]
    with serving(th) as (th_url, _), serving(mm) as (mm_url, _), serving(kh) as (kh_url, _):
        connect_all(nodes, {TH: th_url, MM: mm_url, KH: kh_url})
        for node in (th, mm, kh):
            sync(node)

        # MM: TH's phones and URL raw, TH's bank account only blind, no domain.
        from_th = received(mm, TH)
        assert values(from_th) == {
            ("phone", TH_PHONES[0].value),
            ("phone", TH_PHONES[1].value),
            ("url", TH_URL.value),
        }
        (blind,) = [item for item in from_th.values() if item[2] is not None]
        assert blind[:2] == ("bank_account", None)
        assert blind[2] == AGREEMENTS[MM][0].selector(TH_ACCOUNT)
        with mm.database.engine.connect() as connection:
            raw = connection.execute(
                select(func.count())
                .select_from(partner_indicators)
                .where(partner_indicators.c.value == TH_ACCOUNT.value)
            ).scalar_one()
        assert raw == 0
        # MM's analysts see TH's blind match when they check the account.
        analyst = make_key(mm.database.engine, Role.ANALYST, "MM analysts")
        checked = httpx.get(
            f"{mm_url}/api/v1/check",
            params={"q": TH_ACCOUNT.value, "type": "bank_account"},
            headers={"Authorization": f"Bearer {analyst}"},
        )
        assert checked.status_code == 200, checked.text
        (partner,) = checked.json()["partners"]
        assert (partner["partner"], partner["blind"], partner["marking"]) == (TH, True, "TLP:AMBER")

        # KH: TH's URL and domain at GREEN, no phones or accounts; MM's AMBER phone refused.
        assert values(received(kh, TH)) == {("url", TH_URL.value), ("domain", TH_DOMAIN.value)}
        assert received(kh, MM) == {}
        with kh.database.engine.connect() as connection:
            reasons = (
                connection.execute(
                    select(federation_rejections.c.reason).where(
                        federation_rejections.c.partner == MM
                    )
                )
                .scalars()
                .all()
            )
        assert reasons == ["marking TLP:AMBER is not in the agreement"]

        # TH: MM's phone and KH's URL.
        assert values(received(th, MM)) == {("phone", MM_PHONE.value)}
        assert values(received(th, KH)) == {("url", KH_URL.value)}

        # A second round changes nothing anywhere.
        for node in (th, mm, kh):
            assert all(peer["stored"] == 0 for peer in sync(node))

        # TH retracts one phone (a dispute upheld): after sync MM holds it as revoked.
        disputed = TH_PHONES[0]
        opened = th.cli("dispute", "open", disputed.value, "--claim", "a clinic's number", "--json")
        assert opened.returncode == 0, opened.stderr
        decided = th.cli(
            "dispute",
            "decide",
            json.loads(opened.stdout)["id"],
            "--decision",
            "upheld",
            "--reason",
            "the clinic's number since 2019",
        )
        assert decided.returncode == 0, decided.stderr
        (after,) = [peer for peer in sync(mm) if peer["peer"] == TH]
        assert (after["received"], after["stored"]) == (1, 1)
        assert values(received(mm, TH)) == {("phone", TH_PHONES[1].value), ("url", TH_URL.value)}
        checked = httpx.get(
            f"{mm_url}/api/v1/check",
            params={"q": disputed.value},
            headers={"Authorization": f"Bearer {analyst}"},
        )
        assert checked.json()["partners"] == []


def test_killing_a_node_or_a_sync_mid_sync_loses_and_doubles_nothing(
    nodes: dict[str, Node],
) -> None:
    th, mm = nodes[TH], nodes[MM]
    many = [Indicator(IndicatorType.PHONE, f"+668{n:08d}") for n in range(300)]
    report(th.database, many)
    expected = {(i.type.value, i.value) for i in [*many, *TH_PHONES, TH_URL]}
    port = free_port()
    key = make_key(th.database.engine, Role.PARTNER, MM)
    with serving(th, port=port) as (th_url, th_process):
        added = mm.cli("peer", "add", TH, f"{th_url}/taxii2/", "--key", key)
        assert added.returncode == 0, added.stderr
        # One object a page: some 300 page transactions, so the kill lands mid-sync.
        syncing = background_sync(mm, "--page-size", "1")
        wait_for_rows(mm, at_least=40)
        th_process.send_signal(signal.SIGKILL)
        th_process.wait(timeout=30)
        assert syncing.wait(timeout=120) == 1
    assert 40 <= len(received(mm, TH)) < len(expected)
    with serving(th, port=port):
        sync(mm, "--page-size", "50")
        assert values(received(mm, TH)) == expected

        # Now the syncing side dies: a sync killed between pages, then run again.
        more = [Indicator(IndicatorType.PHONE, f"+669{n:08d}") for n in range(200)]
        report(th.database, more)
        syncing = background_sync(mm, "--page-size", "1")
        wait_for_rows(mm, at_least=len(expected) + 30)
        syncing.send_signal(signal.SIGKILL)
        syncing.wait(timeout=30)
        sync(mm, "--page-size", "50")
    assert values(received(mm, TH)) == expected | {(i.type.value, i.value) for i in more}


def background_sync(node: Node, *arguments: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        scamintel_command("sync", *arguments),
        env={**settings_environment(node.settings), **FAST},
        cwd=node.cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for_rows(node: Node, at_least: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with node.database.engine.connect() as connection:
            count = connection.execute(
                select(func.count()).select_from(partner_indicators)
            ).scalar_one()
        if count >= at_least:
            return
        time.sleep(0.05)
    pytest.fail(f"the sync did not store {at_least} rows in time")
