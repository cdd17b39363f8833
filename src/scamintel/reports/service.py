"""Use cases over reports: submit one, read one back, check a value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID

from scamintel.access.keys import Principal
from scamintel.governance.audit import AuditEvent
from scamintel.indicators import Indicator, IndicatorRegistry, IndicatorType, ParseContext
from scamintel.indicators.lookalike import (
    TECHNIQUE_WORDS,
    BrandLookalikes,
    LookalikeMatch,
)
from scamintel.indicators.warninglist import BenignMatch, ListKind, Warninglist
from scamintel.indicators.web import refang
from scamintel.reports.engine import Assessment, Evidence, assess
from scamintel.reports.intake import build_report, request_fingerprint
from scamintel.reports.model import ReportSource, StoredReport
from scamintel.reports.ports import ReportStore
from scamintel.reports.submission import ReportSubmission
from scamintel.reports.trust import ReporterTrust, report_source, trust_of_organisation
from scamintel.reports.verdict import CheckResult, Imitation, PartnerKnowledge, judge, official

NO_EVIDENCE = Evidence()
Assessor = Callable[[IndicatorType, Evidence, datetime], Assessment]
#: What partner nodes shared about a value (storage.releases_repo.partner_knowledge).
PartnerLookup = Callable[[Indicator], Sequence[PartnerKnowledge]]


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
    trust: ReporterTrust = ReporterTrust.ANONYMOUS
    # The sender as distinct reporters are counted (reports/trust.py report_source).
    source_key: str | None = None


def reporter_reader(
    secret_key: str, principal: Principal | None, address: str | None, submission: ReportSubmission
) -> Reader:
    """The sender of a report, with the trust and source the verdict engine weighs: a key
    holder's organisation, or for anyone else the network ``address`` they sent from."""
    reporter = submission.reporter.model_dump(exclude_none=True) if submission.reporter else None
    source_key = report_source(
        secret_key,
        organisation_id=principal.organisation_id if principal else None,
        address=address,
        reporter=reporter,
    )
    if principal is None:
        return Reader(actor="public", source_key=source_key)
    trust = trust_of_organisation(principal.organisation_kind, principal.organisation_verified)
    return Reader(principal.actor, principal.organisation_id, trust, source_key)


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
        trust=reader.trust.value,
        source_key=reader.source_key,
    )
    outcome = store.add_reports([report])
    created = bool(outcome.new)
    if created:
        store.refresh_listings(store.touched_indicator_ids)
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
                # The values the report names: "who saw this number's data" (audit trail).
                subjects=tuple(store.report_indicator_ids(report_id)),
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
    lookalikes: BrandLookalikes,
    assessor: Assessor = assess,
    partners: PartnerLookup | None = None,
) -> CheckResult:
    """Raises :class:`InvalidIndicatorError` when the value cannot be read.

    ``assessor`` is the verdict engine; bench.verdict_engine swaps in the rule it replaced
    to measure what it costs.

    Official and platform values (docs/warninglists.md) answer ``official`` with the entry's
    name; otherwise the reports decide, and the explanation adds what the lists know: a number
    reserved for fiction, a link that hides its destination, an address that imitates a brand.

    ``partners``, when given, adds what partner nodes shared about the value (all of it: the
    caller filters it by marking for its reader with ``verdict.shown_to``). It never changes
    this node's verdict.
    """
    result = _verdict(
        store,
        raw,
        registry=registry,
        context=context,
        warninglist=warninglist,
        indicator_type=indicator_type,
        lookalikes=lookalikes,
        assessor=assessor,
    )
    if partners is None:
        return result
    return replace(result, partners=tuple(partners(result.indicator)))


def _verdict(
    store: ReportStore,
    raw: str,
    *,
    registry: IndicatorRegistry,
    context: ParseContext,
    warninglist: Warninglist,
    indicator_type: IndicatorType | None,
    lookalikes: BrandLookalikes,
    assessor: Assessor,
) -> CheckResult:
    if indicator_type in (None, IndicatorType.PHONE):
        dialled = warninglist.benign_dialled(raw, context.default_region)
        if dialled is not None:
            return official(raw, dialled.indicator, dialled.name)
    indicator = registry.canonicalise(raw, indicator_type, context)
    benign = warninglist.benign(indicator)
    if benign is not None and benign.kind is ListKind.OFFICIAL:
        return official(raw, indicator, benign.name)
    if benign is not None and benign.kind is ListKind.PLATFORM:
        explanation = (
            f"This is {benign.name}'s own address. What users post on {benign.name} is not "
            "vouched for by it: a page, profile or form there can still be a scammer's."
        )
        advice = (
            "Use the platform's own app or type its address yourself. Be wary of pages, "
            "profiles, forms or messages on it that ask for money, codes (OTP) or passwords."
        )
        return replace(
            official(raw, indicator, benign.name), explanation=explanation, advice=advice
        )
    result = judge(
        raw,
        indicator,
        assessor(indicator.type, store.evidence(indicator) or NO_EVIDENCE, datetime.now(UTC)),
    )
    imitated = _imitation(raw, indicator, lookalikes)
    if imitated is not None:
        result = replace(
            result,
            imitates=Imitation(
                imitated.brand.name, imitated.brand.official_domain, imitated.technique.value
            ),
        )
    notes = _list_notes(indicator, benign, warninglist, imitated)
    if not notes:
        return result
    return replace(result, explanation=" ".join((result.explanation, *notes)))


def _imitation(
    raw: str, indicator: Indicator, lookalikes: BrandLookalikes
) -> LookalikeMatch | None:
    """The brand the value imitates. A domain is judged on the host as written: its
    registrable part (verify-login.xyz) hides the brand put in front (kbank.co.th.…)."""
    if indicator.type is IndicatorType.DOMAIN:
        written = lookalikes.match(refang(raw.strip()))
        if written is not None:
            return written
    return lookalikes.match_indicator(indicator)


def _list_notes(
    indicator: Indicator,
    benign: BenignMatch | None,
    warninglist: Warninglist,
    imitated: LookalikeMatch | None,
) -> list[str]:
    notes = []
    if benign is not None and benign.kind is ListKind.RESERVED:
        notes.append(
            f"It is reserved for fiction and examples ({benign.name}): it is not assigned to "
            "anyone, so a message using it is made up."
        )
    shortener = warninglist.shortener(indicator)
    if shortener is not None:
        notes.append(
            f"{shortener.host} is a link shortener ({shortener.name}): the link hides where it "
            "leads. Do not open it from a message; a real company gives its own address."
        )
    if imitated is not None:
        notes.append(
            f"This address imitates {imitated.describe()}: "
            f"{TECHNIQUE_WORDS[imitated.technique]} ({imitated.label}). "
            "Do not enter passwords or codes there; type the official address yourself."
        )
    return notes
