"""Operations on SQLite and PostgreSQL: the full recompute, the incremental update, stable ids
and merges, and the values that must not link."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import Connection, func, select

from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from scamintel.indicators.warninglist import official_phone_contacts
from scamintel.reports.model import (
    Channel,
    IndicatorOrigin,
    NewReport,
    ReportedIndicator,
    ReportSource,
    ScamType,
)
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operations_repo import (
    ClusterRun,
    cluster_new_reports,
    operation_of_report,
    recluster_all,
)
from scamintel.storage.tables import operations, report_operations

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CAP = 3
PHONE_A = Indicator(IndicatorType.PHONE, "+66812340001", "TH")
PHONE_B = Indicator(IndicatorType.PHONE, "+66812340002", "TH")
MULE_A = Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567001", "TH")
MULE_B = Indicator(IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567002", "TH")
# A support line that is on no warninglist: only the fan-out cap keeps it from linking.
SWITCHBOARD = Indicator(IndicatorType.PHONE, "+6622720000", "TH")


def store(database: NodeDatabase, *values: Indicator, origin: IndicatorOrigin = "given") -> UUID:
    report = NewReport(
        id=uuid4(),
        source=ReportSource.API,
        scam_type=ScamType.INVESTMENT,
        channel=Channel.LINE,
        received_at=NOW,
        victim_country="TH",
        amount=Decimal("1000.00"),
        currency="THB",
        indicators=tuple(ReportedIndicator(value, value.value, origin) for value in values),
    )
    with database.transaction() as writer:
        writer.add_reports([report])
    return report.id


def full(database: NodeDatabase, cap: int = CAP) -> ClusterRun:
    with database.engine.begin() as connection:
        return recluster_all(connection, fanout_cap=cap, now=NOW)


def incremental(database: NodeDatabase, report_ids: Sequence[UUID] | None = None) -> ClusterRun:
    with database.engine.begin() as connection:
        return cluster_new_reports(connection, fanout_cap=CAP, now=NOW, report_ids=report_ids)


def operation(database: NodeDatabase, report_id: UUID) -> int:
    with database.engine.connect() as connection:
        found = operation_of_report(connection, report_id)
    assert found is not None
    return found


def row(connection: Connection, operation_id: int) -> tuple[int | None, int]:
    merged_into, count = connection.execute(
        select(operations.c.merged_into, operations.c.report_count).where(
            operations.c.id == operation_id
        )
    ).one()
    return merged_into, count


def two_operations(database: NodeDatabase) -> tuple[list[UUID], list[UUID]]:
    """Operation A: three reports through PHONE_A; operation B: two through MULE_B."""
    first = [store(database, PHONE_A), store(database, PHONE_A, MULE_A), store(database, MULE_A)]
    second = [store(database, MULE_B), store(database, MULE_B, PHONE_B)]
    return first, second


def test_full_run_groups_reports_sharing_values(node_database: NodeDatabase) -> None:
    first, second = two_operations(node_database)
    lonely = store(node_database, Indicator(IndicatorType.PHONE, "+66812349999", "TH"))
    run = full(node_database)
    assert run.full
    assert run.reports_clustered == 6
    assert run.operations_live == 3
    assert len({operation(node_database, r) for r in first}) == 1
    assert len({operation(node_database, r) for r in second}) == 1
    ids = {operation(node_database, first[0]), operation(node_database, second[0])}
    assert operation(node_database, lonely) not in ids
    with node_database.engine.connect() as connection:
        assert row(connection, operation(node_database, first[0])) == (None, 3)
        assert row(connection, operation(node_database, second[0])) == (None, 2)


def test_a_hotline_named_in_many_reports_does_not_merge_operations(
    node_database: NodeDatabase,
) -> None:
    first, second = two_operations(node_database)
    # Stored behind intake's back (as before a list named it): the warninglist still holds,
    # however high the cap.
    raw, country, _ = official_phone_contacts()[0]
    hotline = default_registry().canonicalise(raw, IndicatorType.PHONE, ParseContext(country))
    store(node_database, hotline, PHONE_A)
    store(node_database, hotline, MULE_B)
    full(node_database, cap=1000)
    assert operation(node_database, first[0]) != operation(node_database, second[0])
    # A support line on no list, named by more reporters than the cap allows.
    store(node_database, SWITCHBOARD, PHONE_A)
    store(node_database, SWITCHBOARD, MULE_B)
    store(node_database, SWITCHBOARD)
    store(node_database, SWITCHBOARD)
    full(node_database, cap=CAP)
    assert operation(node_database, first[0]) != operation(node_database, second[0])
    # With a cap above the switchboard's reach it does glue them: the cap is what holds.
    full(node_database, cap=10)
    assert operation(node_database, first[0]) == operation(node_database, second[0])


def test_a_busy_wallet_past_the_cap_still_links_its_own_operation(
    node_database: NodeDatabase,
) -> None:
    wallet = Indicator(IndicatorType.CRYPTO_WALLET, "TRON:TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7")
    first, second = two_operations(node_database)
    # Four victims of operation B name the wallet and one of B's values; a fifth names the
    # wallet only: five reporters, past the cap of 4, nearly all in one operation already.
    members = [store(node_database, wallet, value) for value in (PHONE_B, PHONE_B, MULE_B, MULE_B)]
    lone = store(node_database, wallet)
    full(node_database, cap=4)
    ids = {operation(node_database, r) for r in [*second, *members, lone]}
    assert ids == {operation(node_database, second[0])}
    assert operation(node_database, first[0]) not in ids
    # Incrementally too: a new report naming only the wallet joins that operation.
    late = store(node_database, wallet)
    with node_database.engine.begin() as connection:
        run = cluster_new_reports(connection, fanout_cap=4, now=NOW, report_ids=[late])
    assert run.created == 0
    assert operation(node_database, late) == operation(node_database, second[0])


def test_a_bridging_report_merges_operations_incrementally(node_database: NodeDatabase) -> None:
    first, second = two_operations(node_database)
    full(node_database)
    larger, smaller = operation(node_database, first[0]), operation(node_database, second[0])
    bridge = store(node_database, PHONE_A, MULE_B)
    run = incremental(node_database, [bridge])
    assert not run.full
    assert run.reports_clustered == 1
    assert run.merged == {smaller: larger}
    assert run.touched == (larger,)
    for report in [*first, *second, bridge]:
        assert operation(node_database, report) == larger
    with node_database.engine.connect() as connection:
        assert row(connection, larger) == (None, 6)
        assert row(connection, smaller) == (larger, 0)


def test_a_new_report_joins_or_starts_an_operation(node_database: NodeDatabase) -> None:
    first, _ = two_operations(node_database)
    full(node_database)
    joining = store(node_database, MULE_A)
    alone = store(node_database, Indicator(IndicatorType.PHONE, "+66812345555", "TH"))
    narrative_only = store(node_database, PHONE_B, origin="narrative")
    run = incremental(node_database)  # every report without an operation
    assert run.reports_clustered == 3
    assert run.created == 1
    assert not run.merged
    assert operation(node_database, joining) == operation(node_database, first[0])
    assert operation(node_database, alone) not in {
        operation(node_database, first[0]),
        operation(node_database, narrative_only),
    }
    assert incremental(node_database).reports_clustered == 0


def test_ids_stay_stable_across_full_runs(node_database: NodeDatabase) -> None:
    first, second = two_operations(node_database)
    full(node_database)
    before = {operation(node_database, first[0]), operation(node_database, second[0])}
    grown = store(node_database, PHONE_B)
    again = full(node_database)
    assert again.created == 0
    assert not again.merged
    assert {operation(node_database, first[0]), operation(node_database, second[0])} == before
    assert operation(node_database, grown) == operation(node_database, second[0])
    assert again.touched == (operation(node_database, second[0]),)
    # A bridge found by a full run: the larger keeps its id, the other records where it went.
    store(node_database, MULE_A, PHONE_B)
    merged = full(node_database)
    larger, smaller = sorted(before, key=lambda op: op != operation(node_database, first[0]))
    assert merged.merged == {smaller: larger}
    with node_database.engine.connect() as connection:
        assert row(connection, smaller) == (larger, 0)
        live = connection.scalar(
            select(func.count()).select_from(operations).where(operations.c.merged_into.is_(None))
        )
        assert live == 1
        assert connection.scalar(select(func.count()).select_from(report_operations)) == 7
