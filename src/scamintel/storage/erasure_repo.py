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
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import IndicatorType, InvalidIndicatorError, ParseContext
from scamintel.indicators.model import Indicator
from scamintel.indicators.registry import default_registry
from scamintel.settings import Settings
from scamintel.storage.evidence_repo import indicator_id_of
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operation_summaries_repo import refresh_summaries
from scamintel.storage.partner_repo import all_agreements
from scamintel.storage.refresh import refresh_values
from scamintel.storage.retention_repo import delete_orphan_values
from scamintel.storage.sql import chunked
from scamintel.storage.store import append_audit
from scamintel.storage.tables import (
    blind_releases,
    disputes,
    indicator_events,
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
# The region local formats are read in when a caller does not pass the node's country.
DEFAULT_NODE_COUNTRY = Settings.model_fields["node_country"].default


@dataclass(frozen=True, slots=True)
class ErasureSummary:
    """How many rows each table lost (or had blanked); counts, never contents."""

    indicator_id: int | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def value_deleted(self) -> bool:
        """The value's row went (or lost its value): remembered indicator ids must be
        forgotten after the commit."""
        return bool(self.counts.get("value") or self.counts.get("value_overwritten"))


def erase_value(
    database: NodeDatabase,
    indicator: Indicator,
    *,
    actor: str,
    reason: str,
    request_id: str | None,
    now: datetime,
    node_country: str = DEFAULT_NODE_COUNTRY,
) -> ErasureSummary:
    """:func:`erase_value_in` in a transaction of its own."""
    with database.engine.begin() as connection:
        summary = erase_value_in(
            connection,
            database.sealer,
            indicator,
            actor=actor,
            reason=reason,
            request_id=request_id,
            node_country=node_country,
            now=now,
        )
    if summary.value_deleted:
        database.forget_indicator_ids()
    return summary


def erase_value_in(
    connection: Connection,
    sealer: PersonalDataSealer,
    indicator: Indicator,
    *,
    actor: str,
    reason: str,
    request_id: str | None,
    node_country: str,
    now: datetime,
) -> ErasureSummary:
    """Remove ``indicator`` from everything the node holds, on the caller's connection (the
    caller commits, so a request's completion and the erasure commit together), audited as
    ``data.erased`` with the counts. Erasing a value the node does not hold records that
    nothing was found. ``node_country`` is the region local formats are read in (contacts and
    narratives). When ``summary.value_deleted``, the caller calls
    ``database.forget_indicator_ids()`` after the commit (the id may no longer exist)."""
    contacts = reports_with_contact_in(connection, sealer, indicator, node_country)
    indicator_id = indicator_id_of(connection, indicator)
    counts = _erase(connection, sealer, indicator, indicator_id, contacts, node_country, now)
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
    return ErasureSummary(indicator_id, counts)


def _erase(
    connection: Connection,
    sealer: PersonalDataSealer,
    indicator: Indicator,
    indicator_id: int | None,
    contacts: list[UUID],
    node_country: str,
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
        counts["narrative"] = _scrub_narratives(
            connection, naming + contacts, indicator, forms, node_country
        )
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
        counts["narrative"] = _scrub_narratives(
            connection, contacts, indicator, {indicator.value}, node_country
        )
    counts["victim_contact"] = sum(
        _deleted(connection, delete(reporter_contacts).where(reporter_contacts.c.report_id.in_(c)))
        for c in chunked(contacts)
    )
    counts["partner_record"] = _delete_partner_records(connection, sealer, indicator)
    # Never listed, so no removal notice must travel: the value's row goes now (or, the
    # newest row on SQLite, keeps a placeholder instead of the value).
    gone = delete_orphan_values(connection, [indicator_id] if indicator_id is not None else [])
    counts["value"] = gone.deleted
    counts["value_overwritten"] = gone.overwritten
    return counts


def _deleted(connection: Connection, statement: Any) -> int:
    return max(connection.execute(statement).rowcount, 0)


def _scrub_narratives(
    connection: Connection,
    report_ids: list[UUID],
    indicator: Indicator,
    forms: set[str],
    node_country: str,
) -> int:
    """Replace every written form of the value in these reports' narratives: what the
    extractor reads as the value (as intake reads it: the node's country, and the victim's
    when the report names one), and the forms the reports gave it in."""
    changed: list[dict[str, Any]] = []
    for chunk in chunked(sorted(set(report_ids))):
        for row in connection.execute(
            select(reports.c.id, reports.c.narrative, reports.c.victim_country).where(
                reports.c.id.in_(chunk), reports.c.narrative.is_not(None)
            )
        ):
            regions = dict.fromkeys((node_country, row.victim_country or node_country))
            text = scrubbed(row.narrative, indicator, forms, tuple(regions))
            if text != row.narrative:
                changed.append({"report": row.id, "narrative": text})
    if changed:
        connection.execute(
            update(reports).where(reports.c.id == bindparam("report")),
            changed,
        )
    return len(changed)


def scrubbed(text: str, indicator: Indicator, forms: set[str], regions: tuple[str, ...]) -> str:
    """``text`` with each span that reads as ``indicator`` (in any of ``regions``) and each
    of ``forms`` replaced by :data:`ERASED`."""
    registry = default_registry()
    for region in regions:
        found = [
            item
            for item in registry.extract(text, ParseContext(region))
            if item.indicator.type is indicator.type and item.indicator.value == indicator.value
        ]
        for item in reversed(found):  # from the end, so earlier offsets stay right
            text = text[: item.start] + ERASED + text[item.end :]
    for form in sorted((form for form in forms if form), key=len, reverse=True):
        # Longest first: "+66 81 234 5678" before "81 234 5678".
        text = text.replace(form, ERASED)
    return text


def _delete_partner_records(
    connection: Connection, sealer: PersonalDataSealer, indicator: Indicator
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
    for agreement in all_agreements(connection, sealer):
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


def reports_with_contact(
    database: NodeDatabase, indicator: Indicator, *, node_country: str = DEFAULT_NODE_COUNTRY
) -> list[UUID]:
    """:func:`reports_with_contact_in` on a connection of its own."""
    with database.engine.connect() as connection:
        return reports_with_contact_in(connection, database.sealer, indicator, node_country)


def reports_with_contact_in(
    connection: Connection, sealer: PersonalDataSealer, indicator: Indicator, node_country: str
) -> list[UUID]:
    """Reports whose reporter's own phone or e-mail is ``indicator``: every sealed contact is
    opened and its field read in canonical form (there is no index over sealed data); local
    formats are read as the node's country writes them."""
    fields = _CONTACT_FIELDS.get(indicator.type)
    if not fields:
        return []
    context = ParseContext(node_country)
    registry = default_registry()
    found: list[UUID] = []
    for report_id, contact in _contacts(connection, sealer):
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
    connection: Connection, sealer: PersonalDataSealer
) -> Iterator[tuple[UUID, dict[str, Any]]]:
    rows = connection.execute(
        select(reporter_contacts.c.report_id, reporter_contacts.c.sealed).order_by(
            reporter_contacts.c.report_id
        ),
        execution_options={"stream_results": True, "yield_per": _UNSEAL_CHUNK},
    )
    for row in rows:
        contact = sealer.unseal(row.sealed)
        if isinstance(contact, dict):
            yield row.report_id, contact
