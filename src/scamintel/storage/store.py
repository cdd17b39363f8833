"""The SQL side of the report ports: one :class:`SqlStore` per transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Dialect, Row, Table, func, select, tuple_, update
from sqlalchemy.types import TypeEngine

from scamintel.governance.audit import AuditEntry, AuditEvent, canonical_details, seal
from scamintel.governance.legal_basis import legal_basis_for
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.disputes import Dispute
from scamintel.reports.engine import EventKind, Evidence
from scamintel.reports.model import (
    EvidenceFile,
    InsertOutcome,
    NewReport,
    ReportedIndicator,
    StoredReport,
)
from scamintel.storage.disputes_repo import (
    close_burst,
    find_dispute,
    insert_dispute,
    pending_dispute,
    update_decision,
)
from scamintel.storage.evidence_repo import (
    add_event,
    ensure_indicator_id,
    evidence_of_value,
)
from scamintel.storage.refresh import refresh_values
from scamintel.storage.sql import as_utc, chunked
from scamintel.storage.tables import (
    audit_head,
    audit_log,
    audit_subjects,
    indicators,
    report_evidence,
    report_indicators,
    reporter_contacts,
    reports,
)

IndicatorKey = tuple[str, str]
# Up to this many rows, PostgreSQL gets one multi-row INSERT instead of COPY into a staging
# table: a report from the API writes a handful of rows per table, for which the staging
# table's four statements cost more than the rows; bulk ingest writes thousands and keeps COPY.
SMALL_INSERT_ROWS = 100
EVIDENCE_COLUMNS = ("report_id", "sha256", "name", "media_type", "size")


def _bind_processor(column_type: TypeEngine[Any], dialect: Dialect) -> Any:
    if dialect.name == "postgresql":
        # The driver's own type: the generic Numeric would turn a Decimal into a float, and
        # PostgreSQL keeps 15 digits of a float parameter (an amount of 10^13 loses cents).
        column_type = column_type.dialect_impl(dialect)
    return column_type.bind_processor(dialect)


class RowInserter:
    """Bulk insert of plain tuples, skipping rows that would violate a unique or primary key.

    Values pass through the column types' bind processors, without building a parameter
    dictionary per row: bulk ingest writes millions of rows and that per-row work dominated
    its cost. SQLite runs in-process and is fastest with one prepared ``INSERT … ON CONFLICT
    DO NOTHING`` executed many times; PostgreSQL is fastest with ``COPY`` into a
    session-local staging table followed by one set-based ``INSERT … SELECT … ON CONFLICT DO
    NOTHING``, except for a few rows (``SMALL_INSERT_ROWS``), which go in as one multi-row
    ``INSERT``.
    """

    def __init__(self, connection: Connection, table: Table, columns: Sequence[str]) -> None:
        dialect = connection.dialect
        self._connection = connection
        self._table = table.name
        self._columns = ", ".join(columns)
        self._width = len(columns)
        processors = [_bind_processor(table.c[name].type, dialect) for name in columns]
        self._conversions = [(index, p) for index, p in enumerate(processors) if p is not None]

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._conversions:
            rows = [self._convert(row) for row in rows]
        if self._connection.dialect.name != "postgresql":
            placeholders = ", ".join(["?"] * self._width)
            self._connection.exec_driver_sql(
                # Table and column names come from tables.py, never from input.
                f"INSERT INTO {self._table} ({self._columns}) VALUES ({placeholders}) "  # noqa: S608
                "ON CONFLICT DO NOTHING",
                list(rows),
            )
        elif len(rows) <= SMALL_INSERT_ROWS:
            self._insert_values(rows)
        else:
            self._copy_then_insert(rows)

    def _insert_values(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """One multi-row ``INSERT``: one round trip where the staging table takes four."""
        row_marks = "(" + ", ".join(["%s"] * self._width) + ")"
        self._connection.exec_driver_sql(
            f"INSERT INTO {self._table} ({self._columns}) "  # noqa: S608
            f"VALUES {', '.join([row_marks] * len(rows))} ON CONFLICT DO NOTHING",
            tuple(value for row in rows for value in row),
        )

    def _copy_then_insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        stage = f"scamintel_stage_{self._table}"
        driver_connection: Any = self._connection.connection.driver_connection
        with driver_connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS "  # noqa: S608
                f"SELECT {self._columns} FROM {self._table} WITH NO DATA"
            )
            with cursor.copy(f"COPY {stage} ({self._columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {self._table} ({self._columns}) "  # noqa: S608
                f"SELECT {self._columns} FROM {stage} ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"TRUNCATE {stage}")

    def _convert(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for index, process in self._conversions:
            if values[index] is not None:
                values[index] = process(values[index])
        return tuple(values)


REPORT_COLUMNS = (
    "id",
    "idempotency_key",
    "request_hash",
    "source",
    "organisation_id",
    "scam_type",
    "channel",
    "victim_country",
    "amount",
    "currency",
    "occurred_at",
    "received_at",
    "seen_at",
    "narrative",
    "trust",
    "source_key",
)


class SqlStore:
    """Implements :class:`scamintel.reports.ports.ReportStore` on one open transaction."""

    def __init__(
        self,
        connection: Connection,
        sealer: PersonalDataSealer,
        indicator_ids: dict[IndicatorKey, int],
        actor: str = "system",
    ) -> None:
        self.connection = connection
        self._sealer = sealer
        self._known_ids = indicator_ids
        self.new_indicator_ids: dict[IndicatorKey, int] = {}
        # Values named by reports written through this store: their listings need a refresh.
        self.touched_indicator_ids: set[int] = set()
        self._actor = actor

    # -- reports ----------------------------------------------------------------------
    def add_reports(self, batch: Sequence[NewReport]) -> InsertOutcome:
        already_stored = self._existing_report_ids(list({report.id for report in batch}))
        fresh: list[NewReport] = []
        duplicates: list[UUID] = []
        taken = set(already_stored)
        for report in batch:
            if report.id in taken:
                duplicates.append(report.id)
            else:
                taken.add(report.id)
                fresh.append(report)
        if fresh:
            self._insert_reports(fresh)
        return InsertOutcome(new=tuple(report.id for report in fresh), duplicates=tuple(duplicates))

    def _existing_report_ids(self, ids: Sequence[UUID]) -> set[UUID]:
        found: set[UUID] = set()
        for chunk in chunked(ids):
            found.update(
                self.connection.scalars(select(reports.c.id).where(reports.c.id.in_(chunk)))
            )
        return found

    def _insert_reports(self, fresh: Sequence[NewReport]) -> None:
        connection = self.connection
        RowInserter(connection, reports, REPORT_COLUMNS).insert([_report_row(r) for r in fresh])
        RowInserter(connection, reporter_contacts, ("report_id", "sealed")).insert(
            [(r.id, self._sealer.seal(r.reporter)) for r in fresh if r.reporter]
        )
        RowInserter(connection, report_evidence, EVIDENCE_COLUMNS).insert(
            [(r.id, *_evidence_row(item)) for r in fresh for item in r.evidence]
        )
        ids = self._indicator_ids(item.indicator for r in fresh for item in r.indicators)
        self.touched_indicator_ids.update(ids.values())
        RowInserter(
            connection, report_indicators, ("report_id", "indicator_id", "raw", "origin")
        ).insert(
            [
                (
                    r.id,
                    ids[(item.indicator.type.value, item.indicator.value)],
                    item.raw[:2048],
                    item.origin,
                )
                for r in fresh
                for item in r.indicators
            ]
        )

    def _indicator_ids(self, wanted: Iterable[Indicator]) -> dict[IndicatorKey, int]:
        resolved: dict[IndicatorKey, int] = {}
        missing: dict[IndicatorKey, Indicator] = {}
        remembered: dict[IndicatorKey, Indicator] = {}
        for indicator in wanted:
            key = (indicator.type.value, indicator.value)
            known = self.new_indicator_ids.get(key)
            if known is not None:
                resolved[key] = known
            elif key in self._known_ids:
                remembered[key] = indicator
            else:
                missing[key] = indicator
        resolved.update(self._still_present(remembered, missing))
        if missing:
            resolved.update(self._insert_and_fetch_indicators(missing))
        return resolved

    def _still_present(
        self, remembered: dict[IndicatorKey, Indicator], missing: dict[IndicatorKey, Indicator]
    ) -> dict[IndicatorKey, int]:
        """The remembered ids whose rows still exist. A purge or an erasure in another process
        may have deleted a value this process remembers; such a value is looked up (or made)
        again, and forgotten, instead of failing the insert on its foreign key."""
        ids = {key: self._known_ids[key] for key in remembered}
        present: set[int] = set()
        for chunk in chunked(list(ids.values())):
            # The value too: SQLite keeps an orphaned newest row with a placeholder value.
            rows = self.connection.execute(
                select(indicators.c.id, indicators.c.type, indicators.c.value).where(
                    indicators.c.id.in_(chunk)
                )
            )
            present.update(row.id for row in rows if ids.get((row.type, row.value)) == row.id)
        for key, indicator_id in ids.items():
            if indicator_id not in present:
                self._known_ids.pop(key, None)
                missing[key] = remembered[key]
        return {key: indicator_id for key, indicator_id in ids.items() if indicator_id in present}

    def _insert_and_fetch_indicators(
        self, missing: dict[IndicatorKey, Indicator]
    ) -> dict[IndicatorKey, int]:
        now = datetime.now(UTC)
        RowInserter(self.connection, indicators, ("type", "value", "country", "created_at")).insert(
            [(i.type.value, i.value, i.country, now) for i in missing.values()]
        )
        fetched: dict[IndicatorKey, int] = {}
        for chunk in chunked(list(missing)):
            rows = self.connection.execute(
                select(indicators.c.type, indicators.c.value, indicators.c.id).where(
                    tuple_(indicators.c.type, indicators.c.value).in_(chunk)
                )
            )
            fetched.update({(row.type, row.value): row.id for row in rows})
        self.new_indicator_ids.update(fetched)
        return fetched

    def request_hash_for(self, idempotency_key: str) -> tuple[UUID, str | None] | None:
        row = self.connection.execute(
            select(reports.c.id, reports.c.request_hash).where(
                reports.c.idempotency_key == idempotency_key
            )
        ).first()
        return (row.id, row.request_hash) if row else None

    def report_indicator_ids(self, report_id: UUID) -> list[int]:
        return [
            int(item)
            for item in self.connection.scalars(
                select(report_indicators.c.indicator_id)
                .where(report_indicators.c.report_id == report_id)
                .order_by(report_indicators.c.indicator_id)
            )
        ]

    def get_report(self, report_id: UUID, *, with_reporter: bool) -> StoredReport | None:
        row = self.connection.execute(select(reports).where(reports.c.id == report_id)).first()
        if row is None:
            return None
        links = self.connection.execute(
            select(indicators.c.type, indicators.c.value, indicators.c.country)
            .add_columns(report_indicators.c.raw, report_indicators.c.origin)
            .join(report_indicators, report_indicators.c.indicator_id == indicators.c.id)
            .where(report_indicators.c.report_id == report_id)
            .order_by(report_indicators.c.origin, indicators.c.type, indicators.c.value)
        )
        reported = tuple(
            ReportedIndicator(
                Indicator(IndicatorType(link.type), link.value, link.country), link.raw, link.origin
            )
            for link in links
        )
        return StoredReport(
            id=row.id,
            source=row.source,
            scam_type=row.scam_type,
            channel=row.channel,
            received_at=as_utc(row.received_at) or datetime.now(UTC),
            victim_country=row.victim_country,
            amount=row.amount,
            currency=row.currency,
            occurred_at=as_utc(row.occurred_at),
            narrative=row.narrative,
            indicators=reported,
            reporter=self._reporter_of(report_id) if with_reporter else None,
            organisation_id=row.organisation_id,
            evidence=self._evidence_files_of(report_id),
        )

    def _evidence_files_of(self, report_id: UUID) -> tuple[EvidenceFile, ...]:
        rows = self.connection.execute(
            select(*(report_evidence.c[name] for name in EVIDENCE_COLUMNS[1:]))
            .where(report_evidence.c.report_id == report_id)
            .order_by(report_evidence.c.sha256)
        )
        return tuple(EvidenceFile(row.sha256, row.name, row.media_type, row.size) for row in rows)

    def _reporter_of(self, report_id: UUID) -> dict[str, Any] | None:
        sealed = self.connection.scalar(
            select(reporter_contacts.c.sealed).where(reporter_contacts.c.report_id == report_id)
        )
        return self._sealer.unseal(sealed) if sealed is not None else None

    def evidence(self, indicator: Indicator) -> Evidence | None:
        """What the engine weighs about a value; None when the node holds nothing about it."""
        return evidence_of_value(self.connection, indicator)

    def refresh_listings(self, indicator_ids: Iterable[int]) -> None:
        refresh_values(self.connection, indicator_ids, datetime.now(UTC))

    # -- disputes and outcomes (reports/disputes.py) ------------------------------------
    def indicator_id(self, indicator: Indicator) -> int:
        return ensure_indicator_id(self.connection, indicator)

    def pending_dispute_for(self, indicator: Indicator) -> Dispute | None:
        return pending_dispute(self.connection, indicator)

    def add_dispute(self, dispute: Dispute, indicator_id: int) -> None:
        insert_dispute(self.connection, self._sealer, dispute, indicator_id)

    def get_dispute(self, dispute_id: UUID, *, with_contact: bool) -> Dispute | None:
        return find_dispute(self.connection, self._sealer, dispute_id, with_contact=with_contact)

    def record_decision(self, dispute: Dispute) -> bool:
        return update_decision(self.connection, dispute)

    def close_burst(self, item_id: int, actor: str, note: str, at: datetime) -> bool:
        return close_burst(self.connection, item_id, actor, note, at)

    def add_event(
        self,
        indicator_id: int,
        kind: EventKind,
        *,
        actor: str,
        at: datetime,
        organisation_id: int | None = None,
        note: str | None = None,
        dispute_id: UUID | None = None,
    ) -> None:
        add_event(
            self.connection,
            indicator_id,
            kind,
            actor=actor,
            at=at,
            organisation_id=organisation_id,
            note=note,
            dispute_id=dispute_id,
        )

    def count_reports(self) -> int:
        return int(self.connection.scalar(select(func.count()).select_from(reports)) or 0)

    # -- audit ------------------------------------------------------------------------
    def audit(self, event: AuditEvent) -> None:
        append_audit(self.connection, event)


def _report_row(report: NewReport) -> tuple[Any, ...]:
    """In the order of REPORT_COLUMNS."""
    return (
        report.id,
        report.idempotency_key,
        report.request_hash,
        report.source.value,
        report.organisation_id,
        report.scam_type.value,
        report.channel.value,
        report.victim_country,
        report.amount,
        report.currency,
        report.occurred_at,
        report.received_at,
        report.seen_at,
        report.narrative,
        report.trust,
        report.source_key,
    )


def _evidence_row(item: EvidenceFile) -> tuple[Any, ...]:
    """In the order of EVIDENCE_COLUMNS, after report_id."""
    return (item.sha256, item.name, item.media_type, item.size)


def append_audit(connection: Connection, event: AuditEvent) -> AuditEntry:
    """Append to the chain. Updating the head row first takes its lock, so concurrent
    appenders on PostgreSQL or SQLite queue up instead of forking the chain."""
    head = connection.execute(
        update(audit_head)
        .where(audit_head.c.id == 1)
        .values(seq=audit_head.c.seq + 1)
        .returning(audit_head.c.seq, audit_head.c.entry_hash)
    ).one()
    if event.legal_basis is None:
        event = replace(event, legal_basis=legal_basis_for(event.action).value)
    event = replace(event, subjects=tuple(sorted(set(event.subjects))))
    entry = seal(head.seq, datetime.now(UTC), event, head.entry_hash)
    connection.execute(
        audit_log.insert().values(
            seq=entry.seq,
            at=entry.at,
            actor=event.actor,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            purpose=event.purpose,
            details=canonical_details(event.details),
            prev_hash=entry.prev_hash,
            entry_hash=entry.entry_hash,
            legal_basis=event.legal_basis,
        )
    )
    if event.subjects:
        connection.execute(
            audit_subjects.insert(),
            [{"seq": entry.seq, "indicator_id": subject} for subject in event.subjects],
        )
    connection.execute(
        update(audit_head).where(audit_head.c.id == 1).values(entry_hash=entry.entry_hash)
    )
    return entry


def audit_entry_of(row: Row[Any], subjects: Sequence[int] = ()) -> AuditEntry:
    """An ``audit_log`` row (all its columns) and its subjects as the entry the chain
    verifies."""
    event = AuditEvent(
        actor=row.actor,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        purpose=row.purpose,
        details=json.loads(row.details),
        legal_basis=row.legal_basis,
        subjects=tuple(subjects),
    )
    return AuditEntry(row.seq, as_utc(row.at) or row.at, event, row.prev_hash, row.entry_hash)


def subjects_of(connection: Connection, seqs: Sequence[int]) -> dict[int, list[int]]:
    """The subjects of each of the given entries, in id order."""
    found: dict[int, list[int]] = {}
    for chunk in chunked(list(seqs)):
        rows = connection.execute(
            select(audit_subjects.c.seq, audit_subjects.c.indicator_id)
            .where(audit_subjects.c.seq.in_(chunk))
            .order_by(audit_subjects.c.seq, audit_subjects.c.indicator_id)
        )
        for seq, indicator_id in rows:
            found.setdefault(int(seq), []).append(int(indicator_id))
    return found


def read_audit_entries(connection: Connection, batch: int = 5_000) -> Iterator[AuditEntry]:
    """Every entry in order, with its subjects, read a batch at a time."""
    after = 0
    while True:
        rows = connection.execute(
            select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        subjects = subjects_of(connection, [row.seq for row in rows])
        for row in rows:
            yield audit_entry_of(row, subjects.get(row.seq, ()))
        after = rows[-1].seq


def latest_audit_entries(
    connection: Connection,
    *,
    limit: int,
    action_prefix: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> list[AuditEntry]:
    """The newest ``limit`` entries that match, newest first: what an operator reads to see
    who disclosed what (``action_prefix`` "operation.dossier" matches every dossier export)."""
    query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
    if action_prefix:
        query = query.where(audit_log.c.action.startswith(action_prefix, autoescape=True))
    if object_type:
        query = query.where(audit_log.c.object_type == object_type)
    if object_id:
        query = query.where(audit_log.c.object_id == object_id)
    rows = connection.execute(query).all()
    subjects = subjects_of(connection, [row.seq for row in rows])
    return [audit_entry_of(row, subjects.get(row.seq, ())) for row in rows]


def record_settings_if_changed(
    connection: Connection, current: dict[str, Any], actor: str
) -> list[str]:
    """Write a ``setting.changed`` entry when the recorded settings differ from the last one
    (governance/settings_record.py); returns the names that changed."""
    from scamintel.governance.settings_record import changed_settings

    last = latest_audit_entries(connection, limit=1, action_prefix="setting.changed")
    previous = last[0].event.details.get("settings") if last else None
    changed = changed_settings(previous, current)
    if changed:
        append_audit(
            connection,
            AuditEvent(
                actor=actor,
                action="setting.changed",
                object_type="node",
                details={"settings": current, "changed": changed},
            ),
        )
    return changed


def most_reported_indicators(
    connection: Connection, indicator_type: IndicatorType, limit: int
) -> list[tuple[str, int]]:
    """(value, report count) of the most reported indicators of a type, for demos."""
    count = func.count().label("reports")
    rows = connection.execute(
        select(indicators.c.value, count)
        .join(report_indicators, report_indicators.c.indicator_id == indicators.c.id)
        .where(indicators.c.type == indicator_type.value)
        .group_by(indicators.c.id, indicators.c.value)
        .order_by(count.desc(), indicators.c.value)
        .limit(limit)
    )
    return [(row.value, int(row.reports)) for row in rows]
