"""What the report services need from storage; the storage package provides it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol
from uuid import UUID

from scamintel.governance.audit import AuditEvent
from scamintel.indicators import Indicator
from scamintel.reports.engine import Evidence
from scamintel.reports.model import InsertOutcome, NewReport, StoredReport


class ReportStore(Protocol):
    def add_reports(self, reports: Sequence[NewReport]) -> InsertOutcome: ...

    def request_hash_for(self, idempotency_key: str) -> tuple[UUID, str | None] | None: ...

    def get_report(self, report_id: UUID, *, with_reporter: bool) -> StoredReport | None: ...

    def report_indicator_ids(self, report_id: UUID) -> list[int]:
        """The ids of the values a report names: the subjects of its reads' audit entries."""
        ...

    def evidence(self, indicator: Indicator) -> Evidence | None: ...

    def refresh_listings(self, indicator_ids: Iterable[int]) -> None: ...

    @property
    def touched_indicator_ids(self) -> set[int]: ...

    def audit(self, event: AuditEvent) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: everything done through the store commits together or not at all."""

    def __call__(self) -> AbstractContextManager[ReportStore]: ...
