"""The MISP feed of a node's listings: layout, deterministic ids, types, removals, and that our
own MISP import reads an exported event back to the same values."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scamintel.federation.misp_feed import (
    FeedListing,
    attribute_uuid,
    build_feed,
    event_uuid,
)
from scamintel.indicators import IndicatorType, ParseContext, default_registry
from scamintel.reports.misp import event_fields

NODE = "TH-TOCC"
REGISTRY = default_registry()
THAILAND = ParseContext("TH")
T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def listing(raw: str, verdict: str = "scam", score: float = 0.9, at: datetime = T0) -> FeedListing:
    indicator = REGISTRY.canonicalise(raw, None, THAILAND)
    return FeedListing(indicator.type, indicator.value, verdict, score, at)


EVERY_TYPE = [
    listing("081-234-5678"),
    listing("hxxps://kbank-verify-th[.]com/login"),
    listing("kbank-secure.com"),
    listing("refund-desk@kbank-secure.com"),
    listing("203.0.113.9", verdict="suspicious", score=0.6),
    listing("KBANK 123-4-56789-0"),
    listing("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    listing("0x52908400098527886E0F7030069857D2E4169EE7"),
    listing("truemoney 0812345678"),
    listing("line: @scamshop"),
    listing("490154203237518"),
]


def event_of(feed_events: dict[str, dict[str, Any]], kind: IndicatorType) -> dict[str, Any]:
    event: dict[str, Any] = feed_events[event_uuid(NODE, kind)]["Event"]
    return event


def test_one_event_per_type_with_a_manifest_entry_and_hash_lines() -> None:
    feed = build_feed(EVERY_TYPE, NODE)
    assert len(feed.events) == len(IndicatorType)
    assert set(feed.manifest) == set(feed.events)
    for key, entry in feed.manifest.items():
        event = feed.events[key]["Event"]
        assert set(entry) == {
            "Orgc",
            "Tag",
            "info",
            "date",
            "analysis",
            "threat_level_id",
            "timestamp",
        }
        assert entry["info"] == event["info"]
        assert entry["timestamp"] == int(event["timestamp"])
        assert entry["Orgc"] == event["Orgc"] == {"name": NODE, "uuid": event["Orgc"]["uuid"]}
        assert {"name": "tlp:clear", "colour": "#ffffff"} in entry["Tag"]
    expected = {
        f"{hashlib.md5(a['value'].encode()).hexdigest()},{key}"
        for key, event in feed.events.items()
        for a in event["Event"]["Attribute"]
    }
    assert set(feed.hashes) == expected
    files = feed.files()
    assert set(files) == {"manifest.json", "hashes.csv", *(f"{key}.json" for key in feed.events)}
    assert json.loads(files["manifest.json"]) == feed.manifest


@pytest.mark.parametrize(
    ("kind", "misp_type", "category", "value"),
    [
        (IndicatorType.PHONE, "phone-number", "Financial fraud", "+66812345678"),
        (IndicatorType.URL, "url", "Network activity", "https://kbank-verify-th.com/login"),
        (IndicatorType.DOMAIN, "domain", "Network activity", "kbank-secure.com"),
        (IndicatorType.EMAIL, "email-src", "Payload delivery", "refund-desk@kbank-secure.com"),
        (IndicatorType.IP, "ip-dst", "Network activity", "203.0.113.9"),
        (IndicatorType.BANK_ACCOUNT, "bank-account-nr", "Financial fraud", "TH:KBANK:1234567890"),
        (IndicatorType.EWALLET, "text", "Financial fraud", "TRUEMONEY:+66812345678"),
        (IndicatorType.HANDLE, "text", "Social network", "line:scamshop"),
        (IndicatorType.IMEI, "text", "Other", "490154203237518"),
    ],
)
def test_attribute_types_follow_misp(
    kind: IndicatorType, misp_type: str, category: str, value: str
) -> None:
    [attribute] = event_of(build_feed(EVERY_TYPE, NODE).events, kind)["Attribute"]
    assert (attribute["type"], attribute["category"], attribute["value"]) == (
        misp_type,
        category,
        value,
    )
    if misp_type == "text":
        assert attribute["comment"].endswith(")")  # says what the value is
        assert attribute["to_ids"] is False


def test_bitcoin_is_a_btc_attribute_and_other_chains_are_text_with_a_comment() -> None:
    wallets = event_of(build_feed(EVERY_TYPE, NODE).events, IndicatorType.CRYPTO_WALLET)
    by_type = {a["type"]: a for a in wallets["Attribute"]}
    assert by_type["btc"]["value"] == "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    assert by_type["text"]["value"] == "ETH:0x52908400098527886E0F7030069857D2E4169EE7"
    assert "crypto wallet" in by_type["text"]["comment"]


def test_verdicts_are_tags_and_only_scams_go_to_ids() -> None:
    feed = build_feed(EVERY_TYPE, NODE)
    [phone] = event_of(feed.events, IndicatorType.PHONE)["Attribute"]
    [address] = event_of(feed.events, IndicatorType.IP)["Attribute"]
    assert phone["Tag"][0]["name"] == 'scamintel:verdict="scam"'
    assert phone["to_ids"] is True
    assert address["Tag"][0]["name"] == 'scamintel:verdict="suspicious"'
    assert address["to_ids"] is False
    assert address["comment"] == "scamintel ip: suspicious, score 0.60"


def test_ids_and_bytes_are_the_same_on_every_export_whatever_the_order() -> None:
    first = build_feed(EVERY_TYPE, NODE).files()
    again = build_feed(list(reversed(EVERY_TYPE)), NODE).files()
    assert first == again
    phone = event_of(build_feed(EVERY_TYPE, NODE).events, IndicatorType.PHONE)
    assert phone["Attribute"][0]["uuid"] == attribute_uuid(
        NODE, IndicatorType.PHONE, "+66812345678"
    )
    other_node = build_feed(EVERY_TYPE, "KH-NCC")
    assert set(other_node.events).isdisjoint(build_feed(EVERY_TYPE, NODE).events)


def test_a_removed_value_stays_as_a_deleted_attribute_with_a_newer_timestamp() -> None:
    later = T0 + timedelta(days=2)
    before = build_feed([listing("081-234-5678"), listing("081-234-5679")], NODE)
    after = build_feed(
        [listing("081-234-5678"), listing("081-234-5679", verdict="removed", score=0, at=later)],
        NODE,
    )
    key = event_uuid(NODE, IndicatorType.PHONE)
    removed = after.events[key]["Event"]["Attribute"][1]
    assert removed["uuid"] == before.events[key]["Event"]["Attribute"][1]["uuid"]
    assert (removed["deleted"], removed["to_ids"]) == (True, False)
    assert removed["comment"] == "scamintel phone: no longer listed"
    assert int(removed["timestamp"]) == int(later.timestamp())
    assert after.manifest[key]["timestamp"] == int(later.timestamp())
    assert after.manifest[key]["timestamp"] > before.manifest[key]["timestamp"]
    assert len(after.hashes) == 1  # a removed value is no longer looked up
    assert after.manifest[key]["date"] == "2025-06-01"


def test_our_misp_import_reads_an_exported_event_back_to_the_same_values() -> None:
    feed = build_feed([*EVERY_TYPE, listing("081-999-0000", verdict="removed", score=0)], NODE)
    for kind in (
        IndicatorType.PHONE,
        IndicatorType.URL,
        IndicatorType.DOMAIN,
        IndicatorType.EMAIL,
        IndicatorType.IP,
        IndicatorType.BANK_ACCOUNT,
    ):
        event = feed.events[event_uuid(NODE, kind)]
        listed = [a["value"] for a in event["Event"]["Attribute"] if not a["deleted"]]
        read = event_fields(json.loads(json.dumps(event)))
        values = [
            REGISTRY.canonicalise(item["value"], IndicatorType(item["type"]), THAILAND).value
            for item in read["indicators"]
        ]
        assert values == listed, kind
    wallets = event_fields(feed.events[event_uuid(NODE, IndicatorType.CRYPTO_WALLET)])
    assert [item["value"] for item in wallets["indicators"]] == [
        "BTC:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    ]
