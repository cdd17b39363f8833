"""Blind selectors on the storage side: partners' requests to release the value behind one
(``federation.release``), and the partner knowledge the check shows beside its verdict."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, case, select, update

from scamintel.federation.agreement import Agreement, blind_selector
from scamintel.federation.markings import Purpose
from scamintel.federation.release import (
    Decision,
    DecisionKind,
    ReleaseRequest,
    ReleaseStatus,
    blind_hashes,
)
from scamintel.governance.audit import AuditEvent
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.verdict import PartnerKnowledge
from scamintel.storage.partner_repo import PartnerMatch, find_agreement, keyed_agreements
from scamintel.storage.partner_repo import partner_matches as stored_matches
from scamintel.storage.sql import as_utc
from scamintel.storage.store import append_audit
from scamintel.storage.tables import blind_releases, listings

# Rows read at a time while hashing the listings of one type.
SCAN_BATCH = 10_000


class SqlReleases:
    """``federation.release.ReleaseStore`` on one connection (a transaction for writes)."""

    def __init__(self, connection: Connection, sealer: PersonalDataSealer) -> None:
        self.connection = connection
        self.sealer = sealer
        # Selector -> indicator id of the values resolved here, so that a request stores which
        # value it names and later reads look that one value up instead of hashing them all.
        self._resolved: dict[str, int] = {}

    def agreement(self, partner: str) -> Agreement | None:
        return find_agreement(self.connection, partner, self.sealer)

    def resolve(
        self, agreement: Agreement, indicator_type: IndicatorType, selectors: Iterable[str]
    ) -> dict[str, Indicator]:
        """Hash every value of the type this node publishes (listed or removed: both were
        shared) with the agreement's key until each selector is found. Only published values
        answer, so a partner holding the key cannot use a request to learn whether this node
        holds some other value (a reporter's own account, say)."""
        wanted = set(selectors)
        if agreement.blind_key is None or not wanted:
            return {}
        key = agreement.blind_key.get_secret_value()
        found: dict[str, Indicator] = {}
        # Values that earlier requests resolved are read by id and hashed again with the
        # current key (it may have changed); only the others are searched for.
        remembered = (
            select(listings.c.indicator_id, listings.c.value)
            .join(blind_releases, blind_releases.c.indicator_id == listings.c.indicator_id)
            .where(blind_releases.c.selector.in_(sorted(wanted)))
            .where(listings.c.type == indicator_type.value)
        )
        for indicator_id, value in self.connection.execute(remembered).all():
            self._found(key, indicator_id, Indicator(indicator_type, value), wanted, found)
        if len(found) == len(wanted):
            return found
        statement = (
            select(listings.c.indicator_id, listings.c.value)
            .where(listings.c.type == indicator_type.value)
            .execution_options(yield_per=SCAN_BATCH)
        )
        result = self.connection.execute(statement)
        for indicator_id, value in result:
            self._found(key, indicator_id, Indicator(indicator_type, value), wanted, found)
            if len(found) == len(wanted):
                break
        result.close()
        return found

    def _found(
        self,
        key: str,
        indicator_id: int,
        indicator: Indicator,
        wanted: set[str],
        found: dict[str, Indicator],
    ) -> None:
        selector = blind_selector(key, indicator)
        if selector in wanted:
            found[selector] = indicator
            self._resolved[selector] = indicator_id

    def add(self, request: ReleaseRequest) -> None:
        indicator_id = self._resolved.get(request.selector)
        self.connection.execute(
            blind_releases.insert().values(**_row(request), indicator_id=indicator_id)
        )

    def get(self, release_id: UUID, *, for_update: bool = False) -> ReleaseRequest | None:
        if for_update:
            # A no-op write takes the row's lock (PostgreSQL) or the database's write lock
            # (SQLite) before the read, so two approvers deciding at once take turns.
            self.connection.execute(
                update(blind_releases)
                .where(blind_releases.c.id == release_id)
                .values(status=blind_releases.c.status)
            )
        row = self.connection.execute(
            select(blind_releases).where(blind_releases.c.id == release_id)
        ).one_or_none()
        return release_of(row) if row is not None else None

    def save(self, request: ReleaseRequest) -> None:
        values = _row(request)
        del values["id"]
        self.connection.execute(
            update(blind_releases).where(blind_releases.c.id == request.id).values(**values)
        )

    def pending_first(self, limit: int) -> list[ReleaseRequest]:
        pending_rank = case((blind_releases.c.status == ReleaseStatus.PENDING.value, 0), else_=1)
        rows = self.connection.execute(
            select(blind_releases)
            .order_by(pending_rank, blind_releases.c.requested_at.desc(), blind_releases.c.id)
            .limit(limit)
        )
        return [release_of(row) for row in rows]

    def audit(self, event: AuditEvent) -> None:
        # Every blind_release.* entry names the value behind the selector (when the request
        # found one): the audit trail of that value shows who asked for it and who saw it.
        if event.object_type == "blind_release" and not event.subjects and event.object_id:
            indicator_id = self.connection.scalar(
                select(blind_releases.c.indicator_id).where(
                    blind_releases.c.id == UUID(event.object_id)
                )
            )
            if indicator_id is not None:
                event = replace(event, subjects=(int(indicator_id),))
        append_audit(self.connection, event)


def _row(request: ReleaseRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "partner": request.partner,
        "selector": request.selector,
        "indicator_type": request.indicator_type.value,
        "purpose": request.purpose.value,
        "reason": request.reason,
        "status": request.status.value,
        "approvals": json.dumps([_decision_json(d) for d in request.decisions]),
        "requested_at": request.requested_at,
        "decided_at": request.decided_at,
        "released_at": request.released_at,
    }


def _decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "actor": decision.actor,
        "kind": decision.kind.value,
        "at": decision.at.isoformat(),
        "reason": decision.reason,
    }


def _decision_of(data: dict[str, Any]) -> Decision:
    return Decision(
        actor=str(data["actor"]),
        kind=DecisionKind(data["kind"]),
        at=datetime.fromisoformat(data["at"]),
        reason=data.get("reason"),
    )


def release_of(row: Row[Any]) -> ReleaseRequest:
    return ReleaseRequest(
        id=row.id,
        partner=row.partner,
        selector=row.selector,
        indicator_type=IndicatorType(row.indicator_type),
        purpose=Purpose(row.purpose),
        reason=row.reason,
        status=ReleaseStatus(row.status),
        decisions=tuple(_decision_of(item) for item in json.loads(row.approvals)),
        requested_at=as_utc(row.requested_at) or row.requested_at,
        decided_at=as_utc(row.decided_at),
        released_at=as_utc(row.released_at),
    )


# -- the check -----------------------------------------------------------------------------------
def partner_knowledge(
    connection: Connection, sealer: PersonalDataSealer, indicator: Indicator, now: datetime
) -> list[PartnerKnowledge]:
    """What partners shared about ``indicator``, raw or by a blind selector: the agreements
    holding a selector key are read (and their keys unsealed) once, then one indexed query
    finds the records."""
    hashes = blind_hashes(keyed_agreements(connection, sealer), indicator)
    return [_knowledge(match) for match in stored_matches(connection, indicator, hashes, now)]


def _knowledge(match: PartnerMatch) -> PartnerKnowledge:
    return PartnerKnowledge(
        partner=match.partner,
        verdict=match.verdict,
        reports=match.report_count,
        marking=match.marking,
        blind=match.blind,
    )
