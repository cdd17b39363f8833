"""The node's published listings as a MISP feed (``scamintel export --format misp``).

A MISP feed is a folder MISP fetches over HTTP or reads from disk (Sync Actions → Feeds,
"MISP Feed" format): ``manifest.json`` maps each event's uuid to its summary (``info``,
``Orgc``, ``Tag``, ``date``, ``analysis``, ``threat_level_id``, ``timestamp``), ``hashes.csv``
lists ``<md5 of an attribute value>,<event uuid>`` for MISP's cached lookups, and each event is
``<uuid>.json`` holding ``{"Event": {..., "Attribute": [...]}}`` (PyMISP's
``tools/feed.py`` and ``MISPEvent.to_feed`` write the same layout).

One event per indicator type holds the node's listed values (scam and suspicious). Ids are
UUIDv5 (event: node and type; attribute: node, type and value), so a re-fetch updates the same
event and attributes instead of adding copies. MISP takes an event again when its manifest
timestamp is newer and an attribute when its timestamp is, so both are the latest listing
change they cover.

Feeds carry no deletions as such: a value no longer listed stays in its event as an attribute
with ``"deleted": true`` and ``to_ids: false`` and a newer timestamp, so MISP soft-deletes its
copy on the next fetch. It is left out of ``hashes.csv``. Everything is TLP:CLEAR: the listings
are public already (the range API, the bundle and the blocklist).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scamintel.federation.markings import SCAMINTEL_NAMESPACE
from scamintel.indicators import IndicatorType

LISTED = frozenset({"scam", "suspicious"})
TLP_TAG = {"name": "tlp:clear", "colour": "#ffffff"}
VERDICT_COLOURS = {"scam": "#b80000", "suspicious": "#e69500", "removed": "#777777"}
# MISP's scale: threat level 2 is medium; analysis 2 is completed (the node's verdict stands).
THREAT_LEVEL_MEDIUM = 2
ANALYSIS_COMPLETED = 2


@dataclass(frozen=True, slots=True)
class AttributeKind:
    """How a value of one of our types is written in MISP."""

    misp_type: str
    category: str
    described: str  # for the comment of a ``text`` attribute: what the value is


# MISP's attribute types and categories (describeTypes.json). MISP has no type for e-wallets,
# messaging handles, IMEIs or non-Bitcoin wallets: those are ``text`` with a comment saying
# what they are, and MISP does not correlate or export them to IDS.
KINDS: dict[IndicatorType, AttributeKind] = {
    IndicatorType.PHONE: AttributeKind("phone-number", "Financial fraud", "phone number"),
    IndicatorType.URL: AttributeKind("url", "Network activity", "link"),
    IndicatorType.DOMAIN: AttributeKind("domain", "Network activity", "domain"),
    IndicatorType.EMAIL: AttributeKind("email-src", "Payload delivery", "e-mail address"),
    IndicatorType.IP: AttributeKind("ip-dst", "Network activity", "IP address"),
    IndicatorType.BANK_ACCOUNT: AttributeKind(
        "bank-account-nr", "Financial fraud", "bank account, country:bank:number"
    ),
    IndicatorType.CRYPTO_WALLET: AttributeKind("text", "Financial fraud", "crypto wallet"),
    IndicatorType.EWALLET: AttributeKind("text", "Financial fraud", "e-wallet, provider:id"),
    IndicatorType.HANDLE: AttributeKind("text", "Social network", "messaging handle"),
    IndicatorType.IMEI: AttributeKind("text", "Other", "IMEI of a device or SIM box"),
}
BTC = AttributeKind("btc", "Financial fraud", "Bitcoin address")
TYPE_WORDS: dict[IndicatorType, str] = {
    IndicatorType.PHONE: "phone numbers",
    IndicatorType.URL: "links",
    IndicatorType.DOMAIN: "domains",
    IndicatorType.EMAIL: "e-mail addresses",
    IndicatorType.IP: "IP addresses",
    IndicatorType.BANK_ACCOUNT: "bank accounts",
    IndicatorType.CRYPTO_WALLET: "crypto wallets",
    IndicatorType.EWALLET: "e-wallets",
    IndicatorType.HANDLE: "messaging handles",
    IndicatorType.IMEI: "IMEIs",
}


@dataclass(frozen=True, slots=True)
class FeedListing:
    """One published listing: a listed value, or one no longer listed (verdict removed)."""

    type: IndicatorType
    value: str
    verdict: str
    score: float
    changed_at: datetime

    @property
    def listed(self) -> bool:
        return self.verdict in LISTED


@dataclass(frozen=True, slots=True)
class MispFeed:
    """The feed's files: every event by uuid, the manifest and the hash lines."""

    events: dict[str, dict[str, Any]]
    manifest: dict[str, dict[str, Any]]
    hashes: list[str] = field(default_factory=list)

    def files(self) -> dict[str, str]:
        """File name → content; the same listings always give the same bytes."""
        written = {name + ".json": _json(event) for name, event in self.events.items()}
        written["hashes.csv"] = "".join(line + "\n" for line in self.hashes)
        written["manifest.json"] = _json(self.manifest)
        return written

    @property
    def attribute_count(self) -> int:
        return sum(len(event["Event"]["Attribute"]) for event in self.events.values())


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def organisation(node: str) -> dict[str, str]:
    return {"name": node, "uuid": str(uuid.uuid5(SCAMINTEL_NAMESPACE, f"misp-org\x00{node}"))}


def event_uuid(node: str, indicator_type: IndicatorType) -> str:
    return str(uuid.uuid5(SCAMINTEL_NAMESPACE, f"misp-event\x00{node}\x00{indicator_type.value}"))


def attribute_uuid(node: str, indicator_type: IndicatorType, value: str) -> str:
    name = f"misp-attribute\x00{node}\x00{indicator_type.value}\x00{value}"
    return str(uuid.uuid5(SCAMINTEL_NAMESPACE, name))


def build_feed(listings: Iterable[FeedListing], node: str) -> MispFeed:
    """The feed of ``listings`` as node ``node`` publishes them."""
    by_type: dict[IndicatorType, list[FeedListing]] = {}
    for item in listings:
        by_type.setdefault(item.type, []).append(item)
    events: dict[str, dict[str, Any]] = {}
    manifest: dict[str, dict[str, Any]] = {}
    hashes: list[str] = []
    for indicator_type in sorted(by_type):
        members = sorted(by_type[indicator_type], key=lambda item: item.value)
        event = _event(node, indicator_type, members)
        key = event["uuid"]
        events[key] = {"Event": event}
        manifest[key] = _manifest_entry(event)
        hashes += [
            f"{hashlib.md5(a['value'].encode()).hexdigest()},{key}"  # noqa: S324 - MISP's format
            for a in event["Attribute"]
            if not a["deleted"]
        ]
    return MispFeed(events, manifest, hashes)


def _event(
    node: str, indicator_type: IndicatorType, members: Sequence[FeedListing]
) -> dict[str, Any]:
    latest = max(item.changed_at for item in members)
    earliest = min(item.changed_at for item in members)
    stamp = str(int(latest.timestamp()))
    return {
        "uuid": event_uuid(node, indicator_type),
        "info": f"scamintel {node}: {TYPE_WORDS[indicator_type]} listed as scam or suspicious",
        "date": earliest.date().isoformat(),
        "timestamp": stamp,
        "publish_timestamp": stamp,
        "published": True,
        "analysis": str(ANALYSIS_COMPLETED),
        "threat_level_id": str(THREAT_LEVEL_MEDIUM),
        "Orgc": organisation(node),
        "Tag": [TLP_TAG],
        "Attribute": [_attribute(node, item) for item in members],
    }


def _manifest_entry(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "Orgc": event["Orgc"],
        "Tag": event["Tag"],
        "info": event["info"],
        "date": event["date"],
        "analysis": ANALYSIS_COMPLETED,
        "threat_level_id": THREAT_LEVEL_MEDIUM,
        "timestamp": int(event["timestamp"]),
    }


def kind_of(indicator_type: IndicatorType, value: str) -> tuple[AttributeKind, str]:
    """The MISP attribute kind of a value and the value as MISP writes it (a Bitcoin address
    without our ``BTC:`` chain label, as MISP's ``btc`` type and our MISP import want)."""
    if indicator_type is IndicatorType.CRYPTO_WALLET and value.startswith("BTC:"):
        return BTC, value.removeprefix("BTC:")
    return KINDS[indicator_type], value


def _attribute(node: str, item: FeedListing) -> dict[str, Any]:
    kind, value = kind_of(item.type, item.value)
    verdict = item.verdict if item.listed else "removed"
    if item.listed:
        comment = f"scamintel {item.type.value}: {verdict}, score {item.score:.2f}"
    else:
        comment = f"scamintel {item.type.value}: no longer listed"
    if kind.misp_type == "text":
        comment += f" ({kind.described})"
    return {
        "uuid": attribute_uuid(node, item.type, item.value),
        "type": kind.misp_type,
        "category": kind.category,
        "value": value,
        # Detection and blocking (IDS) only for what the node calls a scam, in a type IDS
        # tools match; a removal must stop matching at once.
        "to_ids": item.verdict == "scam" and kind.misp_type != "text",
        "deleted": not item.listed,
        "disable_correlation": False,
        "comment": comment,
        "timestamp": str(int(item.changed_at.timestamp())),
        "Tag": [{"name": f'scamintel:verdict="{verdict}"', "colour": VERDICT_COLOURS[verdict]}],
    }
