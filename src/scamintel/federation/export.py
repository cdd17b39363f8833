"""What this node serves a partner under a sharing agreement: its published listings as STIX
indicators, marked as the agreement says, with blind (keyed-hash) selectors for blind types.

A blind selector never carries the raw value, nor anything derived from it without the key:
the normal indicator id is a UUIDv5 of the raw value, which anyone can recompute for every
phone number of a country, so a blind object gets an id derived from the selector instead
(docs/federation.md). Pure functions: the listings and report counts come from the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from scamintel.federation.agreement import Agreement
from scamintel.federation.markings import SCAMINTEL_NAMESPACE, Purpose, SharingContext
from scamintel.federation.stix import indicator_id
from scamintel.federation.taxii import PublishedListing
from scamintel.indicators import Indicator, IndicatorType

BLIND_OBJECT_TYPE = "x-scamintel-blind-selector"
WITHDRAWN_OBJECT_TYPE = "x-scamintel-withdrawn"
BLIND_ID_PREFIX = "blind\x00"

# What a blind object keeps of the raw indicator: a whitelist, so that a property added to
# the raw form later cannot carry the value out by accident.
_BLIND_KEEPS = (
    "type",
    "spec_version",
    "created",
    "modified",
    "indicator_types",
    "pattern_type",
    "valid_from",
    "valid_until",
    "confidence",
    "revoked",
    "object_marking_refs",
    "extensions",
    "x_scamintel_origin",
    "x_scamintel_purpose",
    "x_scamintel_legal_basis",
    "x_scamintel_verdict",
)


def export_context(agreement: Agreement, node_name: str) -> SharingContext:
    """Listings are prevention data, marked as the agreement's ``share_as``."""
    return SharingContext(
        origin=node_name,
        tlp=agreement.share_as,
        purpose=Purpose.PREVENTION,
        legal_basis=agreement.legal_basis,
    )


def exports_listings(agreement: Agreement) -> bool:
    """Whether the agreement lets any listing go at all (listings serve prevention only)."""
    return Purpose.PREVENTION in agreement.purposes


def _indicator(listing: PublishedListing) -> Indicator:
    return Indicator(IndicatorType(listing.type), listing.value)


def blind_object_id(selector: str) -> str:
    """The id of a blind selector's indicator: UUIDv5 over the selector, never the value."""
    return f"indicator--{uuid.uuid5(SCAMINTEL_NAMESPACE, BLIND_ID_PREFIX + selector)}"


def export_id(listing: PublishedListing, agreement: Agreement) -> str:
    """The id ``export_object`` gives ``listing``, without building the object."""
    indicator = _indicator(listing)
    if agreement.is_blind(indicator.type):
        return blind_object_id(agreement.selector(indicator))
    return indicator_id(indicator)


def export_object(
    listing: PublishedListing, agreement: Agreement, node_name: str, report_count: int
) -> dict[str, Any]:
    """The STIX indicator of ``listing`` for the agreement's partner: marked ``share_as``,
    with the number of reports naming the value, blind when the agreement says so."""
    return _export(listing, agreement, export_context(agreement, node_name), report_count)


def export_objects(
    listings: Sequence[PublishedListing],
    agreement: Agreement,
    node_name: str,
    report_counts: Mapping[int, int],
) -> list[dict[str, Any]]:
    """``export_object`` of each listing (a page), with its report count by indicator row
    (absent: none); the marking context is made once for the page."""
    context = export_context(agreement, node_name)
    return [
        _export(listing, agreement, context, report_counts.get(listing.indicator_id, 0))
        for listing in listings
    ]


def _export(
    listing: PublishedListing, agreement: Agreement, context: SharingContext, report_count: int
) -> dict[str, Any]:
    indicator = listing.indicator
    raw = listing.stix(context, indicator)
    raw["x_scamintel_report_count"] = report_count
    if not agreement.is_blind(indicator.type):
        return _withdrawn(raw, indicator.type.value) if raw["revoked"] else raw
    selector = agreement.selector(indicator)
    blind = {name: raw[name] for name in _BLIND_KEEPS if name in raw}
    blind.update(
        {
            "id": blind_object_id(selector),
            "name": f"blind {indicator.type.value} selector",
            "description": f"A {indicator.type.value} reported in scams, as a keyed hash "
            "(HMAC-SHA256 under the agreement's key): match it, it does not reveal the value.",
            "pattern": f"[{BLIND_OBJECT_TYPE}:value = '{selector}']",
            "x_scamintel_type": indicator.type.value,
            "x_scamintel_blind": selector,
            "x_scamintel_report_count": report_count,
        }
    )
    return blind


def _withdrawn(raw: dict[str, Any], indicator_type: str) -> dict[str, Any]:
    """A revocation names the indicator by its id only. A removed listing is often an
    innocent party's number (a dispute upheld): a partner that held the value learns it is
    withdrawn, and one that never held it does not learn it now."""
    withdrawn = {name: raw[name] for name in _BLIND_KEEPS if name in raw}
    withdrawn.update(
        {
            "id": raw["id"],
            "name": f"withdrawn {indicator_type} indicator",
            "description": "Withdrawn: this node no longer lists the value.",
            "pattern": f"[{WITHDRAWN_OBJECT_TYPE}:value = '{raw['id']}']",
            "x_scamintel_type": indicator_type,
            "x_scamintel_report_count": raw["x_scamintel_report_count"],
        }
    )
    return withdrawn
