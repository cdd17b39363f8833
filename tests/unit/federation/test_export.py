"""What a partner's collection serves: listings marked as the agreement says, with blind
selectors that carry no raw value (docs/federation.md)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from scamintel.federation.agreement import Agreement, parse_agreement
from scamintel.federation.export import (
    blind_object_id,
    export_id,
    export_object,
    exports_listings,
)
from scamintel.federation.intake import take_objects
from scamintel.federation.markings import SCAMINTEL_NAMESPACE, TLP_MARKING_IDS, Tlp
from scamintel.federation.stix import bundle_of, indicator_id
from scamintel.federation.taxii import REMOVED, PublishedListing
from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from unit.federation.test_stix_mapping import WRITTEN, assert_valid, canonical

CHANGED = datetime(2025, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)
FIRST_SEEN = datetime(2025, 5, 1, tzinfo=UTC)
KEY = "a-blind-key-both-nodes-share-0123456789"
BLIND = (IndicatorType.PHONE, IndicatorType.BANK_ACCOUNT, IndicatorType.EWALLET)


def agreement(**overrides: Any) -> Agreement:
    fields: dict[str, Any] = {
        "partner": "KH-NCC",
        "version": 3,
        "types": [t.value for t in IndicatorType],
        "markings": ["green", "amber"],
        "share_as": "amber",
        "purposes": ["prevention", "investigation"],
        "blind": [t.value for t in BLIND],
        "blind_key": KEY,
        "retention_days": 90,
        "legal_basis": "TH-KH MoU 2025, art. 4",
    }
    fields.update(overrides)
    return parse_agreement(json.dumps(fields), "test agreement")


def listing(item: Indicator, verdict: str = "scam", seq: int = 1) -> PublishedListing:
    return PublishedListing(
        type=item.type.value,
        value=item.value,
        verdict=verdict,
        score=0.9 if verdict != REMOVED else 0.0,
        change_seq=seq,
        changed_at=CHANGED,
        first_seen=FIRST_SEEN,
        indicator_id=seq,
    )


def raw_forms(indicator_type: IndicatorType) -> list[str]:
    """The value as canonical, as written, and the parts of it a reader could search for."""
    value = canonical(indicator_type).value
    forms = [value, WRITTEN[indicator_type], value.split(":")[-1]]
    if indicator_type is IndicatorType.PHONE:
        forms += [value.removeprefix("+"), "0" + value.removeprefix("+66")]
    return forms


def test_a_raw_type_goes_marked_as_the_agreement_says_with_its_report_count() -> None:
    item = canonical(IndicatorType.URL)
    obj = export_object(listing(item), agreement(), "th-aoc", report_count=7)
    assert obj["id"] == indicator_id(item) == export_id(listing(item), agreement())
    assert obj["object_marking_refs"] == [TLP_MARKING_IDS[Tlp.AMBER]]
    assert obj["x_scamintel_origin"] == "th-aoc"
    assert obj["x_scamintel_purpose"] == "prevention"
    assert obj["x_scamintel_legal_basis"] == "TH-KH MoU 2025, art. 4"
    assert obj["x_scamintel_report_count"] == 7
    assert obj["x_scamintel_value"] == item.value
    assert "x_scamintel_blind" not in obj


def test_a_blind_type_goes_as_a_selector_without_its_raw_value_anywhere() -> None:
    terms = agreement()
    for indicator_type in BLIND:
        item = canonical(indicator_type)
        obj = export_object(listing(item), terms, "th-aoc", report_count=2)
        selector = terms.selector(item)
        expected_id = f"indicator--{uuid.uuid5(SCAMINTEL_NAMESPACE, 'blind' + chr(0) + selector)}"
        assert obj["id"] == expected_id == blind_object_id(selector)
        assert obj["id"] != indicator_id(item)
        assert export_id(listing(item), terms) == obj["id"]
        assert obj["pattern"] == f"[x-scamintel-blind-selector:value = '{selector}']"
        assert obj["name"] == f"blind {indicator_type.value} selector"
        assert obj["x_scamintel_type"] == indicator_type.value
        assert obj["x_scamintel_blind"] == selector
        assert obj["x_scamintel_report_count"] == 2
        assert "x_scamintel_value" not in obj
        text = json.dumps(obj, ensure_ascii=False)
        for form in raw_forms(indicator_type):
            assert form not in text, (indicator_type, form)


def test_another_key_gives_other_selectors_and_ids() -> None:
    item = canonical(IndicatorType.PHONE)
    mine = export_object(listing(item), agreement(), "th-aoc", 1)
    other = agreement(partner="LA-MPS", blind_key="another-key-another-partner-0123456789")
    theirs = export_object(listing(item), other, "th-aoc", 1)
    assert mine["x_scamintel_blind"] != theirs["x_scamintel_blind"]
    assert mine["id"] != theirs["id"]


def test_a_removed_listing_is_the_same_object_revoked_in_both_forms() -> None:
    terms = agreement()
    for indicator_type in (IndicatorType.PHONE, IndicatorType.DOMAIN):
        item = canonical(indicator_type)
        listed = export_object(listing(item), terms, "th-aoc", 3)
        removed = export_object(listing(item, REMOVED, seq=2), terms, "th-aoc", 3)
        assert removed["id"] == listed["id"]
        assert removed["revoked"] is True
        assert listed["revoked"] is False


def test_every_exported_bundle_passes_the_validator_blind_objects_included() -> None:
    terms = agreement(share_as="green")
    objects = []
    for seq, indicator_type in enumerate(IndicatorType, start=1):
        item = canonical(indicator_type)
        objects.append(export_object(listing(item, seq=seq), terms, "th-aoc", seq))
        objects.append(export_object(listing(item, REMOVED, seq=seq), terms, "th-aoc", 0))
    assert {o["object_marking_refs"][0] for o in objects} == {TLP_MARKING_IDS[Tlp.GREEN]}
    assert_valid(bundle_of(objects))


def test_the_partner_reads_back_what_was_exported_raw_and_blind() -> None:
    """The importer of the partner node, under its mirror agreement, takes every object."""
    ours = agreement()
    mirror = agreement(partner="th-aoc")
    registry = default_registry()
    objects = [
        export_object(listing(canonical(t), seq=n), ours, "th-aoc", n)
        for n, t in enumerate(IndicatorType, start=1)
    ]
    received = take_objects(
        objects,
        mirror,
        lambda t, raw: registry.canonicalise(raw, t, ParseContext(default_region="KH")),
        CHANGED + timedelta(hours=1),
    )
    assert received.refused == []
    by_type = {item.type: item for item in received.accepted}
    assert set(by_type) == set(IndicatorType)
    for indicator_type, item in by_type.items():
        if indicator_type in BLIND:
            assert item.value is None
            assert item.blind_hash == ours.selector(canonical(indicator_type))
        else:
            assert item.value == canonical(indicator_type).value
        assert item.report_count > 0
        assert item.marking is Tlp.AMBER


def test_nothing_goes_without_prevention_among_the_purposes() -> None:
    assert exports_listings(agreement())
    assert not exports_listings(agreement(purposes=["investigation"]))
