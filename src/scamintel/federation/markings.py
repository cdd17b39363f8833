"""TLP 2.0 markings and the governance properties every shared STIX object carries.

The TLP 2.0 marking-definition objects and their ids are the published ones of the TLP 2.0
STIX extension (oasis-open/cti-stix-common-objects,
extension-definition-specifications/tlp-2.0): each is a ``marking-definition`` with the
property extension ``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"

#: The namespace of scamintel's own UUIDv5 ids (indicators, reports, the extension below).
SCAMINTEL_NAMESPACE = uuid.UUID("5c4a11e7-0b1d-4e5e-9a2f-7c0de5ca1e00")

#: scamintel's top-level property extension: declares the ``x_scamintel_*`` properties so that
#: stix2-validator (and readers) know where they come from.
SCAMINTEL_EXTENSION_ID = f"extension-definition--{uuid.uuid5(SCAMINTEL_NAMESPACE, 'extension')}"
SCAMINTEL_IDENTITY_ID = f"identity--{uuid.uuid5(SCAMINTEL_NAMESPACE, 'scamintel')}"
SCAMINTEL_PROPERTIES = (
    "x_scamintel_origin",
    "x_scamintel_purpose",
    "x_scamintel_legal_basis",
    "x_scamintel_type",
    "x_scamintel_value",
    "x_scamintel_verdict",
    "x_scamintel_scam_type",
    "x_scamintel_channel",
    "x_scamintel_victim_country",
    "x_scamintel_amount",
    "x_scamintel_currency",
    "x_scamintel_occurred_at",
    "x_scamintel_blind",
    "x_scamintel_report_count",
)


class Tlp(StrEnum):
    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"


TLP_MARKING_IDS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


class Purpose(StrEnum):
    PREVENTION = "prevention"
    INVESTIGATION = "investigation"


@dataclass(frozen=True, slots=True)
class SharingContext:
    """Who shares, under which marking, for what and on which legal basis (DESIGN.md §4)."""

    origin: str
    tlp: Tlp = Tlp.AMBER
    purpose: Purpose = Purpose.PREVENTION
    legal_basis: str = ""

    def properties(self) -> dict[str, Any]:
        """The marking, governance properties and extension every shared object carries."""
        props: dict[str, Any] = {
            "object_marking_refs": [TLP_MARKING_IDS[self.tlp]],
            "x_scamintel_origin": self.origin,
            "x_scamintel_purpose": self.purpose.value,
            "extensions": {
                SCAMINTEL_EXTENSION_ID: {"extension_type": "toplevel-property-extension"}
            },
        }
        if self.legal_basis:
            props["x_scamintel_legal_basis"] = self.legal_basis
        return props


def tlp_marking(tlp: Tlp) -> dict[str, Any]:
    """The published TLP 2.0 ``marking-definition`` object for ``tlp``."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_MARKING_IDS[tlp],
        "created": TLP2_CREATED,
        "name": f"TLP:{tlp.value.upper()}",
        "extensions": {
            TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": tlp.value}
        },
    }


def scamintel_identity() -> dict[str, Any]:
    """The identity that defines scamintel's extension (the project, not a node)."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": SCAMINTEL_IDENTITY_ID,
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
        "name": "scamintel",
        "identity_class": "system",
    }


def scamintel_extension() -> dict[str, Any]:
    """The extension-definition declaring the ``x_scamintel_*`` top-level properties."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": SCAMINTEL_EXTENSION_ID,
        "created_by_ref": SCAMINTEL_IDENTITY_ID,
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
        "name": "scamintel properties",
        "description": "Origin node, purpose, legal basis and scam facts of scamintel objects; "
        "see docs/federation.md.",
        "schema": "https://github.com/scamintel/scamintel/blob/main/docs/federation.md",
        "version": "1.0.0",
        "extension_types": ["toplevel-property-extension"],
        "extension_properties": list(SCAMINTEL_PROPERTIES),
    }
