"""Data-subject requests: a person asks what the node holds about their phone number, account,
e-wallet or e-mail, or asks for it to be corrected or erased (docs/governance.md,
"Data-subject requests").

The workflow is received → verified → completed, or received/verified → refused with a reason.
Nothing is disclosed or erased before an operator has verified that the person asking holds the
value (a call to the number, a letter from the bank). The node answers within
:data:`RESPONSE_DAYS` of receipt.

Pure domain code: the storage package keeps the requests, the API, pages and CLI call it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from scamintel.indicators import Indicator, IndicatorType

# Thailand's PDPA (section 30) gives a controller 30 days to answer an access request; the GDPR
# (article 12(3)) gives one month. The node keeps the stricter of the two for every kind of
# request, counted from receipt.
RESPONSE_DAYS = 30
MAX_DETAILS = 5000
MAX_NOTE = 2000
MAX_CONTACT_FIELD = 300
# The audit log's purpose column holds 60 characters (storage/tables.py, audit_log.purpose).
MAX_PURPOSE = 60
# An operator's ground for erasing data kept for fraud prevention: it is written to the audit
# log (kept for years), so a short statement, not a letter.
MAX_GROUND = 200

# Values that name a person (or their account, wallet or device). A web site or domain is not
# a person's data here: its holder contests a listing with a dispute (/dispute).
PERSONAL_TYPES: frozenset[IndicatorType] = frozenset(
    {
        IndicatorType.PHONE,
        IndicatorType.BANK_ACCOUNT,
        IndicatorType.EWALLET,
        IndicatorType.EMAIL,
        IndicatorType.HANDLE,
        IndicatorType.CRYPTO_WALLET,
        IndicatorType.IMEI,
        IndicatorType.IP,
    }
)
_KEY_CONTEXT = b"scamintel/subject-request-identifier/v1\x00"


class RequestKind(StrEnum):
    ACCESS = "access"
    CORRECTION = "correction"
    ERASURE = "erasure"


class RequestStatus(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    COMPLETED = "completed"
    REFUSED = "refused"


OPEN_STATUSES = frozenset({RequestStatus.RECEIVED, RequestStatus.VERIFIED})


class SubjectRequestError(Exception):
    """Base of the errors below; the message says what to do."""


class InvalidSubjectRequestError(SubjectRequestError, ValueError):
    """Bad input: a value that is not a person's, an empty reason."""


class SubjectRequestNotFoundError(SubjectRequestError, LookupError):
    pass


class TransitionError(SubjectRequestError):
    """The step does not fit the request's status (completing an unverified request, deciding
    twice)."""


class HeldDataError(SubjectRequestError):
    """The node's data does not allow the step as asked (an erasure of evidence kept for fraud
    prevention, delisting a value that is not listed); the message says what to do instead."""


class ErasureHeldError(HeldDataError):
    pass


class NothingToDelistError(HeldDataError):
    pass


@dataclass(frozen=True, slots=True)
class SubjectRequest:
    id: UUID
    kind: RequestKind
    identifier_type: IndicatorType
    status: RequestStatus
    received_at: datetime
    due_at: datetime
    details: str | None = None
    verified_at: datetime | None = None
    verified_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    outcome: str | None = None
    # Personal data, present only when an operator opened it (with a stated purpose).
    identifier: Indicator | None = None
    contact: dict[str, Any] | None = None

    @property
    def reference(self) -> str:
        return subject_reference(self.id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, now: datetime) -> bool:
        return self.is_open and now > self.due_at


@dataclass(frozen=True, slots=True)
class RequestEvent:
    status: RequestStatus
    at: datetime
    actor: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class NewSubjectRequest:
    kind: RequestKind
    identifier: Indicator
    contact: dict[str, Any] | None = None
    details: str | None = None


def subject_reference(request_id: UUID) -> str:
    return f"SR-{request_id.hex[:10].upper()}"


def due_date(received_at: datetime) -> datetime:
    return received_at + timedelta(days=RESPONSE_DAYS)


def identifier_key(secret_key: str, indicator: Indicator) -> str:
    """A keyed hash of ``type:value`` under the node's secret: finds a person's earlier
    requests without opening any sealed identifier, and reveals nothing without the secret."""
    key = hashlib.sha256(_KEY_CONTEXT + secret_key.encode()).digest()
    message = f"{indicator.type.value}:{indicator.value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def check_identifier(indicator: Indicator) -> Indicator:
    if indicator.type not in PERSONAL_TYPES:
        raise InvalidSubjectRequestError(
            f"a {indicator.type.value} is not a person's data: give a phone number, bank "
            "account, e-wallet, e-mail address, chat ID or wallet; the holder of a listed web "
            "site contests the listing with a dispute instead"
        )
    return indicator


def check_contact(contact: dict[str, Any] | None) -> None:
    """The operator must reach the person to verify that they hold the value: a request
    without an e-mail address or phone number could never be verified."""
    if not contact or not any(
        isinstance(contact.get(key), str) and contact[key].strip() for key in ("email", "phone")
    ):
        raise InvalidSubjectRequestError(
            "give contact.email or contact.phone: the operator uses it to confirm that the "
            "value is yours and to send the answer"
        )


def check_purpose(purpose: str) -> str:
    purpose = purpose.strip()
    if not purpose:
        raise InvalidSubjectRequestError(
            "state the purpose of opening the person's data (for example: verify the caller)"
        )
    if len(purpose) > MAX_PURPOSE:
        raise InvalidSubjectRequestError(
            f"the purpose is limited to {MAX_PURPOSE} characters (it is kept in the audit "
            "log); say it shortly, for example: verify the caller"
        )
    return purpose


def new_request(request: NewSubjectRequest, request_id: UUID, now: datetime) -> SubjectRequest:
    check_identifier(request.identifier)
    check_contact(request.contact)
    details = (request.details or "").strip() or None
    if details is not None and len(details) > MAX_DETAILS:
        raise InvalidSubjectRequestError(f"details are limited to {MAX_DETAILS} characters")
    return SubjectRequest(
        id=request_id,
        kind=request.kind,
        identifier_type=request.identifier.type,
        status=RequestStatus.RECEIVED,
        received_at=now,
        due_at=due_date(now),
        details=details,
        identifier=request.identifier,
        contact=dict(request.contact) if request.contact else None,
    )


def _closed_words(request: SubjectRequest) -> str:
    day = request.closed_at.date().isoformat() if request.closed_at else "an earlier day"
    return f"request {request.reference} was already {request.status.value} on {day}"


def verify(request: SubjectRequest, *, actor: str, now: datetime) -> SubjectRequest:
    """The operator has confirmed that the person asking holds the value."""
    if request.status is RequestStatus.VERIFIED:
        raise TransitionError(
            f"request {request.reference} was already verified by {request.verified_by}"
        )
    if not request.is_open:
        raise TransitionError(_closed_words(request) + "; it cannot be verified any more")
    return replace(request, status=RequestStatus.VERIFIED, verified_at=now, verified_by=actor)


def complete(request: SubjectRequest, *, actor: str, now: datetime, outcome: str) -> SubjectRequest:
    if request.status is RequestStatus.RECEIVED:
        raise TransitionError(
            f"request {request.reference} is not verified: confirm that the person asking "
            "holds the value (`verify`) before anything is disclosed, corrected or erased"
        )
    if not request.is_open:
        raise TransitionError(_closed_words(request) + "; a request is decided once")
    return replace(
        request,
        status=RequestStatus.COMPLETED,
        closed_at=now,
        closed_by=actor,
        outcome=outcome.strip(),
    )


def refuse(request: SubjectRequest, *, actor: str, now: datetime, reason: str) -> SubjectRequest:
    if not reason.strip():
        raise InvalidSubjectRequestError(
            "give the reason for refusing; the person reads it (for example: the caller could "
            "not show that they hold the number)"
        )
    if not request.is_open:
        raise TransitionError(_closed_words(request) + "; a request is decided once")
    return replace(
        request,
        status=RequestStatus.REFUSED,
        closed_at=now,
        closed_by=actor,
        outcome=reason.strip(),
    )


def completion_note_needed(kind: RequestKind) -> bool:
    """A correction is completed with what was corrected; the other kinds may add a note."""
    return kind is RequestKind.CORRECTION


def erasure_outcome(counts: dict[str, int], note: str | None, ground: str | None = None) -> str:
    """The outcome recorded for a completed erasure: how much went, never what, and the
    operator's ground when evidence kept for fraud prevention was erased."""
    removed = ", ".join(f"{table} {count}" for table, count in sorted(counts.items()) if count)
    words = f"erased: {removed}" if removed else "erased: the node held nothing more about it"
    words += "; partners receive the removal at their next sync"
    if ground:
        words += f"; fraud-prevention hold overridden: {ground}"
    return f"{words}. {note.strip()}" if note and note.strip() else words


# A correction that withdraws a listing decides the value's dispute upheld; the decision's
# reason is public (/check shows it), so it is this fixed sentence, never the operator's note
# (which may name the person or say how they were verified).
PUBLIC_CORRECTION_REASON = "Corrected at the holder's request."


@dataclass(frozen=True, slots=True)
class EvidenceHeld:
    """What makes a value evidence of fraud on this node: reports naming it, organisations'
    outcomes about it (frozen, blocked), and a live listing (scam or suspicious)."""

    reports: int = 0
    outcomes: int = 0
    listing: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.reports or self.outcomes or self.listing)

    def words(self) -> str:
        parts = []
        if self.reports:
            parts.append(f"{self.reports} report{'s' if self.reports != 1 else ''} name it")
        if self.outcomes:
            parts.append(
                f"{self.outcomes} outcome{'s' if self.outcomes != 1 else ''} recorded about it"
            )
        if self.listing:
            parts.append(f"it is listed as {self.listing}")
        return ", ".join(parts)


def override_ground(ground: str | None) -> str | None:
    """The operator's stated ground for erasing evidence, cleaned; None when none was given."""
    ground = (ground or "").strip()
    if not ground:
        return None
    if len(ground) > MAX_GROUND:
        raise InvalidSubjectRequestError(
            f"the override ground is limited to {MAX_GROUND} characters (it is kept in the "
            'audit log): state it shortly, for example "listing wrong: dispute upheld"'
        )
    return ground


def check_erasure(request: SubjectRequest, evidence: EvidenceHeld, ground: str | None) -> None:
    """Refuse to erase evidence kept for fraud prevention unless the operator states a ground.

    The holder of a scam number can verify that they hold it; erasing its reports on their
    request would wipe the evidence that protects the public. The right to erasure does not
    apply while the data is needed for a task in the public interest or for legal claims
    (GDPR article 17(3)(b) and (e); the Thai PDPA's section 33 has similar exceptions). A
    value that is only a reporter's own contact is not evidence: a victim who reported may have
    it erased."""
    if not evidence.any or ground:
        return
    raise ErasureHeldError(
        f"request {request.reference} cannot be completed as asked: the data is kept for fraud "
        f"prevention ({evidence.words()}). If the listing is wrong, correct it through a "
        "dispute (a correction request completed with --delist, or /dispute) and then complete "
        'this erasure with the ground, for example --ground "listing wrong: dispute upheld" '
        '(API: {"override_ground": "..."}); an operator may also override with another '
        "explicit ground, which is recorded in the outcome and the audit log. Otherwise refuse "
        "the request with the reason."
    )


NEXT_STEPS: dict[RequestKind, str] = {
    RequestKind.ACCESS: (
        "An operator will contact you to confirm that the number, account or address is yours "
        "(for example by calling the number). Once confirmed, you receive a report of what this "
        "node holds about it, who it was shared with and when it will be deleted."
    ),
    RequestKind.CORRECTION: (
        "An operator will contact you to confirm that the number, account or address is yours. "
        "Once confirmed, what is wrong is corrected; a wrong scam listing is withdrawn."
    ),
    RequestKind.ERASURE: (
        "An operator will contact you to confirm that the number, account or address is yours. "
        "Once confirmed, it is erased from this node, and partner nodes that received it "
        "remove it at their next sync. Erasure can be refused while the data is needed to "
        "prevent fraud (for example, reports that name the value as a scam): you are then told "
        "why, and a wrong listing can be contested with a correction request or a dispute."
    ),
}


def next_steps(request: SubjectRequest) -> str:
    return (
        f"{NEXT_STEPS[request.kind]} Keep the reference {request.reference}: quote it when "
        "you contact the node about this request. The node answers by "
        f"{request.due_at.date().isoformat()}."
    )


def public_outcome(request: SubjectRequest) -> str:
    """What the person reads about their request: its state in words, never the value."""
    if request.status is RequestStatus.RECEIVED:
        return (
            "Received. An operator will contact you to confirm that the value is yours "
            f"before {request.due_at.date().isoformat()}."
        )
    if request.status is RequestStatus.VERIFIED:
        return (
            "Verified: the operator confirmed that the value is yours and is working on the "
            f"request, due by {request.due_at.date().isoformat()}."
        )
    day = request.closed_at.date().isoformat() if request.closed_at else ""
    if request.status is RequestStatus.REFUSED:
        return f"Refused on {day}: {request.outcome or 'no reason was recorded'}"
    done = {
        RequestKind.ACCESS: "the report of what the node holds was sent to you",
        RequestKind.CORRECTION: "the data was corrected",
        RequestKind.ERASURE: "the value was erased from this node and its partners were told",
    }[request.kind]
    return f"Completed on {day}: {done}."


# -- the access report -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListingHeld:
    verdict: str
    score: float
    listed_since: datetime | None
    under_review: bool


@dataclass(frozen=True, slots=True)
class ReportsHeld:
    count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    scam_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DisputeHeld:
    reference: str
    status: str
    opened_at: datetime
    decided_at: datetime | None
    decision_reason: str | None


@dataclass(frozen=True, slots=True)
class OutcomeHeld:
    kind: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PartnerRecordHeld:
    partner: str
    verdict: str | None
    marking: str
    blind: bool


@dataclass(frozen=True, slots=True)
class DisclosureHeld:
    """One audit entry about the value as the person reads it: when, what, and to whom by
    category ("staff of this node"), never a staff account or the stated purpose."""

    at: datetime
    recipient: str
    action: str
    legal_basis: str | None


@dataclass(frozen=True, slots=True)
class TrailItem:
    """An audit entry about the value with what the node knows of its actor (the role and
    organisation of an API key): the input of :func:`disclosure_for_person`."""

    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str | None
    legal_basis: str | None
    role: str | None = None
    organisation: str | None = None
    country: str | None = None


# What the access report leaves out. Telling the holder of a number that an investigation, a
# case, a scam operation, a request between authorities or a blind release to a partner
# authority concerns it would tip off the person the node exists to stop (often the scammer
# who holds a mule number). The law exempts such data from access while disclosure would
# prejudice the prevention or investigation of crime (GDPR article 23(1)(d) and national law;
# the Thai PDPA's exemptions for crime prevention and suppression). The operator still reads
# the whole trail with `scamintel audit trail`.
WITHHELD_LEGAL_BASES = frozenset({"law_enforcement"})
WITHHELD_ACTION_PREFIXES = (
    "case.",
    "operation.",
    "request.",
    "cross_border_request.",
    "blind_release.",
)
WITHHELD_OBJECT_TYPES = frozenset({"case", "operation", "cross_border_request", "blind_release"})
# An investigator's read is part of an investigation, whatever the action's own basis.
WITHHELD_ROLES = frozenset({"investigator"})
ACCESS_EXEMPTION = (
    "Not listed: entries kept for fraud prevention and law enforcement (investigations, "
    "cases, requests between authorities and releases to partner authorities), which the law "
    "exempts from access while disclosing them could prejudice the prevention or "
    "investigation of crime; and other people's requests about the value. Recipients are "
    "named by category."
)

STAFF = "staff of this node"
REPORTING_ORGANISATION = "a reporting organisation (bank, telco or platform)"
THE_PUBLIC = "the public (a visitor of this node's pages)"
THIS_NODE = "this node (automatic processing)"


def recipient_of(item: TrailItem) -> str:
    """Who saw or changed the data, by category: a partner node by its country (or name when
    the country is unknown), never a staff account."""
    if item.role == "partner" or item.actor.startswith("partner"):
        if item.country:
            return f"partner node in {item.country}"
        name = item.organisation or item.actor.partition(":")[2]
        return f"partner node {name}" if name else "a partner node"
    if item.role == "reporter":
        return REPORTING_ORGANISATION
    if item.role is not None or item.actor.startswith("cli"):
        return STAFF
    if item.actor == "public":
        return THE_PUBLIC
    return THIS_NODE


def disclosure_for_person(item: TrailItem, request_id: UUID) -> DisclosureHeld | None:
    """The entry as the person reads it, or None when it is withheld: law-enforcement
    entries, and data-subject requests other than this one (another person's request about
    the same value is theirs)."""
    if (
        item.legal_basis in WITHHELD_LEGAL_BASES
        or item.action.startswith(WITHHELD_ACTION_PREFIXES)
        or item.object_type in WITHHELD_OBJECT_TYPES
        or item.role in WITHHELD_ROLES
    ):
        return None
    if item.object_type == "subject_request" and item.object_id != str(request_id):
        return None
    return DisclosureHeld(item.at, recipient_of(item), item.action, item.legal_basis)


@dataclass(frozen=True, slots=True)
class DeletionHeld:
    what: str
    count: int
    deleted_on: datetime | None


@dataclass(frozen=True, slots=True)
class AccessReport:
    """What the node holds about one value, for the operator to send to the person once
    verified. Other people's narratives and contacts are never part of it."""

    request: SubjectRequest
    identifier: Indicator
    generated_at: datetime
    held: bool
    listing: ListingHeld | None = None
    reports: ReportsHeld = field(default_factory=ReportsHeld)
    # How many reports give the value as the reporter's own contact.
    own_contact_reports: int = 0
    disputes: tuple[DisputeHeld, ...] = ()
    outcomes: tuple[OutcomeHeld, ...] = ()
    partner_records: tuple[PartnerRecordHeld, ...] = ()
    disclosures: tuple[DisclosureHeld, ...] = ()
    deletions: tuple[DeletionHeld, ...] = ()
