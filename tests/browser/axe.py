"""axe-core, the accessibility rules engine, run inside a loaded page: the violations it finds
and a readable account of them for a failing test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

# Installed from the npm registry by `make install` (npm ci; pinned by package-lock.json).
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page: Page, impacts: tuple[str, ...] = BLOCKING_IMPACTS) -> list[Any]:
    """axe-core's violations of the loaded page at the ``impacts`` given."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("async () => await axe.run(document)")
    return [found for found in results["violations"] if found["impact"] in impacts]


def describe_violations(violations: list[Any]) -> str:
    """One readable block per rule broken: impact, rule, help, where (up to five nodes)."""
    lines: list[str] = []
    for found in violations:
        lines.append(f"[{found['impact']}] {found['id']}: {found['help']} ({found['helpUrl']})")
        for node in found["nodes"][:5]:
            target = json.dumps(node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    at {target}: {summary}")
            lines.append(f"       {node['html'][:200]}")
        if len(found["nodes"]) > 5:
            lines.append(f"    ... and {len(found['nodes']) - 5} more")
    return "\n".join(lines)
