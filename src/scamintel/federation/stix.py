"""The STIX 2.1 mapping of what a node shares: observables, indicators, reports, bundles.

Standard SCOs carry URLs, domains, e-mail addresses and IP addresses. The selectors STIX lacks
use the custom observables OpenCTI defines, so that OpenCTI reads them as its own:
``phone-number`` (``value``), ``cryptocurrency-wallet`` (``value``) and ``bank-account``
(``value``, ``iban`` (required, the id-contributing property), ``bic``, ``account_number``),
from pycti's ``pycti/utils/constants.py`` (OpenCTI-Platform/client-python,
``CustomObservablePhoneNumber``, ``CustomObservableCryptocurrencyWallet``,
``CustomObservableBankAccount``). E-wallets and messaging handles are standard ``user-account``
SCOs. OpenCTI has no IMEI observable, so IMEIs are ``x-scamintel-imei``.

SCO ids are the STIX 2.1 deterministic UUIDv5 ids, computed by the ``stix2`` library;
indicator and report ids are UUIDv5 in scamintel's namespace, so two nodes naming one value
produce one indicator id. See docs/federation.md.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any

import stix2
from stix2.properties import StringProperty

from scamintel.federation.markings import (
    SCAMINTEL_NAMESPACE,
    TLP_MARKING_IDS,
    SharingContext,
    scamintel_extension,
    scamintel_identity,
    tlp_marking,
)
from scamintel.indicators import Indicator, IndicatorType


@stix2.CustomObservable("phone-number", [("value", StringProperty(required=True))], ["value"])
class PhoneNumber:
    """OpenCTI's ``phone-number`` observable."""


@stix2.CustomObservable(
    "cryptocurrency-wallet", [("value", StringProperty(required=True))], ["value"]
)
class CryptocurrencyWallet:
    """OpenCTI's ``cryptocurrency-wallet`` observable."""


@stix2.CustomObservable(
    "bank-account",
    [
        ("value", StringProperty(required=True)),
        ("iban", StringProperty(required=True)),
        ("bic", StringProperty()),
        ("account_number", StringProperty()),
    ],
    ["iban"],
)
class BankAccount:
    """OpenCTI's ``bank-account`` observable; ``iban`` carries our canonical value."""


@stix2.CustomObservable("x-scamintel-imei", [("value", StringProperty(required=True))], ["value"])
class Imei:
    """A device IMEI (15 digits, Luhn-checked): SIM boxes."""


def _timestamp(moment: datetime) -> str:
    """A STIX timestamp (UTC, milliseconds, ``Z``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def _account(indicator: Indicator) -> tuple[str, str]:
    """``(account_type, user_id)`` of an e-wallet or a handle (``provider:id``)."""
    kind, _, user = indicator.value.partition(":")
    return kind.lower(), user


def _observable_fields(indicator: Indicator) -> tuple[type[Any], dict[str, Any]]:
    value = indicator.value
    match indicator.type:
        case IndicatorType.URL:
            return stix2.URL, {"value": value}
        case IndicatorType.DOMAIN:
            return stix2.DomainName, {"value": value}
        case IndicatorType.EMAIL:
            return stix2.EmailAddress, {"value": value}
        case IndicatorType.IP:
            cls = stix2.IPv4Address if ip_address(value).version == 4 else stix2.IPv6Address
            return cls, {"value": value}
        case IndicatorType.PHONE:
            return PhoneNumber, {"value": value}
        case IndicatorType.CRYPTO_WALLET:
            return CryptocurrencyWallet, {"value": value}
        case IndicatorType.BANK_ACCOUNT:
            return BankAccount, {
                "value": value,
                "iban": value,
                "account_number": value.rsplit(":", 1)[-1],
            }
        case IndicatorType.EWALLET | IndicatorType.HANDLE:
            account_type, user = _account(indicator)
            return stix2.UserAccount, {
                "account_type": account_type,
                "user_id": user,
                "account_login": user,
            }
        case IndicatorType.IMEI:
            return Imei, {"value": value}
    raise ValueError(f"no STIX mapping for {indicator.type}")  # pragma: no cover


def observable_object(indicator: Indicator, context: SharingContext) -> dict[str, Any]:
    """The STIX cyber-observable (SCO) of ``indicator``, marked and attributed."""
    cls, fields = _observable_fields(indicator)
    extra: dict[str, Any] = {
        "x_scamintel_type": indicator.type.value,
        "x_scamintel_value": indicator.value,
    }
    sco = cls(allow_custom=True, **fields, **extra, **context.properties())
    result: dict[str, Any] = json.loads(sco.serialize())
    return result


def _pattern_literal(value: str) -> str:
    """A STIX pattern string literal: backslashes and quotes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def stix_pattern(indicator: Indicator) -> str:
    """The STIX pattern matching ``indicator``'s observable."""
    cls, fields = _observable_fields(indicator)
    sco_type: str = cls._type
    if indicator.type in (IndicatorType.EWALLET, IndicatorType.HANDLE):
        terms = [
            f"{sco_type}:account_type = {_pattern_literal(fields['account_type'])}",
            f"{sco_type}:user_id = {_pattern_literal(fields['user_id'])}",
        ]
    elif indicator.type is IndicatorType.BANK_ACCOUNT:
        terms = [f"{sco_type}:iban = {_pattern_literal(fields['iban'])}"]
    else:
        terms = [f"{sco_type}:value = {_pattern_literal(fields['value'])}"]
    return "[" + " AND ".join(terms) + "]"


def indicator_id(indicator: Indicator) -> str:
    """The indicator's id: UUIDv5 over (type, canonical value), the same on every node."""
    name = f"{indicator.type.value}\x00{indicator.value}"
    return f"indicator--{uuid.uuid5(SCAMINTEL_NAMESPACE, name)}"


def indicator_object(
    indicator: Indicator,
    context: SharingContext,
    *,
    created: datetime,
    valid_from: datetime,
    valid_until: datetime | None = None,
    score: float = 0.0,
    verdict: str | None = None,
    scam_types: Sequence[str] = (),
    revoked: bool = False,
    modified: datetime | None = None,
) -> dict[str, Any]:
    """The STIX ``indicator`` of ``indicator``: pattern, validity, confidence and verdict.

    ``valid_until`` is the listing's expiry; ``revoked`` its retraction (a revoked indicator
    travels like any other change, with a later ``modified``).
    """
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": indicator_id(indicator),
        "created": _timestamp(created),
        "modified": _timestamp(modified or created),
        "name": f"{indicator.type.value} {indicator.value}",
        "description": f"A {indicator.type.value} reported in scams"
        + (f" (verdict: {verdict})." if verdict else "."),
        "indicator_types": ["malicious-activity"],
        "pattern": stix_pattern(indicator),
        "pattern_type": "stix",
        "valid_from": _timestamp(valid_from),
        "confidence": max(0, min(100, round(score * 100))),
        "revoked": revoked,
        **context.properties(),
        "x_scamintel_type": indicator.type.value,
        "x_scamintel_value": indicator.value,
    }
    if valid_until is not None:
        if valid_until <= valid_from:
            raise ValueError("valid_until must be later than valid_from")
        obj["valid_until"] = _timestamp(valid_until)
    if scam_types:
        obj["labels"] = sorted(set(scam_types))
    if verdict is not None:
        obj["x_scamintel_verdict"] = verdict
    return obj


def report_object(
    report: Mapping[str, Any],
    indicator_refs: Iterable[str],
    context: SharingContext,
    *,
    published: datetime,
) -> dict[str, Any]:
    """A STIX ``report`` of one scam report, without victim data.

    Only the facts below are read from ``report`` (the §3 report shape plus its ``id``):
    scam type, channel, victim country, amount, currency and when it happened. The narrative,
    the reporter's contact details and evidence (files, names, hashes) are never copied.
    """
    scam_type = str(report.get("scam_type") or "other")
    report_name = "\x00".join((context.origin, str(report["id"])))
    obj: dict[str, Any] = {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--{uuid.uuid5(SCAMINTEL_NAMESPACE, report_name)}",
        "created": _timestamp(published),
        "modified": _timestamp(published),
        "name": f"scam report: {scam_type}",
        "description": "One scam report's facts, without the victim's data.",
        "report_types": ["observed-data"],
        "published": _timestamp(published),
        "object_refs": sorted(set(indicator_refs)),
        "labels": [scam_type],
        **context.properties(),
        "x_scamintel_scam_type": scam_type,
    }
    if report.get("channel"):
        obj["x_scamintel_channel"] = str(report["channel"])
    if report.get("victim_country"):
        obj["x_scamintel_victim_country"] = str(report["victim_country"])
    if report.get("amount") is not None:
        obj["x_scamintel_amount"] = str(report["amount"])
    if report.get("currency"):
        obj["x_scamintel_currency"] = str(report["currency"])
    occurred = report.get("occurred_at")
    if isinstance(occurred, datetime):
        obj["x_scamintel_occurred_at"] = _timestamp(occurred)
    if not obj["object_refs"]:
        raise ValueError("a shared report must refer to at least one object")
    return obj


def bundle_of(objects: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A STIX 2.1 bundle (a JSON-ready dict) of ``objects``, with the definitions they use.

    The TLP 2.0 markings the objects refer to, and scamintel's extension definition and its
    identity, are added once each; objects are de-duplicated by id (last one wins). The bundle
    id is UUIDv5 over the ids it holds, so the same content gives the same bundle.
    """
    by_id: dict[str, dict[str, Any]] = {}
    for obj in objects:
        by_id[str(obj["id"])] = dict(obj)
    used = {ref for obj in by_id.values() for ref in obj.get("object_marking_refs", ())}
    definitions: list[dict[str, Any]] = [scamintel_identity(), scamintel_extension()]
    definitions += [tlp_marking(tlp) for tlp, ref in TLP_MARKING_IDS.items() if ref in used]
    for definition in definitions:
        by_id.setdefault(definition["id"], definition)
    content = list(by_id.values())
    bundle_uuid = uuid.uuid5(SCAMINTEL_NAMESPACE, "\x00".join(sorted(by_id)))
    return {"type": "bundle", "id": f"bundle--{bundle_uuid}", "objects": content}
