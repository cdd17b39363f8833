"""Organisations and API keys in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Connection, select, update

from scamintel.access.keys import IssuedKey, OrganisationKind, Role, hash_secret, issue_key
from scamintel.storage.sql import as_utc
from scamintel.storage.tables import api_keys, organisations


@dataclass(frozen=True, slots=True)
class StoredKey:
    key_id: str
    secret_hash: str
    role: Role
    organisation_id: int
    organisation_name: str
    revoked: bool
    organisation_kind: OrganisationKind = OrganisationKind.OTHER
    organisation_verified: bool = False


@dataclass(frozen=True, slots=True)
class StoredOrganisation:
    id: int
    name: str
    kind: OrganisationKind
    verified: bool


def find_organisation(connection: Connection, name: str) -> StoredOrganisation | None:
    row = connection.execute(
        select(
            organisations.c.id, organisations.c.name, organisations.c.kind, organisations.c.verified
        ).where(organisations.c.name == name)
    ).first()
    if row is None:
        return None
    return StoredOrganisation(row.id, row.name, OrganisationKind(row.kind), bool(row.verified))


def ensure_organisation(
    connection: Connection,
    name: str,
    kind: OrganisationKind,
    country: str | None,
    *,
    verified: bool = False,
) -> int:
    """The organisation's id, creating it when new. ``verified`` (the operator has checked
    who they are) is only ever raised here, never lowered by a later key."""
    existing = connection.scalar(select(organisations.c.id).where(organisations.c.name == name))
    if existing is not None:
        if verified:
            connection.execute(
                update(organisations).where(organisations.c.id == existing).values(verified=True)
            )
        return int(existing)
    result = connection.execute(
        organisations.insert().values(
            name=name,
            kind=kind.value,
            country=country,
            verified=verified,
            created_at=datetime.now(UTC),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def create_api_key(
    connection: Connection, organisation_id: int, role: Role, label: str | None = None
) -> IssuedKey:
    issued = issue_key()
    connection.execute(
        api_keys.insert().values(
            key_id=issued.key_id,
            secret_hash=hash_secret(issued.secret),
            organisation_id=organisation_id,
            role=role.value,
            label=label,
            created_at=datetime.now(UTC),
        )
    )
    return issued


def find_api_key(connection: Connection, key_id: str) -> StoredKey | None:
    row = connection.execute(
        select(
            api_keys.c.key_id,
            api_keys.c.secret_hash,
            api_keys.c.role,
            api_keys.c.organisation_id,
            api_keys.c.revoked_at,
            organisations.c.name,
            organisations.c.kind,
            organisations.c.verified,
        )
        .join(organisations, organisations.c.id == api_keys.c.organisation_id)
        .where(api_keys.c.key_id == key_id)
    ).first()
    if row is None:
        return None
    return StoredKey(
        key_id=row.key_id,
        secret_hash=row.secret_hash,
        role=Role(row.role),
        organisation_id=row.organisation_id,
        organisation_name=row.name,
        revoked=row.revoked_at is not None,
        organisation_kind=OrganisationKind(row.kind),
        organisation_verified=bool(row.verified),
    )


@dataclass(frozen=True, slots=True)
class ListedKey:
    """What an operator sees of a key: never its secret nor its hash."""

    key_id: str
    organisation_name: str
    organisation_kind: OrganisationKind
    role: Role
    label: str | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def list_api_keys(
    connection: Connection, *, organisation: str | None = None, include_revoked: bool = False
) -> list[ListedKey]:
    """The node's keys by organisation, oldest first; live ones only unless ``include_revoked``."""
    query = (
        select(
            api_keys.c.key_id,
            api_keys.c.role,
            api_keys.c.label,
            api_keys.c.created_at,
            api_keys.c.revoked_at,
            organisations.c.name,
            organisations.c.kind,
        )
        .join(organisations, organisations.c.id == api_keys.c.organisation_id)
        .order_by(organisations.c.name, api_keys.c.created_at, api_keys.c.id)
    )
    if organisation is not None:
        query = query.where(organisations.c.name == organisation)
    if not include_revoked:
        query = query.where(api_keys.c.revoked_at.is_(None))
    return [
        ListedKey(
            key_id=row.key_id,
            organisation_name=row.name,
            organisation_kind=OrganisationKind(row.kind),
            role=Role(row.role),
            label=row.label,
            created_at=_stored_moment(row.created_at),
            revoked_at=as_utc(row.revoked_at),
        )
        for row in connection.execute(query)
    ]


def _stored_moment(moment: datetime) -> datetime:
    aware = as_utc(moment)
    assert aware is not None  # only ever given a NOT NULL column
    return aware


class Revocation(StrEnum):
    REVOKED = "revoked"
    ALREADY_REVOKED = "already_revoked"
    UNKNOWN = "unknown"


def revoke_api_key(connection: Connection, key_id: str, at: datetime) -> Revocation:
    """Mark the key revoked as of ``at``. Only a live key is changed (the condition is in the
    UPDATE itself), so two operators revoking at once record one revocation, not two."""
    changed = connection.execute(
        update(api_keys)
        .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=at)
    ).rowcount
    if changed:
        return Revocation.REVOKED
    exists = connection.scalar(select(api_keys.c.id).where(api_keys.c.key_id == key_id))
    return Revocation.UNKNOWN if exists is None else Revocation.ALREADY_REVOKED
