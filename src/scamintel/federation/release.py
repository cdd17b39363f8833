"""Four-eyes release of the raw value behind a blind selector (DESIGN.md §4, §8).

A partner that matched one of this node's blind (keyed-hash) selectors may ask for the value
behind it, for a purpose and with a reason, when its sharing agreement says
``victim_data: on_approved_request`` and lists the type as blind. Two different approvers of
this node must say yes; one no ends the request. The partner then reads the value, and every
step, each disclosure included, is an audit entry.

States::

    pending --approve (1st)--> pending --approve (2nd, another actor)--> approved
    pending --reject--> rejected
    approved --the partner reads the value--> released (each later read is audited too)

Storage is behind :class:`ReleaseStore`; ``storage.releases_repo`` provides it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID, uuid4

from scamintel.federation.agreement import Agreement
from scamintel.federation.markings import Purpose
from scamintel.governance.audit import AuditEvent
from scamintel.indicators import Indicator, IndicatorType

REQUIRED_APPROVALS = 2
SELECTOR = re.compile(r"[0-9a-f]{64}")


class ReleaseStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RELEASED = "released"


class DecisionKind(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class Decision:
    """One approver's yes or no."""

    actor: str
    kind: DecisionKind
    at: datetime
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseRequest:
    id: UUID
    partner: str
    selector: str
    indicator_type: IndicatorType
    purpose: Purpose
    reason: str
    status: ReleaseStatus
    decisions: tuple[Decision, ...]
    requested_at: datetime
    decided_at: datetime | None = None
    released_at: datetime | None = None

    @property
    def approvals(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.kind is DecisionKind.APPROVE)

    @property
    def rejection(self) -> Decision | None:
        return next((d for d in self.decisions if d.kind is DecisionKind.REJECT), None)

    @property
    def releasable(self) -> bool:
        return self.status in (ReleaseStatus.APPROVED, ReleaseStatus.RELEASED)


class ReleaseRefusedError(PermissionError):
    """The caller may not ask for, or read, this release; the message says why."""


class ReleaseNotFoundError(LookupError):
    pass


class ReleaseConflictError(ValueError):
    """A decision that does not fit the request's state (decided already, same approver)."""


class ReleaseStore(Protocol):
    def agreement(self, partner: str) -> Agreement | None: ...

    def resolve(
        self, agreement: Agreement, indicator_type: IndicatorType, selectors: Iterable[str]
    ) -> dict[str, Indicator]:
        """The values of ``indicator_type`` this node shared whose selector under
        ``agreement`` is one of ``selectors``, by selector."""
        ...

    def add(self, request: ReleaseRequest) -> None: ...

    def get(self, release_id: UUID, *, for_update: bool = False) -> ReleaseRequest | None: ...

    def save(self, request: ReleaseRequest) -> None: ...

    def pending_first(self, limit: int) -> list[ReleaseRequest]: ...

    def audit(self, event: AuditEvent) -> None: ...


def refusal(
    agreement: Agreement | None, partner: str, request_type: IndicatorType, purpose: Purpose
) -> str | None:
    """Why ``partner`` may not have a blind value of this type released, or None."""
    if agreement is None:
        return f"{partner} has no sharing agreement with this node"
    if agreement.victim_data != "on_approved_request":
        return (
            f"the agreement with {partner} (version {agreement.version}) says victim_data: "
            f"{agreement.victim_data}; raw values are released only under on_approved_request"
        )
    if not agreement.is_blind(request_type):
        return (
            f"the agreement with {partner} does not share {request_type.value} values as blind "
            "selectors, so there is nothing to release"
        )
    if purpose not in agreement.purposes:
        allowed = ", ".join(sorted(p.value for p in agreement.purposes))
        return f"purpose {purpose.value} is not in the agreement with {partner} ({allowed})"
    return None


def request_release(
    store: ReleaseStore,
    *,
    partner: str,
    selector: str,
    indicator_type: IndicatorType,
    purpose: Purpose,
    reason: str,
    actor: str,
    now: datetime,
) -> ReleaseRequest:
    """A new pending request from ``partner`` (``actor``: its key); refused unless the
    agreement allows it and the selector names a value this node shared."""
    agreement = store.agreement(partner)
    refused = refusal(agreement, partner, indicator_type, purpose)
    if refused is not None or agreement is None:
        raise ReleaseRefusedError(refused)
    if not SELECTOR.fullmatch(selector):
        raise ReleaseNotFoundError("the selector is not a lower-case hex HMAC-SHA256")
    if selector not in store.resolve(agreement, indicator_type, [selector]):
        raise ReleaseNotFoundError(
            f"this node holds no {indicator_type.value} value with that selector under the "
            f"agreement with {partner}"
        )
    request = ReleaseRequest(
        id=uuid4(),
        partner=partner,
        selector=selector,
        indicator_type=indicator_type,
        purpose=purpose,
        reason=reason,
        status=ReleaseStatus.PENDING,
        decisions=(),
        requested_at=now,
    )
    store.add(request)
    store.audit(_event(request, actor, "blind_release.requested"))
    return request


def decide(
    store: ReleaseStore,
    release_id: UUID,
    *,
    actor: str,
    kind: DecisionKind,
    reason: str | None,
    now: datetime,
) -> ReleaseRequest:
    """Record one approver's decision. The second approval by another actor approves the
    request; one rejection rejects it."""
    request = store.get(release_id, for_update=True)
    if request is None:
        raise ReleaseNotFoundError(f"no release request {release_id} on this node")
    if request.status is not ReleaseStatus.PENDING:
        raise ReleaseConflictError(
            f"release request {release_id} is {request.status.value} already; only a pending "
            "request can be approved or rejected"
        )
    # Names as typed differ in case and spacing only when one person typed them twice.
    same = " ".join(actor.split()).casefold()
    if kind is DecisionKind.APPROVE and any(
        " ".join(d.actor.split()).casefold() == same for d in request.approvals
    ):
        raise ReleaseConflictError(
            f"{actor} approved this request already; a second approval must come from "
            "another person (four eyes)"
        )
    decided = _with_decision(request, Decision(actor, kind, now, reason), now)
    store.save(decided)
    action = "blind_release.rejected" if kind is DecisionKind.REJECT else "blind_release.approval"
    if decided.status is ReleaseStatus.APPROVED:
        action = "blind_release.approved"
    store.audit(_event(decided, actor, action, reason=reason))
    return decided


def _with_decision(request: ReleaseRequest, decision: Decision, now: datetime) -> ReleaseRequest:
    decisions = (*request.decisions, decision)
    if decision.kind is DecisionKind.REJECT:
        return replace(request, decisions=decisions, status=ReleaseStatus.REJECTED, decided_at=now)
    approvers = {d.actor for d in decisions if d.kind is DecisionKind.APPROVE}
    if len(approvers) >= REQUIRED_APPROVALS:
        return replace(request, decisions=decisions, status=ReleaseStatus.APPROVED, decided_at=now)
    return replace(request, decisions=decisions)


@dataclass(frozen=True, slots=True)
class PartnerView:
    """What the requesting partner reads: the value only once the request is approved."""

    request: ReleaseRequest
    value: Indicator | None


def read_as_partner(
    store: ReleaseStore, release_id: UUID, *, partner: str, actor: str, now: datetime
) -> PartnerView:
    """The request as its partner sees it. Reading an approved request discloses the value:
    the agreement is checked again (it may have changed since), the disclosure is audited
    with its purpose and partner, and the request becomes ``released``."""
    request = store.get(release_id)
    if request is None or request.partner != partner:
        # Another partner's request is not confirmed to exist.
        raise ReleaseNotFoundError(f"no release request {release_id} of {partner} on this node")
    if not request.releasable:
        return PartnerView(request, None)  # polling a pending request writes nothing
    request = store.get(release_id, for_update=True) or request
    agreement = store.agreement(partner)
    refused = refusal(agreement, partner, request.indicator_type, request.purpose)
    if refused is not None or agreement is None:
        raise ReleaseRefusedError(f"the release was approved, but now {refused}")
    value = store.resolve(agreement, request.indicator_type, [request.selector]).get(
        request.selector
    )
    if value is None:
        raise ReleaseNotFoundError(
            "the release was approved, but the selector no longer names a value this node holds "
            "under the agreement (the value was erased or the blind key changed)"
        )
    released = replace(
        request, status=ReleaseStatus.RELEASED, released_at=request.released_at or now
    )
    if released != request:
        store.save(released)
    store.audit(_event(released, actor, "blind_release.disclosed"))
    return PartnerView(released, value)


def values_for_approvers(
    store: ReleaseStore, requests: Sequence[ReleaseRequest]
) -> dict[UUID, Indicator]:
    """The value behind each request, for this node's approvers to judge (it is this node's own
    data); one pass over the shared values per (partner, type)."""
    groups: dict[tuple[str, IndicatorType], list[ReleaseRequest]] = {}
    for request in requests:
        groups.setdefault((request.partner, request.indicator_type), []).append(request)
    found: dict[UUID, Indicator] = {}
    for (partner, indicator_type), members in groups.items():
        agreement = store.agreement(partner)
        if agreement is None or agreement.blind_key is None:
            continue
        values = store.resolve(agreement, indicator_type, {r.selector for r in members})
        found.update({r.id: values[r.selector] for r in members if r.selector in values})
    return found


def _event(
    request: ReleaseRequest, actor: str, action: str, *, reason: str | None = None
) -> AuditEvent:
    details: dict[str, object] = {
        "partner": request.partner,
        "type": request.indicator_type.value,
        "selector": request.selector,
        "status": request.status.value,
    }
    if action == "blind_release.requested":
        details["reason"] = request.reason
    if reason:
        details["decision_reason"] = reason
    if request.approvals:
        details["approvers"] = [d.actor for d in request.approvals]
    return AuditEvent(
        actor=actor,
        action=action,
        object_type="blind_release",
        object_id=str(request.id),
        purpose=request.purpose.value,
        details=details,
    )


def blind_hashes(agreements: Iterable[Agreement], indicator: Indicator) -> list[str]:
    """The selectors partners would have sent for ``indicator``: one per agreement that shares
    its type blind (what the check matches partner knowledge by)."""
    return [a.selector(indicator) for a in agreements if a.is_blind(indicator.type)]
