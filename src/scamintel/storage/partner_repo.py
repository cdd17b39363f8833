"""What partners shared with this node, the refusals, and the agreements in force."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Dialect,
    Row,
    Select,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from scamintel.federation.agreement import Agreement, agreement_from_document
from scamintel.federation.intake import ReceivedIndicator, Refusal
from scamintel.federation.markings import Purpose, Tlp
from scamintel.governance.audit import AuditEvent
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import Indicator, IndicatorType
from scamintel.storage.sql import as_utc, chunked
from scamintel.storage.store import append_audit
from scamintel.storage.tables import (
    agreements,
    federation_rejections,
    partner_indicators,
    peers,
)

# -- agreements ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppliedAgreement:
    """What ``apply_agreement`` did: the version before (None for a new partner) and after."""

    agreement: Agreement
    previous_version: int | None
    changed: bool


def apply_agreement(
    connection: Connection,
    agreement: Agreement,
    sealer: PersonalDataSealer,
    actor: str,
    now: datetime,
) -> AppliedAgreement:
    """Store ``agreement`` as the one in force with its partner, audited. A version lower than
    the stored one is refused; the same version must be the same agreement."""
    row = connection.execute(
        select(agreements).where(agreements.c.partner == agreement.partner)
    ).one_or_none()
    previous = agreement_of_row(row, sealer) if row is not None else None
    if previous is not None:
        if agreement.version < previous.version:
            raise ValueError(
                f"the agreement with {agreement.partner} is at version {previous.version}; "
                f"version {agreement.version} is older (raise the version to change it)"
            )
        if agreement.version == previous.version:
            if previous.fingerprint() == agreement.fingerprint():
                return AppliedAgreement(agreement, previous.version, changed=False)
            raise ValueError(
                f"version {agreement.version} of the agreement with {agreement.partner} is "
                "already applied with different terms; raise the version to change it"
            )
    values = _agreement_row(agreement, sealer, actor, now)
    if row is None:
        connection.execute(agreements.insert().values(**values))
    else:
        connection.execute(
            agreements.update().where(agreements.c.partner == agreement.partner).values(**values)
        )
    event = _audit_event(agreement, previous, actor)
    if previous is not None:
        event.details["withdrawn_under_new_terms"] = _hold_to_terms(connection, agreement, previous)
        # Read the partner again from the start: what the new terms let in arrives (pages
        # read again store nothing twice).
        connection.execute(
            update(peers)
            .where(peers.c.name == agreement.partner)
            .values(next_cursor=None, added_after=None)
        )
    append_audit(connection, event)
    return AppliedAgreement(agreement, previous.version if previous else None, changed=True)


def _hold_to_terms(connection: Connection, agreement: Agreement, previous: Agreement) -> int:
    """Delete what the partner shared that the new terms no longer allow (types, markings,
    purposes, raw values of now-blind types, selectors under a replaced key) and shorten its
    retention; returns how many records were deleted."""
    held = partner_indicators.c
    refused = or_(
        held.type.not_in([t.value for t in agreement.types]),
        held.marking.not_in([m.value for m in agreement.markings]),
        held.purpose.not_in([p.value for p in agreement.purposes]),
        held.type.in_([t.value for t in agreement.blind]) & held.value.is_not(None),
    )
    if previous.blind_key != agreement.blind_key:
        refused = or_(refused, held.blind_hash.is_not(None))
    deleted = connection.execute(
        delete(partner_indicators).where(held.partner == agreement.partner).where(refused)
    ).rowcount
    if agreement.retention_days < previous.retention_days:
        kept = timedelta(days=agreement.retention_days)
        rows = connection.execute(
            select(held.id, held.received_at).where(held.partner == agreement.partner)
        ).all()
        for chunk in chunked(rows, 1_000):
            connection.execute(
                update(partner_indicators)
                .where(held.id == bindparam("row_id"))
                .values(expires_at=bindparam("until")),
                [
                    {"row_id": row.id, "until": (as_utc(row.received_at) or row.received_at) + kept}
                    for row in chunk
                ],
            )
    return max(deleted or 0, 0)


def _agreement_row(
    agreement: Agreement, sealer: PersonalDataSealer, actor: str, now: datetime
) -> dict[str, Any]:
    key = agreement.blind_key.get_secret_value() if agreement.blind_key else None
    return {
        "partner": agreement.partner,
        "version": agreement.version,
        "document": json.dumps(agreement.document(), sort_keys=True),
        "blind_key_sealed": sealer.seal({"blind_key": key}) if key else None,
        "applied_at": now,
        "applied_by": actor,
    }


def _audit_event(agreement: Agreement, previous: Agreement | None, actor: str) -> AuditEvent:
    new = agreement.document()
    details: dict[str, Any] = {"version": agreement.version, "fingerprint": agreement.fingerprint()}
    if previous is None:
        details["terms"] = new
    else:
        old = previous.document()
        details["previous_version"] = previous.version
        details["changed"] = {
            name: {"from": old.get(name), "to": value}
            for name, value in new.items()
            if old.get(name) != value and name != "version"
        }
        if previous.blind_key != agreement.blind_key:
            details["blind_key_changed"] = True
    return AuditEvent(
        actor=actor,
        action="agreement.applied" if previous is None else "agreement.changed",
        object_type="agreement",
        object_id=agreement.partner,
        details=details,
    )


def agreement_of_row(row: Row[Any], sealer: PersonalDataSealer) -> Agreement:
    key = None
    if row.blind_key_sealed is not None:
        key = str(sealer.unseal(row.blind_key_sealed)["blind_key"])
    return agreement_from_document(row.document, key)


def find_agreement(
    connection: Connection, partner: str, sealer: PersonalDataSealer
) -> Agreement | None:
    row = connection.execute(
        select(agreements).where(agreements.c.partner == partner)
    ).one_or_none()
    return agreement_of_row(row, sealer) if row is not None else None


def all_agreements(connection: Connection, sealer: PersonalDataSealer) -> list[Agreement]:
    rows = connection.execute(select(agreements).order_by(agreements.c.partner))
    return [agreement_of_row(row, sealer) for row in rows]


KEYED_AGREEMENTS: Select[Any] = (
    select(agreements.c.document, agreements.c.blind_key_sealed)
    .where(agreements.c.blind_key_sealed.is_not(None))
    .order_by(agreements.c.partner)
)


def keyed_agreements(connection: Connection, sealer: PersonalDataSealer) -> list[Agreement]:
    """The agreements holding a blind-selector key: the only ones a check needs, read on
    every check (most nodes hold none, so this is usually an empty read)."""
    rows = connection.execute(KEYED_AGREEMENTS)
    return [agreement_of_row(row, sealer) for row in rows]


# -- received indicators --------------------------------------------------------------------------


def received_row(item: ReceivedIndicator) -> dict[str, Any]:
    # store_received deletes a withdrawn record instead of writing it; should a withdrawn
    # one be written by another path, it holds neither the value nor the selector.
    return {
        "partner": item.partner,
        "stix_id": item.stix_id,
        "version": item.version,
        "type": item.type.value,
        "value": None if item.revoked else item.value,
        "blind_hash": None if item.revoked else item.blind_hash,
        "verdict": item.verdict,
        "score": round(item.score, 3),
        "report_count": item.report_count,
        "marking": item.marking.value,
        "purpose": item.purpose.value,
        "revoked": item.revoked,
        "valid_until": item.valid_until,
        "expires_at": item.expires_at,
        "onward": item.onward,
        "received_at": item.received_at,
    }


_UPDATABLE = (
    "version",
    "type",
    "value",
    "blind_hash",
    "verdict",
    "score",
    "report_count",
    "marking",
    "purpose",
    "revoked",
    "valid_until",
    "expires_at",
    "onward",
    "received_at",
)


def store_received(connection: Connection, items: Sequence[ReceivedIndicator]) -> int:
    """Upsert by (partner, STIX id): a newer version replaces the stored one, the same or an
    older version changes nothing, so reading a page twice doubles nothing. A withdrawal
    (``revoked``) deletes the partner's record of that STIX id, whatever its version: this
    node keeps nothing of a withdrawn value, not even its id (docs/governance.md,
    retention). Returns how many rows were written or deleted."""
    if not items:
        return 0
    latest: dict[tuple[str, str], ReceivedIndicator] = {}
    for item in items:
        key = (item.partner, item.stix_id)
        if key not in latest or latest[key].version < item.version:
            latest[key] = item
    withdrawn = [key for key, item in latest.items() if item.revoked]
    written = _delete_withdrawn(connection, withdrawn)
    live = [item for item in latest.values() if not item.revoked]
    upsert = _received_upsert(connection.dialect)
    for chunk in chunked(live, 1_000):
        result = connection.exec_driver_sql(
            upsert.sql, upsert.rows(chunk), execution_options={"preserve_rowcount": True}
        )
        # Both drivers sum the rows each execution inserted or updated, skipped upserts (the
        # same or an older version) not counted: ``supports_sane_multi_rowcount``.
        written += max(result.rowcount, 0)
    return written


def _delete_withdrawn(connection: Connection, keys: Sequence[tuple[str, str]]) -> int:
    deleted = 0
    for chunk in chunked(sorted(keys), 1_000):
        result = connection.execute(
            delete(partner_indicators).where(
                tuple_(partner_indicators.c.partner, partner_indicators.c.stix_id).in_(chunk)
            )
        )
        deleted += max(result.rowcount, 0)
    return deleted


# The columns a received indicator fills, in ``received_row``'s order.
_RECEIVED_COLUMNS = ("partner", "stix_id", *_UPDATABLE)


@dataclass(frozen=True, slots=True)
class _ReceivedUpsert:
    """The upsert compiled once for a dialect, and how a row's values are bound.

    Rows go to the driver's executemany as SQLAlchemy would bind them (its own bind
    processors, so SQLite stores the same text for a timestamp), without its per-row
    parameter handling, which cost more than SQLite's own insert. One short statement is
    prepared once, rather than RETURNING's thousand-row statement whose text psycopg parses
    character by character (a quarter of a millisecond a row)."""

    sql: str
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool

    def rows(self, items: Sequence[ReceivedIndicator]) -> list[Any]:
        # A page's rows share most processed values (received_at, version, score...): each
        # distinct one is processed once.
        binders = [
            (index, _remembering(process))
            for index, process in enumerate(self.processors)
            if process is not None
        ]
        pick = operator.itemgetter(*self.names)
        rows: list[Any] = []
        for item in items:
            values = list(pick(received_row(item)))
            for index, bind in binders:
                values[index] = bind(values[index])
            rows.append(
                tuple(values) if self.positional else dict(zip(self.names, values, strict=True))
            )
        return rows


def _remembering(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def bind(value: Any) -> Any:
        # Equal aware datetimes in different zones are bound differently on SQLite.
        key = (value, value.tzinfo) if isinstance(value, datetime) else value
        found = seen.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = seen[key] = process(value)
        return found

    return bind


_UNSEEN = object()


@lru_cache(maxsize=8)
def _received_upsert(dialect: Dialect) -> _ReceivedUpsert:
    module = postgresql if dialect.name == "postgresql" else sqlite
    statement = module.insert(partner_indicators)
    upsert = statement.on_conflict_do_update(
        index_elements=["partner", "stix_id"],
        set_={name: statement.excluded[name] for name in _UPDATABLE},
        where=partner_indicators.c.version < statement.excluded.version,
    )
    compiled = upsert.compile(dialect=dialect, column_keys=list(_RECEIVED_COLUMNS))
    names = tuple(compiled.positiontup or _RECEIVED_COLUMNS)
    columns = partner_indicators.c
    return _ReceivedUpsert(
        sql=compiled.string,
        names=names,
        processors=tuple(
            columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        ),
        positional=compiled.positiontup is not None,
    )


def record_refusals(connection: Connection, refusals: Iterable[Refusal], now: datetime) -> int:
    rows = [
        {"partner": r.partner, "stix_id": r.stix_id, "reason": r.reason[:300], "at": now}
        for r in refusals
    ]
    if rows:
        connection.execute(federation_rejections.insert(), rows)
    return len(rows)


def recent_refusals(connection: Connection, partner: str | None, limit: int) -> list[Refusal]:
    statement = select(federation_rejections).order_by(federation_rejections.c.id.desc())
    if partner is not None:
        statement = statement.where(federation_rejections.c.partner == partner)
    return [
        Refusal(row.partner, row.stix_id, row.reason)
        for row in connection.execute(statement.limit(limit))
    ]


def expired_condition(now: datetime) -> ColumnElement[bool]:
    """A partner's record whose retention under the agreement has run out, or that the
    partner itself said stops being valid (``valid_until``): either way it is of no further
    use, and it is deleted rather than kept hidden."""
    return or_(
        partner_indicators.c.expires_at <= now,
        and_(
            partner_indicators.c.valid_until.is_not(None),
            partner_indicators.c.valid_until <= now,
        ),
    )


def purge_expired(connection: Connection, now: datetime) -> int:
    """Delete what partners shared once it expired (``expired_condition``). Runs after every
    sync and in every retention purge (storage/retention_repo.py)."""
    result = connection.execute(delete(partner_indicators).where(expired_condition(now)))
    return max(result.rowcount, 0)


@dataclass(frozen=True, slots=True)
class PartnerMatch:
    """A partner knows the value: what it said, under which marking."""

    partner: str
    verdict: str | None
    score: float
    report_count: int
    marking: Tlp
    purpose: Purpose
    blind: bool
    version: datetime


def _live_matches(naming: ColumnElement[bool]) -> Select[Any]:
    now: BindParameter[datetime] = bindparam("now")
    return (
        select(
            partner_indicators.c.partner,
            partner_indicators.c.verdict,
            partner_indicators.c.score,
            partner_indicators.c.report_count,
            partner_indicators.c.marking,
            partner_indicators.c.purpose,
            partner_indicators.c.blind_hash,
            partner_indicators.c.version,
        )
        .where(naming)
        .where(partner_indicators.c.revoked.is_(False))
        .where(partner_indicators.c.expires_at > now)
        .where(
            or_(partner_indicators.c.valid_until.is_(None), partner_indicators.c.valid_until > now)
        )
        .order_by(partner_indicators.c.partner)
    )


# Built once: every public check runs one of these, and building the statement took about
# as much of the check's Python time as running it (the range lookup's statement likewise).
_NAMING_VALUE = (partner_indicators.c.type == bindparam("type")) & (
    partner_indicators.c.value == bindparam("value")
)
MATCHES_BY_VALUE = _live_matches(_NAMING_VALUE)
MATCHES_BY_VALUE_OR_SELECTOR = _live_matches(
    or_(_NAMING_VALUE, partner_indicators.c.blind_hash.in_(bindparam("hashes", expanding=True)))
)


def partner_matches(
    connection: Connection,
    indicator: Indicator,
    blind_hashes: Sequence[str],
    now: datetime,
) -> list[PartnerMatch]:
    """Live (not revoked, not expired, within retention) partner records naming ``indicator``
    by value or by one of ``blind_hashes``."""
    parameters: dict[str, Any] = {
        "type": indicator.type.value,
        "value": indicator.value,
        "now": now,
    }
    statement = MATCHES_BY_VALUE
    if blind_hashes:
        statement = MATCHES_BY_VALUE_OR_SELECTOR
        parameters["hashes"] = list(blind_hashes)
    return [_match(row) for row in connection.execute(statement, parameters)]


def _match(row: Row[Any]) -> PartnerMatch:
    return PartnerMatch(
        partner=row.partner,
        verdict=row.verdict,
        score=float(row.score),
        report_count=int(row.report_count),
        marking=Tlp(row.marking),
        purpose=Purpose(row.purpose),
        blind=row.blind_hash is not None,
        version=as_utc(row.version) or row.version,
    )


def received_count(connection: Connection, partner: str | None = None) -> int:
    statement = select(func.count()).select_from(partner_indicators)
    if partner is not None:
        statement = statement.where(partner_indicators.c.partner == partner)
    return int(connection.execute(statement).scalar_one())


def received_of_type(
    connection: Connection, partner: str, indicator_type: IndicatorType
) -> list[PartnerMatch]:
    statement = (
        select(partner_indicators)
        .where(partner_indicators.c.partner == partner)
        .where(partner_indicators.c.type == indicator_type.value)
    )
    return [_match(row) for row in connection.execute(statement)]
