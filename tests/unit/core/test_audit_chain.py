"""The audit hash chain, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from scamintel.governance.audit import GENESIS_HASH, AuditEntry, AuditEvent, seal, verify_chain

START = datetime(2026, 11, 1, tzinfo=UTC)


def chain(length: int) -> list[AuditEntry]:
    entries = []
    previous = GENESIS_HASH
    for seq in range(1, length + 1):
        entry = seal(
            seq, START + timedelta(seconds=seq), AuditEvent("cli", "x", "report"), previous
        )
        entries.append(entry)
        previous = entry.entry_hash
    return entries


def test_an_untouched_chain_verifies_and_reports_its_head() -> None:
    entries = chain(4)
    result = verify_chain(entries)
    assert (result.ok, result.entries, result.head_hash) == (True, 4, entries[-1].entry_hash)


def test_reordering_two_entries_is_detected() -> None:
    entries = chain(3)
    entries[1], entries[2] = entries[2], entries[1]
    assert verify_chain(entries).problem == "entry 2 is missing (found 3)"


def test_changing_the_details_of_an_entry_is_detected() -> None:
    entries = chain(3)
    entries[0] = replace(entries[0], event=AuditEvent("cli", "x", "report", details={"n": 1}))
    assert verify_chain(entries).problem == "entry 1 was altered after it was written"


def test_an_empty_log_verifies_to_the_genesis_hash() -> None:
    assert verify_chain([]).head_hash == GENESIS_HASH
