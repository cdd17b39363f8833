"""Due process for listings: a holder disputes one, an analyst decides with a reason, and
organisations record what they did about a value (docs/verdicts.md, "Disputes")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID, uuid4

from scamintel.governance.audit import AuditEvent
from scamintel.indicators import (
    Indicator,
    IndicatorType,
)
from scamintel.reports.engine import (
    OUTCOMES,
    EventKind,
    Evidence,
    ReviewStatus,
    Verdict,
    assess,
)
from scamintel.reports.reading import Reading, official_name, read_value

# Disputes are decided within this many days (docs/verdicts.md); the queue shows their age.
REVIEW_DAYS = 5


# A dispute's status is the review the public verdict shows.
DisputeStatus = ReviewStatus


class Decision(StrEnum):
    UPHELD = "upheld"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Dispute:
    id: UUID
    indicator: Indicator
    status: DisputeStatus
    claim: str
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    contact: dict[str, Any] | None = None

    @property
    def reference(self) -> str:
        return f"D-{self.id.hex[:10].upper()}"


@dataclass(frozen=True, slots=True)
class HeldBurst:
    """Reports about one value from one sender in a short time, held for an analyst."""

    id: int
    indicator: Indicator
    report_count: int
    created_at: datetime
    # The sender's reports about the value, newest first: what the analyst reads.
    report_ids: tuple[UUID, ...] = ()


class NothingToDisputeError(ValueError):
    pass


class OfficialValueError(ValueError):
    pass


class DisputeNotFoundError(LookupError):
    pass


class AlreadyDecidedError(ValueError):
    pass


class DisputeStore(Protocol):
    def evidence(self, indicator: Indicator) -> Evidence | None: ...

    def indicator_id(self, indicator: Indicator) -> int: ...

    def pending_dispute_for(self, indicator: Indicator) -> Dispute | None: ...

    def add_dispute(self, dispute: Dispute, indicator_id: int) -> None: ...

    def get_dispute(self, dispute_id: UUID, *, with_contact: bool) -> Dispute | None: ...

    def record_decision(self, dispute: Dispute) -> bool: ...

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
    ) -> None: ...

    def refresh_listings(self, indicator_ids: list[int]) -> None: ...

    def close_burst(self, item_id: int, actor: str, note: str, at: datetime) -> bool: ...

    def audit(self, event: AuditEvent) -> None: ...


def open_dispute(
    store: DisputeStore,
    raw: str,
    indicator_type: IndicatorType | None,
    *,
    reading: Reading,
    claim: str,
    contact: dict[str, Any] | None,
    actor: str,
) -> tuple[Dispute, bool]:
    """The dispute and whether it is new: a value already under review is not queued twice."""
    official = official_name(raw, indicator_type, reading)
    if official is not None:
        raise NothingToDisputeError(
            f"{raw.strip()} is on this node's list of official and platform contacts "
            f"({official}); it is not listed as a scam"
        )
    indicator = read_value(raw, indicator_type, reading)
    evidence = store.evidence(indicator)
    if evidence is None or assess(indicator.type, evidence, datetime.now(UTC)).verdict is (
        Verdict.NO_REPORTS
    ):
        raise NothingToDisputeError(
            f"this node holds no report about {indicator.value} that still counts: there is "
            "no listing to contest"
        )
    pending = store.pending_dispute_for(indicator)
    if pending is not None:
        return pending, False
    now = datetime.now(UTC)
    dispute = Dispute(
        uuid4(), indicator, DisputeStatus.PENDING, claim.strip(), now, contact=contact
    )
    indicator_id = store.indicator_id(indicator)
    store.add_dispute(dispute, indicator_id)
    store.add_event(
        indicator_id, EventKind.DISPUTE_OPENED, actor=actor, at=now, dispute_id=dispute.id
    )
    # Listings before the audit: every writer takes the two head rows in this order.
    store.refresh_listings([indicator_id])
    store.audit(
        AuditEvent(
            actor=actor,
            action="dispute.open",
            object_type="dispute",
            object_id=str(dispute.id),
            details={"type": indicator.type.value},
            subjects=(indicator_id,),
        )
    )
    return dispute, True


def decide_dispute(
    store: DisputeStore, dispute_id: UUID, decision: Decision, reason: str, *, actor: str
) -> Dispute:
    dispute = store.get_dispute(dispute_id, with_contact=False)
    if dispute is None:
        raise DisputeNotFoundError(f"no dispute {dispute_id} on this node")
    if dispute.status is not DisputeStatus.PENDING:
        raise AlreadyDecidedError(
            f"dispute {dispute.reference} was already {dispute.status.value} on "
            f"{dispute.decided_at.date().isoformat() if dispute.decided_at else 'an earlier day'}"
            "; a new dispute can be filed if there is new information"
        )
    now = datetime.now(UTC)
    decided = Dispute(
        dispute.id,
        dispute.indicator,
        DisputeStatus(decision.value),
        dispute.claim,
        dispute.created_at,
        decided_at=now,
        decided_by=actor,
        decision_reason=reason.strip(),
    )
    if not store.record_decision(decided):
        # Another analyst decided it between our read and our write.
        raise AlreadyDecidedError(
            f"dispute {dispute.reference} was decided by someone else just now; reload it"
        )
    indicator_id = store.indicator_id(dispute.indicator)
    kind = EventKind.DISPUTE_UPHELD if decision is Decision.UPHELD else EventKind.DISPUTE_REJECTED
    store.add_event(
        indicator_id, kind, actor=actor, at=now, note=reason.strip(), dispute_id=dispute.id
    )
    # Listings before the audit: every writer takes the two head rows in this order.
    store.refresh_listings([indicator_id])
    store.audit(
        AuditEvent(
            actor=actor,
            action=f"dispute.{decision.value}",
            object_type="dispute",
            object_id=str(dispute.id),
            details={"reason": reason.strip()},
            subjects=(indicator_id,),
        )
    )
    return decided


def record_outcome(
    store: DisputeStore,
    raw: str,
    indicator_type: IndicatorType | None,
    outcome: EventKind,
    *,
    reading: Reading,
    note: str | None,
    actor: str,
    organisation_id: int | None,
) -> Indicator:
    """An organisation's action on a value (frozen, blocked, taken down) or its finding that
    the value was a false positive; the verdict engine weighs it from now on."""
    if outcome not in OUTCOMES:
        raise ValueError(f"{outcome.value} is not an outcome; use one of: {_outcome_names()}")
    official = official_name(raw, indicator_type, reading)
    if official is not None:
        raise OfficialValueError(
            f"{raw.strip()} is on this node's list of official and platform contacts "
            f"({official}); outcomes are recorded against scam values only"
        )
    indicator = read_value(raw, indicator_type, reading)
    indicator_id = store.indicator_id(indicator)
    store.add_event(
        indicator_id,
        outcome,
        actor=actor,
        at=datetime.now(UTC),
        organisation_id=organisation_id,
        note=note,
    )
    # Listings before the audit: every writer takes the two head rows in this order.
    store.refresh_listings([indicator_id])
    store.audit(
        AuditEvent(
            actor=actor,
            action=f"outcome.{outcome.value}",
            object_type="indicator",
            # The id, never the value: audit entries outlive an erasure of the value.
            object_id=str(indicator_id),
            details={"note": note} if note else {},
            subjects=(indicator_id,),
        )
    )
    return indicator


def close_held_burst(store: DisputeStore, item_id: int, note: str, *, actor: str) -> bool:
    """Close a review item once its sender's reports were looked at; False if none is open."""
    closed = store.close_burst(item_id, actor, note.strip(), datetime.now(UTC))
    if closed:
        store.audit(
            AuditEvent(
                actor=actor,
                action="review.close_burst",
                object_type="review_item",
                object_id=str(item_id),
                details={"note": note.strip()},
            )
        )
    return closed


def _outcome_names() -> str:
    return ", ".join(kind.value for kind in OUTCOMES)
