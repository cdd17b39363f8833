"""The SQL store on SQLite and PostgreSQL: reports, indicators, links and the audit chain."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from sqlalchemy import func, select, update

from scamintel.governance.audit import AuditEvent, verify_chain
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import (
    Channel,
    NewReport,
    ReportedIndicator,
    ReportSource,
    ScamType,
)
from scamintel.storage.node import NodeDatabase
from scamintel.storage.store import read_audit_entries
from scamintel.storage.tables import (
    audit_log,
    indicators,
    report_indicators,
    reporter_contacts,
    reports,
)

MULE = Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890", "TH")
NUMBER = Indicator(IndicatorType.PHONE, "+66812345678", "TH")


def a_report(*items: Indicator, **overrides: object) -> NewReport:
    fields: dict[str, object] = {
        "id": uuid4(),
        "source": ReportSource.API,
        "scam_type": ScamType.INVESTMENT,
        "channel": Channel.LINE,
        "received_at": datetime(2026, 10, 1, 12, 0, tzinfo=UTC),
        "victim_country": "TH",
        "amount": Decimal("15000.00"),
        "currency": "THB",
        "indicators": tuple(ReportedIndicator(i, i.value, "given") for i in items),
        "reporter": {"name": "Somchai", "phone": "+66898765432"},
    }
    fields.update(overrides)
    return NewReport(**fields)  # type: ignore[arg-type]


def test_reports_sharing_an_indicator_link_to_one_indicator_row(
    node_database: NodeDatabase,
) -> None:
    with node_database.transaction() as store:
        store.add_reports([a_report(MULE, NUMBER), a_report(MULE)])
    with node_database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(indicators)) == 2
        assert connection.scalar(select(func.count()).select_from(report_indicators)) == 3


def test_adding_the_same_report_twice_stores_it_once(node_database: NodeDatabase) -> None:
    report = a_report(NUMBER)
    with node_database.transaction() as store:
        first = store.add_reports([report])
    with node_database.transaction() as store:
        second = store.add_reports([report, report])
        assert store.count_reports() == 1
    assert first.new == (report.id,)
    assert second.new == ()
    assert second.duplicates == (report.id, report.id)


def test_large_amounts_are_stored_to_the_cent_one_report_or_many(
    node_database: NodeDatabase,
) -> None:
    # One report goes in as one INSERT, a batch through a staging table on PostgreSQL: both
    # keep all 16 digits of an amount (a float parameter would keep 15).
    amount = Decimal("12345678901234.56")
    alone = a_report(NUMBER, amount=amount, currency="VND")
    batch = [a_report(MULE, amount=amount + n, currency="IDR") for n in range(150)]
    with node_database.transaction() as store:
        store.add_reports([alone])
    with node_database.transaction() as store:
        store.add_reports(batch)
    with node_database.engine.connect() as connection:
        stored = dict(connection.execute(select(reports.c.id, reports.c.amount)).all())
    assert stored[alone.id] == amount
    assert [stored[report.id] for report in batch] == [amount + n for n in range(150)]


def test_a_repeat_inside_one_batch_counts_as_a_duplicate(node_database: NodeDatabase) -> None:
    report = a_report(NUMBER)
    with node_database.transaction() as store:
        outcome = store.add_reports([report, report])
    assert (outcome.new, outcome.duplicates) == ((report.id,), (report.id,))


def test_the_evidence_of_a_value_lists_its_reports_with_sender_and_dates(
    node_database: NodeDatabase,
) -> None:
    early = datetime(2026, 1, 5, tzinfo=UTC)
    late = datetime(2026, 3, 9, tzinfo=UTC)
    with node_database.transaction() as store:
        store.add_reports(
            [
                a_report(NUMBER, occurred_at=early, trust="bank_telco", source_key="org:7"),
                a_report(NUMBER, occurred_at=late, scam_type=ScamType.JOB_TASK),
            ]
        )
    with node_database.engine.connect() as connection:
        evidence = node_database.reader(connection).evidence(NUMBER)
        unknown = node_database.reader(connection).evidence(MULE)
    assert evidence is not None
    signals = sorted(evidence.reports, key=lambda signal: signal.seen_at)
    assert [s.seen_at for s in signals] == [early, late]
    assert [s.scam_type for s in signals] == ["investment", "job_task"]
    assert signals[0].trust.value == "bank_telco"
    assert signals[0].source == "org:7"
    # A report stored without a sender counts as a reporter of its own.
    assert signals[1].trust.value == "anonymous"
    assert signals[1].source.startswith("report:")
    assert unknown is None


def test_reporter_contacts_are_stored_sealed_and_read_back(node_database: NodeDatabase) -> None:
    report = a_report(NUMBER)
    with node_database.transaction() as store:
        store.add_reports([report])
    with node_database.engine.connect() as connection:
        sealed = connection.scalar(select(reporter_contacts.c.sealed))
        stored = node_database.reader(connection).get_report(report.id, with_reporter=True)
    assert b"Somchai" not in sealed
    assert stored is not None
    assert stored.reporter == {"name": "Somchai", "phone": "+66898765432"}
    assert [item.indicator for item in stored.indicators] == [NUMBER]


def test_a_failed_transaction_leaves_nothing_behind(node_database: NodeDatabase) -> None:
    class SimulatedFailureError(Exception):
        pass

    try:
        with node_database.transaction() as store:
            store.add_reports([a_report(NUMBER)])
            raise SimulatedFailureError
    except SimulatedFailureError:
        pass
    with node_database.engine.connect() as connection:
        assert node_database.reader(connection).count_reports() == 0
        assert connection.scalar(select(func.count()).select_from(indicators)) == 0


def test_audit_entries_form_a_chain_that_verifies(node_database: NodeDatabase) -> None:
    for number in range(3):
        with node_database.transaction() as store:
            store.audit(
                AuditEvent("key:abc", "report.read", "report", str(number), "investigation")
            )
    with node_database.engine.connect() as connection:
        result = verify_chain(read_audit_entries(connection))
    assert result.ok
    assert result.entries == 3


def test_an_altered_audit_entry_breaks_the_chain(node_database: NodeDatabase) -> None:
    for number in range(3):
        with node_database.transaction() as store:
            store.audit(AuditEvent("key:abc", "report.read", "report", str(number)))
    with node_database.engine.begin() as connection:
        connection.execute(
            update(audit_log).where(audit_log.c.seq == 2).values(actor="someone-else")
        )
    with node_database.engine.connect() as connection:
        result = verify_chain(read_audit_entries(connection))
    assert not result.ok
    assert result.problem == "entry 2 was altered after it was written"


def test_a_removed_audit_entry_breaks_the_chain(node_database: NodeDatabase) -> None:
    for number in range(3):
        with node_database.transaction() as store:
            store.audit(AuditEvent("cli", "report.create", "report", str(number)))
    with node_database.engine.begin() as connection:
        connection.execute(audit_log.delete().where(audit_log.c.seq == 2))
    with node_database.engine.connect() as connection:
        result = verify_chain(read_audit_entries(connection))
    assert not result.ok
    assert result.problem == "entry 2 is missing (found 3)"


def test_a_value_erased_by_another_process_is_made_again_not_refused(
    node_database: NodeDatabase,
) -> None:
    from scamintel.storage.erasure_repo import erase_value

    with node_database.transaction() as store:
        store.add_reports([a_report(MULE)])
    # A later value, so that the erased one is not the newest row (SQLite would reuse its id).
    with node_database.transaction() as store:
        store.add_reports([a_report(NUMBER)])
    # Another process (a second worker, the console) erases the value this one remembers.
    other = NodeDatabase(node_database.engine, node_database.sealer)
    erase_value(
        other, MULE, actor="officer", reason="erasure", request_id=None, now=datetime.now(UTC)
    )
    mule_rows = select(indicators.c.id).where(indicators.c.value == MULE.value)
    with node_database.engine.connect() as connection:
        assert connection.execute(mule_rows).all() == []

    with node_database.transaction() as store:
        store.add_reports([a_report(MULE)])
    with node_database.engine.connect() as connection:
        (mule_id,) = connection.execute(mule_rows).scalars().all()
        linked = connection.scalar(
            select(func.count())
            .select_from(report_indicators)
            .where(report_indicators.c.indicator_id == mule_id)
        )
    assert linked == 1
