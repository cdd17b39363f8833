"""Every audited action names the ground the node acted on."""

from __future__ import annotations

import pytest

from scamintel.governance.legal_basis import LegalBasis, legal_basis_for


@pytest.mark.parametrize(
    ("action", "basis"),
    [
        ("report.read_personal_data", LegalBasis.PUBLIC_TASK),
        ("cross_border_request.sent", LegalBasis.LAW_ENFORCEMENT),
        ("case.viewed", LegalBasis.LAW_ENFORCEMENT),
        ("federation.page_served", LegalBasis.PARTNER_AGREEMENT),
        ("blind_release.approved", LegalBasis.PARTNER_AGREEMENT),
        ("data.erased", LegalBasis.LEGAL_OBLIGATION),
        ("subject_request.completed", LegalBasis.LEGAL_OBLIGATION),
        ("setting.changed", LegalBasis.LEGAL_OBLIGATION),
        ("apikey.revoke", LegalBasis.LEGAL_OBLIGATION),
        ("audit.head_signed", LegalBasis.LEGAL_OBLIGATION),
        ("something.new", LegalBasis.PUBLIC_TASK),
    ],
)
def test_an_action_takes_the_basis_of_its_longest_prefix(action: str, basis: LegalBasis) -> None:
    assert legal_basis_for(action) is basis
