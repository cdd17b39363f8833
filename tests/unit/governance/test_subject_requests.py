"""The data-subject request workflow as pure rules: deadlines, steps, and what the person reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from scamintel.governance.subject_requests import (
    MAX_GROUND,
    MAX_PURPOSE,
    RESPONSE_DAYS,
    ErasureHeldError,
    EvidenceHeld,
    InvalidSubjectRequestError,
    NewSubjectRequest,
    RequestKind,
    RequestStatus,
    SubjectRequest,
    TrailItem,
    TransitionError,
    check_erasure,
    check_purpose,
    complete,
    disclosure_for_person,
    erasure_outcome,
    identifier_key,
    new_request,
    next_steps,
    override_ground,
    public_outcome,
    refuse,
    verify,
)
from scamintel.indicators import Indicator, IndicatorType

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
PHONE = Indicator(IndicatorType.PHONE, "+66812345678", "TH")


def received(kind: RequestKind = RequestKind.ACCESS) -> SubjectRequest:
    return new_request(NewSubjectRequest(kind, PHONE, {"email": "a@example.com"}), uuid4(), NOW)


def test_a_request_is_due_thirty_days_after_receipt_and_overdue_only_while_open() -> None:
    request = received()
    assert request.status is RequestStatus.RECEIVED
    assert request.due_at == NOW + timedelta(days=RESPONSE_DAYS) == NOW + timedelta(days=30)
    late = NOW + timedelta(days=31)
    assert not request.overdue(NOW + timedelta(days=29))
    assert request.overdue(late)
    verified = verify(request, actor="dpo", now=NOW)
    assert verified.overdue(late)
    done = complete(verified, actor="dpo", now=late, outcome="report sent")
    assert not done.overdue(late)


def test_the_steps_go_received_verified_completed() -> None:
    verified = verify(received(), actor="dpo", now=NOW)
    assert (verified.status, verified.verified_by, verified.verified_at) == (
        RequestStatus.VERIFIED,
        "dpo",
        NOW,
    )
    done = complete(verified, actor="dpo2", now=NOW, outcome="  sent by e-mail ")
    assert (done.status, done.closed_by, done.outcome) == (
        RequestStatus.COMPLETED,
        "dpo2",
        "sent by e-mail",
    )


def test_an_unverified_request_cannot_be_completed() -> None:
    with pytest.raises(TransitionError, match="not verified"):
        complete(received(RequestKind.ERASURE), actor="dpo", now=NOW, outcome="")


def test_a_request_is_decided_once() -> None:
    verified = verify(received(), actor="dpo", now=NOW)
    done = complete(verified, actor="dpo", now=NOW, outcome="sent")
    with pytest.raises(TransitionError, match="already completed"):
        complete(done, actor="dpo", now=NOW, outcome="again")
    with pytest.raises(TransitionError, match="already completed"):
        refuse(done, actor="dpo", now=NOW, reason="too late")
    with pytest.raises(TransitionError, match="already verified"):
        verify(verified, actor="dpo", now=NOW)
    refused = refuse(received(), actor="dpo", now=NOW, reason="could not reach the caller")
    with pytest.raises(TransitionError, match="already refused"):
        verify(refused, actor="dpo", now=NOW)


def test_refusing_needs_a_reason_and_works_from_received_or_verified() -> None:
    with pytest.raises(InvalidSubjectRequestError, match="reason"):
        refuse(received(), actor="dpo", now=NOW, reason="  ")
    from_verified = refuse(
        verify(received(), actor="dpo", now=NOW), actor="dpo", now=NOW, reason="not the holder"
    )
    assert (from_verified.status, from_verified.outcome) == (
        RequestStatus.REFUSED,
        "not the holder",
    )
    assert "not the holder" in public_outcome(from_verified)


def test_a_web_site_is_not_a_persons_data() -> None:
    site = Indicator(IndicatorType.DOMAIN, "example.com")
    with pytest.raises(InvalidSubjectRequestError, match="dispute"):
        new_request(NewSubjectRequest(RequestKind.ERASURE, site), uuid4(), NOW)


def test_the_identifier_key_is_keyed_and_the_same_for_the_same_value() -> None:
    first = identifier_key("secret-a", PHONE)
    assert first == identifier_key("secret-a", Indicator(IndicatorType.PHONE, "+66812345678"))
    assert first != identifier_key("secret-b", PHONE)
    assert PHONE.value not in first
    assert len(first) == 64


def test_what_the_person_reads_never_names_the_value() -> None:
    request = received(RequestKind.ERASURE)
    words = [next_steps(request), public_outcome(request)]
    verified = verify(request, actor="dpo", now=NOW)
    words.append(public_outcome(verified))
    words.append(public_outcome(complete(verified, actor="dpo", now=NOW, outcome="erased: x")))
    assert all(PHONE.value not in text for text in words)
    assert request.reference in words[0]
    assert "2025-03-31" in words[0]


def test_an_erasure_outcome_gives_counts_only() -> None:
    text = erasure_outcome({"report_link": 2, "dispute": 0, "victim_contact": 1}, "by letter")
    assert text.startswith("erased: report_link 2, victim_contact 1")
    assert "dispute" not in text
    assert text.endswith("by letter")
    assert "nothing more" in erasure_outcome({"report_link": 0}, None)


def test_a_request_needs_an_email_or_phone_to_reach_the_person() -> None:
    for contact in (None, {}, {"name": "Somchai"}, {"email": "  ", "phone": ""}):
        with pytest.raises(InvalidSubjectRequestError, match=r"contact\.email or contact\.phone"):
            new_request(NewSubjectRequest(RequestKind.ACCESS, PHONE, contact), uuid4(), NOW)
    by_phone = NewSubjectRequest(RequestKind.ACCESS, PHONE, {"phone": "+66899999999"})
    assert new_request(by_phone, uuid4(), NOW).status is RequestStatus.RECEIVED


def test_a_purpose_fits_the_audit_log() -> None:
    assert check_purpose("  verify the caller ") == "verify the caller"
    assert check_purpose("x" * MAX_PURPOSE) == "x" * MAX_PURPOSE
    with pytest.raises(InvalidSubjectRequestError, match="60 characters"):
        check_purpose("x" * (MAX_PURPOSE + 1))
    with pytest.raises(InvalidSubjectRequestError, match="state the purpose"):
        check_purpose(" ")


def test_erasing_evidence_kept_for_fraud_prevention_needs_a_stated_ground() -> None:
    request = verify(received(RequestKind.ERASURE), actor="dpo", now=NOW)
    for evidence in (
        EvidenceHeld(reports=2),
        EvidenceHeld(outcomes=1),
        EvidenceHeld(listing="scam"),
    ):
        with pytest.raises(ErasureHeldError) as refused:
            check_erasure(request, evidence, None)
        words = str(refused.value)
        assert "kept for fraud prevention" in words
        assert "dispute" in words
        assert "--ground" in words
        assert "override_ground" in words
        check_erasure(request, evidence, "listing wrong: dispute upheld")
    # A value that is only a reporter's own contact is not evidence: the victim may erase it.
    check_erasure(request, EvidenceHeld(), None)
    assert "2 reports name it, it is listed as scam" in EvidenceHeld(2, 0, "scam").words()
    assert override_ground("  listing wrong ") == "listing wrong"
    assert override_ground(" ") is None
    with pytest.raises(InvalidSubjectRequestError, match="limited"):
        override_ground("x" * (MAX_GROUND + 1))
    outcome = erasure_outcome({"report_link": 1}, None, "listing wrong: dispute upheld")
    assert "overridden: listing wrong: dispute upheld" in outcome


def test_the_person_is_told_erasure_can_be_refused() -> None:
    assert "refused while the data is needed to prevent fraud" in next_steps(
        received(RequestKind.ERASURE)
    )


def trail_item(action: str, actor: str = "cli:somchai", **extra: object) -> TrailItem:
    fields: dict[str, object] = {
        "at": NOW,
        "actor": actor,
        "action": action,
        "object_type": action.split(".")[0],
        "object_id": "x",
        "legal_basis": "public_task",
    }
    fields.update(extra)
    return TrailItem(**fields)  # type: ignore[arg-type]


def test_the_access_report_names_recipients_by_category_and_leaves_law_enforcement_out() -> None:
    request = received()
    own = str(request.id)
    withheld = [
        trail_item("case.viewed", legal_basis="law_enforcement"),
        trail_item("operation.dossier_export", legal_basis="law_enforcement"),
        trail_item("request.sent", object_type="cross_border_request"),
        trail_item("cross_border_request.received", object_type="cross_border_request"),
        trail_item("blind_release.approved", legal_basis="partner_agreement"),
        trail_item("report.read", actor="key:inv1", object_type="report", role="investigator"),
        trail_item("subject_request.received", object_id=str(uuid4()), actor="public"),
    ]
    for item in withheld:
        assert disclosure_for_person(item, request.id) is None, item.action
    shown = {
        "staff": trail_item("report.read", actor="key:an1", object_type="report", role="analyst"),
        "cli": trail_item("report.read_personal_data", object_type="report"),
        "partner": trail_item(
            "federation.page_served",
            actor="key:p1",
            object_type="collection",
            role="partner",
            organisation="KH-NCC",
            country="KH",
        ),
        "bank": trail_item("outcome.frozen", actor="key:b1", role="reporter"),
        "own request": trail_item(
            "subject_request.viewed_personal_data", object_id=own, actor="key:dpo", role="admin"
        ),
        "public": trail_item("dispute.open", actor="public"),
    }
    recipients = {}
    for name, item in shown.items():
        disclosure = disclosure_for_person(item, request.id)
        assert disclosure is not None, name
        assert not hasattr(disclosure, "actor")
        assert not hasattr(disclosure, "purpose")
        if item.actor != "public":
            assert item.actor not in disclosure.recipient
        recipients[name] = disclosure.recipient
    assert recipients == {
        "staff": "staff of this node",
        "cli": "staff of this node",
        "partner": "partner node in KH",
        "bank": "a reporting organisation (bank, telco or platform)",
        "own request": "staff of this node",
        "public": "the public (a visitor of this node's pages)",
    }
