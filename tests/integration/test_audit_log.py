"""The audit log as evidence, on SQLite and PostgreSQL: signed heads, verification that
finds every kind of tampering, consistency with a head kept outside, redaction and the trail
of one value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Connection, delete, select, update

from integration.test_store import MULE, NUMBER, a_report
from scamintel.governance.audit import AuditEvent
from scamintel.governance.signing import AuditSigner, SignedHead
from scamintel.storage.audit_repo import (
    AuditRangeError,
    audit_trail,
    check_external_head,
    consistency,
    redact_entries,
    sign_head,
    verify_log,
)
from scamintel.storage.node import NodeDatabase
from scamintel.storage.store import append_audit
from scamintel.storage.tables import (
    audit_head,
    audit_log,
    audit_signed_heads,
    audit_subjects,
    indicators,
)

SIGNER = AuditSigner("integration-test-secret-key-long-enough-0123456789")
NODE = "th-test"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def write(connection: Connection, count: int, start: int = 1) -> None:
    for n in range(start, start + count):
        append_audit(
            connection,
            AuditEvent(
                actor=f"analyst-{n}",
                action="report.read",
                object_type="report",
                object_id=str(n),
                purpose="investigation",
                details={"n": n},
                subjects=(n, n + 100),
            ),
        )


def verify(connection: Connection) -> list[str]:
    return verify_log(connection, SIGNER.public, NODE).problems


def signed_log(database: NodeDatabase, entries: int = 6) -> SignedHead:
    """``entries`` entries, a head signed over them (entry entries+1), then three more."""
    with database.engine.begin() as connection:
        write(connection, entries)
        signed = sign_head(connection, SIGNER, NODE, NOW)
        write(connection, 3, start=entries + 2)
    assert signed is not None
    return signed


def test_an_untouched_log_with_signed_heads_verifies(node_database: NodeDatabase) -> None:
    signed_log(node_database)
    with node_database.engine.begin() as connection:
        assert sign_head(connection, SIGNER, NODE, NOW) is not None
        report = verify_log(connection, SIGNER.public, NODE)
    assert report.ok, report.problems
    assert (report.entries, report.size, report.signed_heads) == (11, 11, 2)


def test_signing_again_without_new_entries_writes_nothing(node_database: NodeDatabase) -> None:
    with node_database.engine.begin() as connection:
        assert sign_head(connection, SIGNER, NODE, NOW) is None  # an empty log
        write(connection, 2)
        first = sign_head(connection, SIGNER, NODE, NOW)
        assert first is not None
        assert first.size == 2
        assert sign_head(connection, SIGNER, NODE, NOW) is None
        write(connection, 1)
        second = sign_head(connection, SIGNER, NODE, NOW)
        assert second is not None
        assert second.size == 4
        entry = connection.execute(select(audit_log).where(audit_log.c.seq == 3)).one()
    assert (entry.action, entry.legal_basis) == ("audit.head_signed", "legal_obligation")


def test_a_changed_column_is_found(node_database: NodeDatabase) -> None:
    signed_log(node_database)
    with node_database.engine.begin() as connection:
        connection.execute(
            update(audit_log).where(audit_log.c.seq == 3).values(purpose="curiosity")
        )
        problems = verify(connection)
    # The stored hash was left alone, so the signed tree still matches: the chain finds it.
    assert problems == ["entry 3 was altered after it was written"]


def test_a_deleted_middle_row_is_found(node_database: NodeDatabase) -> None:
    signed_log(node_database)
    with node_database.engine.begin() as connection:
        connection.execute(delete(audit_subjects).where(audit_subjects.c.seq == 4))
        connection.execute(delete(audit_log).where(audit_log.c.seq == 4))
        problems = verify(connection)
    assert "entry 4 is missing: removed from the log" in problems
    assert any(p.startswith("the log's first 6 entries no longer have the root") for p in problems)


def test_two_rows_with_swapped_content_are_both_found(node_database: NodeDatabase) -> None:
    signed_log(node_database)
    with node_database.engine.begin() as connection:
        rows = {
            row.seq: row
            for row in connection.execute(select(audit_log).where(audit_log.c.seq.in_([2, 3])))
        }
        for seq, other in ((2, 3), (3, 2)):
            source = rows[other]
            connection.execute(
                update(audit_log)
                .where(audit_log.c.seq == seq)
                .values(actor=source.actor, object_id=source.object_id, details=source.details)
            )
        problems = verify(connection)
    assert "entry 2 was altered after it was written" in problems
    assert "entry 3 was altered after it was written" in problems


def test_a_changed_subject_row_is_found(node_database: NodeDatabase) -> None:
    signed_log(node_database)
    with node_database.engine.begin() as connection:
        connection.execute(
            update(audit_subjects)
            .where(audit_subjects.c.seq == 5, audit_subjects.c.indicator_id == 105)
            .values(indicator_id=999)
        )
        assert "entry 5 was altered after it was written" in verify(connection)


def test_a_cut_tail_is_found_with_or_without_rewinding_the_head(
    node_database: NodeDatabase,
) -> None:
    signed_log(node_database)
    with node_database.engine.begin() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq > 9))
        problems = verify(connection)
        assert any(
            p.startswith("the head row names entry 10, but the log ends at entry 9")
            for p in problems
        )
        # Rewound head row: the chain is whole again, but the stored signed head covers more.
        last = connection.execute(select(audit_log).where(audit_log.c.seq == 5)).one()
        connection.execute(delete(audit_subjects).where(audit_subjects.c.seq > 5))
        connection.execute(delete(audit_log).where(audit_log.c.seq > 5))
        connection.execute(update(audit_head).values(seq=5, entry_hash=last.entry_hash))
        problems = verify(connection)
    assert problems == [
        "the signed head of size 6 covers more entries than the log holds (5): entries were "
        "removed from its end"
    ]


def test_a_cut_tail_with_its_signed_head_removed_is_found_by_a_head_kept_outside(
    node_database: NodeDatabase,
) -> None:
    kept = signed_log(node_database)
    with node_database.engine.begin() as connection:
        assert check_external_head(connection, kept, SIGNER.public, NODE).consistent
        last = connection.execute(select(audit_log).where(audit_log.c.seq == 4)).one()
        connection.execute(delete(audit_subjects).where(audit_subjects.c.seq > 4))
        connection.execute(delete(audit_log).where(audit_log.c.seq > 4))
        connection.execute(delete(audit_signed_heads))
        connection.execute(update(audit_head).values(seq=4, entry_hash=last.entry_hash))
        assert verify(connection) == []  # nothing inside the node shows it any more
        check = check_external_head(connection, kept, SIGNER.public, NODE)
    assert not check.consistent
    assert "the log holds only 4" in check.problems[0]


def test_a_deleted_or_altered_signed_head_is_found(node_database: NodeDatabase) -> None:
    signed_log(node_database)
    with node_database.engine.begin() as connection:
        connection.execute(update(audit_signed_heads).values(root_hash="00" * 32))
        altered = verify(connection)
        connection.execute(delete(audit_signed_heads))
        deleted = verify(connection)
    assert any("does not match its content" in p for p in altered)
    assert any("differs from its entry 7" in p for p in altered)
    assert deleted == ["the signed head of size 6 (written at entry 7) was deleted"]


def test_a_head_kept_outside_gets_a_proof_to_the_latest_head(node_database: NodeDatabase) -> None:
    kept = signed_log(node_database, entries=5)
    with node_database.engine.begin() as connection:
        latest = sign_head(connection, SIGNER, NODE, NOW + timedelta(hours=1))
        check = check_external_head(connection, kept, SIGNER.public, NODE)
        proof = consistency(connection, 3, 7)
        with pytest.raises(AuditRangeError, match="<= 10"):
            consistency(connection, 4, 11)
        connection.execute(update(audit_log).where(audit_log.c.seq == 2).values(actor="nobody"))
        still = check_external_head(connection, kept, SIGNER.public, NODE)
        connection.execute(
            update(audit_log).where(audit_log.c.seq == 2).values(entry_hash="11" * 32)
        )
        broken = check_external_head(connection, kept, SIGNER.public, NODE)
    assert latest is not None
    assert latest.size == 9
    assert check.consistent, check.problems
    assert check.proof is not None
    assert check.proof.second == 9
    assert check.proof.verifies()
    assert check.proof.second_root == latest.root_hash
    assert proof.verifies()
    assert proof.first == 3
    assert proof.second == 7
    # Content is covered by the entry hash, which verify checks; the tree covers the hashes.
    assert still.consistent
    assert not broken.consistent
    assert "first 5 entries no longer have the root" in broken.problems[0]


def test_a_forged_head_is_refused(node_database: NodeDatabase) -> None:
    kept = signed_log(node_database)
    forged = SignedHead.from_json({**kept.to_json(), "root_hash": "22" * 32})
    other = AuditSigner("a-different-node-secret-0123456789-0123456789").sign_head(
        node=NODE,
        size=kept.size,
        root_hash=kept.root_hash,
        head_hash=kept.head_hash,
        signed_at=NOW,
    )
    with node_database.engine.connect() as connection:
        forged_check = check_external_head(connection, forged, SIGNER.public, NODE)
        other_check = check_external_head(connection, other, SIGNER.public, NODE)
    assert any("does not match its content" in p for p in forged_check.problems)
    assert any("not this node's key" in p for p in other_check.problems)


def test_redaction_blanks_old_entries_and_keeps_the_log_verifiable(
    node_database: NodeDatabase,
) -> None:
    kept = signed_log(node_database)
    with node_database.engine.begin() as connection:
        connection.execute(
            update(audit_log).where(audit_log.c.seq <= 4).values(at=NOW - timedelta(days=800))
        )
        # Moving ``at`` changed those entries' content: rehash is not possible, so redact
        # them, which is what retention does with old entries.
        redacted = redact_entries(connection, NOW - timedelta(days=730), NOW)
        again = redact_entries(connection, NOW - timedelta(days=730), NOW)
        report = verify_log(connection, SIGNER.public, NODE)
        rows = connection.execute(select(audit_log).order_by(audit_log.c.seq)).all()
        subjects = connection.scalars(select(audit_subjects.c.seq).distinct()).all()
        check = check_external_head(connection, kept, SIGNER.public, NODE)
    assert (redacted, again) == (4, 0)
    assert report.ok, report.problems
    assert report.redacted == 4
    assert [(r.actor, r.object_id, r.purpose, r.details) for r in rows[:4]] == [
        ("", None, None, "{}")
    ] * 4
    assert rows[4].actor == "analyst-5"
    assert rows[0].action == "report.read"
    assert min(subjects) == 5
    assert check.consistent


def test_a_redaction_mark_out_of_order_or_over_content_is_found(
    node_database: NodeDatabase,
) -> None:
    signed_log(node_database)
    with node_database.engine.begin() as connection:
        connection.execute(update(audit_log).where(audit_log.c.seq == 3).values(redacted_at=NOW))
        problems = verify(connection)
    assert (
        "entry 3 is marked redacted after entries that are not: only the oldest entries are "
        "ever redacted" in problems
    )
    assert "entry 3 is marked redacted but still holds content" in problems


def test_the_trail_of_a_value_lists_who_saw_it_and_why(node_database: NodeDatabase) -> None:
    report = a_report(MULE, NUMBER)
    other = a_report(NUMBER)
    with node_database.transaction() as store:
        store.add_reports([report, other])
    with node_database.engine.begin() as connection:
        mule = connection.scalar(select(indicators.c.id).where(indicators.c.value == MULE.value))
        assert mule is not None
        for item, subjects in ((report, (mule,)), (other, ())):
            append_audit(
                connection,
                AuditEvent(
                    "analyst",
                    "report.read",
                    "report",
                    str(item.id),
                    "investigation",
                    subjects=subjects,
                ),
            )
        append_audit(
            connection,
            AuditEvent(
                "partner:MY", "federation.page_served", "collection", "c1", subjects=(mule,)
            ),
        )
        append_audit(
            connection,
            AuditEvent("cli:dpo", "outcome.frozen", "indicator", f"bank_account:{MULE.value}"),
        )
        append_audit(connection, AuditEvent("x", "report.read", "report", str(uuid4())))
        trail = audit_trail(connection, mule)
    assert [(t.actor, t.action, t.purpose, t.legal_basis) for t in trail] == [
        ("analyst", "report.read", "investigation", "public_task"),
        ("partner:MY", "federation.page_served", None, "partner_agreement"),
        ("cli:dpo", "outcome.frozen", None, "public_task"),
    ]
    assert [t.seq for t in trail] == sorted(t.seq for t in trail)
