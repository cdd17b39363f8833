"""Use cases over reports: submit one, read one back, check a value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from scamintel.governance.audit import AuditEvent
from scamintel.indicators import IndicatorRegistry, IndicatorType, ParseContext
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.intake import build_report, request_fingerprint
from scamintel.reports.model import ReportSource, StoredReport
from scamintel.reports.ports import ReportStore
from scamintel.reports.submission import ReportSubmission
from scamintel.reports.verdict import CheckResult, judge, official


class IdempotencyKeyReusedError(ValueError):
    def __init__(self, report_id: UUID) -> None:
        self.report_id = report_id
        super().__init__(
            "this Idempotency-Key was already used for a different report; send a new key "
            "for a new report, or resend exactly the same body to get the first answer again"
        )


@dataclass(frozen=True, slots=True)
class Submitted:
    report_id: UUID
    created: bool
    indicator_count: int


@dataclass(frozen=True, slots=True)
class Reader:
    """Who submits or reads: an audit actor and, for key holders, their organisation."""

    actor: str
    organisation_id: int | None = None


def scoped_idempotency_key(reader: Reader, key: str) -> str:
    owner = f"org{reader.organisation_id}" if reader.organisation_id is not None else "public"
    return f"api:{owner}:{key}"


def submit_report(
    store: ReportStore,
    submission: ReportSubmission,
    *,
    registry: IndicatorRegistry,
    context: ParseContext,
    reader: Reader,
    idempotency_key: str | None,
    warninglist: Warninglist | None = None,
    source: ReportSource = ReportSource.API,
) -> Submitted:
    scoped = scoped_idempotency_key(reader, idempotency_key) if idempotency_key else None
    if scoped is not None:
        earlier = store.request_hash_for(scoped)
        if earlier is not None:
            if earlier[1] != request_fingerprint(submission):
                raise IdempotencyKeyReusedError(earlier[0])
            return Submitted(earlier[0], created=False, indicator_count=0)
    report = build_report(
        submission,
        registry=registry,
        context=context,
        source=source,
        received_at=datetime.now(UTC),
        idempotency_key=scoped,
        request_hash=request_fingerprint(submission) if scoped else None,
        organisation_id=reader.organisation_id,
        warninglist=warninglist,
    )
    outcome = store.add_reports([report])
    created = bool(outcome.new)
    if created:
        store.audit(
            AuditEvent(
                actor=reader.actor,
                action="report.create",
                object_type="report",
                object_id=str(report.id),
                details={"source": source.value, "indicators": len(report.indicators)},
            )
        )
    return Submitted(report.id, created=created, indicator_count=len(report.indicators))


def read_report(
    store: ReportStore, report_id: UUID, *, reader: Reader, with_reporter: bool, purpose: str | None
) -> StoredReport | None:
    """Reading a report is a disclosure of restricted data, so it is audited."""
    found = store.get_report(report_id, with_reporter=with_reporter)
    if found is not None:
        store.audit(
            AuditEvent(
                actor=reader.actor,
                action="report.read_personal_data" if with_reporter else "report.read",
                object_type="report",
                object_id=str(report_id),
                purpose=purpose,
            )
        )
    return found


def check_value(
    store: ReportStore,
    raw: str,
    *,
    registry: IndicatorRegistry,
    context: ParseContext,
    warninglist: Warninglist,
    indicator_type: IndicatorType | None = None,
) -> CheckResult:
    """Raises :class:`InvalidIndicatorError` when the value cannot be read."""
    if indicator_type in (None, IndicatorType.PHONE):
        short_code = warninglist.lookup_short_code(raw, context.default_region)
        if short_code is not None:
            return official(raw, short_code.indicator, short_code.name)
    indicator = registry.canonicalise(raw, indicator_type, context)
    listed = warninglist.lookup(indicator)
    if listed is not None:
        return official(raw, indicator, listed.name)
    return judge(raw, indicator, store.indicator_stats(indicator))
