"""Bulk intake of report files (CSV, JSON Lines, MISP event JSON).

Rows are committed in batches; every row has a stable identity (its ``external_id`` or, when
it has none, the hash of its content), so a run that was killed half-way can simply be run
again: rows already stored count as duplicates and nothing is stored twice.
"""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from scamintel.governance.audit import AuditEvent
from scamintel.indicators import IndicatorType, ParseContext, default_registry
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.intake import ReportRejectedError, build_report
from scamintel.reports.misp import MispEventError, MispFormatError, event_fields, events_in
from scamintel.reports.model import NewReport, ReportSource
from scamintel.reports.ports import ReportStore
from scamintel.reports.submission import ReportSubmission, field_problems, summarise_problems
from scamintel.reports.trust import report_source

CSV_INDICATOR_SEPARATOR = "|"
_INVALID_UTF8 = re.compile("[\udc80-\udcff]")
_TYPE_NAMES = {member.value for member in IndicatorType}


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    MISP = "misp"

    @classmethod
    def for_path(cls, path: Path) -> FileFormat:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return cls.CSV
        if suffix in (".jsonl", ".ndjson"):
            return cls.JSONL
        if suffix == ".json":
            return cls.MISP  # a JSON document of reports is a MISP export
        raise ValueError(
            f"cannot tell the format of {path.name} from its extension; "
            "pass --format csv, jsonl or misp"
        )


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    reason: str
    raw: str


@dataclass(slots=True)
class IngestSummary:
    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    problems_written_to: Path | None = None
    first_problems: list[RowProblem] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.new + self.duplicates + self.rejected


@dataclass(frozen=True, slots=True)
class RawRow:
    """A row as read from the file: JSON text to validate, CSV fields, or a reading problem."""

    line: int
    text: str
    fields: dict[str, Any] | None = None
    problem: str | None = None


Transaction = Callable[[], AbstractContextManager[ReportStore]]
ParsedRow = NewReport | RowProblem


@dataclass(frozen=True, slots=True)
class ParserSettings:
    """What a parser needs; plain data so that worker processes can build their own."""

    region: str
    skip_official_contacts: bool = True
    # Who sent the file (scamintel ingest --org): every report is theirs. Without an
    # organisation reports are anonymous, as from the public.
    organisation_id: int | None = None
    trust: str = "anonymous"
    source_key: str | None = None
    # The node's secret: an organisation counts once per victim it names, told apart by a
    # keyed hash of the victim's contact (reports/trust.py report_source).
    secret_key: str | None = None


class RowParser:
    def __init__(self, settings: ParserSettings) -> None:
        self._registry = default_registry()
        self._context = ParseContext(settings.region)
        self._warninglist = Warninglist() if settings.skip_official_contacts else None
        self._settings = settings

    def parse_all(self, rows: list[RawRow]) -> list[ParsedRow]:
        return [self.parse(row) for row in rows]

    def parse(self, row: RawRow) -> ParsedRow:
        if row.problem is not None:
            return RowProblem(row.line, row.problem, row.text)
        try:
            submission = self._validate(row)
            return build_report(
                submission,
                registry=self._registry,
                context=self._context,
                source=ReportSource.INGEST,
                received_at=datetime.now(UTC),
                idempotency_key=row_identity(submission),
                warninglist=self._warninglist,
                organisation_id=self._settings.organisation_id,
                trust=self._settings.trust,
                source_key=self._source_of(submission),
            )
        except ValidationError as error:
            return RowProblem(row.line, _validation_reason(error), row.text)
        except ReportRejectedError as error:
            return RowProblem(row.line, str(error), row.text)

    def _source_of(self, submission: ReportSubmission) -> str | None:
        settings = self._settings
        if settings.organisation_id is None or settings.secret_key is None:
            return settings.source_key
        reporter = (
            submission.reporter.model_dump(exclude_none=True) if submission.reporter else None
        )
        return report_source(
            settings.secret_key,
            organisation_id=settings.organisation_id,
            address=None,
            reporter=reporter,
        )

    @staticmethod
    def _validate(row: RawRow) -> ReportSubmission:
        if row.fields is not None:
            return ReportSubmission.model_validate(row.fields)
        return ReportSubmission.model_validate_json(row.text)


def _validation_reason(error: ValidationError) -> str:
    problems = field_problems(error.errors(include_url=False))
    if problems and problems[0]["code"] == "json_invalid":
        return f"not valid JSON: {problems[0]['message']}"
    if problems and problems[0]["code"] == "model_type" and problems[0]["field"] == "body":
        return "each line must be a JSON object"
    return summarise_problems(problems)


# Each worker process builds its own parser once (registries hold caches, not shareable).
_worker_parser: RowParser | None = None


def _start_worker(settings: ParserSettings) -> None:
    # Set once per worker process by the pool initializer; never in the parent.
    global _worker_parser
    _worker_parser = RowParser(settings)


def _parse_in_worker(rows: list[RawRow]) -> list[ParsedRow]:
    assert _worker_parser is not None
    return _worker_parser.parse_all(rows)


class BulkIngest:
    """Reads, validates and stores a file of reports, batch by batch.

    With ``workers`` > 0, parsing (validation, canonical indicators, extraction from the
    narrative) runs in that many processes while this one writes to the database; batches
    are still committed in file order.
    """

    def __init__(
        self,
        transaction: Transaction,
        *,
        parser: ParserSettings,
        batch_size: int,
        workers: int = 0,
        actor: str = "cli:ingest",
    ) -> None:
        self._transaction = transaction
        self._parser_settings = parser
        self._batch_size = batch_size
        self._workers = workers
        self._actor = actor

    def run(
        self,
        path: Path,
        file_format: FileFormat,
        rejects: IO[str],
        on_progress: Callable[[int], None] = lambda _bytes: None,
    ) -> IngestSummary:
        summary = IngestSummary()
        with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            chunks = _chunks(read_rows(handle, file_format), self._batch_size)
            for parsed in self._parsed(chunks):
                self._store(parsed, summary, rejects, path)
                on_progress(handle.buffer.tell())  # type: ignore[attr-defined]
        on_progress(path.stat().st_size)
        return summary

    def _parsed(self, chunks: Iterator[list[RawRow]]) -> Iterator[list[ParsedRow]]:
        if self._workers < 1:
            parser = RowParser(self._parser_settings)
            yield from (parser.parse_all(chunk) for chunk in chunks)
            return
        context = multiprocessing.get_context("spawn")
        with context.Pool(
            self._workers, initializer=_start_worker, initargs=(self._parser_settings,)
        ) as pool:
            pending: deque[AsyncResult[list[ParsedRow]]] = deque()
            for chunk in chunks:
                pending.append(pool.apply_async(_parse_in_worker, (chunk,)))
                # Bounded read-ahead keeps memory flat on files of millions of rows.
                if len(pending) > 2 * self._workers:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()

    def _store(
        self, parsed: list[ParsedRow], summary: IngestSummary, rejects: IO[str], path: Path
    ) -> None:
        reports = [item for item in parsed if isinstance(item, NewReport)]
        for problem in (item for item in parsed if isinstance(item, RowProblem)):
            summary.rejected += 1
            if len(summary.first_problems) < 10:
                summary.first_problems.append(problem)
            rejects.write(
                json.dumps({"line": problem.line, "reason": problem.reason, "row": problem.raw})
                + "\n"
            )
        if reports:
            self._commit(reports, summary, path)

    def _commit(self, batch: list[NewReport], summary: IngestSummary, path: Path) -> None:
        with self._transaction() as store:
            outcome = store.add_reports(batch)
            if outcome.new:
                # Published in the same commit: the listings never lag what is stored.
                store.refresh_listings(store.touched_indicator_ids)
                store.audit(
                    AuditEvent(
                        actor=self._actor,
                        action="report.ingest",
                        object_type="report_batch",
                        object_id=path.name,
                        details=self._audit_details(outcome.new),
                    )
                )
        summary.new += len(outcome.new)
        summary.duplicates += len(outcome.duplicates)

    def _audit_details(self, new: tuple[Any, ...]) -> dict[str, Any]:
        details: dict[str, Any] = {"new": len(new), "ids_sha256": _digest_of(new)}
        if self._parser_settings.organisation_id is not None:
            details["organisation_id"] = self._parser_settings.organisation_id
        return details


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _digest_of(ids: tuple[Any, ...]) -> str:
    return hashlib.sha256("\n".join(str(i) for i in ids).encode()).hexdigest()


def row_identity(submission: ReportSubmission) -> str:
    """Same row, same identity: the sender's reference, else a hash of the content."""
    if submission.external_id:
        return f"ingest:{submission.external_id}"
    content = submission.content_json(exclude=frozenset({"external_id"}))
    return "ingest:sha256:" + hashlib.sha256(content.encode("utf-8")).hexdigest()


def read_rows(handle: IO[str], file_format: FileFormat) -> Iterator[RawRow]:
    if file_format is FileFormat.JSONL:
        yield from _jsonl_rows(handle)
    elif file_format is FileFormat.MISP:
        yield from misp_rows(handle)
    else:
        yield from _csv_rows(handle)


def _jsonl_rows(handle: IO[str]) -> Iterator[RawRow]:
    for line_number, line in enumerate(handle, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        if _INVALID_UTF8.search(text):
            yield RawRow(line_number, _printable(text), problem="the line is not valid UTF-8")
            continue
        yield RawRow(line_number, text)


def misp_rows(handle: IO[str]) -> Iterator[RawRow]:
    """One row per MISP event, numbered from 1 in the file's order; ``text`` is the event's
    JSON, so that the rejects file holds what to fix and import again."""
    try:
        events = events_in(json.loads(handle.read()))
    except json.JSONDecodeError as error:
        yield RawRow(error.lineno, "", problem=f"the file is not valid JSON: {error.msg}")
        return
    except MispFormatError as error:
        yield RawRow(1, "", problem=str(error))
        return
    for number, item in enumerate(events, start=1):
        yield _misp_row(number, item)


def _misp_row(number: int, item: Any) -> RawRow:
    text = json.dumps(item, ensure_ascii=False)
    if _INVALID_UTF8.search(text):
        return RawRow(number, _printable(text), problem="the event is not valid UTF-8")
    try:
        return RawRow(number, text, event_fields(item))
    except MispEventError as error:
        return RawRow(number, text, problem=str(error))


def _csv_rows(handle: IO[str]) -> Iterator[RawRow]:
    reader = csv.DictReader(handle)
    try:
        for record in reader:
            yield _csv_row(reader.line_num, record)
    except csv.Error as error:
        yield RawRow(reader.line_num, "", problem=f"the CSV cannot be read past here: {error}")


def _csv_row(line_number: int, record: dict[str | Any, Any]) -> RawRow:
    text = ",".join(str(value) for value in record.values() if value is not None)
    if None in record:
        return RawRow(
            line_number, _printable(text), None, "the row has more fields than the header"
        )
    if any(isinstance(value, str) and _INVALID_UTF8.search(value) for value in record.values()):
        return RawRow(line_number, _printable(text), None, "the row is not valid UTF-8")
    return RawRow(line_number, text, csv_record_to_fields(record))


def csv_record_to_fields(record: dict[str, Any]) -> dict[str, Any]:
    """CSV columns are the report fields, with ``indicators`` as ``type=value`` items (or bare
    values) separated by ``|``, ``evidence`` as SHA-256 hashes separated by ``|``, and the
    reporter as ``reporter_name/phone/email``."""
    fields: dict[str, Any] = {}
    reporter: dict[str, str] = {}
    for column, value in record.items():
        if value is None or value == "":
            continue
        if column == "indicators":
            fields["indicators"] = [
                _csv_indicator(item)
                for item in value.split(CSV_INDICATOR_SEPARATOR)
                if item.strip()
            ]
        elif column == "evidence":
            fields["evidence"] = [
                {"sha256": item.strip()}
                for item in value.split(CSV_INDICATOR_SEPARATOR)
                if item.strip()
            ]
        elif column.startswith("reporter_"):
            reporter[column.removeprefix("reporter_")] = value
        else:
            fields[column] = value
    if reporter:
        fields["reporter"] = reporter
    return fields


def _csv_indicator(item: str) -> dict[str, str]:
    name, separator, value = item.strip().partition("=")
    if separator and name.strip() in _TYPE_NAMES:
        return {"type": name.strip(), "value": value.strip()}
    return {"value": item.strip()}


def _printable(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
