"""The TAXII peers this node pulls from: where they are, the sealed key, and the sync cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, select, update

from scamintel.federation.agreement import Agreement
from scamintel.federation.intake import Intake
from scamintel.federation.sync import (
    AUTH_BEARER,
    AUTH_SCHEMES,
    ConcurrentSyncError,
    Cursor,
    PeerGoneError,
    PeerSyncResult,
)
from scamintel.governance.audit import AuditEvent
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.storage import partner_repo
from scamintel.storage.node import NodeDatabase
from scamintel.storage.sql import as_utc
from scamintel.storage.store import append_audit
from scamintel.storage.tables import peers

LAST_ERROR_LIMIT = 2_000


@dataclass(frozen=True, slots=True)
class Peer:
    """A peer as stored, its key unsealed. ``next_cursor`` is the TAXII ``next`` of an
    unfinished paging; ``added_after`` is where the next fresh paging starts."""

    name: str
    url: str
    collection_id: str | None
    api_key: str | None
    next_cursor: str | None
    added_after: str | None
    last_sync_at: datetime | None
    last_error: str | None
    auth: str = AUTH_BEARER


class PeerExistsError(ValueError):
    pass


def _peer_of_row(row: Row[Any], sealer: PersonalDataSealer) -> Peer:
    key: str | None = None
    auth = AUTH_BEARER
    if row.api_key_sealed is not None:
        opened = sealer.unseal(row.api_key_sealed)
        key = str(opened["api_key"])
        auth = str(opened.get("auth", AUTH_BEARER))
    return Peer(
        name=row.name,
        url=row.url,
        collection_id=row.collection_id,
        api_key=key,
        next_cursor=row.next_cursor,
        added_after=row.added_after,
        last_sync_at=as_utc(row.last_sync_at),
        last_error=row.last_error,
        auth=auth,
    )


def find_peer(connection: Connection, name: str, sealer: PersonalDataSealer) -> Peer | None:
    row = connection.execute(select(peers).where(peers.c.name == name)).one_or_none()
    return _peer_of_row(row, sealer) if row is not None else None


def list_peers(connection: Connection, sealer: PersonalDataSealer) -> list[Peer]:
    rows = connection.execute(select(peers).order_by(peers.c.name))
    return [_peer_of_row(row, sealer) for row in rows]


def add_peer(
    connection: Connection,
    sealer: PersonalDataSealer,
    *,
    name: str,
    url: str,
    api_key: str | None,
    now: datetime,
    collection_id: str | None = None,
    auth: str = AUTH_BEARER,
) -> Peer:
    """Store a new peer; an existing name is refused (remove it first) so that a typo never
    silently resets a cursor."""
    if auth not in AUTH_SCHEMES:
        raise ValueError(f"unknown auth scheme {auth!r}; use one of {', '.join(AUTH_SCHEMES)}")
    if connection.execute(select(peers.c.id).where(peers.c.name == name)).first() is not None:
        raise PeerExistsError(f"a peer named {name} exists already; remove it first")
    sealed = sealer.seal({"api_key": api_key, "auth": auth}) if api_key is not None else None
    connection.execute(
        peers.insert().values(
            name=name,
            url=url,
            collection_id=collection_id,
            api_key_sealed=sealed,
            created_at=now,
        )
    )
    return Peer(name, url, collection_id, api_key, None, None, None, None, auth)


def remove_peer(connection: Connection, name: str) -> bool:
    result = connection.execute(delete(peers).where(peers.c.name == name))
    return result.rowcount > 0


def claim_peer(connection: Connection, name: str) -> Cursor | None:
    """Write-lock the peer's row for the rest of the transaction and return its cursor as
    committed (None when the peer is gone). Two syncs of one peer (the CLI and the background
    task, or two API workers) thus take turns page by page, and the one whose cursor moved
    under it can tell."""
    row = connection.execute(
        update(peers)
        .where(peers.c.name == name)
        .values(name=name)
        .returning(peers.c.next_cursor, peers.c.added_after)
    ).one_or_none()
    return Cursor(row.next_cursor, row.added_after) if row is not None else None


def save_collection(connection: Connection, name: str, collection_id: str) -> None:
    connection.execute(
        update(peers).where(peers.c.name == name).values(collection_id=collection_id)
    )


def save_cursor(
    connection: Connection, name: str, *, next_cursor: str | None, added_after: str | None
) -> None:
    connection.execute(
        update(peers)
        .where(peers.c.name == name)
        .values(next_cursor=next_cursor, added_after=added_after)
    )


def record_sync(connection: Connection, name: str, *, at: datetime, error: str | None) -> None:
    """The outcome of a sync: when it ran and its error (None clears the previous one)."""
    connection.execute(
        update(peers)
        .where(peers.c.name == name)
        .values(last_sync_at=at, last_error=error[:LAST_ERROR_LIMIT] if error else None)
    )


class PeerSyncStore:
    """``federation.sync.SyncStore`` over the node's database: one transaction per page."""

    def __init__(self, database: NodeDatabase) -> None:
        self._database = database

    def peers(self, name: str | None = None) -> list[Peer]:
        with self._database.engine.connect() as connection:
            if name is None:
                return list_peers(connection, self._database.sealer)
            peer = find_peer(connection, name, self._database.sealer)
        return [peer] if peer is not None else []

    def agreement(self, partner: str) -> Agreement | None:
        with self._database.engine.connect() as connection:
            return partner_repo.find_agreement(connection, partner, self._database.sealer)

    def save_collection(self, peer: str, collection_id: str) -> None:
        with self._database.engine.begin() as connection:
            save_collection(connection, peer, collection_id)

    def commit_page(
        self, peer: str, expected: Cursor, new: Cursor, intake: Intake, now: datetime
    ) -> int:
        with self._database.engine.begin() as connection:
            _claim(connection, peer, expected)
            stored = partner_repo.store_received(connection, intake.accepted)
            partner_repo.record_refusals(connection, intake.refused, now)
            save_cursor(connection, peer, next_cursor=new.next, added_after=new.added_after)
        return stored

    def reset_cursor(self, peer: str, expected: Cursor, new: Cursor) -> None:
        with self._database.engine.begin() as connection:
            _claim(connection, peer, expected)
            save_cursor(connection, peer, next_cursor=new.next, added_after=new.added_after)

    def finish(self, result: PeerSyncResult, actor: str, at: datetime) -> None:
        with self._database.engine.begin() as connection:
            if not result.yielded:
                record_sync(connection, result.peer, at=at, error=result.error)
            append_audit(
                connection,
                AuditEvent(
                    actor=actor,
                    action="federation.sync",
                    object_type="peer",
                    object_id=result.peer,
                    details=result.details(),
                ),
            )

    def purge_expired(self, now: datetime) -> int:
        with self._database.engine.begin() as connection:
            return partner_repo.purge_expired(connection, now)


def _claim(connection: Connection, peer: str, expected: Cursor) -> None:
    found = claim_peer(connection, peer)
    if found is None:
        raise PeerGoneError(peer)
    if found != expected:
        raise ConcurrentSyncError(peer)
