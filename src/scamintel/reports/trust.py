"""How much the verdict engine trusts a report, from who sent it (docs/verdicts.md)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from scamintel.access.keys import OrganisationKind


class ReporterTrust(StrEnum):
    VERIFIED_AGENCY = "verified_agency"
    BANK_TELCO = "bank_telco"
    REGISTERED_CITIZEN = "registered_citizen"
    ANONYMOUS = "anonymous"


# Organisations whose recorded actions (frozen, blocked, taken down, false positive) count
# as confirmations (docs/verdicts.md, Outcomes).
ACTING_TRUST = frozenset({ReporterTrust.VERIFIED_AGENCY, ReporterTrust.BANK_TELCO})
_AGENCIES = frozenset({OrganisationKind.AGENCY, OrganisationKind.POLICE})
_BANKS_AND_TELCOS = frozenset({OrganisationKind.BANK, OrganisationKind.TELCO})


def trust_of_organisation(kind: OrganisationKind, verified: bool) -> ReporterTrust:
    """An agency or police unit the operator has verified is the most trusted source; a bank
    or telco next; any other key holder (a citizen app, an unverified agency, a partner)
    stands for registered citizens. Senders without a key are anonymous."""
    if kind in _AGENCIES and verified:
        return ReporterTrust.VERIFIED_AGENCY
    if kind in _BANKS_AND_TELCOS:
        return ReporterTrust.BANK_TELCO
    return ReporterTrust.REGISTERED_CITIZEN


def organisation_source(organisation_id: int) -> str:
    return f"org:{organisation_id}"


def network_source(secret_key: str, address: str | None) -> str:
    """A keyed hash of the sender's network (/24 for IPv4, /48 for IPv6): enough to tell that
    many anonymous reports came from one place, without keeping the address. Senders whose
    address is unknown or not an IP address count as one sender together."""
    network = "unknown"
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        pass
    else:
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
            parsed = parsed.ipv4_mapped  # an IPv4 client on a dual-stack listener
        prefix = 24 if parsed.version == 4 else 48
        network = str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))
    digest = hmac.new(secret_key.encode(), network.encode(), hashlib.sha256).hexdigest()
    return f"net:{digest[:32]}"


def report_source(
    secret_key: str,
    *,
    organisation_id: int | None,
    address: str | None,
    reporter: Mapping[str, Any] | None,
) -> str:
    """Who a report counts as, for distinct reporters. An organisation sending the reports of
    different victims (a bank, a citizen app) counts once per victim it names; one sending
    without a victim's contact counts once. Without a key, the sender's network decides:
    contact details typed into a public form prove nothing."""
    if organisation_id is None:
        return network_source(secret_key, address)
    source = organisation_source(organisation_id)
    contact = {
        field: "".join(str(value).split()).lower()
        for field, value in (reporter or {}).items()
        if field != "name" and value
    }
    if not contact:
        return source
    canonical = json.dumps(contact, sort_keys=True, ensure_ascii=False)
    digest = hmac.new(secret_key.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    return f"{source}:{digest[:16]}"
