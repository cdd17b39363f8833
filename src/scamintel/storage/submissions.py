"""What a citizen or a partner sends, stored in one transaction: a report with the clustering
it joins, a dispute of a listing. The JSON API and the pages call these, so a report sent from
a form is stored exactly like one sent to ``POST /api/v1/reports``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from scamintel.indicators import IndicatorRegistry, IndicatorType, ParseContext
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.disputes import Dispute, open_dispute
from scamintel.reports.model import ReportSource
from scamintel.reports.reading import Reading
from scamintel.reports.service import Reader, Submitted, submit_report
from scamintel.reports.submission import ReportSubmission
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operations_repo import cluster_new_reports


def submit_and_cluster(
    database: NodeDatabase,
    submission: ReportSubmission,
    *,
    registry: IndicatorRegistry,
    context: ParseContext,
    reader: Reader,
    idempotency_key: str | None,
    warninglist: Warninglist | None,
    fanout_cap: int,
    source: ReportSource = ReportSource.API,
) -> Submitted:
    """Store the report; a new one joins (or merges) its operation in the same transaction.
    Raises :class:`~scamintel.reports.service.IdempotencyKeyReusedError` like submit_report."""
    with database.transaction() as store:
        submitted = submit_report(
            store,
            submission,
            registry=registry,
            context=context,
            reader=reader,
            idempotency_key=idempotency_key,
            warninglist=warninglist,
            source=source,
        )
        if submitted.created:
            cluster_new_reports(
                store.connection,
                fanout_cap=fanout_cap,
                now=datetime.now(UTC),
                report_ids=[submitted.report_id],
            )
    return submitted


def file_dispute(
    database: NodeDatabase,
    value: str,
    indicator_type: IndicatorType | None,
    *,
    reading: Reading,
    claim: str,
    contact: BaseModel | None,
    actor: str,
) -> tuple[Dispute, bool]:
    """Open the dispute of ``value`` (see :func:`~scamintel.reports.disputes.open_dispute`);
    the contact keeps only the fields the holder filled in."""
    details: dict[str, Any] | None = contact.model_dump(exclude_none=True) if contact else None
    with database.transaction() as store:
        return open_dispute(
            store,
            value,
            indicator_type,
            reading=reading,
            claim=claim,
            contact=details,
            actor=actor,
        )
