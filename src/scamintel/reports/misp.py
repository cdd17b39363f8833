"""MISP event JSON as reports: one event, one report (docs/ingest.md, "MISP events").

The event layout is the MISP core format (draft-dulaunoy-misp-core-format: ``Event`` with
``uuid``, ``info``, ``date``, ``Attribute``, ``Object`` and ``Tag``); the objects read are the
``phone-number``, ``bank-account``, ``coin-address`` and ``file`` templates of MISP/misp-objects.

Each event becomes the fields of a report submission, as a JSON line would give them, so
validation, canonical indicators and storage are those of every other format. Values of the
attribute types mapped below must be readable, or the event is refused with the reason;
attribute types that name nothing this node holds (md5, xmr, vulnerability…) are skipped.
An event (or one of its attributes) marked TLP:AMBER, TLP:AMBER+STRICT or TLP:RED is refused:
what this node imports, it publishes (DESIGN §4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from scamintel.indicators import IndicatorType
from scamintel.indicators.banks import Bank, bank_table
from scamintel.reports.submission import MAX_EVIDENCE, MAX_INDICATORS, MAX_NARRATIVE

# Attribute type → indicator type, for attributes of the event and of objects alike.
ATTRIBUTE_TYPES: dict[str, IndicatorType] = {
    "phone-number": IndicatorType.PHONE,
    "whois-registrant-phone": IndicatorType.PHONE,
    "ip-src": IndicatorType.IP,
    "ip-dst": IndicatorType.IP,
    "domain": IndicatorType.DOMAIN,
    "hostname": IndicatorType.DOMAIN,
    "url": IndicatorType.URL,
    "link": IndicatorType.URL,
    "email": IndicatorType.EMAIL,
    "email-src": IndicatorType.EMAIL,
    "email-reply-to": IndicatorType.EMAIL,
    "whois-registrant-email": IndicatorType.EMAIL,
    "btc": IndicatorType.CRYPTO_WALLET,
    "bank-account-nr": IndicatorType.BANK_ACCOUNT,
    "iban": IndicatorType.BANK_ACCOUNT,
}
# Composite types ("a|b"): the indicator type of each part, None for a part that is not one.
COMPOSITE_TYPES: dict[str, tuple[IndicatorType | None, IndicatorType | None]] = {
    "ip-src|port": (IndicatorType.IP, None),
    "ip-dst|port": (IndicatorType.IP, None),
    "hostname|port": (IndicatorType.DOMAIN, None),
    "domain|ip": (IndicatorType.DOMAIN, IndicatorType.IP),
}
NARRATIVE_TYPES = frozenset({"comment", "text"})
# A "link" is a reference to a write-up unless it was delivered to victims.
LINK_DELIVERED = "Payload delivery"
# coin-address "symbol" → the chain label the crypto_wallet reader takes.
CHAIN_LABELS = {"BTC": "BTC", "ETH": "ETH", "TRX": "TRON", "TRON": "TRON"}
# Tokens sent over several chains: the address itself tells which.
MULTI_CHAIN_TOKENS = frozenset({"USDT", "USDC", "BUSD", "DAI", "TUSD", "USDD"})
_EVM_ADDRESS = re.compile(r"0[xX][0-9a-fA-F]{40}")
_MACHINE_TAG = re.compile(r'scamintel:(?P<predicate>[a-z-]+)="?(?P<value>[^"]*)"?')
_TAG_FIELDS = {"scam-type": "scam_type", "channel": "channel", "victim-country": "victim_country"}
_SWIFT = re.compile(r"[A-Za-z]{4}[A-Za-z]{2}[A-Za-z0-9]{2}(?:[A-Za-z0-9]{3})?")
# Traffic Light Protocol markings (FIRST TLP 2.0, and TLP 1.0's white) under which this node
# may take an event in: its indicators go to the public check, the range API and the bundle
# (DESIGN §4), which are public channels, so only CLEAR qualifies. Any other tlp: tag (green,
# amber, amber+strict, red, or one it does not know) refuses the event; an event with no
# marking is imported.
TLP_PUBLISHABLE = frozenset({"clear", "white"})
TLP_NAMESPACE = "tlp:"
TLP_REFUSAL = (
    "its indicators would be published in this node's public check and blocklists; import "
    "only events marked TLP:CLEAR (TLP:GREEN allows sharing within a community, not "
    "publication; ask the sender to re-mark the event)"
)


class MispFormatError(ValueError):
    """The document is not a MISP event, a list of them or a MISP search response."""


class MispEventError(ValueError):
    """An event that cannot become a report; the message says why."""


def events_in(document: Any) -> list[Any]:
    """The events of a document: ``{"Event": {...}}``, a list of those, or ``{"response":
    [...]}`` as MISP's REST search answers. Items are returned as found (wrapped or not);
    :func:`event_fields` reads each."""
    if isinstance(document, Mapping) and "response" in document:
        document = document["response"]
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping) and ("Event" in document or "info" in document):
        return [document]
    raise MispFormatError(
        'not a MISP event: expected {"Event": {...}}, a list of them, or {"response": [...]}'
    )


def event_fields(item: Any) -> dict[str, Any]:
    """The report fields of one event (``{"Event": {...}}`` or the event object itself);
    raises :class:`MispEventError` when it cannot be one."""
    event = item.get("Event", item) if isinstance(item, Mapping) else None
    if not isinstance(event, Mapping):
        raise MispEventError('each event must be a JSON object {"Event": {...}}')
    attributes = list(_live(_list_of(event, "Attribute")))
    objects = list(_live(_list_of(event, "Object")))
    _check_marking(event, attributes, objects)
    fields: dict[str, Any] = _tag_fields(event)
    fields["narrative"] = _narrative(event, attributes)
    indicators = _distinct(
        [*_attribute_indicators(attributes), *_object_indicators(objects, fields)]
    )
    evidence = _evidence(attributes, objects)
    _check_counts(indicators, evidence)
    if indicators:
        fields["indicators"] = indicators
    if evidence:
        fields["evidence"] = evidence
    if event.get("uuid"):
        fields["external_id"] = _text(event["uuid"])
    if event.get("date"):
        fields["occurred_at"] = _text(event["date"])
    return {key: value for key, value in fields.items() if value not in (None, "")}


# --- event parts -------------------------------------------------------------------------


def _list_of(container: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = container.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise MispEventError(f"{key} must be a list of JSON objects")
    return items


def _live(items: list[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Attributes and objects not revoked (``deleted``)."""
    return (item for item in items if not _true(item.get("deleted")))


def _true(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value)


def _tags(item: Mapping[str, Any]) -> Iterator[str]:
    """Tag names of an event (or an attribute): ``Tag`` as exported, ``EventTag[].Tag`` as
    some servers give."""
    for tag in _list_of(item, "Tag"):
        yield _text(tag.get("name", ""))
    for link in _list_of(item, "EventTag"):
        inner = link.get("Tag")
        if isinstance(inner, Mapping):
            yield _text(inner.get("name", ""))


def _restricted_marking(tags: Iterable[str]) -> str | None:
    """The first TLP marking among ``tags`` that forbids publishing (``TLP:AMBER``…)."""
    for name in tags:
        marking = name.strip().lower()
        if marking.startswith(TLP_NAMESPACE):
            level = marking.removeprefix(TLP_NAMESPACE).strip()
            if level not in TLP_PUBLISHABLE:
                return f"TLP:{level.upper()}"
    return None


def _check_marking(
    event: Mapping[str, Any],
    attributes: list[Mapping[str, Any]],
    objects: list[Mapping[str, Any]],
) -> None:
    """Refuse an event whose TLP marking, or that of one of its attributes (MISP lets an
    attribute be marked more strictly than its event), keeps it from being published."""
    marking = _restricted_marking(_tags(event))
    if marking is not None:
        raise MispEventError(f"the event is marked {marking}: {TLP_REFUSAL}")
    inner = [attribute for item in objects for attribute in _live(_list_of(item, "Attribute"))]
    for attribute in [*attributes, *inner]:
        marking = _restricted_marking(_tags(attribute))
        if marking is not None:
            kind = _text(attribute.get("type") or "untyped")
            raise MispEventError(
                f"an attribute of the event ({kind}) is marked {marking}: {TLP_REFUSAL}"
            )


def _tag_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    """scam_type, channel and victim_country from ``scamintel:…="…"`` machine tags."""
    found: dict[str, str] = {}
    for name in _tags(event):
        match = _MACHINE_TAG.fullmatch(name)
        if match is None or match["predicate"] not in _TAG_FIELDS:
            continue
        field = _TAG_FIELDS[match["predicate"]]
        value = match["value"].strip()
        if field != "victim_country":
            value = value.lower().replace("-", "_")  # codes are snake_case: job_task
        if field in found and found[field] != value:
            raise MispEventError(
                f"the event is tagged with two {match['predicate']} values "
                f"({found[field]}, {value}); keep one"
            )
        found[field] = value
    return dict(found)


def _narrative(event: Mapping[str, Any], attributes: list[Mapping[str, Any]]) -> str:
    parts = [_text(event.get("info") or "")]
    parts += [
        _text(item.get("value") or "")
        for item in attributes
        if item.get("type") in NARRATIVE_TYPES and item.get("object_relation") is None
    ]
    narrative = "\n\n".join(part for part in parts if part)
    return narrative[:MAX_NARRATIVE]


def _indicator(indicator_type: IndicatorType, value: Any) -> dict[str, str]:
    return {"type": indicator_type.value, "value": _text(value)}


def _attribute_indicators(attributes: list[Mapping[str, Any]]) -> Iterator[dict[str, str]]:
    for item in attributes:
        kind = _text(item.get("type") or "")
        value = item.get("value")
        if value is None or _text(value) == "":
            continue
        if kind == "link" and item.get("category", LINK_DELIVERED) != LINK_DELIVERED:
            continue
        if kind in COMPOSITE_TYPES:
            yield from _composite(COMPOSITE_TYPES[kind], _text(value))
        elif kind == "btc":
            yield _indicator(IndicatorType.CRYPTO_WALLET, f"BTC:{_text(value)}")
        elif kind in ATTRIBUTE_TYPES:
            yield _indicator(ATTRIBUTE_TYPES[kind], value)


def _composite(
    types: tuple[IndicatorType | None, IndicatorType | None], value: str
) -> Iterator[dict[str, str]]:
    for part_type, part in zip(types, value.split("|", 1), strict=False):
        if part_type is not None and part.strip():
            yield _indicator(part_type, part)


def _relations(item: Mapping[str, Any]) -> dict[str, str]:
    """An object's live attributes by relation (the first of each), values as text."""
    found: dict[str, str] = {}
    for attribute in _live(_list_of(item, "Attribute")):
        relation = _text(attribute.get("object_relation") or "")
        value = attribute.get("value")
        if relation and value is not None and _text(value):
            found.setdefault(relation, _text(value))
    return found


def _object_indicators(
    objects: list[Mapping[str, Any]], fields: Mapping[str, Any]
) -> Iterator[dict[str, str]]:
    victim_country = str(fields.get("victim_country") or "").upper() or None
    for item in objects:
        name = item.get("name")
        relations = _relations(item)
        if name == "phone-number" and "phone-number" in relations:
            yield _indicator(IndicatorType.PHONE, relations["phone-number"])
        elif name == "bank-account":
            account = bank_account_value(relations, victim_country)
            if account is not None:
                yield _indicator(IndicatorType.BANK_ACCOUNT, account)
        elif name == "coin-address":
            yield from _coin_addresses(relations)


def _coin_addresses(relations: Mapping[str, str]) -> Iterator[dict[str, str]]:
    symbol = relations.get("symbol", "").strip().upper()
    for relation in ("address", "address-crypto"):
        address = relations.get(relation)
        if address is not None:
            value = wallet_value(address, symbol)
            if value is not None:
                yield _indicator(IndicatorType.CRYPTO_WALLET, value)


def wallet_value(address: str, symbol: str) -> str | None:
    """The address with its chain label, as the crypto_wallet reader takes it; None for a
    coin this node does not hold (LTC, XMR, DOGE…), which is skipped like an xmr attribute."""
    if symbol in CHAIN_LABELS:
        return f"{CHAIN_LABELS[symbol]}:{address}"
    if not symbol or symbol in MULTI_CHAIN_TOKENS or _EVM_ADDRESS.fullmatch(address):
        return address  # the address's own form says BTC, ETH or TRON
    return None


# --- bank accounts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BankIndex:
    by_swift: dict[str, Bank]
    by_national_code: dict[tuple[str, str], Bank]


@cache
def _bank_index() -> _BankIndex:
    banks = bank_table().banks
    return _BankIndex(
        by_swift={bank.swift: bank for bank in banks if bank.swift},
        by_national_code={
            (bank.country, bank.national_code): bank for bank in banks if bank.national_code
        },
    )


def bank_account_value(relations: Mapping[str, str], victim_country: str | None) -> str | None:
    """A bank-account object as the bank_account reader takes it.

    Tied to a bank of the table by its BIC (``swift``: characters 5–6 are the country) or by
    its national bank code (``institution-code``, in the BIC's or the victim's country), the
    value is ``CC:BANK:account``. Otherwise it is the bank's name and the number as written
    (``institution-name account``), or the number alone, and the reader decides: a name it
    knows gives the bank, anything else is refused with the reason. None when the object
    holds neither an account nor an IBAN.
    """
    account = relations.get("account") or relations.get("iban")
    if account is None:
        return None
    bank = _bank_of(relations, victim_country)
    if bank is not None and "account" in relations:
        return f"{bank.country}:{bank.code}:{relations['account']}"
    name = relations.get("institution-name")
    return f"{name} {account}" if name else account


def _bank_of(relations: Mapping[str, str], victim_country: str | None) -> Bank | None:
    index = _bank_index()
    swift = relations.get("swift", "").replace(" ", "").upper()
    country = victim_country
    if _SWIFT.fullmatch(swift):
        bank = index.by_swift.get(swift[:8])
        if bank is not None:
            return bank
        country = swift[4:6]
    code = relations.get("institution-code", "").strip()
    if code and country:
        return index.by_national_code.get((country, code))
    return None


# --- evidence ----------------------------------------------------------------------------


def _evidence(
    attributes: list[Mapping[str, Any]], objects: list[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Files by SHA-256: ``sha256`` and ``filename|sha256`` attributes, ``file`` objects."""
    files: dict[str, dict[str, Any]] = {}
    for item in attributes:
        kind, value = item.get("type"), _text(item.get("value") or "")
        if kind == "sha256" and value:
            files.setdefault(value.lower(), {"sha256": value})
        elif kind == "filename|sha256" and "|" in value:
            name, digest = value.rsplit("|", 1)
            files.setdefault(digest.strip().lower(), {"sha256": digest, "name": name})
    for item in objects:
        if item.get("name") == "file":
            described = _file_object(_relations(item))
            if described is not None:
                files.setdefault(str(described["sha256"]).lower(), described)
    return list(files.values())


def _file_object(relations: Mapping[str, str]) -> dict[str, Any] | None:
    if "sha256" not in relations:
        return None
    described: dict[str, Any] = {"sha256": relations["sha256"]}
    if "filename" in relations:
        described["name"] = relations["filename"]
    if "mimetype" in relations:
        described["media_type"] = relations["mimetype"]
    if "size-in-bytes" in relations:
        size = relations["size-in-bytes"]
        described["size"] = int(size) if size.isdigit() else size
    return described


# --- limits ------------------------------------------------------------------------------


def _distinct(indicators: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for item in indicators:
        seen.setdefault((item["type"], item["value"]), item)
    return list(seen.values())


def _check_counts(indicators: list[dict[str, str]], evidence: list[dict[str, Any]]) -> None:
    if len(indicators) > MAX_INDICATORS:
        raise MispEventError(
            f"the event has {len(indicators)} indicators and a report holds at most "
            f"{MAX_INDICATORS}: split it into events of one scam each"
        )
    if len(evidence) > MAX_EVIDENCE:
        raise MispEventError(
            f"the event has {len(evidence)} files and a report holds at most {MAX_EVIDENCE}"
        )
