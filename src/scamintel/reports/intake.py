"""Turn a submission into a report: canonical indicators, those found in the narrative, and a
stable identity so that sending the same report twice stores it once."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from scamintel.indicators import (
    Indicator,
    IndicatorRegistry,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.model import EvidenceFile, NewReport, ReportedIndicator, ReportSource
from scamintel.reports.submission import ReportSubmission, SubmittedEvidence

REPORT_ID_NAMESPACE = uuid.UUID("8a1f2d57-3c1b-4f0e-9f43-5d1b6c0e2a11")


@dataclass(frozen=True, slots=True)
class IndicatorProblem:
    position: int
    value: str
    reason: str

    def describe(self) -> str:
        return f"indicators[{self.position}] {self.value!r}: {self.reason}"


class ReportRejectedError(ValueError):
    def __init__(self, problems: list[IndicatorProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.describe() for problem in problems))


def request_fingerprint(submission: ReportSubmission) -> str:
    """Identifies the content of a submission, to tell a retry from a different report."""
    return hashlib.sha256(submission.content_json().encode("utf-8")).hexdigest()


def report_id_for(idempotency_key: str | None) -> uuid.UUID:
    if idempotency_key is None:
        return uuid.uuid4()
    return uuid.uuid5(REPORT_ID_NAMESPACE, idempotency_key)


def build_report(
    submission: ReportSubmission,
    *,
    registry: IndicatorRegistry,
    context: ParseContext,
    source: ReportSource,
    received_at: datetime,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
    organisation_id: int | None = None,
    extract_from_narrative: bool = True,
    warninglist: Warninglist | None = None,
    trust: str = "anonymous",
    source_key: str | None = None,
) -> NewReport:
    """Raise :class:`ReportRejectedError` naming every indicator that could not be read.

    Local formats (``016-500 3591``) are read as the victim's country writes them when the
    report names it, and as the node's country otherwise. With a warninglist, benign values
    (official hotlines, banks' and platforms' own addresses, reserved numbers) are left out,
    given or found in the narrative: reports are never linked through them. ``trust`` and
    ``source_key`` say who sent it (:mod:`scamintel.reports.trust`).
    """
    if submission.victim_country and submission.victim_country != context.default_region:
        context = ParseContext(submission.victim_country)
    given = _canonical_given_indicators(submission, registry, context, warninglist)
    found = _narrative_indicators(submission, registry, context) if extract_from_narrative else []
    extra = _not_already_given(_not_benign(found, warninglist), given)
    own = _reporters_own_values(submission, registry, context)
    if own:
        given = [item for item in given if item.indicator not in own]
        extra = [item for item in extra if item.indicator not in own]
    return NewReport(
        id=report_id_for(idempotency_key),
        source=source,
        scam_type=submission.scam_type,
        channel=submission.channel,
        received_at=received_at,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        organisation_id=organisation_id,
        victim_country=submission.victim_country,
        amount=submission.amount,
        currency=submission.currency,
        occurred_at=submission.occurred_at,
        narrative=submission.narrative,
        indicators=tuple(given + extra),
        reporter=submission.reporter.model_dump(exclude_none=True) if submission.reporter else None,
        trust=trust,
        source_key=source_key,
        evidence=evidence_files(submission.evidence),
    )


def _reporters_own_values(
    submission: ReportSubmission, registry: IndicatorRegistry, context: ParseContext
) -> set[Indicator]:
    """The reporter's own phone and e-mail, canonical. Victims paste their own number among
    the scammer's; it is their personal data, not scam infrastructure, so it is never stored
    as an indicator (it would be checked, clustered, exported and asked about)."""
    reporter = submission.reporter
    if reporter is None:
        return set()
    own: set[Indicator] = set()
    for raw, kind in ((reporter.phone, IndicatorType.PHONE), (reporter.email, IndicatorType.EMAIL)):
        if raw:
            try:
                own.add(registry.canonicalise(raw, kind, context))
            except InvalidIndicatorError:
                continue
    return own


def evidence_files(submitted: list[SubmittedEvidence]) -> tuple[EvidenceFile, ...]:
    """One entry per file: the same hash given twice is the same file (the first wins)."""
    files: dict[str, EvidenceFile] = {}
    for item in submitted:
        files.setdefault(
            item.sha256, EvidenceFile(item.sha256, item.name, item.media_type, item.size)
        )
    return tuple(files.values())


def _canonical_given_indicators(
    submission: ReportSubmission,
    registry: IndicatorRegistry,
    context: ParseContext,
    warninglist: Warninglist | None,
) -> list[ReportedIndicator]:
    accepted: dict[object, ReportedIndicator] = {}
    problems: list[IndicatorProblem] = []
    for position, item in enumerate(submission.indicators):
        if _is_official_short_code(item.value, item.type, context, warninglist):
            # Victims often name the bank hotline they called; it is not scam infrastructure.
            continue
        try:
            indicator = registry.canonicalise(item.value, item.type, context)
        except InvalidIndicatorError as error:
            problems.append(IndicatorProblem(position, item.value, error.reason))
            continue
        if warninglist is not None and warninglist.benign(indicator) is not None:
            continue
        accepted.setdefault(indicator, ReportedIndicator(indicator, item.value, "given"))
    if problems:
        raise ReportRejectedError(problems)
    return list(accepted.values())


def _is_official_short_code(
    value: str,
    indicator_type: IndicatorType | None,
    context: ParseContext,
    warninglist: Warninglist | None,
) -> bool:
    if warninglist is None or indicator_type not in (None, IndicatorType.PHONE):
        return False
    return warninglist.benign_dialled(value, context.default_region) is not None


def _not_benign(
    found: list[ReportedIndicator], warninglist: Warninglist | None
) -> list[ReportedIndicator]:
    if warninglist is None:
        return found
    return [item for item in found if warninglist.benign(item.indicator) is None]


def _not_already_given(
    found: list[ReportedIndicator], given: list[ReportedIndicator]
) -> list[ReportedIndicator]:
    known = {item.indicator for item in given}
    extra: list[ReportedIndicator] = []
    for item in found:
        if item.indicator not in known:
            known.add(item.indicator)
            extra.append(item)
    return extra


def _narrative_indicators(
    submission: ReportSubmission, registry: IndicatorRegistry, context: ParseContext
) -> list[ReportedIndicator]:
    if not submission.narrative:
        return []
    return [
        ReportedIndicator(found.indicator, found.raw, "narrative")
        for found in registry.extract(submission.narrative, context)
    ]
