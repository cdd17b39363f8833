"""On what ground the node acts, for each kind of audited action.

Every audit entry names a legal basis. A caller that knows better (a disclosure to a partner
under an agreement that states its own basis) names it; otherwise the action's family decides,
by the table below, which docs/governance.md shows (its generated section)."""

from __future__ import annotations

from enum import StrEnum


class LegalBasis(StrEnum):
    # The node's statutory task: receiving reports, warning the public, keeping listings.
    PUBLIC_TASK = "public_task"
    # Investigation and enforcement by the competent authority.
    LAW_ENFORCEMENT = "law_enforcement"
    # What the law requires of any controller: accountability, security, data-subject rights.
    LEGAL_OBLIGATION = "legal_obligation"
    # A sharing agreement (memorandum of understanding) with a partner node.
    PARTNER_AGREEMENT = "partner_agreement"


# Longest prefix wins; the empty prefix is the fallback.
BASIS_BY_ACTION_PREFIX: dict[str, LegalBasis] = {
    "": LegalBasis.PUBLIC_TASK,
    "report.": LegalBasis.PUBLIC_TASK,
    "dispute.": LegalBasis.PUBLIC_TASK,
    "outcome.": LegalBasis.PUBLIC_TASK,
    "review.": LegalBasis.PUBLIC_TASK,
    "alert.": LegalBasis.PUBLIC_TASK,
    "blocklist.": LegalBasis.PUBLIC_TASK,
    "export.": LegalBasis.PUBLIC_TASK,
    "case.": LegalBasis.LAW_ENFORCEMENT,
    "operation.": LegalBasis.LAW_ENFORCEMENT,
    "cross_border_request.": LegalBasis.LAW_ENFORCEMENT,
    "federation.": LegalBasis.PARTNER_AGREEMENT,
    "agreement.": LegalBasis.PARTNER_AGREEMENT,
    "peer.": LegalBasis.PARTNER_AGREEMENT,
    "blind_release.": LegalBasis.PARTNER_AGREEMENT,
    "apikey.": LegalBasis.LEGAL_OBLIGATION,
    "audit.": LegalBasis.LEGAL_OBLIGATION,
    "retention.": LegalBasis.LEGAL_OBLIGATION,
    "subject_request.": LegalBasis.LEGAL_OBLIGATION,
    "data.": LegalBasis.LEGAL_OBLIGATION,
    "setting.": LegalBasis.LEGAL_OBLIGATION,
}


def legal_basis_for(action: str) -> LegalBasis:
    """The basis of an action that names none: the longest matching prefix's."""
    prefix = max((p for p in BASIS_BY_ACTION_PREFIX if action.startswith(p)), key=len)
    return BASIS_BY_ACTION_PREFIX[prefix]
