"""Federation: what a node shares with partner nodes, as STIX 2.1 (TAXII and sync to come)."""

from scamintel.federation.markings import Purpose, SharingContext, Tlp, tlp_marking
from scamintel.federation.stix import (
    bundle_of,
    indicator_id,
    indicator_object,
    observable_object,
    report_object,
    stix_pattern,
)

__all__ = [
    "Purpose",
    "SharingContext",
    "Tlp",
    "bundle_of",
    "indicator_id",
    "indicator_object",
    "observable_object",
    "report_object",
    "stix_pattern",
    "tlp_marking",
]
