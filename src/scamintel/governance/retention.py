"""How long the node keeps each kind of data, and from when the time counts.

The defaults below are the node's documented policy (docs/governance.md shows this table,
generated from it). An operator changes them with ``SCAMINTEL_RETENTION_DAYS``, a JSON object
whose keys are a data kind (``"narrative"``) or a kind and a report source
(``"report:ingest"``: reports that came in through bulk ingest), e.g.
``SCAMINTEL_RETENTION_DAYS='{"victim_contact": 180, "report:ingest": 1095}'``.

What a partner shared is kept as long as that partner's agreement says
(``retention_days``), not by this table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from scamintel.reports.model import ReportSource


class DataKind(StrEnum):
    VICTIM_CONTACT = "victim_contact"
    NARRATIVE = "narrative"
    REPORT = "report"
    OUTCOME = "outcome"
    DISPUTE_CONTACT = "dispute_contact"
    DISPUTE = "dispute"
    REVIEW_ITEM = "review_item"
    REMOVAL_NOTICE = "removal_notice"
    CASE = "case"
    CROSS_BORDER_REQUEST = "cross_border_request"
    BLIND_RELEASE = "blind_release"
    SUBJECT_REQUEST = "subject_request"
    FEDERATION_REJECTION = "federation_rejection"
    TAXII_STATUS = "taxii_status"
    AUDIT_ENTRY = "audit_entry"


@dataclass(frozen=True, slots=True)
class RetentionRule:
    kind: DataKind
    days: int
    # What the data is, and the moment its time starts counting, in words for the policy.
    what: str
    counted_from: str
    # Whether the rule may differ by report source (the kinds that belong to a report).
    per_source: bool = False


DEFAULT_RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        DataKind.VICTIM_CONTACT,
        365,
        "the reporter's name, phone, e-mail and ID number (sealed)",
        "the report was received",
        per_source=True,
    ),
    RetentionRule(
        DataKind.NARRATIVE,
        730,
        "the report's narrative, in the victim's words",
        "the report was received",
        per_source=True,
    ),
    RetentionRule(
        DataKind.REPORT,
        1825,
        "the report itself: scam type, channel, amount, the values it names, evidence hashes",
        "the report was received",
        per_source=True,
    ),
    RetentionRule(
        DataKind.OUTCOME,
        1825,
        "outcomes and dispute steps recorded against a value (frozen, blocked, upheld)",
        "the outcome was recorded",
    ),
    RetentionRule(
        DataKind.DISPUTE_CONTACT,
        365,
        "the contact details of a person who disputed a listing (sealed)",
        "the dispute was opened",
    ),
    RetentionRule(
        DataKind.DISPUTE,
        1825,
        "a dispute: the claim, the decision and its reason",
        "the dispute was opened",
    ),
    RetentionRule(
        DataKind.REVIEW_ITEM,
        365,
        "a closed review of a burst of reports",
        "the review was opened",
    ),
    RetentionRule(
        DataKind.REMOVAL_NOTICE,
        90,
        "a value taken off the list, kept so that partners and blocklist users remove it too",
        "the value was taken off the list",
    ),
    RetentionRule(
        DataKind.CASE,
        3650,
        "a closed case: its links, notes and history",
        "the case was closed",
    ),
    RetentionRule(
        DataKind.CROSS_BORDER_REQUEST,
        3650,
        "a finished request to or from a partner node (fulfilled or rejected)",
        "the request last changed",
    ),
    RetentionRule(
        DataKind.BLIND_RELEASE,
        1825,
        "a decided request to reveal a blind selector to a partner (approved, released or "
        "rejected): the selector, the value it named, the reason and the approvals",
        "the request was decided",
    ),
    RetentionRule(
        DataKind.SUBJECT_REQUEST,
        1095,
        "a closed data-subject request and its steps",
        "the request was closed",
    ),
    RetentionRule(
        DataKind.FEDERATION_REJECTION,
        90,
        "a record of what a partner sent that this node refused",
        "it was refused",
    ),
    RetentionRule(
        DataKind.TAXII_STATUS,
        30,
        "the status of objects a partner pushed",
        "they were pushed",
    ),
    RetentionRule(
        DataKind.AUDIT_ENTRY,
        3650,
        "an audit entry's content (its hash is kept so the log still verifies)",
        "the entry was written",
    ),
)


class RetentionSettingsError(ValueError):
    """SCAMINTEL_RETENTION_DAYS names something unknown or a period that is not positive."""


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """The periods in force: the defaults with the operator's overrides."""

    days: Mapping[DataKind, int]
    # (kind, report source) -> days, where an operator set one for that source.
    source_days: Mapping[tuple[DataKind, ReportSource], int]

    def period(self, kind: DataKind, source: ReportSource | None = None) -> timedelta:
        if source is not None and (kind, source) in self.source_days:
            return timedelta(days=self.source_days[(kind, source)])
        return timedelta(days=self.days[kind])

    def cutoff(self, kind: DataKind, now: datetime, source: ReportSource | None = None) -> datetime:
        """Data of this kind that started counting before the cutoff has expired."""
        return now - self.period(kind, source)

    def rule(self, kind: DataKind) -> RetentionRule:
        return next(rule for rule in DEFAULT_RULES if rule.kind is kind)


def retention_policy(overrides: Mapping[str, int] | None = None) -> RetentionPolicy:
    """The defaults with the node's overrides; an unknown key or a period under one day is an
    error naming what to fix."""
    days = {rule.kind: rule.days for rule in DEFAULT_RULES}
    source_days: dict[tuple[DataKind, ReportSource], int] = {}
    per_source = {rule.kind for rule in DEFAULT_RULES if rule.per_source}
    for key, value in (overrides or {}).items():
        kind_name, _, source_name = key.partition(":")
        kind = _kind(key, kind_name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise RetentionSettingsError(
                f"SCAMINTEL_RETENTION_DAYS gives {key!r} {value!r}; a period is a whole "
                "number of days, 1 or more"
            )
        if not source_name:
            days[kind] = value
            continue
        if kind not in per_source:
            allowed = ", ".join(sorted(k.value for k in per_source))
            raise RetentionSettingsError(
                f"SCAMINTEL_RETENTION_DAYS names {key!r}, but only these kinds differ by "
                f"source: {allowed}"
            )
        source_days[(kind, _source(key, source_name))] = value
    return RetentionPolicy(days, source_days)


def _kind(key: str, name: str) -> DataKind:
    try:
        return DataKind(name)
    except ValueError:
        known = ", ".join(kind.value for kind in DataKind)
        raise RetentionSettingsError(
            f"SCAMINTEL_RETENTION_DAYS names {key!r}, which is not a data kind; use one of: "
            f"{known} (optionally with ':' and a report source)"
        ) from None


def _source(key: str, name: str) -> ReportSource:
    try:
        return ReportSource(name)
    except ValueError:
        known = ", ".join(source.value for source in ReportSource)
        raise RetentionSettingsError(
            f"SCAMINTEL_RETENTION_DAYS names {key!r}; the report source after ':' is one "
            f"of: {known}"
        ) from None
