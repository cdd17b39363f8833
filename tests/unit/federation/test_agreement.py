"""Sharing agreements: parsing with errors that say what to fix, and the checks both sides use."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import yaml

from scamintel.federation.agreement import (
    Agreement,
    AgreementError,
    agreement_from_document,
    blind_selector,
    parse_agreement,
)
from scamintel.federation.markings import Purpose, Tlp
from scamintel.indicators import Indicator, IndicatorType

KEY = "k" * 40
EXAMPLE = f"""
# what TH shares with MM
partner: MM-CCD
version: 2
types: [phone, url, bank_account]
markings: [clear, green, amber]
share_as: amber
purposes: [prevention, investigation]
blind: [bank_account]
blind_key: "{KEY}"
victim_data: never
retention_days: 180
onward_sharing: false
push: true
legal_basis: "ASEAN MoU 2025, art. 4"
"""


def test_a_full_agreement_parses_from_yaml() -> None:
    agreement = parse_agreement(EXAMPLE)
    assert agreement.partner == "MM-CCD"
    assert agreement.types == {IndicatorType.PHONE, IndicatorType.URL, IndicatorType.BANK_ACCOUNT}
    assert agreement.share_as is Tlp.AMBER
    assert agreement.is_blind(IndicatorType.BANK_ACCOUNT)
    assert not agreement.is_blind(IndicatorType.PHONE)
    assert agreement.push
    assert agreement.victim_data == "never"


def test_json_is_read_as_well() -> None:
    text = (
        '{"partner": "KH-NPA", "version": 1, "types": ["url"], "markings": ["clear"], '
        '"share_as": "clear", "purposes": ["prevention"], "retention_days": 30}'
    )
    agreement = parse_agreement(text)
    assert agreement.partner == "KH-NPA"
    assert agreement.victim_data == "never"
    assert not agreement.onward_sharing


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("version", "zero", "version: Input should be a valid integer"),
        ("types", ["phone", "sms"], "types.1: Input should be"),
        ("share_as", "red", "share_as 'red' must be one of the markings"),
        ("blind", ["email"], "blind types must also be in types (not in types: email)"),
        ("blind_key", "short", "blind_key must be at least 32 characters"),
        ("retention_days", 0, "retention_days: Input should be greater than or equal to 1"),
        ("victim_data", "always", "victim_data: Input should be 'never' or"),
        ("sharing", "everything", "sharing: Extra inputs are not permitted"),
    ],
)
def test_a_bad_field_is_named_in_the_error(field: str, value: object, message: str) -> None:
    data = yaml.safe_load(EXAMPLE)
    data[field] = value
    with pytest.raises(AgreementError) as raised:
        parse_agreement(yaml.safe_dump(data), "mm.yaml")
    assert str(raised.value).startswith("mm.yaml: ")
    assert message in str(raised.value)


def test_blind_types_without_a_key_are_refused() -> None:
    text = EXAMPLE.replace(f'blind_key: "{KEY}"', "")
    with pytest.raises(AgreementError, match="blind types need a blind_key"):
        parse_agreement(text)


def test_not_a_mapping_is_refused() -> None:
    with pytest.raises(AgreementError, match="must be a mapping"):
        parse_agreement("- just\n- a list\n")
    with pytest.raises(AgreementError, match="not valid YAML"):
        parse_agreement("partner: [unclosed")


def test_the_selector_is_hmac_sha256_of_type_and_canonical_value() -> None:
    account = Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890")
    expected = hmac.new(
        KEY.encode(), b"bank_account\x00TH:KBANK:1234567890", hashlib.sha256
    ).hexdigest()
    assert parse_agreement(EXAMPLE).selector(account) == expected
    assert blind_selector("x" * 40, account) != expected


def test_the_importer_check_names_the_rule_broken() -> None:
    agreement = parse_agreement(EXAMPLE)
    allowed = agreement.refusal(IndicatorType.PHONE, Tlp.GREEN, Purpose.PREVENTION, blind=False)
    assert allowed is None
    assert agreement.refusal(IndicatorType.EMAIL, Tlp.GREEN, Purpose.PREVENTION, blind=False) == (
        "type email is not in the agreement"
    )
    assert agreement.refusal(IndicatorType.PHONE, Tlp.RED, Purpose.PREVENTION, blind=False) == (
        "marking TLP:RED is not in the agreement"
    )
    assert agreement.refusal(
        IndicatorType.BANK_ACCOUNT, Tlp.AMBER, Purpose.PREVENTION, blind=False
    ) == ("bank_account values must arrive as blind selectors")


def test_the_stored_document_never_holds_the_key_and_round_trips() -> None:
    agreement = parse_agreement(EXAMPLE)
    document = agreement.document()
    assert KEY not in str(document)
    assert document["has_blind_key"] is True
    # Both nodes' agreements about each other show the same fingerprint for the same key.
    mirror = agreement.model_copy(update={"partner": "TH-AOC"})
    assert document["blind_key_fingerprint"] == mirror.document()["blind_key_fingerprint"]
    assert len(document["blind_key_fingerprint"]) == 16
    again = agreement_from_document(json.dumps(document), KEY)
    assert again == agreement
    assert again.fingerprint() == agreement.fingerprint()


def test_each_partner_has_its_own_collection() -> None:
    one = parse_agreement(EXAMPLE)
    other = Agreement.model_validate({**one.model_dump(), "partner": "KH-NPA", "blind_key": KEY})
    assert one.collection_id != other.collection_id
    assert one.collection_id == parse_agreement(EXAMPLE).collection_id
