"""Reading what a partner sent: each STIX ``indicator`` becomes a ``ReceivedIndicator`` or a
refusal with its reason. The same checks run on objects pulled by ``sync`` and objects posted
to this node's TAXII server; storing them is ``storage.partner_repo``'s job.

Objects from other tools are read too: a single-comparison pattern on a value STIX or OpenCTI
names (``[url:value = '…']``, ``[phone-number:value = '…']``, …) gives the value; TLP 1.0 and
TLP 2.0 markings are both understood; an unmarked object counts as TLP:CLEAR, as in the MISP
import (docs/federation.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from scamintel.federation.agreement import Agreement
from scamintel.federation.markings import TLP_MARKING_IDS, Purpose, Tlp
from scamintel.indicators import (
    Indicator,
    IndicatorRegistry,
    IndicatorType,
    InvalidIndicatorError,
    ParseContext,
)

#: TLP 1.0 marking-definition ids (STIX 2.1 specification, section 7.2.1.4).
TLP1_MARKING_IDS: dict[str, Tlp] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}
_MARKINGS: dict[str, Tlp] = {
    **TLP1_MARKING_IDS,
    **{marking_id: tlp for tlp, marking_id in TLP_MARKING_IDS.items()},
}
# Most to least restrictive: an object with several TLP markings counts as its strictest.
_STRICTNESS = (Tlp.RED, Tlp.AMBER_STRICT, Tlp.AMBER, Tlp.GREEN, Tlp.CLEAR)

_PATTERN_TYPES: dict[str, IndicatorType] = {
    "url:value": IndicatorType.URL,
    "domain-name:value": IndicatorType.DOMAIN,
    "email-addr:value": IndicatorType.EMAIL,
    "ipv4-addr:value": IndicatorType.IP,
    "ipv6-addr:value": IndicatorType.IP,
    "phone-number:value": IndicatorType.PHONE,
    "cryptocurrency-wallet:value": IndicatorType.CRYPTO_WALLET,
    "bank-account:iban": IndicatorType.BANK_ACCOUNT,
    "x-scamintel-imei:value": IndicatorType.IMEI,
}
_SINGLE_COMPARISON = re.compile(r"^\[\s*([a-z0-9-]+:[a-z_]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]$")
_STIX_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
_INDICATOR_ID = re.compile(r"indicator--[0-9a-f-]{36}")
_HMAC_HEX = re.compile(r"[0-9a-f]{64}")
# Lookups by value: the enums' own constructors cost several times more, a million times over.
_TYPES: dict[str, IndicatorType] = {member.value: member for member in IndicatorType}
_PURPOSES: dict[str, Purpose] = {member.value: member for member in Purpose}

# The largest values a row holds (storage/tables.py: partner_indicators).
MAX_VALUE_CHARS = 2048
MAX_REPORT_COUNT = 2**31 - 1

#: Turns a (type, raw value) into the canonical indicator, raising InvalidIndicatorError.
Canonicaliser = Callable[[IndicatorType, str], Indicator]


@dataclass(frozen=True, slots=True)
class ReceivedIndicator:
    """One indicator a partner shared, as this node keeps it."""

    partner: str
    stix_id: str
    version: datetime
    type: IndicatorType
    value: str | None
    blind_hash: str | None
    verdict: str | None
    score: float
    report_count: int
    marking: Tlp
    purpose: Purpose
    revoked: bool
    valid_until: datetime | None
    expires_at: datetime
    onward: bool
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Refusal:
    """An object the importer did not take, and why."""

    partner: str
    stix_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Intake:
    """What one batch of objects gave: indicators to store, refusals to log, and how many
    objects were skipped as not carrying intelligence (markings, identities, …)."""

    accepted: list[ReceivedIndicator]
    refused: list[Refusal]
    skipped: int


class RefusedError(ValueError):
    """An object the importer refuses; the message is the reason logged."""


def parse_stix_time(text: object, name: str) -> datetime:
    moment = _stix_time(text) if isinstance(text, str) else None
    if moment is None:
        raise RefusedError(f"{name} is not a STIX timestamp")
    return moment


# A page's objects mostly share a handful of timestamps (a listing's changes are published
# in batches at one time), so each is parsed once.
@lru_cache(maxsize=4096)
def _stix_time(text: str) -> datetime | None:
    if not _STIX_TIME.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:  # shaped like one, but no such moment (month 13, hour 25, ...)
        return None


def marking_of(obj: Mapping[str, Any]) -> Tlp:
    refs = obj.get("object_marking_refs") or []
    if type(refs) is not list or not all(type(ref) is str for ref in refs):
        # Read as anything else (a string's letters, say) it would count as unmarked: CLEAR.
        raise RefusedError("object_marking_refs is not a list of marking ids")
    if type(refs) is list and len(refs) == 1 and type(refs[0]) is str:
        only = _MARKINGS.get(refs[0])
        if only is not None:  # the usual case: one TLP marking
            return only
    found = {_MARKINGS[ref] for ref in refs if isinstance(ref, str) and ref in _MARKINGS}
    if not found:
        if any(isinstance(ref, str) and ref.startswith("marking-definition--") for ref in refs):
            raise RefusedError("marked with a marking this node does not know (not TLP)")
        return Tlp.CLEAR
    return next(tlp for tlp in _STRICTNESS if tlp in found)


def _purpose(obj: Mapping[str, Any]) -> Purpose:
    text = obj.get("x_scamintel_purpose", Purpose.PREVENTION.value)
    purpose = _PURPOSES.get(text) if isinstance(text, str) else None
    if purpose is None:
        raise RefusedError(f"unknown purpose {text!r}")
    return purpose


def _type_and_value(obj: Mapping[str, Any]) -> tuple[IndicatorType, str | None, str | None]:
    """(type, raw value or None, blind hash or None)."""
    declared = obj.get("x_scamintel_type")
    blind = obj.get("x_scamintel_blind")
    if declared is not None:
        indicator_type = _TYPES.get(declared) if isinstance(declared, str) else None
        if indicator_type is None:
            raise RefusedError(f"unknown indicator type {declared!r}")
        if isinstance(blind, str):
            if not _HMAC_HEX.fullmatch(blind):
                raise RefusedError("x_scamintel_blind is not a hex HMAC-SHA256")
            return indicator_type, None, blind
        value = obj.get("x_scamintel_value")
        if isinstance(value, str) and value:
            return indicator_type, value, None
    return _from_pattern(obj)


def _from_pattern(obj: Mapping[str, Any]) -> tuple[IndicatorType, str, None]:
    if obj.get("pattern_type", "stix") != "stix":
        raise RefusedError(f"pattern_type {obj.get('pattern_type')!r} is not read")
    match = _SINGLE_COMPARISON.match(str(obj.get("pattern", "")).strip())
    if match is None or match.group(1) not in _PATTERN_TYPES:
        raise RefusedError("pattern is not one comparison on a value this node knows")
    raw = re.sub(r"\\(.)", r"\1", match.group(2))
    return _PATTERN_TYPES[match.group(1)], raw, None


def _number(obj: Mapping[str, Any], name: str, default: int, highest: int) -> int:
    value = obj.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= highest:
        raise RefusedError(f"{name} must be an integer from 0 to {highest}")
    return value


def read_indicator(
    obj: Mapping[str, Any],
    agreement: Agreement,
    canonicalise: Canonicaliser,
    received_at: datetime,
) -> ReceivedIndicator:
    """The indicator ``obj`` carries, checked against ``agreement``; raises ``RefusedError``."""
    if obj.get("spec_version") != "2.1":
        raise RefusedError("spec_version is not 2.1")
    stix_id = str(obj.get("id", ""))
    if not _INDICATOR_ID.fullmatch(stix_id):
        raise RefusedError("id is not an indicator id")
    version = parse_stix_time(obj.get("modified"), "modified")
    if obj.get("revoked") is True:
        return _withdrawal(obj, agreement, stix_id, version, received_at)
    indicator_type, raw, blind = _type_and_value(obj)
    marking = marking_of(obj)
    purpose = _purpose(obj)
    refusal = agreement.refusal(indicator_type, marking, purpose, blind=raw is None)
    if refusal is not None:
        raise RefusedError(refusal)
    value = None
    if raw is not None:
        try:
            value = canonicalise(indicator_type, raw).value
        except InvalidIndicatorError as error:
            raise RefusedError(f"value is not a valid {indicator_type.value}: {error}") from None
        if len(value) > MAX_VALUE_CHARS:
            raise RefusedError(f"value is longer than {MAX_VALUE_CHARS} characters")
    valid_until = obj.get("valid_until")
    kept_until = received_at + timedelta(days=agreement.retention_days)
    return ReceivedIndicator(
        partner=agreement.partner,
        stix_id=stix_id,
        version=version,
        type=indicator_type,
        value=value,
        blind_hash=blind,
        verdict=_verdict(obj),
        score=_number(obj, "confidence", 0, 100) / 100,
        report_count=_number(obj, "x_scamintel_report_count", 0, MAX_REPORT_COUNT),
        marking=marking,
        purpose=purpose,
        revoked=False,
        valid_until=parse_stix_time(valid_until, "valid_until") if valid_until else None,
        expires_at=kept_until,
        onward=agreement.onward_sharing,
        received_at=received_at,
    )


def _withdrawal(
    obj: Mapping[str, Any],
    agreement: Agreement,
    stix_id: str,
    version: datetime,
    received_at: datetime,
) -> ReceivedIndicator:
    """A partner withdrew the object: this node deletes its copy, named by (partner, STIX
    id). Nothing else about it is checked: a withdrawal is never refused because the
    agreement narrowed since, or its value or marking no longer reads, and it carries
    neither the value nor the selector. Type, marking and purpose are kept as far as they
    read (the row they would fill is deleted)."""
    declared = obj.get("x_scamintel_type")
    indicator_type = _TYPES.get(declared) if isinstance(declared, str) else None
    if indicator_type is None:
        try:
            indicator_type = _from_pattern(obj)[0]
        except RefusedError:
            indicator_type = IndicatorType.PHONE  # unknown; never stored
    try:
        marking = marking_of(obj)
    except RefusedError:
        marking = Tlp.RED
    named = obj.get("x_scamintel_purpose")
    purpose = (
        _PURPOSES.get(named, Purpose.PREVENTION) if isinstance(named, str) else (Purpose.PREVENTION)
    )
    return ReceivedIndicator(
        partner=agreement.partner,
        stix_id=stix_id,
        version=version,
        type=indicator_type,
        value=None,
        blind_hash=None,
        verdict=None,
        score=0.0,
        report_count=0,
        marking=marking,
        purpose=purpose,
        revoked=True,
        valid_until=None,
        expires_at=received_at,
        onward=False,
        received_at=received_at,
    )


def _verdict(obj: Mapping[str, Any]) -> str | None:
    verdict = obj.get("x_scamintel_verdict")
    return str(verdict)[:20] if verdict else None


def take_objects(
    objects: Iterable[Mapping[str, Any]],
    agreement: Agreement,
    canonicalise: Canonicaliser,
    received_at: datetime,
) -> Intake:
    """Sort a batch into accepted indicators, refusals (with reasons) and skipped objects:
    definitions, and what this node does not keep from partners (observables, reports,
    sightings, relationships)."""
    accepted: list[ReceivedIndicator] = []
    refused: list[Refusal] = []
    skipped = 0
    for obj in objects:
        if not isinstance(obj, Mapping):
            refused.append(Refusal(agreement.partner, None, "not a STIX object"))
            continue
        kind = obj.get("type")
        if kind != "indicator":
            skipped += 1
            continue
        stix_id = str(obj["id"])[:200] if isinstance(obj.get("id"), str) else None
        try:
            accepted.append(read_indicator(obj, agreement, canonicalise, received_at))
        except RefusedError as error:
            refused.append(Refusal(agreement.partner, stix_id, str(error)))
        except (ValueError, TypeError, ArithmeticError, RecursionError) as error:
            # Whatever a partner sends, one object is refused; the page and the sync go on.
            reason = f"unreadable object ({type(error).__name__})"
            refused.append(Refusal(agreement.partner, stix_id, reason))
    return Intake(accepted, refused, skipped)


def canonicaliser(registry: IndicatorRegistry, context: ParseContext) -> Canonicaliser:
    """Received values are read the way this node reads its own reports."""

    def canonicalise(indicator_type: IndicatorType, raw: str) -> Indicator:
        return registry.canonicalise(raw, indicator_type, context)

    return canonicalise
