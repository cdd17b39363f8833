"""MISP events as reports: what each attribute, object and tag becomes."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from typing import Any

import pytest

from scamintel.reports.bulk import (
    FileFormat,
    ParserSettings,
    RawRow,
    RowParser,
    RowProblem,
    read_rows,
)
from scamintel.reports.misp import MispEventError, MispFormatError, event_fields, events_in
from scamintel.reports.model import EvidenceFile, NewReport
from scamintel.reports.submission import MAX_INDICATORS

TRON_WALLET = "TAGhRS8An9JESopMDSAufx9m6VUDLCk7t9"
BTC_WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
ETH_WALLET = "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae"
ETH_CHECKSUMMED = "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe"


# --- factories ---------------------------------------------------------------------------


def attribute(kind: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"uuid": str(uuid.uuid4()), "type": kind, "value": value, **extra}


def misp_object(name: str, *relations: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "uuid": str(uuid.uuid4()),
        "Attribute": [
            {"object_relation": relation, "type": "text", "value": value}
            for relation, value in relations
        ],
        **extra,
    }


def tag(name: str) -> dict[str, str]:
    return {"name": name}


def event(
    *,
    attributes: list[dict[str, Any]] | None = None,
    objects: list[dict[str, Any]] | None = None,
    tags: list[str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "info": "Fake investment platform on LINE",
        "date": "2025-01-15",
        "Attribute": attributes or [],
        "Object": objects or [],
        "Tag": [tag(name) for name in tags or []],
        **fields,
    }
    return {"Event": body}


def report_of(item: dict[str, Any]) -> NewReport:
    parsed = RowParser(ParserSettings(region="TH")).parse(RawRow(1, "", event_fields(item)))
    assert isinstance(parsed, NewReport), parsed
    return parsed


def problem_of(item: dict[str, Any]) -> str:
    parsed = RowParser(ParserSettings(region="TH")).parse(RawRow(1, "", event_fields(item)))
    assert isinstance(parsed, RowProblem), parsed
    return parsed.reason


def indicators_of(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (found.indicator.type.value, found.indicator.value)
        for found in report_of(item).indicators
        if found.origin == "given"
    ]


# --- the event ---------------------------------------------------------------------------


def test_one_event_is_one_report_named_by_the_event_uuid_and_dated_by_its_date() -> None:
    item = event(attributes=[attribute("phone-number", "+66812345678")])
    fields = event_fields(item)
    assert fields["external_id"] == item["Event"]["uuid"]
    report = report_of(item)
    assert report.idempotency_key == f"ingest:{item['Event']['uuid']}"
    assert report.occurred_at is not None
    assert report.occurred_at.isoformat() == "2025-01-15T00:00:00+00:00"


def test_the_narrative_is_the_info_then_the_comment_and_text_attributes() -> None:
    item = event(
        attributes=[
            attribute("comment", "Victim lost 120,000 THB"),
            attribute("text", "Asked to top up a trading account"),
            attribute("url", "https://invest-th.top/login"),
        ]
    )
    assert event_fields(item)["narrative"] == (
        "Fake investment platform on LINE\n\nVictim lost 120,000 THB\n\n"
        "Asked to top up a trading account"
    )


def test_scam_type_channel_and_victim_country_come_from_scamintel_tags() -> None:
    item = event(
        attributes=[attribute("phone-number", "081-234-5678")],
        tags=[
            "tlp:clear",
            'scamintel:scam-type="job-task"',
            'scamintel:channel="telegram"',
            'scamintel:victim-country="th"',
        ],
    )
    report = report_of(item)
    assert (report.scam_type.value, report.channel.value, report.victim_country) == (
        "job_task",
        "telegram",
        "TH",
    )


def test_tags_given_as_event_tag_links_count_too() -> None:
    item = event(attributes=[attribute("phone-number", "+66812345678")])
    item["Event"]["EventTag"] = [{"Tag": tag('scamintel:scam-type="romance"')}]
    assert report_of(item).scam_type.value == "romance"


def test_an_event_without_scamintel_tags_is_of_type_other_with_no_victim_country() -> None:
    report = report_of(event(attributes=[attribute("phone-number", "+66812345678")]))
    assert (report.scam_type.value, report.channel.value, report.victim_country) == (
        "other",
        "other",
        None,
    )


def test_an_unknown_scam_type_tag_refuses_the_event_listing_the_codes() -> None:
    reason = problem_of(event(tags=['scamintel:scam-type="pig-butchering"']))
    assert reason.startswith("scam_type:")
    assert "investment" in reason


def test_two_different_scam_type_tags_refuse_the_event() -> None:
    item = event(tags=['scamintel:scam-type="loan"', 'scamintel:scam-type="romance"'])
    with pytest.raises(MispEventError, match="two scam-type values"):
        event_fields(item)


# --- TLP markings ------------------------------------------------------------------------
PHONE = attribute("phone-number", "+66812345678")
REFUSAL = (
    "its indicators would be published in this node's public check and blocklists; import "
    "only events marked TLP:CLEAR (TLP:GREEN allows sharing within a community, not "
    "publication; ask the sender to re-mark the event)"
)


def refusal_of(item: dict[str, Any]) -> str:
    with pytest.raises(MispEventError) as refused:
        event_fields(item)
    return str(refused.value)


@pytest.mark.parametrize("marking", [None, "tlp:clear", "tlp:white", "TLP:CLEAR"])
def test_an_event_unmarked_or_marked_for_sharing_is_imported(marking: str | None) -> None:
    item = event(attributes=[PHONE], tags=[marking] if marking else [])
    assert indicators_of(item) == [("phone", "+66812345678")]


@pytest.mark.parametrize(
    ("marking", "named"),
    [
        ("tlp:green", "TLP:GREEN"),
        ("tlp:amber", "TLP:AMBER"),
        ("tlp:amber+strict", "TLP:AMBER+STRICT"),
        ("tlp:red", "TLP:RED"),
        ("TLP:RED", "TLP:RED"),
        ("tlp:unclear", "TLP:UNCLEAR"),
    ],
)
def test_an_event_marked_green_amber_red_or_unknown_is_refused_with_the_reason(
    marking: str, named: str
) -> None:
    item = event(attributes=[PHONE], tags=['scamintel:scam-type="investment"', marking])
    assert refusal_of(item) == f"the event is marked {named}: {REFUSAL}"


def test_a_restricting_marking_refuses_the_event_even_beside_a_clear_one() -> None:
    item = event(attributes=[PHONE], tags=["tlp:clear", "tlp:amber+strict"])
    with pytest.raises(MispEventError, match=r"marked TLP:AMBER\+STRICT"):
        event_fields(item)


def test_a_marking_given_as_an_event_tag_link_counts_too() -> None:
    item = event(attributes=[PHONE])
    item["Event"]["EventTag"] = [{"Tag": tag("tlp:red")}]
    assert refusal_of(item) == f"the event is marked TLP:RED: {REFUSAL}"


def test_an_attribute_marked_more_strictly_than_its_event_refuses_the_event() -> None:
    secret = attribute("url", "https://invest-th.top/login", Tag=[tag("tlp:red")])
    item = event(attributes=[PHONE, secret], tags=["tlp:clear"])
    assert refusal_of(item) == f"an attribute of the event (url) is marked TLP:RED: {REFUSAL}"
    inner = misp_object("phone-number", ("phone-number", "+66812345679"))
    inner["Attribute"][0]["Tag"] = [tag("tlp:amber")]
    assert "is marked TLP:AMBER" in refusal_of(event(objects=[inner]))


def test_a_refused_marking_goes_to_the_rejects_with_the_events_json() -> None:
    refused = event(attributes=[PHONE], tags=["tlp:amber"])
    text = json.dumps([event(attributes=[PHONE], tags=["tlp:clear"]), refused])
    rows = list(read_rows(io.StringIO(text), FileFormat.MISP))
    assert rows[0].problem is None
    assert rows[1].problem == f"the event is marked TLP:AMBER: {REFUSAL}"
    assert json.loads(rows[1].text) == refused


# --- attributes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("phone-number", "+66 81 234 5678", [("phone", "+66812345678")]),
        ("whois-registrant-phone", "+66812345678", [("phone", "+66812345678")]),
        ("ip-src", "203.0.113.9", [("ip", "203.0.113.9")]),
        ("ip-dst", "203.0.113[.]10", [("ip", "203.0.113.10")]),
        ("domain", "invest-th.top", [("domain", "invest-th.top")]),
        ("hostname", "login.invest-th.top", [("domain", "invest-th.top")]),
        ("url", "hxxps://invest-th[.]top/login", [("url", "https://invest-th.top/login")]),
        ("email", "Support@Invest-TH.top", [("email", "support@invest-th.top")]),
        ("email-src", "a@invest-th.top", [("email", "a@invest-th.top")]),
        ("email-reply-to", "b@invest-th.top", [("email", "b@invest-th.top")]),
        ("btc", BTC_WALLET, [("crypto_wallet", f"BTC:{BTC_WALLET}")]),
        ("ip-dst|port", "203.0.113.9|443", [("ip", "203.0.113.9")]),
        ("hostname|port", "pay.invest-th.top|8443", [("domain", "invest-th.top")]),
        (
            "domain|ip",
            "invest-th.top|203.0.113.9",
            [("domain", "invest-th.top"), ("ip", "203.0.113.9")],
        ),
    ],
)
def test_attributes_become_indicators_of_the_matching_type(
    kind: str, value: str, expected: list[tuple[str, str]]
) -> None:
    assert indicators_of(event(attributes=[attribute(kind, value)])) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
        (
            "xmr",
            "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge",
        ),
        ("vulnerability", "CVE-2024-0001"),
        ("email-dst", "victim@example.com"),
        ("target-email", "victim@example.com"),
    ],
)
def test_attribute_types_this_node_does_not_hold_are_skipped(kind: str, value: str) -> None:
    item = event(attributes=[attribute(kind, value), attribute("phone-number", "+66812345678")])
    assert indicators_of(item) == [("phone", "+66812345678")]


def test_a_link_is_an_indicator_only_when_it_was_delivered_to_victims() -> None:
    item = event(
        attributes=[
            attribute("link", "https://news.example.org/story", category="External analysis"),
            attribute("link", "https://invest-th.top/app", category="Payload delivery"),
        ]
    )
    assert indicators_of(item) == [("url", "https://invest-th.top/app")]


def test_deleted_attributes_and_objects_are_skipped() -> None:
    item = event(
        attributes=[
            attribute("phone-number", "+66812345678", deleted=True),
            attribute("phone-number", "+66898765432"),
        ],
        objects=[misp_object("phone-number", ("phone-number", "+66811111111"), deleted=True)],
    )
    assert indicators_of(item) == [("phone", "+66898765432")]


def test_an_unreadable_value_refuses_the_event_naming_it() -> None:
    reason = problem_of(event(attributes=[attribute("phone-number", "12")]))
    assert "indicators[0] '12'" in reason


def test_an_event_with_more_indicators_than_a_report_holds_is_refused() -> None:
    numbers = [attribute("ip-dst", f"203.0.113.{n}") for n in range(MAX_INDICATORS + 1)]
    with pytest.raises(MispEventError, match="at most 50: split it"):
        event_fields(event(attributes=numbers))


def test_the_same_value_in_several_attributes_is_one_indicator() -> None:
    item = event(attributes=[attribute("domain", "invest-th.top")] * 2)
    assert event_fields(item)["indicators"] == [{"type": "domain", "value": "invest-th.top"}]


# --- objects -----------------------------------------------------------------------------


def test_a_phone_number_object_gives_its_phone_number() -> None:
    item = event(
        objects=[
            misp_object("phone-number", ("phone-number", "+959420123456"), ("country-code", "MM"))
        ]
    )
    assert indicators_of(item) == [("phone", "+959420123456")]


def test_a_bank_account_with_a_known_bic_is_that_banks_account() -> None:
    item = event(
        objects=[
            misp_object("bank-account", ("account", "123-4-56789-0"), ("swift", "KASITHBKXXX"))
        ]
    )
    assert indicators_of(item) == [("bank_account", "TH:KBANK:1234567890")]


def test_a_bank_account_with_a_national_bank_code_is_read_in_the_bics_or_victims_country() -> None:
    item = event(
        objects=[
            misp_object("bank-account", ("account", "1234567890"), ("institution-code", "004"))
        ],
        tags=['scamintel:victim-country="TH"'],
    )
    assert indicators_of(item) == [("bank_account", "TH:KBANK:1234567890")]


def test_a_bank_account_with_a_bank_name_is_read_as_the_name_and_number() -> None:
    item = event(
        objects=[
            misp_object(
                "bank-account", ("account", "0011001234567"), ("institution-name", "Vietcombank")
            )
        ]
    )
    assert indicators_of(item) == [("bank_account", "VN:VCB:0011001234567")]


def test_a_bank_account_of_a_known_bank_with_the_wrong_length_is_refused_with_the_reason() -> None:
    item = event(objects=[misp_object("bank-account", ("account", "12345"), ("swift", "KASITHBK"))])
    assert "Kasikornbank account numbers have 10 digits" in problem_of(item)


@pytest.mark.parametrize(
    "relations",
    [
        (("account", "1234567890"),),
        (("account", "1234567890"), ("swift", "ZZZZDEFF")),
        (("iban", "DE89370400440532013000"),),
        (("account", "1234567890"), ("institution-name", "Bank of Nowhere")),
    ],
)
def test_a_bank_account_not_tied_to_a_known_bank_refuses_the_event(
    relations: tuple[tuple[str, str], ...],
) -> None:
    reason = problem_of(event(objects=[misp_object("bank-account", *relations)]))
    assert "known bank's name and the number" in reason


@pytest.mark.parametrize(
    ("relations", "expected"),
    [
        ((("address", BTC_WALLET), ("symbol", "BTC")), f"BTC:{BTC_WALLET}"),
        ((("address", TRON_WALLET), ("symbol", "TRX")), f"TRON:{TRON_WALLET}"),
        ((("address", TRON_WALLET), ("symbol", "USDT")), f"TRON:{TRON_WALLET}"),
        ((("address-crypto", ETH_WALLET), ("symbol", "PEPE")), f"ETH:{ETH_CHECKSUMMED}"),
        ((("address", BTC_WALLET),), f"BTC:{BTC_WALLET}"),
    ],
)
def test_a_coin_address_is_a_wallet_on_the_chain_its_symbol_or_form_says(
    relations: tuple[tuple[str, str], ...], expected: str
) -> None:
    item = event(objects=[misp_object("coin-address", *relations)])
    assert indicators_of(item) == [("crypto_wallet", expected)]


def test_a_coin_address_of_a_coin_this_node_does_not_hold_is_skipped() -> None:
    item = event(
        attributes=[attribute("phone-number", "+66812345678")],
        objects=[
            misp_object(
                "coin-address", ("address", "LZ3wzUnqD8gJ7dy7cLoSzbHbJYFXJQhZHr"), ("symbol", "LTC")
            )
        ],
    )
    assert indicators_of(item) == [("phone", "+66812345678")]


def test_a_coin_address_with_a_bad_checksum_refuses_the_event() -> None:
    bad = TRON_WALLET[:-1] + "a"
    item = event(objects=[misp_object("coin-address", ("address", bad), ("symbol", "TRX"))])
    assert "bad checksum" in problem_of(item)


# --- evidence ----------------------------------------------------------------------------


def test_file_hashes_become_evidence() -> None:
    screenshot = hashlib.sha256(b"screenshot").hexdigest()
    app = hashlib.sha256(b"app").hexdigest()
    chat = hashlib.sha256(b"chat").hexdigest()
    item = event(
        attributes=[
            attribute("sha256", screenshot.upper()),
            attribute("filename|sha256", f"invest.apk|{app}"),
        ],
        objects=[
            misp_object(
                "file",
                ("sha256", chat),
                ("filename", "chat.png"),
                ("mimetype", "image/png"),
                ("size-in-bytes", "2048"),
            )
        ],
    )
    assert set(report_of(item).evidence) == {
        EvidenceFile(screenshot),
        EvidenceFile(app, "invest.apk"),
        EvidenceFile(chat, "chat.png", "image/png", 2048),
    }


def test_a_file_hash_that_is_not_sha256_refuses_the_event() -> None:
    item = event(objects=[misp_object("file", ("sha256", "not-a-hash"))])
    assert "64 hexadecimal characters" in problem_of(item)


# --- documents ---------------------------------------------------------------------------


def test_a_document_is_one_event_a_list_of_events_or_a_search_response() -> None:
    one, two = event(), event()
    assert events_in(one) == [one]
    assert events_in([one, two]) == [one, two]
    assert events_in({"response": [one, two]}) == [one, two]


@pytest.mark.parametrize("document", [{"reports": []}, "Event", 42])
def test_a_document_of_another_shape_is_named_as_not_misp(document: Any) -> None:
    with pytest.raises(MispFormatError, match="not a MISP event"):
        events_in(document)


def test_misp_rows_are_numbered_by_event_and_bad_events_keep_their_json() -> None:
    good = event(attributes=[attribute("phone-number", "+66812345678")])
    text = json.dumps({"response": [good, ["not", "an", "event"], event(Attribute="x")]})
    rows = list(read_rows(io.StringIO(text), FileFormat.MISP))
    assert [row.line for row in rows] == [1, 2, 3]
    assert rows[0].fields is not None
    assert rows[0].fields["external_id"] == good["Event"]["uuid"]
    assert rows[1].problem == 'each event must be a JSON object {"Event": {...}}'
    assert rows[2].problem == "Attribute must be a list of JSON objects"
    assert json.loads(rows[2].text)["Event"]["Attribute"] == "x"


def test_a_file_that_is_not_json_is_one_problem_with_its_line() -> None:
    [row] = list(read_rows(io.StringIO('{"Event":\n  {oops'), FileFormat.MISP))
    assert row.line == 2
    assert row.problem is not None
    assert row.problem.startswith("the file is not valid JSON")
