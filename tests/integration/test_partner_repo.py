"""Agreements and what partners shared, stored on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from scamintel.federation.agreement import Agreement
from scamintel.federation.intake import ReceivedIndicator, Refusal, take_objects
from scamintel.federation.markings import TLP_MARKING_IDS, Purpose, Tlp
from scamintel.governance.audit import verify_chain
from scamintel.indicators import Indicator, IndicatorType
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import (
    apply_agreement,
    find_agreement,
    partner_matches,
    purge_expired,
    received_count,
    recent_refusals,
    record_refusals,
    store_received,
)
from scamintel.storage.sql import as_utc
from scamintel.storage.store import read_audit_entries
from scamintel.storage.tables import agreements, audit_log, partner_indicators, peers

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
KEY = "an-agreement-key-of-forty-characters-000"
NUMBER = Indicator(IndicatorType.PHONE, "+66812345678")
ACCOUNT = Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890")


def terms(version: int = 1, **overrides: object) -> Agreement:
    fields: dict[str, object] = {
        "partner": "TH-AOC",
        "version": version,
        "types": ["phone", "bank_account"],
        "markings": ["clear", "amber"],
        "purposes": ["prevention"],
        "blind": ["bank_account"],
        "blind_key": KEY,
        "retention_days": 30,
    }
    return Agreement.model_validate({**fields, **overrides})


def received(version: datetime = NOW, **overrides: object) -> ReceivedIndicator:
    item = ReceivedIndicator(
        partner="TH-AOC",
        stix_id="indicator--6f1c1b2a-2b0c-4a4e-9a53-5b1d8a0c9f11",
        version=version,
        type=IndicatorType.PHONE,
        value=NUMBER.value,
        blind_hash=None,
        verdict="scam",
        score=0.9,
        report_count=3,
        marking=Tlp.AMBER,
        purpose=Purpose.PREVENTION,
        revoked=False,
        valid_until=None,
        expires_at=NOW + timedelta(days=30),
        onward=False,
        received_at=NOW,
    )
    return replace(item, **overrides)  # type: ignore[arg-type]


def test_an_agreement_is_versioned_and_every_change_audited(
    node_database: NodeDatabase,
) -> None:
    sealer = node_database.sealer
    with node_database.engine.begin() as connection:
        first = apply_agreement(connection, terms(), sealer, "cli:dpo", NOW)
        same = apply_agreement(connection, terms(), sealer, "cli:dpo", NOW)
        second = apply_agreement(
            connection, terms(2, markings=["clear"], share_as="clear"), sealer, "cli:dpo", NOW
        )
    assert (first.previous_version, first.changed) == (None, True)
    assert same.changed is False
    assert (second.previous_version, second.changed) == (1, True)
    with node_database.engine.connect() as connection:
        stored = find_agreement(connection, "TH-AOC", sealer)
        entries = list(read_audit_entries(connection))
        raw = connection.execute(select(agreements.c.document)).scalar_one()
        details = connection.execute(
            select(audit_log.c.details).where(audit_log.c.action == "agreement.changed")
        ).scalar_one()
    assert stored == terms(2, markings=["clear"], share_as="clear")
    assert KEY not in raw
    assert [entry.event.action for entry in entries] == ["agreement.applied", "agreement.changed"]
    assert verify_chain(entries).ok
    assert '"markings":{"from":["amber","clear"],"to":["clear"]}' in details


def test_an_older_or_altered_version_is_refused_and_nothing_changes(
    node_database: NodeDatabase,
) -> None:
    sealer = node_database.sealer
    with node_database.engine.begin() as connection:
        apply_agreement(connection, terms(3), sealer, "cli:dpo", NOW)
    with node_database.engine.begin() as connection:
        with pytest.raises(ValueError, match="at version 3; version 2 is older"):
            apply_agreement(connection, terms(2), sealer, "cli:dpo", NOW)
        with pytest.raises(ValueError, match="already applied with different terms"):
            apply_agreement(connection, terms(3, retention_days=1), sealer, "cli:dpo", NOW)
    with node_database.engine.connect() as connection:
        assert find_agreement(connection, "TH-AOC", sealer) == terms(3)


def test_storing_is_idempotent_and_the_newest_version_wins(node_database: NodeDatabase) -> None:
    later = NOW + timedelta(hours=1)
    with node_database.engine.begin() as connection:
        assert store_received(connection, [received()]) == 1
        store_received(connection, [received()])
        store_received(connection, [received(NOW, verdict="suspicious")])
        assert received_count(connection) == 1
        assert store_received(connection, [received(later, revoked=True)]) == 1
        assert received_count(connection) == 0
        assert partner_matches(connection, NUMBER, [], NOW) == []
        # Listed again later: a newer version, stored again.
        store_received(connection, [received(later + timedelta(hours=1), revoked=False)])
        (match,) = partner_matches(connection, NUMBER, [], NOW)
    assert (match.partner, match.verdict, match.report_count, match.blind) == (
        "TH-AOC",
        "scam",
        3,
        False,
    )


def test_a_page_counts_what_it_wrote(node_database: NodeDatabase) -> None:
    other = received(stix_id="indicator--8f1c1b2a-2b0c-4a4e-9a53-5b1d8a0c9f11")
    later = NOW + timedelta(minutes=5)
    with node_database.engine.begin() as connection:
        assert store_received(connection, [received(), other]) == 2
        assert store_received(connection, [received(), other, received(later)]) == 1
        assert received_count(connection, "TH-AOC") == 2


def test_a_blind_selector_matches_only_by_its_hash(node_database: NodeDatabase) -> None:
    selector = terms().selector(ACCOUNT)
    blind = received(
        stix_id="indicator--7f1c1b2a-2b0c-4a4e-9a53-5b1d8a0c9f11",
        type=IndicatorType.BANK_ACCOUNT,
        value=None,
        blind_hash=selector,
    )
    with node_database.engine.begin() as connection:
        store_received(connection, [blind])
        assert partner_matches(connection, ACCOUNT, [], NOW) == []
        (match,) = partner_matches(connection, ACCOUNT, [selector], NOW)
    assert match.blind is True


def test_expiry_and_retention_end_a_partner_record(node_database: NodeDatabase) -> None:
    with node_database.engine.begin() as connection:
        store_received(connection, [received(valid_until=NOW + timedelta(days=1))])
        assert len(partner_matches(connection, NUMBER, [], NOW)) == 1
        assert partner_matches(connection, NUMBER, [], NOW + timedelta(days=2)) == []
        # Past its own valid_until the record is of no use: the next purge deletes it.
        assert purge_expired(connection, NOW) == 0
        assert purge_expired(connection, NOW + timedelta(days=1)) == 1
        store_received(connection, [received()])
        assert purge_expired(connection, NOW + timedelta(days=29)) == 0
        assert purge_expired(connection, NOW + timedelta(days=30)) == 1
        assert received_count(connection) == 0


def test_a_withdrawal_deletes_the_record(node_database: NodeDatabase) -> None:
    selector = terms().selector(ACCOUNT)
    blind = received(
        stix_id="indicator--7f1c1b2a-2b0c-4a4e-9a53-5b1d8a0c9f11",
        type=IndicatorType.BANK_ACCOUNT,
        value=None,
        blind_hash=selector,
    )
    other = received(stix_id="indicator--8f1c1b2a-2b0c-4a4e-9a53-5b1d8a0c9f11")
    later = NOW + timedelta(hours=1)
    with node_database.engine.begin() as connection:
        store_received(connection, [received(), blind, other])
        withdrawn = store_received(
            connection, [received(later, revoked=True), replace(blind, version=later, revoked=True)]
        )
        # Nothing is kept, not even the STIX id (derived from the value, it names it).
        rows = connection.execute(select(partner_indicators.c.stix_id)).scalars().all()
    assert withdrawn == 2
    assert rows == [other.stix_id]


def test_a_withdrawal_goes_through_when_the_agreement_narrowed_since(
    node_database: NodeDatabase,
) -> None:
    """The partner sent the phone under AMBER; the agreement now takes CLEAR bank accounts
    only. Its withdrawal of the phone is still taken, and the copy goes."""
    narrowed = terms(2, types=["bank_account"], markings=["clear"], share_as="clear")
    withdrawal = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": received().stix_id,
        "created": "2026-10-01T00:00:00.000Z",
        "modified": "2026-11-02T00:00:00.000Z",
        "revoked": True,
        "pattern": f"[x-scamintel-withdrawn:value = '{received().stix_id}']",
        "pattern_type": "stix",
        "x_scamintel_type": "phone",
        "object_marking_refs": [TLP_MARKING_IDS[Tlp.AMBER]],
    }
    intake = take_objects([withdrawal], narrowed, lambda kind, raw: NUMBER, NOW)
    assert intake.refused == []
    with node_database.engine.begin() as connection:
        store_received(connection, [received()])
        assert store_received(connection, intake.accepted) == 1
        assert received_count(connection) == 0


def test_refusals_are_logged_per_partner(node_database: NodeDatabase) -> None:
    with node_database.engine.begin() as connection:
        record_refusals(
            connection,
            [
                Refusal("TH-AOC", "indicator--1", "type email is not in the agreement"),
                Refusal("KH-NPA", None, "not a STIX object"),
            ],
            NOW,
        )
        (only,) = recent_refusals(connection, "TH-AOC", 10)
        assert only.reason == "type email is not in the agreement"
        assert len(recent_refusals(connection, None, 10)) == 2


def test_narrowing_an_agreement_withdraws_what_it_no_longer_allows(
    node_database: NodeDatabase,
) -> None:
    sealer = node_database.sealer
    selector = terms().selector(ACCOUNT)
    blind = received(
        stix_id="indicator--7f1c1b2a-2b0c-4a4e-9a53-5b1d8a0c9f11",
        type=IndicatorType.BANK_ACCOUNT,
        value=None,
        blind_hash=selector,
    )
    clear = received(stix_id="indicator--9f1c1b2a-2b0c-4a4e-9a53-5b1d8a0c9f11", marking=Tlp.CLEAR)
    with node_database.engine.begin() as connection:
        apply_agreement(connection, terms(), sealer, "cli:dpo", NOW)
        store_received(connection, [received(), blind, clear])
        connection.execute(
            peers.insert().values(
                name="TH-AOC",
                url="http://th.example/taxii2/",
                next_cursor="seq:9",
                added_after="2026-11-01T00:00:00Z",
                created_at=NOW,
            )
        )
        # Version 2: CLEAR only, a new blind key, a shorter retention.
        narrower = terms(
            2, markings=["clear"], share_as="clear", blind_key="k" * 40, retention_days=10
        )
        apply_agreement(connection, narrower, sealer, "cli:dpo", NOW)
        kept = connection.execute(
            select(partner_indicators.c.stix_id, partner_indicators.c.expires_at)
        ).all()
        cursor = connection.execute(select(peers.c.next_cursor, peers.c.added_after)).one()
        details = connection.execute(
            select(audit_log.c.details).where(audit_log.c.action == "agreement.changed")
        ).scalar_one()
    assert [row.stix_id for row in kept] == [clear.stix_id]
    assert as_utc(kept[0].expires_at) == NOW + timedelta(days=10)
    assert tuple(cursor) == (None, None)
    assert '"withdrawn_under_new_terms":2' in details
