"""Organisations and API keys in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from scamintel.access.keys import IssuedKey, OrganisationKind, Role, hash_secret, issue_key
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
