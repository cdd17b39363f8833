"""The data-subject request workflow as pure rules: deadlines, steps, and what the person reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from scamintel.governance.subject_requests import (
    RESPONSE_DAYS,
    InvalidSubjectRequestError,
    NewSubjectRequest,
    RequestKind,
    RequestStatus,
    SubjectRequest,
    TransitionError,
    complete,
    erasure_outcome,
    identifier_key,
    new_request,
    next_steps,
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
