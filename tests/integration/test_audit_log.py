"""The audit log as evidence, on SQLite and PostgreSQL: signed heads, verification that
finds every kind of tampering, consistency with a head kept outside, redaction and the trail
of one value."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Connection, delete, select, update

from integration.test_store import MULE, NUMBER, a_report
from scamintel.federation.agreement import Agreement
from scamintel.governance.audit import GENESIS_HASH, AuditEvent, canonical_details, seal
from scamintel.governance.merkle import tree_hash
from scamintel.governance.retention import retention_policy
from scamintel.governance.signing import AuditSigner, SignedHead
from scamintel.indicators import Indicator, IndicatorType
from scamintel.storage.audit_repo import (
    AuditRangeError,
    audit_trail,
    check_external_head,
    consistency,
    record_trail_read,
    redact_entries,
    sign_head,
    verify_log,
)
from scamintel.storage.node import NodeDatabase
from scamintel.storage.partner_repo import apply_agreement
from scamintel.storage.retention_repo import purge_expired_data
from scamintel.storage.sql import as_utc
from scamintel.storage.store import append_audit, audit_entry_of, subjects_of
from scamintel.storage.tables import (
    audit_head,
    audit_log,
    audit_signed_heads,
    audit_subjects,
    cross_border_requests,
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


def purge_entry(
    connection: Connection, redacted_through: int | None, signer: AuditSigner = SIGNER
) -> None:
    """What the retention purge writes after redacting (storage/retention_repo.py): how far
    it redacted, vouched for with the node's key."""
    vouched = {}
    if redacted_through:
        vouched["redacted_through_signature"] = signer.sign_redaction(redacted_through)
    append_audit(
        connection,
        AuditEvent(
            actor="purge",
            action="retention.purge",
            object_type="retention",
            purpose="retention",
            details={
                "counts": {"audit_entry": 4},
                "redacted_through": redacted_through,
                **vouched,
            },
        ),
    )


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
    # The kept copy is what is wrong: the log is not blamed.
    assert all(p.startswith("the head you hold is not genuine") for p in forged_check.problems)
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
        # What the retention purge writes after redacting (storage/retention_repo.py).
        purge_entry(connection, redacted)
        report = verify_log(connection, SIGNER.public, NODE)
        rows = connection.execute(select(audit_log).order_by(audit_log.c.seq)).all()
        subjects = connection.scalars(select(audit_subjects.c.seq).distinct()).all()
        check = check_external_head(connection, kept, SIGNER.public, NODE)
    # "Redacted through": the highest redacted seq, the same when nothing new was redacted.
    assert (redacted, again) == (4, 4)
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


def test_entries_redacted_by_hand_are_found(node_database: NodeDatabase) -> None:
    """Blanking content keeps every hash, so only a purge entry can vouch for a redaction."""
    signed_log(node_database)
    blank = {"actor": "", "object_id": None, "purpose": None, "details": "{}"}
    with node_database.engine.begin() as connection:
        connection.execute(delete(audit_subjects))
        connection.execute(update(audit_log).values(**blank, redacted_at=datetime.now(UTC)))
        everything = verify(connection)
    assert everything == [
        "entries 1 to 10 are redacted, but no retention purge entry after them records "
        "redacting them (redacted_through, signed with the node's key): their content was "
        "blanked outside a purge"
    ]


def test_a_purge_entry_vouches_only_for_what_it_redacted_and_only_while_intact(
    node_database: NodeDatabase,
) -> None:
    signed_log(node_database)
    blank = {"actor": "", "object_id": None, "purpose": None, "details": "{}"}
    with node_database.engine.begin() as connection:
        connection.execute(
            update(audit_log).where(audit_log.c.seq <= 3).values(at=NOW - timedelta(days=800))
        )
        assert redact_entries(connection, NOW - timedelta(days=730), NOW) == 3
        purge_entry(connection, 3)  # entry 11
        assert verify(connection) == []
        # Two more blanked by hand: beyond what the purge recorded.
        connection.execute(delete(audit_subjects).where(audit_subjects.c.seq <= 5))
        connection.execute(
            update(audit_log)
            .where(audit_log.c.seq.in_([4, 5]))
            .values(**blank, redacted_at=datetime.now(UTC))
        )
        beyond = verify(connection)
        # The purge entry itself edited to vouch for them: it no longer counts.
        connection.execute(
            update(audit_log)
            .where(audit_log.c.seq == 11)
            .values(details='{"counts":{},"redacted_through":5}')
        )
        edited = verify(connection)
    assert beyond == [
        "entries 4 to 5 are redacted, but no retention purge entry after them records "
        "redacting them (redacted_through, signed with the node's key): their content was "
        "blanked outside a purge"
    ]
    assert "entry 11 was altered after it was written" in edited
    assert any(p.startswith("entries 1 to 5 are redacted, but no retention purge") for p in edited)


def test_a_purge_entry_appended_without_the_nodes_key_vouches_for_nothing(
    node_database: NodeDatabase,
) -> None:
    """Whoever can write the database can blank old entries and append a purge entry of
    their own; without the node's key its signature does not hold."""
    signed_log(node_database)
    blank = {"actor": "", "object_id": None, "purpose": None, "details": "{}"}
    forger = AuditSigner("the-attackers-own-secret-key-0123456789-0123456789")
    with node_database.engine.begin() as connection:
        connection.execute(delete(audit_subjects).where(audit_subjects.c.seq <= 4))
        connection.execute(
            update(audit_log)
            .where(audit_log.c.seq <= 4)
            .values(**blank, redacted_at=datetime.now(UTC))
        )
        purge_entry(connection, 4, signer=forger)
        problems = verify(connection)
    assert problems == [
        "entries 1 to 4 are redacted, but no retention purge entry after them records "
        "redacting them (redacted_through, signed with the node's key): their content was "
        "blanked outside a purge"
    ]


def test_a_rewritten_log_re_signed_with_another_key_is_found(node_database: NodeDatabase) -> None:
    """Whoever can write the database can recompute every hash and every stored head; they
    cannot sign with this node's key, and another key id is a problem, not a note."""
    signed_log(node_database)
    forger = AuditSigner("the-attackers-own-secret-key-0123456789-0123456789")
    with node_database.engine.begin() as connection:
        rewrite_with(connection, forger, changed_seq=2)
        problems = verify(connection)
    assert problems == [
        f"the head of size 6 was signed with key {forger.key_id[:16]}…, not this node's key "
        f"{SIGNER.key_id[:16]}… (the stored head was changed, or the node renamed)"
    ]


def test_heads_signed_with_a_retired_key_verify_by_their_signature(
    node_database: NodeDatabase,
) -> None:
    """After the secret key changed, the old heads verify against the listed retired key."""
    old = AuditSigner("the-secret-key-this-node-had-before-0123456789")
    with node_database.engine.begin() as connection:
        write(connection, 3)
        kept = sign_head(connection, old, NODE, NOW)
        write(connection, 2, start=5)
        assert sign_head(connection, SIGNER, NODE, NOW) is not None
    assert kept is not None
    ring = SIGNER.key_ring([old.public.base64, SIGNER.public.base64])
    with node_database.engine.connect() as connection:
        unlisted = verify_log(connection, SIGNER.public, NODE)
        listed = verify_log(connection, ring, NODE)
        kept_check = check_external_head(connection, kept, ring, NODE)
        unlisted_check = check_external_head(connection, kept, SIGNER.public, NODE)
    assert ring.retired == (old.public,)
    assert any("not this node's key" in p for p in unlisted.problems)
    assert listed.ok, listed.problems
    assert listed.notes == [
        f"the head of size 3 was signed with the retired key {old.key_id[:16]}… "
        "(SCAMINTEL_AUDIT_RETIRED_KEYS); its signature verifies"
    ]
    assert kept_check.consistent, kept_check.problems
    assert not unlisted_check.consistent
    # A retired key vouches only for what it signed: a forged head under it still fails.
    forged = SignedHead.from_json({**kept.to_json(), "root_hash": "33" * 32})
    with node_database.engine.connect() as connection:
        problems = check_external_head(connection, forged, ring, NODE).problems
    assert any("does not match its content" in p for p in problems)


def rewrite_with(connection: Connection, forger: AuditSigner, changed_seq: int) -> None:
    """Rewrite the whole log as a forger would: change one entry, recompute every hash, the
    head row, the roots named by audit.head_signed entries and every stored head, re-signed
    with the forger's key."""
    rows = connection.execute(select(audit_log).order_by(audit_log.c.seq)).all()
    subjects = subjects_of(connection, [row.seq for row in rows])
    prev = GENESIS_HASH
    hashes: list[str] = []
    for row in rows:
        entry = audit_entry_of(row, subjects.get(row.seq, ()))
        event = entry.event
        if row.seq == changed_seq:
            event = replace(event, actor="nobody-saw-this")
        if event.action == "audit.head_signed":
            size = event.details["size"]
            root = tree_hash([bytes.fromhex(h) for h in hashes[:size]]).hex()
            event = replace(event, details={**event.details, "root": root})
        sealed = seal(row.seq, entry.at, event, prev)
        connection.execute(
            update(audit_log)
            .where(audit_log.c.seq == row.seq)
            .values(
                actor=event.actor,
                details=canonical_details(event.details),
                prev_hash=prev,
                entry_hash=sealed.entry_hash,
            )
        )
        hashes.append(sealed.entry_hash)
        prev = sealed.entry_hash
    connection.execute(update(audit_head).values(entry_hash=prev))
    for head in connection.execute(select(audit_signed_heads)).all():
        root = tree_hash([bytes.fromhex(h) for h in hashes[: head.size]]).hex()
        resigned = forger.sign_head(
            node=NODE,
            size=head.size,
            root_hash=root,
            head_hash=hashes[head.size - 1],
            signed_at=as_utc(head.signed_at) or head.signed_at,
        )
        connection.execute(
            update(audit_signed_heads)
            .where(audit_signed_heads.c.size == head.size)
            .values(
                root_hash=root,
                head_hash=resigned.head_hash,
                key_id=resigned.key_id,
                signature=resigned.signature,
            )
        )


def test_two_workers_signing_the_same_size_at_once_both_succeed(
    node_database: NodeDatabase,
) -> None:
    """The second insert of the same size is ignored, not a primary-key error."""
    with node_database.engine.begin() as connection:
        write(connection, 3)
    results: list[object] = []

    def second_worker() -> None:
        try:
            with node_database.engine.begin() as connection:
                results.append(sign_head(connection, SIGNER, NODE, NOW))
        except Exception as error:
            results.append(error)

    with node_database.engine.begin() as connection:
        first = sign_head(connection, SIGNER, NODE, NOW)
        worker = threading.Thread(target=second_worker)
        worker.start()
        worker.join(0.5)  # it read the same size and now waits for this transaction
    worker.join(30)
    assert first is not None
    assert results == [None]
    with node_database.engine.connect() as connection:
        assert verify(connection) == []
        sizes = connection.scalars(select(audit_signed_heads.c.size)).all()
    assert sizes == [3]


def test_the_trail_of_a_value_held_only_in_cross_border_requests(
    node_database: NodeDatabase,
) -> None:
    """No indicators row: the requests naming it, in plain or by blind selector, still show."""
    agreement = Agreement.model_validate(
        {
            "partner": "MM-CCD",
            "version": 1,
            "types": ["phone", "bank_account"],
            "blind": ["phone"],
            "blind_key": "b" * 40,
            "markings": ["amber"],
            "share_as": "amber",
            "purposes": ["investigation"],
            "retention_days": 30,
        }
    )
    phone = Indicator(IndicatorType.PHONE, "+66812345670")
    plain, blind, other = uuid4(), uuid4(), uuid4()
    with node_database.engine.begin() as connection:
        apply_agreement(connection, agreement, node_database.sealer, "test", NOW)
        connection.execute(
            cross_border_requests.insert(),
            [
                request_row(plain, "MM-CCD", value=phone.value),
                request_row(blind, "MM-CCD", selector=agreement.selector(phone)),
                request_row(other, "MM-CCD", selector="0" * 64),
            ],
        )
        for request_id in (plain, blind, other):
            append_audit(
                connection,
                AuditEvent(
                    "cli:officer",
                    "cross_border_request.viewed",
                    "cross_border_request",
                    str(request_id),
                    "investigation",
                ),
            )
        with_sealer = audit_trail(connection, None, indicator=phone, sealer=node_database.sealer)
        without = audit_trail(connection, None, indicator=phone)
    assert [t.object_id for t in with_sealer] == [str(plain), str(blind)]
    assert [t.object_id for t in without] == [str(plain)]


def request_row(
    request_id: UUID, partner: str, *, value: str | None = None, selector: str | None = None
) -> dict[str, object]:
    return {
        "request_id": request_id,
        "direction": "outgoing",
        "partner": partner,
        "kind": "share_raw_value" if selector else "freeze_account",
        "indicator_type": "phone",
        "indicator_value": value,
        "blind_selector": selector,
        "purpose": "investigation",
        "reason": "case 12",
        "status": "sent",
        "created_by": "cli:officer",
        "created_at": NOW,
        "updated_at": NOW,
        "due_at": NOW + timedelta(days=1),
    }


def test_reading_a_trail_is_recorded_with_the_value_and_the_purpose(
    node_database: NodeDatabase,
) -> None:
    with node_database.transaction() as store:
        store.add_reports([a_report(MULE)])
    with node_database.engine.begin() as connection:
        mule = connection.scalar(select(indicators.c.id).where(indicators.c.value == MULE.value))
        assert mule is not None
        record_trail_read(connection, MULE, mule, actor="cli:dpo", purpose="dsar-12", entries=0)
        trail = audit_trail(connection, mule)
    assert [(t.actor, t.action, t.purpose, t.legal_basis) for t in trail] == [
        ("cli:dpo", "audit.trail_read", "dsar-12", "legal_obligation")
    ]


def test_signing_does_not_hold_the_log_while_it_reads_it(node_database: NodeDatabase) -> None:
    """A worker's periodic signing takes no lock until it writes its head: an append from
    another worker goes through while the signer's transaction is still open."""
    with node_database.engine.begin() as connection:
        write(connection, 3)
        assert sign_head(connection, SIGNER, NODE, NOW) is not None
    appended = threading.Event()

    def another_worker() -> None:
        with node_database.engine.begin() as connection:
            write(connection, 1, start=50)
        appended.set()

    with node_database.engine.begin() as connection:
        assert sign_head(connection, SIGNER, NODE, NOW) is None  # nothing new to sign
        worker = threading.Thread(target=another_worker)
        worker.start()
        went_through = appended.wait(5)
    worker.join(60)
    assert went_through


def test_a_real_purge_redacts_and_the_log_still_verifies(node_database: NodeDatabase) -> None:
    """The retention purge records how far it redacted: `verify` stays green, and a head
    signed after it covers the redacted entries too."""
    kept = signed_log(node_database)
    later = datetime.now(UTC) + timedelta(days=3 * 3650)
    summary = purge_expired_data(
        node_database, retention_policy({}), later, actor="purge", signer=SIGNER
    )
    with node_database.engine.begin() as connection:
        report = verify_log(connection, SIGNER.public, NODE)
        assert sign_head(connection, SIGNER, NODE, later) is not None
        after = verify_log(connection, SIGNER.public, NODE)
        check = check_external_head(connection, kept, SIGNER.public, NODE)
    assert summary.redacted_through == 10
    assert report.ok, report.problems
    assert report.redacted == 10
    assert after.ok, after.problems
    assert check.consistent, check.problems
