"""The importer: what a partner sent is checked again against this node's own agreement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scamintel.federation.agreement import Agreement
from scamintel.federation.intake import TLP1_MARKING_IDS, take_objects
from scamintel.federation.markings import TLP_MARKING_IDS, Purpose, SharingContext, Tlp
from scamintel.federation.stix import indicator_object
from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
KEY = "blind-key-" + "0" * 30
REGISTRY = default_registry()

SAMPLES: dict[IndicatorType, str] = {
    IndicatorType.PHONE: "+66812345678",
    IndicatorType.URL: "https://thai-post-parcel.com/pay",
    IndicatorType.DOMAIN: "thai-post-parcel.com",
    IndicatorType.BANK_ACCOUNT: "TH:KBANK:1234567890",
    IndicatorType.EMAIL: "refund@thai-post-parcel.com",
}


def canonicalise(indicator_type: IndicatorType, raw: str) -> Indicator:
    return REGISTRY.canonicalise(raw, indicator_type, ParseContext(default_region="TH"))


def agreement(**overrides: Any) -> Agreement:
    fields: dict[str, Any] = {
        "partner": "TH-AOC",
        "version": 1,
        "types": ["phone", "url", "bank_account"],
        "markings": ["clear", "green", "amber"],
        "share_as": "amber",
        "purposes": ["prevention"],
        "blind": ["bank_account"],
        "blind_key": KEY,
        "retention_days": 30,
    }
    return Agreement.model_validate({**fields, **overrides})


def shared(
    indicator_type: IndicatorType,
    tlp: Tlp = Tlp.AMBER,
    purpose: Purpose = Purpose.PREVENTION,
    **extra: Any,
) -> dict[str, Any]:
    obj = indicator_object(
        Indicator(indicator_type, SAMPLES[indicator_type]),
        SharingContext("TH-AOC", tlp, purpose),
        created=NOW,
        valid_from=NOW,
    )
    return {**obj, **extra}


def blind(indicator_type: IndicatorType, selector: str) -> dict[str, Any]:
    obj = shared(indicator_type)
    del obj["x_scamintel_value"]
    obj["x_scamintel_blind"] = selector
    obj["pattern"] = f"[x-scamintel-blind-selector:value = '{selector}']"
    return obj


def test_an_allowed_indicator_is_taken_with_its_facts() -> None:
    obj = shared(IndicatorType.PHONE, confidence=92, x_scamintel_report_count=3)
    obj["x_scamintel_verdict"] = "scam"
    intake = take_objects([obj], agreement(), canonicalise, NOW)
    assert intake.refused == []
    (item,) = intake.accepted
    assert (item.type, item.value, item.verdict) == (IndicatorType.PHONE, "+66812345678", "scam")
    assert (item.score, item.report_count, item.marking) == (0.92, 3, Tlp.AMBER)
    assert item.expires_at == NOW + timedelta(days=30)
    assert item.version == NOW


def test_what_the_agreement_does_not_allow_is_refused_with_the_reason() -> None:
    objects = [
        shared(IndicatorType.EMAIL),
        shared(IndicatorType.PHONE, tlp=Tlp.RED),
        shared(IndicatorType.PHONE, purpose=Purpose.INVESTIGATION),
        shared(IndicatorType.BANK_ACCOUNT),
    ]
    intake = take_objects(objects, agreement(), canonicalise, NOW)
    assert intake.accepted == []
    assert [refusal.reason for refusal in intake.refused] == [
        "type email is not in the agreement",
        "marking TLP:RED is not in the agreement",
        "purpose investigation is not in the agreement",
        "bank_account values must arrive as blind selectors",
    ]
    assert intake.refused[0].stix_id == objects[0]["id"]


def test_a_blind_selector_is_kept_without_a_value() -> None:
    selector = agreement().selector(Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890"))
    intake = take_objects(
        [blind(IndicatorType.BANK_ACCOUNT, selector)], agreement(), canonicalise, NOW
    )
    (item,) = intake.accepted
    assert item.value is None
    assert item.blind_hash == selector


def test_objects_of_other_tools_are_read_from_their_pattern_and_tlp1_marking() -> None:
    foreign = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--0f1c1b2a-2b0c-4a4e-9a53-5b1d8a0c9f11",
        "created": "2026-10-01T00:00:00.000Z",
        "modified": "2026-10-02T00:00:00Z",
        "pattern": "[url:value = 'https://Thai-Post-Parcel.com/pay']",
        "pattern_type": "stix",
        "valid_from": "2026-10-01T00:00:00Z",
        "object_marking_refs": [next(iter(TLP1_MARKING_IDS))],
    }
    intake = take_objects([foreign, {"type": "identity"}], agreement(), canonicalise, NOW)
    (item,) = intake.accepted
    assert item.value == "https://thai-post-parcel.com/pay"
    assert item.marking is Tlp.CLEAR
    assert intake.skipped == 1


def test_bad_objects_are_refused_not_raised() -> None:
    good = shared(IndicatorType.PHONE)
    objects: list[Any] = [
        {**good, "modified": "yesterday"},
        {**good, "spec_version": "2.0"},
        {**good, "id": "malware--1"},
        {**good, "x_scamintel_type": "sms"},
        {
            **good,
            "object_marking_refs": ["marking-definition--00000000-0000-4000-8000-000000000000"],
        },
        {**good, "x_scamintel_value": "not a phone"},
        {**good, "x_scamintel_report_count": -1},
        "not an object",
        {**good, "modified": "2024-13-45T99:99:99Z"},
        {**good, "confidence": 10**400},
        {**good, "object_marking_refs": TLP_MARKING_IDS[Tlp.RED]},
        {
            **good,
            "x_scamintel_value": None,
            "x_scamintel_type": None,
            "pattern": "[url:value = 'https://a.example/" + "x" * 3000 + "']",
        },
    ]
    intake = take_objects(objects, agreement(), canonicalise, NOW)
    assert intake.accepted == []
    reasons = [refusal.reason for refusal in intake.refused]
    assert reasons[:4] == [
        "modified is not a STIX timestamp",
        "spec_version is not 2.1",
        "id is not an indicator id",
        "unknown indicator type 'sms'",
    ]
    assert reasons[4] == "marked with a marking this node does not know (not TLP)"
    assert reasons[5].startswith("value is not a valid phone")
    assert reasons[6] == "x_scamintel_report_count must be an integer from 0 to 2147483647"
    assert reasons[7] == "not a STIX object"
    assert reasons[8] == "modified is not a STIX timestamp"
    assert reasons[9] == "confidence must be an integer from 0 to 100"
    assert reasons[10] == "object_marking_refs is not a list of marking ids"
    assert reasons[11].startswith("value is")


types_st = st.sets(st.sampled_from(list(SAMPLES)), min_size=1)
markings_st = st.sets(st.sampled_from(list(Tlp)), min_size=1)
purposes_st = st.sets(st.sampled_from(list(Purpose)), min_size=1)


@st.composite
def agreements(draw: st.DrawFn) -> Agreement:
    types = draw(types_st)
    markings = draw(markings_st)
    return agreement(
        types=sorted(types),
        markings=sorted(markings),
        share_as=draw(st.sampled_from(sorted(markings))),
        purposes=sorted(draw(purposes_st)),
        blind=sorted(draw(st.sets(st.sampled_from(sorted(types))))),
    )


@st.composite
def objects(draw: st.DrawFn) -> dict[str, Any]:
    indicator_type = draw(st.sampled_from(list(SAMPLES)))
    obj = shared(
        indicator_type,
        tlp=draw(st.sampled_from(list(Tlp))),
        purpose=draw(st.sampled_from(list(Purpose))),
    )
    if draw(st.booleans()):
        return blind(indicator_type, "ab" * 32) | {
            "object_marking_refs": obj["object_marking_refs"],
            "x_scamintel_purpose": obj["x_scamintel_purpose"],
        }
    return obj


@settings(max_examples=200, deadline=None)
@given(agreements(), st.lists(objects(), max_size=12))
def test_what_is_taken_is_always_within_the_agreement(
    terms: Agreement, batch: list[dict[str, Any]]
) -> None:
    intake = take_objects(batch, terms, canonicalise, NOW)
    assert len(intake.accepted) + len(intake.refused) == len(batch)
    for item in intake.accepted:
        assert item.type in terms.types
        assert item.marking in terms.markings
        assert item.purpose in terms.purposes
        if item.type in terms.blind:
            assert item.value is None
            assert item.blind_hash is not None
