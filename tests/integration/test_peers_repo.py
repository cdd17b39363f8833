"""Peers, their sealed keys and sync cursors, and the page transaction, on SQLite and
PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from scamintel.federation.agreement import Agreement
from scamintel.federation.intake import Intake, take_objects
from scamintel.federation.markings import SharingContext, Tlp
from scamintel.federation.stix import indicator_object
from scamintel.federation.sync import (
    AUTH_BASIC,
    ConcurrentSyncError,
    Cursor,
    PeerGoneError,
    PeerSyncResult,
    canonicaliser,
)
from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement, received_count, recent_refusals
from scamintel.storage.peers_repo import (
    PeerExistsError,
    PeerSyncStore,
    add_peer,
    claim_peer,
    find_peer,
    list_peers,
    remove_peer,
    save_cursor,
)
from scamintel.storage.store import read_audit_entries
from scamintel.storage.tables import peers

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
PARTNER = "KH-NCC"
URL = "http://127.0.0.1:9/taxii2/"


def agreement() -> Agreement:
    return Agreement.model_validate(
        {
            "partner": PARTNER,
            "version": 1,
            "types": ["phone", "url"],
            "markings": ["clear", "green"],
            "share_as": "green",
            "purposes": ["prevention"],
            "retention_days": 30,
        }
    )


def shared(number: str, tlp: Tlp = Tlp.CLEAR) -> dict[str, object]:
    return indicator_object(
        Indicator(IndicatorType.PHONE, number),
        SharingContext(origin=PARTNER, tlp=tlp),
        created=NOW,
        valid_from=NOW,
        modified=NOW,
        score=0.9,
        verdict="scam",
    )


def a_page(*objects: dict[str, object]) -> Intake:
    reader = canonicaliser(default_registry(), ParseContext("TH"))
    return take_objects(objects, agreement(), reader, NOW)


@pytest.fixture
def store(node_database: NodeDatabase) -> PeerSyncStore:
    with node_database.engine.begin() as connection:
        apply_agreement(connection, agreement(), node_database.sealer, "test", NOW)
        add_peer(connection, node_database.sealer, name=PARTNER, url=URL, api_key="k1", now=NOW)
    return PeerSyncStore(node_database)


def test_a_peer_is_stored_with_its_key_sealed(node_database: NodeDatabase) -> None:
    sealer = node_database.sealer
    with node_database.engine.begin() as connection:
        add_peer(connection, sealer, name="A", url=URL, api_key="secret-key-A", now=NOW)
        add_peer(
            connection, sealer, name="B", url=URL, api_key="user:pass", now=NOW, auth=AUTH_BASIC
        )
    with node_database.engine.connect() as connection:
        sealed = connection.scalar(select(peers.c.api_key_sealed).where(peers.c.name == "A"))
        found = find_peer(connection, "A", sealer)
        listed = list_peers(connection, sealer)
    assert sealed is not None
    assert b"secret-key-A" not in sealed
    assert found is not None
    assert (found.api_key, found.auth, found.next_cursor, found.last_error) == (
        "secret-key-A",
        "bearer",
        None,
        None,
    )
    assert [(p.name, p.auth, p.api_key) for p in listed] == [
        ("A", "bearer", "secret-key-A"),
        ("B", "basic", "user:pass"),
    ]


def test_a_second_peer_of_the_same_name_is_refused_and_removal_forgets_it(
    node_database: NodeDatabase,
) -> None:
    sealer = node_database.sealer
    with node_database.engine.begin() as connection:
        add_peer(connection, sealer, name="A", url=URL, api_key="k", now=NOW)
        with pytest.raises(PeerExistsError, match="exists already"):
            add_peer(connection, sealer, name="A", url=URL + "x", api_key="k", now=NOW)
        assert remove_peer(connection, "A") is True
        assert remove_peer(connection, "A") is False
        assert find_peer(connection, "A", sealer) is None


def test_a_page_is_stored_with_its_cursor_and_read_twice_doubles_nothing(
    store: PeerSyncStore, node_database: NodeDatabase
) -> None:
    page = a_page(shared("+66812345678"), shared("+66812345679"), shared("+66812345670", Tlp.RED))
    first = Cursor(None, None)
    moved = Cursor("token-1", None)
    assert store.commit_page(PARTNER, first, moved, page, NOW) == 2
    # The same page again, as after a crash before the cursor was known to have moved.
    assert store.commit_page(PARTNER, moved, moved, page, NOW) == 0
    with node_database.engine.connect() as connection:
        assert received_count(connection, PARTNER) == 2
        refused = recent_refusals(connection, PARTNER, 10)
        peer = find_peer(connection, PARTNER, node_database.sealer)
    assert [r.reason for r in refused] == [
        "marking TLP:RED is not in the agreement",
        "marking TLP:RED is not in the agreement",
    ]
    assert peer is not None
    assert (peer.next_cursor, peer.added_after) == ("token-1", None)


def test_a_page_whose_cursor_moved_under_it_is_not_stored(
    store: PeerSyncStore, node_database: NodeDatabase
) -> None:
    with node_database.engine.begin() as connection:
        save_cursor(connection, PARTNER, next_cursor="someone-else", added_after=None)
    with pytest.raises(ConcurrentSyncError):
        store.commit_page(PARTNER, Cursor(), Cursor("mine"), a_page(shared("+66812345678")), NOW)
    with node_database.engine.connect() as connection:
        assert received_count(connection, PARTNER) == 0
        assert claim_peer(connection, PARTNER) == Cursor("someone-else", None)


def test_a_second_sync_waits_for_the_page_in_flight_then_yields(
    store: PeerSyncStore, node_database: NodeDatabase
) -> None:
    """The row claim is a real lock: the second writer waits for the first to commit and
    then sees the cursor it moved."""
    outcome: list[BaseException | int] = []

    def second() -> None:
        try:
            outcome.append(
                store.commit_page(
                    PARTNER, Cursor(), Cursor("second"), a_page(shared("+66812345679")), NOW
                )
            )
        except BaseException as error:
            outcome.append(error)

    with node_database.engine.begin() as connection:
        assert claim_peer(connection, PARTNER) == Cursor()
        save_cursor(connection, PARTNER, next_cursor="first", added_after=None)
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the second page must wait for the first transaction"
    thread.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConcurrentSyncError)
    with node_database.engine.connect() as connection:
        assert claim_peer(connection, PARTNER) == Cursor("first", None)


def test_a_removed_peer_takes_no_more_pages(
    store: PeerSyncStore, node_database: NodeDatabase
) -> None:
    with node_database.engine.begin() as connection:
        remove_peer(connection, PARTNER)
    with pytest.raises(PeerGoneError):
        store.commit_page(PARTNER, Cursor(), Cursor("x"), a_page(shared("+66812345678")), NOW)


def test_finishing_records_the_error_and_audits_the_counts(
    store: PeerSyncStore, node_database: NodeDatabase
) -> None:
    failed = PeerSyncResult(PARTNER, pages=2, received=4, stored=3, refused=1, error="503 down")
    store.finish(failed, "cli", NOW)
    with node_database.engine.connect() as connection:
        peer = find_peer(connection, PARTNER, node_database.sealer)
        entries = list(read_audit_entries(connection))
    assert peer is not None
    assert (peer.last_sync_at, peer.last_error) == (NOW, "503 down")
    entry = entries[-1].event
    assert (entry.action, entry.object_id) == ("federation.sync", PARTNER)
    assert entry.details["stored"] == 3
    assert entry.details["error"] == "503 down"
    store.finish(PeerSyncResult(PARTNER), "cli", NOW)
    with node_database.engine.connect() as connection:
        cleared = find_peer(connection, PARTNER, node_database.sealer)
    assert cleared is not None
    assert cleared.last_error is None
