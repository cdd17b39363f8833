"""The /transparency page names, in words a reader understands, everything a purge counts:
every kind of data of the retention policy and the rows the purge tidies besides."""

from __future__ import annotations

from scamintel.governance.retention import DataKind
from scamintel.storage import retention_repo
from scamintel.web.transparency_page import PURGED_KINDS

# What storage/retention_repo.py counts besides the data kinds (a count added there without
# a constant here is caught by tests/integration/test_transparency.py, which reads the keys of
# a real dry run).
EXTRA_COUNTS = (
    retention_repo.PARTNER_RECORD,
    retention_repo.OPERATION,
    retention_repo.VALUE,
    retention_repo.VALUE_OVERWRITTEN,
    retention_repo.LISTING_TRANSITION,
)


def test_every_kind_a_purge_counts_has_a_name_on_the_page() -> None:
    counted = {kind.value for kind in DataKind} | set(EXTRA_COUNTS)
    unnamed = sorted(counted - set(PURGED_KINDS))
    assert unnamed == [], (
        f"add these to web/transparency_page.py PURGED_KINDS (N_ names): {unnamed}"
    )
