"""The cross-border request state machine, its checks and its SLA clock (cases.requests)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from scamintel.cases.requests import (
    DEFAULT_SLA_HOURS,
    MAX_SLA_HOURS,
    TRANSITIONS,
    AgreementTermsError,
    CrossBorderRequest,
    Delivery,
    Direction,
    NewRequest,
    Outcome,
    RequestEvent,
    RequestInvalidError,
    RequestKind,
    RequestStatus,
    SlaSettingsError,
    StepNotAllowedError,
    TransitionError,
    check_clock,
    check_step,
    check_subject,
    due_at,
    new_remote_steps,
    outcomes_of,
    outgoing_terms,
    refusal,
    sla_hours,
    step,
)
from scamintel.federation.agreement import Agreement, blind_selector
from scamintel.federation.markings import Purpose
from scamintel.indicators import Indicator, IndicatorType
from scamintel.settings import Settings

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
SELECTOR = "ab" * 32


def request(
    status: RequestStatus = RequestStatus.RECEIVED,
    kind: RequestKind = RequestKind.FREEZE_ACCOUNT,
    due: datetime = NOW + timedelta(hours=24),
) -> CrossBorderRequest:
    return CrossBorderRequest(
        request_id=uuid4(),
        direction=Direction.INCOMING,
        partner="MM-CCD",
        kind=kind,
        indicator_type=IndicatorType.BANK_ACCOUNT,
        value="TH:KBANK:1234567890",
        selector=None,
        purpose=Purpose.INVESTIGATION,
        reason="case 114",
        status=status,
        created_by="key:abc",
        created_at=NOW,
        updated_at=NOW,
        due_at=due,
        events=(RequestEvent(RequestStatus.RECEIVED, NOW, "key:abc"),),
    )


# -- transitions ----------------------------------------------------------------------------------
ALL_STEPS = [(source, target) for source in RequestStatus for target in RequestStatus]


@pytest.mark.parametrize(("source", "target"), ALL_STEPS)
def test_only_the_documented_steps_are_allowed(
    source: RequestStatus, target: RequestStatus
) -> None:
    allowed = {
        (RequestStatus.SENT, RequestStatus.RECEIVED),
        (RequestStatus.RECEIVED, RequestStatus.ACCEPTED),
        (RequestStatus.RECEIVED, RequestStatus.REJECTED),
        (RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS),
        (RequestStatus.ACCEPTED, RequestStatus.REJECTED),
        (RequestStatus.IN_PROGRESS, RequestStatus.FULFILLED),
        (RequestStatus.IN_PROGRESS, RequestStatus.REJECTED),
    }
    assert ((source, target) in allowed) == (target in TRANSITIONS[source])
    reason = "no legal basis" if target is RequestStatus.REJECTED else None
    if (source, target) in allowed:
        check_step(request(source), target, reason, None)
    else:
        with pytest.raises(TransitionError, match=f"is {source.value}; it "):
            check_step(request(source), target, reason, None)


def test_a_refused_step_names_the_statuses_and_the_commands_that_follow() -> None:
    received = request(RequestStatus.RECEIVED)
    with pytest.raises(StepNotAllowedError) as refused:
        check_step(received, RequestStatus.FULFILLED, None, None)
    assert str(refused.value) == (
        f"request {received.request_id} is received; it can go to accepted or rejected "
        "(next: accept or reject)"
    )
    assert refused.value.commands == ("accept", "reject")
    with pytest.raises(StepNotAllowedError) as later:
        check_step(request(RequestStatus.ACCEPTED), RequestStatus.FULFILLED, None, None)
    assert later.value.commands == ("start", "reject")


def test_a_final_request_says_it_is_final() -> None:
    with pytest.raises(StepNotAllowedError, match=r"it is final: no step follows$") as final:
        check_step(request(RequestStatus.FULFILLED), RequestStatus.ACCEPTED, None, None)
    assert final.value.commands == ()


@pytest.mark.parametrize("reason", [None, "", "no"])
def test_a_rejection_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(RequestInvalidError) as refused:
        check_step(request(), RequestStatus.REJECTED, reason, None)
    assert str(refused.value) == (
        "a rejection needs a reason the requester can act on (at least 3 characters)"
    )


@pytest.mark.parametrize(
    ("kind", "fitting"),
    [
        (RequestKind.FREEZE_ACCOUNT, {Outcome.FROZEN, Outcome.FALSE_POSITIVE}),
        (RequestKind.SUSPEND_NUMBER, {Outcome.BLOCKED, Outcome.FALSE_POSITIVE}),
        (RequestKind.TAKE_DOWN_DOMAIN, {Outcome.TAKEN_DOWN, Outcome.FALSE_POSITIVE}),
        (RequestKind.IDENTIFY_SUBSCRIBER, {Outcome.FALSE_POSITIVE}),
        (RequestKind.PRESERVE_DATA, {Outcome.FALSE_POSITIVE}),
        (RequestKind.SHARE_RAW_VALUE, {Outcome.FALSE_POSITIVE}),
    ],
)
def test_each_kind_is_fulfilled_only_with_its_outcomes(
    kind: RequestKind, fitting: set[Outcome]
) -> None:
    assert set(outcomes_of(kind)) == fitting
    working = request(RequestStatus.IN_PROGRESS, kind)
    for outcome in Outcome:
        if outcome in fitting:
            check_step(working, RequestStatus.FULFILLED, None, outcome)
        else:
            with pytest.raises(RequestInvalidError, match="can be fulfilled with outcome"):
                check_step(working, RequestStatus.FULFILLED, None, outcome)
    check_step(working, RequestStatus.FULFILLED, None, None)


def test_an_outcome_only_comes_with_fulfilment() -> None:
    with pytest.raises(RequestInvalidError, match="only when fulfilling"):
        check_step(request(), RequestStatus.ACCEPTED, None, Outcome.FROZEN)


def test_a_step_moves_status_reason_outcome_and_history() -> None:
    working = request(RequestStatus.IN_PROGRESS)
    done = step(
        working,
        RequestEvent(
            RequestStatus.FULFILLED, NOW + timedelta(hours=1), "cli:x", "done", Outcome.FROZEN
        ),
    )
    assert (done.status, done.status_reason, done.outcome) == (
        RequestStatus.FULFILLED,
        "done",
        Outcome.FROZEN,
    )
    assert done.updated_at == NOW + timedelta(hours=1)
    assert [e.status for e in done.events] == [RequestStatus.RECEIVED, RequestStatus.FULFILLED]


# -- what a request may name -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "indicator_type", "ok"),
    [
        (RequestKind.FREEZE_ACCOUNT, IndicatorType.BANK_ACCOUNT, True),
        (RequestKind.FREEZE_ACCOUNT, IndicatorType.CRYPTO_WALLET, True),
        (RequestKind.FREEZE_ACCOUNT, IndicatorType.PHONE, False),
        (RequestKind.SUSPEND_NUMBER, IndicatorType.PHONE, True),
        (RequestKind.SUSPEND_NUMBER, IndicatorType.URL, False),
        (RequestKind.TAKE_DOWN_DOMAIN, IndicatorType.URL, True),
        (RequestKind.TAKE_DOWN_DOMAIN, IndicatorType.DOMAIN, True),
        (RequestKind.TAKE_DOWN_DOMAIN, IndicatorType.EMAIL, False),
        (RequestKind.IDENTIFY_SUBSCRIBER, IndicatorType.IMEI, True),
        (RequestKind.IDENTIFY_SUBSCRIBER, IndicatorType.BANK_ACCOUNT, False),
        (RequestKind.PRESERVE_DATA, IndicatorType.DOMAIN, True),
    ],
)
def test_each_kind_takes_its_types(
    kind: RequestKind, indicator_type: IndicatorType, ok: bool
) -> None:
    if ok:
        check_subject(kind, indicator_type, "v", None)
    else:
        with pytest.raises(RequestInvalidError, match=f"cannot be about a {indicator_type.value}"):
            check_subject(kind, indicator_type, "v", None)


def test_a_request_names_one_value_or_one_selector() -> None:
    with pytest.raises(
        RequestInvalidError, match="either the value or the blind selector, not both"
    ):
        check_subject(RequestKind.PRESERVE_DATA, IndicatorType.PHONE, "v", SELECTOR)
    with pytest.raises(RequestInvalidError) as neither:
        check_subject(RequestKind.PRESERVE_DATA, IndicatorType.PHONE, None, None)
    assert str(neither.value) == (
        "neither a value nor a blind selector was given: give the one the request is about"
    )
    with pytest.raises(RequestInvalidError, match="64 lower-case hex"):
        check_subject(RequestKind.PRESERVE_DATA, IndicatorType.PHONE, None, "abc")
    check_subject(RequestKind.FREEZE_ACCOUNT, IndicatorType.BANK_ACCOUNT, None, SELECTOR)


def test_share_raw_value_asks_about_a_selector_only() -> None:
    with pytest.raises(RequestInvalidError, match="give --selector"):
        check_subject(RequestKind.SHARE_RAW_VALUE, IndicatorType.BANK_ACCOUNT, "v", None)
    check_subject(RequestKind.SHARE_RAW_VALUE, IndicatorType.BANK_ACCOUNT, None, SELECTOR)


def agreement(**changes: object) -> Agreement:
    terms: dict[str, object] = {
        "partner": "MM-CCD",
        "version": 1,
        "types": ["phone", "bank_account"],
        "markings": ["amber"],
        "share_as": "amber",
        "purposes": ["investigation"],
        "retention_days": 30,
    }
    return Agreement.model_validate(terms | changes)


def asked(
    kind: RequestKind = RequestKind.FREEZE_ACCOUNT,
    indicator_type: IndicatorType = IndicatorType.BANK_ACCOUNT,
    purpose: Purpose = Purpose.INVESTIGATION,
) -> NewRequest:
    return NewRequest(kind, indicator_type, "v", None, purpose, "case 114")


def test_the_partner_needs_an_agreement_listing_purpose_and_type() -> None:
    assert refusal(agreement(), "MM-CCD", asked()) is None
    assert "no sharing agreement" in str(refusal(None, "MM-CCD", asked()))
    assert "purpose prevention is not in the agreement" in str(
        refusal(agreement(), "MM-CCD", asked(purpose=Purpose.PREVENTION))
    )
    assert "type domain is not in the agreement" in str(
        refusal(agreement(), "MM-CCD", asked(RequestKind.PRESERVE_DATA, IndicatorType.DOMAIN))
    )
    raw = replace(asked(RequestKind.SHARE_RAW_VALUE), value=None, selector=SELECTOR)
    assert "does not share bank_account values blind" in str(refusal(agreement(), "MM-CCD", raw))
    blind = agreement(blind=["bank_account"], blind_key="k" * 40)
    assert refusal(blind, "MM-CCD", raw) is None
    # A value the agreement shares only blind must not arrive raw.
    assert "send the blind selector, not the value" in str(refusal(blind, "MM-CCD", asked()))


# -- the requester's side of the agreement (the exporter enforces it) ------------------------------
def test_nothing_is_sent_to_a_peer_without_an_agreement() -> None:
    with pytest.raises(AgreementTermsError, match="no sharing agreement with MM-CCD"):
        outgoing_terms(None, "MM-CCD", asked())


def test_a_purpose_or_type_outside_the_agreement_is_refused_saying_what_it_allows() -> None:
    with pytest.raises(AgreementTermsError, match=r"purpose prevention .* allows: investigation"):
        outgoing_terms(agreement(), "MM-CCD", asked(purpose=Purpose.PREVENTION))
    with pytest.raises(AgreementTermsError, match=r"type domain .* allows: bank_account, phone"):
        outgoing_terms(
            agreement(), "MM-CCD", asked(RequestKind.PRESERVE_DATA, IndicatorType.DOMAIN)
        )
    raw = replace(asked(RequestKind.SHARE_RAW_VALUE), value=None, selector=SELECTOR)
    with pytest.raises(AgreementTermsError, match=r"no selector to ask about \(blind types: none"):
        outgoing_terms(agreement(), "MM-CCD", raw)


def test_a_value_shared_only_blind_leaves_as_its_selector() -> None:
    key = "k" * 40
    terms = outgoing_terms(agreement(blind=["bank_account"], blind_key=key), "MM-CCD", asked())
    # The value stays on this node (its verdict engine needs it); the selector travels.
    assert terms.value == "v"
    assert terms.selector == blind_selector(key, Indicator(IndicatorType.BANK_ACCOUNT, "v"))
    assert outgoing_terms(agreement(), "MM-CCD", asked()) == asked()


# -- the partner's clock --------------------------------------------------------------------------
def test_the_partner_times_are_held_in_utc_and_must_make_sense() -> None:
    bangkok = timezone(timedelta(hours=7))
    created, due = check_clock(
        datetime(2026, 11, 29, 15, 0, tzinfo=bangkok),
        datetime(2026, 11, 30, 15, 0, tzinfo=bangkok),
        NOW,
    )
    assert (created, due) == (NOW, NOW + timedelta(hours=24))
    assert created.tzinfo is UTC
    with pytest.raises(RequestInvalidError, match="need a time zone"):
        check_clock(NOW.replace(tzinfo=None), NOW + timedelta(hours=1), NOW)
    with pytest.raises(RequestInvalidError, match="in the future"):
        check_clock(NOW + timedelta(hours=1), NOW + timedelta(hours=2), NOW)
    check_clock(NOW + timedelta(minutes=5), NOW + timedelta(hours=2), NOW)  # a little drift
    with pytest.raises(RequestInvalidError, match="due_at must be after created_at"):
        check_clock(NOW, NOW, NOW)
    with pytest.raises(RequestInvalidError, match="at most 720 hours"):
        check_clock(NOW, NOW + timedelta(hours=MAX_SLA_HOURS + 1), NOW)


# -- delivery --------------------------------------------------------------------------------------
def test_an_outgoing_request_is_pending_delivered_or_refused() -> None:
    sent = replace(request(RequestStatus.SENT), direction=Direction.OUTGOING)
    assert sent.delivery is Delivery.PENDING
    assert replace(sent, last_error="cannot reach MM-CCD").delivery is Delivery.PENDING
    assert replace(sent, delivered_at=NOW).delivery is Delivery.DELIVERED
    refused = replace(sent, last_error="MM-CCD answered 403: no agreement", refused_at=NOW)
    assert (refused.delivery, refused.refused_because) == (
        Delivery.REFUSED,
        "MM-CCD answered 403: no agreement",
    )
    assert request().delivery is None  # incoming: it is here


# -- SLA ------------------------------------------------------------------------------------------
def test_sla_defaults_cover_every_kind_and_overrides_replace_them() -> None:
    assert set(DEFAULT_SLA_HOURS) == set(RequestKind)
    table = sla_hours({"freeze_account": 12, "preserve_data": 0.0005})
    assert table[RequestKind.FREEZE_ACCOUNT] == 12
    assert table[RequestKind.PRESERVE_DATA] == 0.0005
    assert table[RequestKind.IDENTIFY_SUBSCRIBER] == 168
    assert due_at(RequestKind.FREEZE_ACCOUNT, NOW, table) == NOW + timedelta(hours=12)


def test_an_unknown_kind_or_a_bad_number_in_the_sla_settings_is_named() -> None:
    with pytest.raises(SlaSettingsError, match=r"'freeze'.* use one of: identify_subscriber"):
        sla_hours({"freeze": 1})
    with pytest.raises(SlaSettingsError, match="must be more than 0"):
        sla_hours({"freeze_account": 0})
    with pytest.raises(SlaSettingsError, match="at most 720"):
        sla_hours({"freeze_account": MAX_SLA_HOURS + 1})


def test_the_settings_refuse_an_unknown_kind_naming_the_valid_ones() -> None:
    with pytest.raises(ValidationError, match=r"names 'suspend'.*use one of: .*suspend_number"):
        Settings(request_sla_hours={"suspend": 4})
    assert Settings(request_sla_hours={"suspend_number": 4}).request_sla_hours == {
        "suspend_number": 4
    }


def test_overdue_is_open_and_past_due() -> None:
    due = NOW + timedelta(hours=1)
    open_request = request(RequestStatus.ACCEPTED, due=due)
    assert not open_request.overdue(due)
    assert open_request.overdue(due + timedelta(seconds=1))
    for final in (RequestStatus.FULFILLED, RequestStatus.REJECTED):
        assert not replace(open_request, status=final).overdue(due + timedelta(days=9))


# -- copying the partner's steps -----------------------------------------------------------------
def test_remote_steps_are_copied_once_and_in_order() -> None:
    sent = replace(
        request(RequestStatus.SENT),
        direction=Direction.OUTGOING,
        events=(RequestEvent(RequestStatus.SENT, NOW, "cli:me"),),
    )
    later = [NOW + timedelta(minutes=m) for m in range(4)]
    remote = [
        RequestEvent(RequestStatus.ACCEPTED, later[1], "partner"),
        RequestEvent(RequestStatus.RECEIVED, later[0], "partner"),
        RequestEvent(RequestStatus.IN_PROGRESS, later[2], "partner"),
    ]
    fresh = new_remote_steps(sent, remote)
    assert [e.status for e in fresh] == [
        RequestStatus.RECEIVED,
        RequestStatus.ACCEPTED,
        RequestStatus.IN_PROGRESS,
    ]
    held = sent
    for event in fresh:
        held = step(held, event)
    assert new_remote_steps(held, remote) == []
    # Same timestamps (one clock tick): the status order decides.
    tied = [
        RequestEvent(RequestStatus.ACCEPTED, NOW, "partner"),
        RequestEvent(RequestStatus.RECEIVED, NOW, "partner"),
    ]
    assert [e.status for e in new_remote_steps(sent, tied)] == [
        RequestStatus.RECEIVED,
        RequestStatus.ACCEPTED,
    ]


def test_a_remote_step_that_does_not_follow_stops_the_copy() -> None:
    sent = replace(request(RequestStatus.SENT), events=())
    skipping = [RequestEvent(RequestStatus.FULFILLED, NOW, "partner")]
    assert new_remote_steps(sent, skipping) == []


def test_request_ids_are_uuids() -> None:
    assert isinstance(request().request_id, UUID)
