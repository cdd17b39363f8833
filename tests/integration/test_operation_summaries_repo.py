"""Operation summaries refreshed from stored reports and read back ranked, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Connection, insert, select, update

from operation_rows import T0, ReportRow, add_report, new_operation
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operation_summaries_repo import (
    current_operation,
    find_operation,
    list_operations,
    load_dossier,
    operation_indicators,
    operation_reports,
    refresh_all_summaries,
    refresh_summaries,
    survivor_of,
)
from scamintel.storage.tables import operations, partner_indicators

NOW = T0 + timedelta(days=30)
HOTLINE = ("phone", "+66812345678", "TH")
MULE = ("bank_account", "KH:ABA:000123456", "KH")
DOMAIN = ("url", "https://invest-gold.example/", None)
# The Thai victim's own Myanmar number, found in her narrative: not the operation's.
VICTIM_PHONE = ("phone", "+95912345678", "MM")
# Source keys as reports/trust.py writes them (organisation 1 naming a victim's contact).
V1 = "org:1:00000000000000a1"
V3 = "org:1:00000000000000a3"


def partner_row(
    connection: Connection,
    value: str,
    report_count: int,
    *,
    revoked: bool,
    partner: str = "KH-NCC",
    onward: bool = False,
    marking: str = "green",
) -> None:
    connection.execute(
        insert(partner_indicators).values(
            partner=partner,
            stix_id=f"indicator--{value[-4:]}-{revoked}-{marking}",
            version=T0,
            type="phone",
            value=value,
            score=Decimal("0.9"),
            verdict="scam",
            report_count=report_count,
            marking=marking,
            purpose="prevention",
            revoked=revoked,
            expires_at=NOW + timedelta(days=30),
            onward=onward,
            received_at=T0,
        )
    )


def build(connection: Connection) -> tuple[int, int, int]:
    """A cross-border operation of four reports from three victims, a small local one, and a
    merged-away one."""
    big = new_operation(connection)
    small = new_operation(connection)
    merged = new_operation(connection, merged_into=big)
    rows = [
        ReportRow(
            amount="10000",
            currency="THB",
            source_key=V1,
            values=[HOTLINE, MULE],
            mentioned=[VICTIM_PHONE],
        ),
        ReportRow(amount="20000", currency="THB", source_key=V1, days=3, values=[HOTLINE]),
        ReportRow(victim_country="MM", amount="100", currency="USD", days=5, values=[MULE, DOMAIN]),
        ReportRow(
            scam_type="job_task", amount="5", currency="XXX", source_key=V3, days=9, values=[]
        ),
    ]
    for row in rows:
        add_report(connection, big, row)
    add_report(
        connection, small, ReportRow(amount="50", currency="THB", values=[(*HOTLINE[:2], "TH")])
    )
    partner_row(connection, HOTLINE[1], 7, revoked=False)
    partner_row(connection, "+66899999999", 50, revoked=False)  # not the operation's
    # Matches only the value found in a narrative: no partner evidence about the operation.
    partner_row(connection, VICTIM_PHONE[1], 40, revoked=False, partner="MM-CID")
    return big, small, merged


def test_refresh_stores_the_summary_columns(node_database: NodeDatabase) -> None:
    with node_database.engine.begin() as connection:
        big, small, merged = build(connection)
        refresh_summaries(connection, [big, small, merged, 999_999], NOW)
    with node_database.engine.connect() as connection:
        row = find_operation(connection, big)
        assert row is not None
        assert row.summary is not None
        assert (row.report_count, row.victim_count) == (4, 3)
        # 30,000 THB at 0.029 plus 100 USD; the XXX amount is counted, not converted.
        assert row.total_loss_usd == Decimal("970.00")
        assert row.summary.unconverted_reports == 1
        assert row.summary.median_loss_usd == Decimal("290.00")
        assert row.cross_border is True
        assert row.summary.infrastructure_countries == ("KH", "TH")
        assert row.summary.victims_by_country == {"TH": 2, "MM": 1}
        # The victim's own Myanmar number (found in a narrative) is neither infrastructure nor
        # in the mix, nor matched with partner data; it is counted apart.
        assert row.summary.indicator_mix == {"phone": 1, "bank_account": 1, "url": 1}
        assert row.summary.narrative_indicators == 1
        assert row.summary.scam_types == {"investment": 3, "job_task": 1}
        assert row.first_seen == T0
        assert row.last_seen == T0 + timedelta(days=9)
        assert [(p.partner, p.matched_values, p.report_count) for p in row.summary.partners] == [
            ("KH-NCC", 1, 7)
        ]
        assert row.summary.title == "investment, job_task · 4 reports · MM, TH"
        # A merged operation keeps its stale columns and answers through its survivor.
        assert find_operation(connection, merged) is None
        assert survivor_of(connection, merged) == big
        assert survivor_of(connection, 999_999) is None
        stale = connection.execute(
            select(operations.c.updated_at).where(operations.c.id == merged)
        ).scalar_one()
        assert stale.replace(tzinfo=None) == T0.replace(tzinfo=None)


def test_victims_merge_only_on_contact_derived_source_keys(node_database: NodeDatabase) -> None:
    """A police CSV ingested with --org (every row "org:N") and anonymous reports from one
    network ("net:<hash>", e.g. all behind one reverse proxy) count one victim per report."""
    with node_database.engine.begin() as connection:
        operation = new_operation(connection)
        for key in ["org:4"] * 3 + ["net:" + "c" * 32] * 2 + [V1, V1]:
            add_report(connection, operation, ReportRow(source_key=key, values=[HOTLINE]))
        refresh_summaries(connection, [operation], NOW)
    with node_database.engine.connect() as connection:
        row = find_operation(connection, operation)
        assert row is not None
        assert (row.report_count, row.victim_count) == (7, 6)


def test_only_given_values_describe_an_operation(node_database: NodeDatabase) -> None:
    """A domestic operation whose victims' narratives mention a foreign number stays domestic;
    the detail lists only given indicators, the dossier flags the mentioned ones."""
    with node_database.engine.begin() as connection:
        operation = new_operation(connection)
        for n in range(2):
            add_report(
                connection,
                operation,
                ReportRow(
                    narrative=f"Story {n}",
                    days=n,
                    values=[HOTLINE],
                    mentioned=[VICTIM_PHONE] if n == 0 else [],
                ),
            )
        refresh_summaries(connection, [operation], NOW)
    with node_database.engine.connect() as connection:
        row = find_operation(connection, operation)
        assert row is not None
        assert row.summary is not None
        assert row.cross_border is False
        assert row.summary.infrastructure_countries == ("TH",)
        assert list_operations(connection, country="MM") == []
        assert [i.value for i in operation_indicators(connection, operation)] == [HOTLINE[1]]
        both = operation_indicators(connection, operation, mentioned=True)
        assert [(i.value, i.given) for i in both] == [(HOTLINE[1], True), (VICTIM_PHONE[1], False)]
        listed = operation_reports(connection, operation)
        assert [len(r.indicator_ids) for r in listed] == [1, 1]
        assert [len(r.mentioned_ids) for r in listed] == [1, 0]
        dossier = load_dossier(connection, operation, "th-aoc", NOW)
        assert dossier is not None
        assert [i.value for i in dossier.given_indicators] == [HOTLINE[1]]


def test_partner_values_may_pass_on_only_with_onward_sharing_and_a_clear_marking(
    node_database: NodeDatabase,
) -> None:
    with node_database.engine.begin() as connection:
        operation = new_operation(connection)
        add_report(
            connection, operation, ReportRow(values=[HOTLINE, ("phone", "+66811111111", "TH")])
        )
        partner_row(connection, HOTLINE[1], 3, revoked=False, onward=True, marking="clear")
        partner_row(connection, "+66811111111", 2, revoked=False, onward=True, marking="amber")
        partner_row(connection, HOTLINE[1], 5, revoked=False, partner="LA-MPS", marking="green")
        refresh_summaries(connection, [operation], NOW)
    with node_database.engine.connect() as connection:
        row = find_operation(connection, operation)
        assert row is not None
        assert row.summary is not None
        kh, la = row.summary.partners
        assert kh.values == ("phone:+66811111111", "phone:+66812345678")
        assert kh.onward_values == ("phone:+66812345678",)  # the amber one stays here
        assert (la.values, la.onward_values) == (("phone:+66812345678",), ())  # onward not agreed


def test_an_operation_not_summarised_yet_is_summarised_on_the_fly(
    node_database: NodeDatabase,
) -> None:
    with node_database.engine.begin() as connection:
        operation = new_operation(connection)
        add_report(connection, operation, ReportRow(amount="100", currency="USD", values=[HOTLINE]))
    with node_database.engine.connect() as connection:
        stored = find_operation(connection, operation)
        assert stored is not None
        assert stored.summary is None
        row = current_operation(connection, operation, NOW)
        assert row is not None
        assert row.summary is not None
        assert (row.report_count, row.total_loss_usd) == (1, Decimal("100.00"))
        dossier = load_dossier(connection, operation, "th-aoc", NOW)
        assert dossier is not None
        assert dossier.summary.report_count == 1
        # Nothing was written: a read does not store.
        again = find_operation(connection, operation)
        assert again is not None
        assert again.summary is None
        assert current_operation(connection, 999_999, NOW) is None
    # A partial summary (written by hand, as other tests do) reads as none and is recomputed.
    with node_database.engine.begin() as connection:
        connection.execute(
            update(operations)
            .where(operations.c.id == operation)
            .values(summary=json.dumps({"title": "by hand"}))
        )
        partial = current_operation(connection, operation, NOW)
        assert partial is not None
        assert partial.summary is not None
        assert partial.summary.report_count == 1


def test_list_ranks_by_harm_and_filters(node_database: NodeDatabase) -> None:
    with node_database.engine.begin() as connection:
        big, small, merged = build(connection)
        refresh_summaries(connection, [big, small, merged], NOW)
    with node_database.engine.connect() as connection:
        assert [row.id for row in list_operations(connection)] == [big, small]
        assert [row.id for row in list_operations(connection, cross_border=False)] == [small]
        assert [row.id for row in list_operations(connection, country="mm")] == [big]
        assert [row.id for row in list_operations(connection, country="KH")] == [big]
        assert [row.id for row in list_operations(connection, scam_type="job_task")] == [big]
        assert [row.id for row in list_operations(connection, min_reports=2)] == [big]
        assert [row.id for row in list_operations(connection, limit=1, offset=1)] == [small]
        assert list_operations(connection, country="VN") == []
        first = list_operations(connection)[0]
        assert first.harm_score > list_operations(connection)[1].harm_score
        # By last seen: the big operation's latest report is 9 days in, the small one's day 0.
        assert [row.id for row in list_operations(connection, order="last_seen")] == [big, small]
        # LIKE wildcards in a filter are literal characters, not patterns.
        assert list_operations(connection, scam_type="%") == []
        assert list_operations(connection, scam_type="job_tas_") == []
        assert list_operations(connection, country="_H") == []


def test_filters_read_only_the_summary_filter_index(node_database: NodeDatabase) -> None:
    """Text elsewhere in the stored summary (a partner's value, the title) cannot match a
    filter: the LIKE is anchored on the index, the last key of the text."""
    tricky = ("url", 'https://x.example/?a=|c:VN|t:romance|"}', None)
    with node_database.engine.begin() as connection:
        operation = new_operation(connection)
        add_report(connection, operation, ReportRow(values=[tricky]))
        connection.execute(
            insert(partner_indicators).values(
                partner="|c:LA|",
                stix_id="indicator--tricky",
                version=T0,
                type="url",
                value=tricky[1],
                score=Decimal("0.9"),
                report_count=1,
                marking="green",
                purpose="prevention",
                revoked=False,
                expires_at=NOW + timedelta(days=30),
                onward=False,
                received_at=T0,
            )
        )
        refresh_summaries(connection, [operation], NOW)
        stored = connection.execute(
            select(operations.c.summary).where(operations.c.id == operation)
        ).scalar_one()
    assert tricky[1].replace('"', '\\"') in stored  # the value is in the text, escaped
    with node_database.engine.connect() as connection:
        assert [row.id for row in list_operations(connection, country="TH")] == [operation]
        assert list_operations(connection, country="VN") == []
        assert list_operations(connection, country="LA") == []
        assert list_operations(connection, scam_type="romance") == []
        assert [row.id for row in list_operations(connection, scam_type="investment")] == [
            operation
        ]


def test_indicators_and_reports_of_an_operation(node_database: NodeDatabase) -> None:
    with node_database.engine.begin() as connection:
        big, _, _ = build(connection)
    with node_database.engine.connect() as connection:
        named = operation_indicators(connection, big)
        assert [(item.type, item.report_count) for item in named] == [
            ("phone", 2),
            ("bank_account", 2),
            ("url", 1),
        ] or [(item.type, item.report_count) for item in named] == [
            ("bank_account", 2),
            ("phone", 2),
            ("url", 1),
        ]
        listed = operation_reports(connection, big)
        assert len(listed) == 4
        assert all(report.narrative is None for report in listed)
        assert [len(report.indicator_ids) for report in listed] == [2, 1, 2, 0]
        assert [len(report.mentioned_ids) for report in listed] == [1, 0, 0, 0]
        assert operation_reports(connection, big, limit=1, offset=3)[0].scam_type == "job_task"


def test_refresh_of_many_operations_is_chunked(node_database: NodeDatabase) -> None:
    with node_database.engine.begin() as connection:
        ids = [new_operation(connection) for _ in range(1_203)]
        for index, operation_id in enumerate(ids[::100]):
            add_report(connection, operation_id, ReportRow(source_key=f"org:1:{index:016x}"))
        refresh_summaries(connection, ids, NOW)
    with node_database.engine.connect() as connection:
        listed = list_operations(connection, limit=2_000)
        assert len(listed) == len(ids[::100])
        assert len(list_operations(connection, limit=2_000, min_reports=0)) == len(ids)


def test_refresh_all_takes_every_live_operation(node_database: NodeDatabase) -> None:
    with node_database.engine.begin() as connection:
        big, small, _ = build(connection)
        assert refresh_all_summaries(connection, NOW) == 2
    with node_database.engine.connect() as connection:
        assert [row.id for row in list_operations(connection)] == [big, small]


def test_scores_refreshed_at_different_times_compare_fairly(node_database: NodeDatabase) -> None:
    """An incremental run refreshes only what it touched: a score stored a year apart from
    another's must mean the same (no recency in the stored score)."""
    with node_database.engine.begin() as connection:
        big, small, _ = build(connection)
        refresh_summaries(connection, [big, small], NOW)
        first = {row.id: row.harm_score for row in list_operations(connection)}
        # Still within the partner record's retention (it counts in both scores).
        refresh_summaries(connection, [small], NOW + timedelta(days=25))
        later = {row.id: row.harm_score for row in list_operations(connection)}
    assert later == first
