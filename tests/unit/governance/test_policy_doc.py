"""docs/governance.md's generated sections say what the code's tables say, and the generator
rewrites only the text between their markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from scamintel.access.keys import Role
from scamintel.access.roles import PERMISSIONS
from scamintel.governance.legal_basis import LegalBasis
from scamintel.governance.policy import (
    BASIS_MEANING,
    GENERATED,
    PolicyDocumentError,
    legal_basis_table,
    regenerated,
    retention_table,
    roles_matrix,
    stale_sections,
)
from scamintel.governance.retention import DEFAULT_RULES, DataKind

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "governance.md"


def skeleton(body: str = "old text\n") -> str:
    sections = "".join(
        f"<!-- generated: {name} -->\n{body}<!-- /generated: {name} -->\n" for name in GENERATED
    )
    return f"# Policy\n\nWritten by hand.\n\n{sections}\nAlso by hand.\n"


def test_docs_governance_md_is_up_to_date_with_the_code() -> None:
    stale = stale_sections(DOCUMENT.read_text(encoding="utf-8"))
    assert stale == [], (
        f"docs/governance.md is out of date ({', '.join(stale)}): run "
        "`scamintel governance docs` from the repository root"
    )


def test_regenerating_rewrites_only_the_text_between_the_markers() -> None:
    text = skeleton()
    assert stale_sections(text) == list(GENERATED)
    updated = regenerated(text)
    assert stale_sections(updated) == []
    assert "old text" not in updated
    assert updated.startswith("# Policy\n\nWritten by hand.\n\n<!-- generated: ")
    assert updated.endswith("\nAlso by hand.\n")
    assert regenerated(updated) == updated  # a second run changes nothing


def test_a_hand_edit_inside_a_generated_section_is_stale_and_named() -> None:
    text = regenerated(skeleton()).replace("| `narrative` | 730 days", "| `narrative` | 30 days")
    assert stale_sections(text) == ["retention-table"]


def test_a_missing_section_is_named_and_regenerating_says_which_markers_to_add() -> None:
    text = skeleton().replace("<!-- /generated: roles-matrix -->\n", "")
    assert "roles-matrix" in stale_sections(text)
    with pytest.raises(PolicyDocumentError, match="<!-- generated: roles-matrix -->"):
        regenerated(text)


def test_the_retention_table_has_one_row_per_kind_with_its_period() -> None:
    table = retention_table()
    for rule in DEFAULT_RULES:
        assert f"| `{rule.kind.value}` | {rule.days} days" in table
    assert len(table.splitlines()) == 2 + len(DataKind)
    assert "| `narrative` | 730 days (2 years) |" in table
    assert "| `taxii_status` | 30 days |" in table


def test_the_roles_matrix_marks_exactly_the_roles_each_permission_allows() -> None:
    rows = roles_matrix().splitlines()[2:]
    assert len(rows) == len(PERMISSIONS)
    contact = next(row for row in rows if row.startswith("| Read the victim's contact"))
    # what, anyone, reporter, analyst, investigator, admin, partner, where
    cells = [cell.strip() for cell in contact.strip("|").split(" | ")]
    assert cells[1:7] == ["no", "no", "no", "yes", "yes", "no"]
    for permission in PERMISSIONS:
        assert permission.public == (set(permission.roles) == set(Role))


def test_every_legal_basis_is_explained_and_every_action_family_listed() -> None:
    assert set(BASIS_MEANING) == set(LegalBasis)
    table = legal_basis_table()
    assert "| `law_enforcement` |" in table
    assert "`subject_request.*`" in table
    assert "any other action" in table
