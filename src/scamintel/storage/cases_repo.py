"""Cases, their links and notes in SQL: the :class:`CaseRepository` of cases/service.py over
one connection, so a change and its audit entry commit together."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Row, and_, delete, func, or_, select, update

from scamintel.cases.model import (
    Case,
    CaseLink,
    CaseNote,
    CaseRequest,
    CaseStatus,
    CloseReason,
    LinkKind,
    OperationRef,
    case_reference,
)
from scamintel.governance.audit import AuditEntry, AuditEvent
from scamintel.indicators import Indicator
from scamintel.storage.operation_summaries_repo import survivor_of
from scamintel.storage.requests_repo import OBJECT_TYPE as REQUEST_OBJECT_TYPE
from scamintel.storage.requests_repo import requests_of_case
from scamintel.storage.sql import as_utc, insert_ignoring_conflicts
from scamintel.storage.store import append_audit, audit_entry_of
from scamintel.storage.tables import (
    audit_log,
    case_links,
    case_notes,
    cases,
    indicators,
    operations,
    reports,
)

OBJECT_TYPE = "case"


def _utc(moment: datetime) -> datetime:
    converted = as_utc(moment)
    assert converted is not None
    return converted


def _case(row: Row[Any]) -> Case:
    return Case(
        id=row.id,
        title=row.title,
        status=CaseStatus(row.status),
        assignee=row.assignee,
        created_by=row.created_by,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        closed_at=as_utc(row.closed_at),
    )


def _summary(text: str | None) -> dict[str, Any]:
    """The operation's summary JSON; a missing or unreadable one is an empty summary."""
    if not text:
        return {}
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _names_case(entry: AuditEntry, case_id: int) -> bool:
    """A request's entry belongs to the case whose number its details carry. The SQL LIKE
    only narrows (``"case_id":7`` also starts ``"case_id":70``); this check decides."""
    if entry.event.object_type != REQUEST_OBJECT_TYPE:
        return True
    named = entry.event.details.get("case_id")
    return type(named) is int and named == case_id


def _int_refs(links: list[Row[Any]], kind: LinkKind) -> list[int]:
    return [int(row.ref) for row in links if row.kind == kind.value and row.ref.isdigit()]


class SqlCaseRepository:
    """Works inside the caller's transaction (``engine.begin()``)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert_case(
        self, *, title: str, assignee: str | None, created_by: str, at: datetime
    ) -> int:
        result = self.connection.execute(
            cases.insert()
            .values(
                title=title,
                status=CaseStatus.OPEN.value,
                assignee=assignee,
                created_by=created_by,
                created_at=at,
                updated_at=at,
            )
            .returning(cases.c.id)
        )
        return int(result.scalar_one())

    def find_case(self, case_id: int, *, for_update: bool = False) -> Case | None:
        query = select(cases).where(cases.c.id == case_id)
        if for_update:
            # PostgreSQL: two changes of one case queue up; SQLite has one writer anyway.
            query = query.with_for_update()
        row = self.connection.execute(query).one_or_none()
        return _case(row) if row is not None else None

    def update_case(self, case_id: int, values: dict[str, Any], at: datetime) -> None:
        self.connection.execute(
            update(cases).where(cases.c.id == case_id).values(**values, updated_at=at)
        )

    def list_cases(self, status: CaseStatus | None, assignee: str | None, limit: int) -> list[Case]:
        query = select(cases).order_by(cases.c.updated_at.desc(), cases.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(cases.c.status == status.value)
        if assignee is not None:
            query = query.where(func.lower(cases.c.assignee) == assignee.lower())
        return [_case(row) for row in self.connection.execute(query)]

    def links(self, case_id: int) -> tuple[CaseLink, ...]:
        rows = list(
            self.connection.execute(
                select(case_links)
                .where(case_links.c.case_id == case_id)
                .order_by(case_links.c.added_at, case_links.c.kind, case_links.c.ref)
            )
        )
        labels = self._labels(rows)
        return tuple(
            CaseLink(
                kind=LinkKind(row.kind),
                ref=row.ref,
                added_by=row.added_by,
                added_at=_utc(row.added_at),
                label=labels.get((row.kind, row.ref)),
            )
            for row in rows
        )

    def _labels(self, rows: list[Row[Any]]) -> dict[tuple[str, str], str]:
        """Words for the linked things: an indicator's value, an operation's size."""
        labels: dict[tuple[str, str], str] = {}
        indicator_ids = _int_refs(rows, LinkKind.INDICATOR)
        if indicator_ids:
            for found in self.connection.execute(
                select(indicators.c.id, indicators.c.type, indicators.c.value).where(
                    indicators.c.id.in_(indicator_ids)
                )
            ):
                labels[(LinkKind.INDICATOR.value, str(found.id))] = f"{found.type}:{found.value}"
        operation_ids = _int_refs(rows, LinkKind.OPERATION)
        if operation_ids:
            for found in self.connection.execute(
                select(operations.c.id, operations.c.report_count, operations.c.merged_into).where(
                    operations.c.id.in_(operation_ids)
                )
            ):
                label = f"{found.report_count} reports"
                if found.merged_into is not None:
                    label += f", since merged into operation {found.merged_into}"
                labels[(LinkKind.OPERATION.value, str(found.id))] = label
        return labels

    def notes(self, case_id: int) -> tuple[CaseNote, ...]:
        return tuple(
            CaseNote(row.id, row.author, _utc(row.at), row.text)
            for row in self.connection.execute(
                select(case_notes)
                .where(case_notes.c.case_id == case_id)
                .order_by(case_notes.c.at, case_notes.c.id)
            )
        )

    def add_link(self, case_id: int, kind: LinkKind, ref: str, actor: str, at: datetime) -> bool:
        result = self.connection.execute(
            insert_ignoring_conflicts(self.connection, case_links)
            .values(case_id=case_id, kind=kind.value, ref=ref, added_by=actor, added_at=at)
            # RETURNING says whether the row went in on both databases (rowcount may not).
            .returning(case_links.c.case_id)
        )
        return result.first() is not None

    def remove_link(self, case_id: int, kind: LinkKind, ref: str) -> bool:
        result = self.connection.execute(
            delete(case_links).where(
                case_links.c.case_id == case_id,
                case_links.c.kind == kind.value,
                case_links.c.ref == ref,
            )
        )
        return result.rowcount == 1

    def add_note(self, case_id: int, author: str, at: datetime, text: str) -> int:
        result = self.connection.execute(
            case_notes.insert()
            .values(case_id=case_id, author=author, at=at, text=text)
            .returning(case_notes.c.id)
        )
        return int(result.scalar_one())

    def find_operation(self, operation_id: int) -> OperationRef | None:
        row = self.connection.execute(
            select(
                operations.c.id,
                operations.c.merged_into,
                operations.c.report_count,
                operations.c.summary,
            ).where(operations.c.id == operation_id)
        ).one_or_none()
        if row is None:
            return None
        return OperationRef(row.id, row.merged_into, row.report_count, _summary(row.summary))

    def survivor_of(self, operation_id: int) -> int | None:
        return survivor_of(self.connection, operation_id)

    def report_exists(self, report_id: UUID) -> bool:
        found = self.connection.execute(select(reports.c.id).where(reports.c.id == report_id))
        return found.first() is not None

    def indicator_exists(self, indicator_id: int) -> bool:
        found = self.connection.execute(
            select(indicators.c.id).where(indicators.c.id == indicator_id)
        )
        return found.first() is not None

    def indicator_id(self, indicator: Indicator) -> int | None:
        found: int | None = self.connection.execute(
            select(indicators.c.id).where(
                indicators.c.type == indicator.type.value, indicators.c.value == indicator.value
            )
        ).scalar_one_or_none()
        return found

    def _case_entries(self, case_id: int) -> Any:
        return select(audit_log).where(
            audit_log.c.object_type == OBJECT_TYPE,
            audit_log.c.object_id == case_reference(case_id),
        )

    def last_close_reason(self, case_id: int) -> CloseReason | None:
        """The reason of the latest status change: the audit log is where it is kept."""
        row = self.connection.execute(
            self._case_entries(case_id)
            .where(audit_log.c.action == "case.status_changed")
            .order_by(audit_log.c.seq.desc())
            .limit(1)
        ).one_or_none()
        if row is None:
            return None
        reason = json.loads(row.details).get("reason")
        return CloseReason(reason) if reason in set(CloseReason) else None

    def audit(self, event: AuditEvent) -> None:
        append_audit(self.connection, event)

    def requests(self, case_id: int, now: datetime) -> tuple[CaseRequest, ...]:
        return tuple(
            CaseRequest(
                request_id=request.request_id,
                partner=request.partner,
                kind=request.kind,
                indicator_type=request.indicator_type,
                status=request.status,
                due_at=request.due_at,
                overdue=request.overdue(now),
                outcome=request.outcome,
                delivery=request.delivery,
                refused_because=request.refused_because,
                status_reason=request.status_reason,
            )
            for request in requests_of_case(self.connection, case_id)
        )

    def audit_trail(self, case_id: int) -> list[AuditEntry]:
        """The case's own entries (by object, on the audit_log index) merged in chain order
        with its requests' entries: those whose details carry ``"case_id":<n>``, as
        ``canonical_details`` writes every audit entry's details (sorted keys, no spaces)."""
        carries_case = f'%"case\\_id":{case_id}%'
        query = (
            select(audit_log)
            .where(
                or_(
                    and_(
                        audit_log.c.object_type == OBJECT_TYPE,
                        audit_log.c.object_id == case_reference(case_id),
                    ),
                    and_(
                        audit_log.c.object_type == REQUEST_OBJECT_TYPE,
                        audit_log.c.details.like(carries_case, escape="\\"),
                    ),
                )
            )
            .order_by(audit_log.c.seq)
        )
        entries = (audit_entry_of(row) for row in self.connection.execute(query))
        return [entry for entry in entries if _names_case(entry, case_id)]
