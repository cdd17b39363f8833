"""The parts of the node's policy (docs/governance.md) that are generated from the code's own
tables, so that the document cannot say something the code does not do.

A generated section sits between two markers in the Markdown::

    <!-- generated: retention-table -->
    ...rewritten by `scamintel governance docs`...
    <!-- /generated: retention-table -->

:func:`regenerated` rewrites only the text between the markers; :func:`stale_sections` names
the sections whose text differs from what the code says now (``--check``, and a unit test)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from scamintel.access.keys import Role
from scamintel.access.roles import PERMISSIONS
from scamintel.governance.legal_basis import BASIS_BY_ACTION_PREFIX, LegalBasis
from scamintel.governance.retention import DEFAULT_RULES

# The roles in the order of the matrix's columns, with their names for a reader.
ROLE_COLUMNS: tuple[tuple[Role, str], ...] = (
    (Role.REPORTER, "reporter (bank, telco, agency)"),
    (Role.ANALYST, "analyst"),
    (Role.INVESTIGATOR, "investigator"),
    (Role.ADMIN, "admin"),
    (Role.PARTNER, "partner node"),
)

# What each legal basis means, for the legal-basis table.
BASIS_MEANING: Mapping[LegalBasis, str] = {
    LegalBasis.PUBLIC_TASK: (
        "the node's statutory task: receiving reports, warning the public, keeping listings"
    ),
    LegalBasis.LAW_ENFORCEMENT: "investigation and enforcement by the competent authority",
    LegalBasis.LEGAL_OBLIGATION: (
        "what the law requires of any controller: accountability, security, data-subject rights"
    ),
    LegalBasis.PARTNER_AGREEMENT: "a sharing agreement (memorandum of understanding) with a "
    "partner node",
}

_DAYS_PER_YEAR = 365


class PolicyDocumentError(ValueError):
    """The document lacks a generated section's markers, or has them out of order."""


def _cell(text: str) -> str:
    # A pipe inside a cell would end it.
    return text.replace("|", "\\|")


def _period(days: int) -> str:
    if days % _DAYS_PER_YEAR == 0:
        years = days // _DAYS_PER_YEAR
        return f"{days} days ({years} year{'s' if years > 1 else ''})"
    return f"{days} days"


def retention_table() -> str:
    """The default retention periods (governance/retention.py DEFAULT_RULES)."""
    lines = [
        "| data kind | kept for | what it is | counted from when | may differ by report source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in DEFAULT_RULES:
        lines.append(
            f"| `{rule.kind.value}` | {_period(rule.days)} | {_cell(rule.what)} "
            f"| {_cell(rule.counted_from)} | {'yes' if rule.per_source else 'no'} |"
        )
    return "\n".join(lines)


def roles_matrix() -> str:
    """Who may do what (access/roles.py PERMISSIONS, the table the routes enforce)."""
    header = ["what", "anyone (no key)", *(name for _, name in ROLE_COLUMNS), "enforced at"]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    for permission in PERMISSIONS:
        cells = [_cell(permission.what), "yes" if permission.public else "no"]
        cells += ["yes" if role in permission.roles else "no" for role, _ in ROLE_COLUMNS]
        cells.append(", ".join(f"`{route}`" for route in permission.routes))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def legal_basis_table() -> str:
    """The legal basis of each audited action family (governance/legal_basis.py)."""
    lines = ["| legal basis | meaning | audited actions |", "| --- | --- | --- |"]
    for basis in LegalBasis:
        prefixes = sorted(p for p, b in BASIS_BY_ACTION_PREFIX.items() if b is basis and p)
        actions = [f"`{prefix}*`" for prefix in prefixes]
        if BASIS_BY_ACTION_PREFIX.get("") is basis:
            actions.append("any other action")
        lines.append(f"| `{basis.value}` | {_cell(BASIS_MEANING[basis])} | {', '.join(actions)} |")
    return "\n".join(lines)


GENERATED: Mapping[str, Callable[[], str]] = {
    "retention-table": retention_table,
    "roles-matrix": roles_matrix,
    "legal-basis": legal_basis_table,
}


def _section(name: str) -> re.Pattern[str]:
    quoted = re.escape(name)
    return re.compile(
        rf"(<!-- generated: {quoted} -->\n)(.*?)(<!-- /generated: {quoted} -->)", re.DOTALL
    )


def _body(name: str) -> str:
    return f"\n{GENERATED[name]()}\n\n"


def _match(text: str, name: str) -> re.Match[str]:
    found = _section(name).search(text)
    if found is None:
        raise PolicyDocumentError(
            f"the document has no generated section {name!r}: add the lines "
            f"'<!-- generated: {name} -->' and '<!-- /generated: {name} -->' where it goes"
        )
    return found


def regenerated(text: str) -> str:
    """``text`` with every generated section rewritten from the code; nothing else changes."""
    for name in GENERATED:
        found = _match(text, name)
        text = text[: found.start(2)] + _body(name) + text[found.end(2) :]
    return text


def stale_sections(text: str) -> list[str]:
    """The generated sections whose text is not what the code says now (missing ones too)."""
    stale = []
    for name in GENERATED:
        found = _section(name).search(text)
        if found is None or found.group(2) != _body(name):
            stale.append(name)
    return stale
