"""Erasing one value from everything the node holds (a data subject's erasure request).

The value leaves every report (the link, and its written forms in the narratives), every
reporter contact that is that value, its outcomes, disputes and reviews, pending releases and
partners' records of it. Its listing is then republished: with no evidence left it becomes a
"removed" listing, the tombstone that sync carries to partners (who drop their copy) and
blocklist users; the tombstone itself goes after the removal-notice period
(storage/retention_repo.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, bindparam, delete, select, update

from scamintel.governance.audit import AuditEvent
from scamintel.governance.legal_basis import LegalBasis
from scamintel.indicators import IndicatorType, InvalidIndicatorError, ParseContext
from scamintel.indicators.model import Indicator
from scamintel.indicators.registry import default_registry
from scamintel.storage.evidence_repo import indicator_id_of
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operation_summaries_repo import refresh_summaries
from scamintel.storage.partner_repo import all_agreements
from scamintel.storage.refresh import refresh_values
from scamintel.storage.retention_repo import orphan_values
from scamintel.storage.sql import chunked
from scamintel.storage.store import append_audit
from scamintel.storage.tables import (
    blind_releases,
    disputes,
    indicator_events,
    indicators,
    partner_indicators,
    report_indicators,
    report_operations,
    reporter_contacts,
    reports,
    review_items,
)

ERASED = "[erased]"
# The contact fields that can hold a value of each type (reports/model.py's reporter).
_CONTACT_FIELDS: dict[IndicatorType, tuple[str, ...]] = {
    IndicatorType.PHONE: ("phone",),
    IndicatorType.EMAIL: ("email",),
}
_UNSEAL_CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class ErasureSummary:
    """How many rows each table lost (or had blanked); counts, never contents."""

    indicator_id: int | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def erase_value(
    database: NodeDatabase,
    indicator: Indicator,
    *,
    actor: str,
    reason: str,
    request_id: str | None,
    now: datetime,
) -> ErasureSummary:
    """Remove ``indicator`` from everything the node holds, in one transaction, audited as
    ``data.erased`` with the counts. Erasing a value the node does not hold records that
    nothing was found."""
    contacts = reports_with_contact(database, indicator)
    with database.engine.begin() as connection:
        indicator_id = indicator_id_of(connection, indicator)
        counts = _erase(connection, database, indicator, indicator_id, contacts, now)
        append_audit(
            connection,
            AuditEvent(
                actor=actor,
                action="data.erased",
                object_type="indicator",
                object_id=str(indicator_id) if indicator_id is not None else None,
                purpose="erasure",
                details={"request_id": request_id, "reason": reason, "counts": counts},
                legal_basis=LegalBasis.LEGAL_OBLIGATION.value,
                subjects=(indicator_id,) if indicator_id is not None else (),
            ),
        )
    if counts.get("value"):
        database.forget_indicator_ids()
    return ErasureSummary(indicator_id, counts)


def _erase(
    connection: Connection,
    database: NodeDatabase,
    indicator: Indicator,
    indicator_id: int | None,
    contacts: list[UUID],
    now: datetime,
) -> dict[str, int]:
    counts: dict[str, int] = {}
    naming: list[UUID] = []
    if indicator_id is not None:
        links = connection.execute(
            select(report_indicators.c.report_id, report_indicators.c.raw).where(
                report_indicators.c.indicator_id == indicator_id
            )
        ).all()
        naming = [row.report_id for row in links]
        forms = {row.raw for row in links} | {indicator.value}
        counts["narrative"] = _scrub_narratives(connection, naming + contacts, forms)
        operations = {
            int(row[0])
            for chunk in chunked(naming)
            for row in connection.execute(
                select(report_operations.c.operation_id).where(
                    report_operations.c.report_id.in_(chunk)
                )
            )
        }
        counts["report_link"] = _deleted(
            connection,
            delete(report_indicators).where(report_indicators.c.indicator_id == indicator_id),
        )
        for name, table in (
            ("outcome", indicator_events),
            ("dispute", disputes),
            ("review_item", review_items),
        ):
            counts[name] = _deleted(
                connection, delete(table).where(table.c.indicator_id == indicator_id)
            )
        counts["blind_release"] = _deleted(
            connection,
            delete(blind_releases).where(
                blind_releases.c.indicator_id == indicator_id,
                blind_releases.c.status == "pending",
            ),
        )
        # Decided releases are the record of a disclosure: they stay, without the link.
        connection.execute(
            update(blind_releases)
            .where(blind_releases.c.indicator_id == indicator_id)
            .values(indicator_id=None)
        )
        refresh_values(connection, [indicator_id], now)
        refresh_summaries(connection, operations, now)
    else:
        counts["narrative"] = _scrub_narratives(connection, contacts, {indicator.value})
    counts["victim_contact"] = sum(
        _deleted(connection, delete(reporter_contacts).where(reporter_contacts.c.report_id.in_(c)))
        for c in chunked(contacts)
    )
    counts["partner_record"] = _delete_partner_records(connection, database, indicator)
    counts["value"] = 0
    if indicator_id is not None and orphan_values(connection, [indicator_id]):
        # Never listed, so no removal notice must travel: the value's row goes now.
        counts["value"] = _deleted(
            connection, delete(indicators).where(indicators.c.id == indicator_id)
        )
    return counts


def _deleted(connection: Connection, statement: Any) -> int:
    return max(connection.execute(statement).rowcount, 0)


def _scrub_narratives(connection: Connection, report_ids: list[UUID], forms: set[str]) -> int:
    """Replace every written form of the value in these reports' narratives."""
    ordered = sorted((form for form in forms if form), key=len, reverse=True)
    changed: list[dict[str, Any]] = []
    for chunk in chunked(sorted(set(report_ids))):
        for row in connection.execute(
            select(reports.c.id, reports.c.narrative).where(
                reports.c.id.in_(chunk), reports.c.narrative.is_not(None)
            )
        ):
            text = row.narrative
            for form in ordered:  # longest first: "+66 81 234 5678" before "81 234 5678"
                text = text.replace(form, ERASED)
            if text != row.narrative:
                changed.append({"report": row.id, "narrative": text})
    if changed:
        connection.execute(
            update(reports).where(reports.c.id == bindparam("report")),
            changed,
        )
    return len(changed)


def _delete_partner_records(
    connection: Connection, database: NodeDatabase, indicator: Indicator
) -> int:
    """Partners' records of the value: by value, and by the blind selector each agreement's
    key gives it."""
    count = _deleted(
        connection,
        delete(partner_indicators).where(
            partner_indicators.c.type == indicator.type.value,
            partner_indicators.c.value == indicator.value,
        ),
    )
    for agreement in all_agreements(connection, database.sealer):
        if not agreement.is_blind(indicator.type):
            continue
        count += _deleted(
            connection,
            delete(partner_indicators).where(
                partner_indicators.c.partner == agreement.partner,
                partner_indicators.c.blind_hash == agreement.selector(indicator),
            ),
        )
    return count


def reports_with_contact(database: NodeDatabase, indicator: Indicator) -> list[UUID]:
    """Reports whose reporter's own phone or e-mail is ``indicator``: every sealed contact is
    opened and its field read in canonical form (there is no index over sealed data)."""
    fields = _CONTACT_FIELDS.get(indicator.type)
    if not fields:
        return []
    context = ParseContext(indicator.country or "TH")
    registry = default_registry()
    found: list[UUID] = []
    with database.engine.connect() as connection:
        for report_id, contact in _contacts(connection, database):
            for name in fields:
                written = contact.get(name)
                if not isinstance(written, str) or not written.strip():
                    continue
                try:
                    canonical = registry.canonicalise(written, indicator.type, context)
                except InvalidIndicatorError:
                    continue
                if canonical.value == indicator.value:
                    found.append(report_id)
                    break
    return found


def _contacts(
    connection: Connection, database: NodeDatabase
) -> Iterator[tuple[UUID, dict[str, Any]]]:
    rows = connection.execute(
        select(reporter_contacts.c.report_id, reporter_contacts.c.sealed),
        execution_options={"stream_results": True, "yield_per": _UNSEAL_CHUNK},
    )
    for row in rows:
        contact = database.sealer.unseal(row.sealed)
        if isinstance(contact, dict):
            yield row.report_id, contact
