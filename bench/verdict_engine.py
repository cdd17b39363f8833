"""What the verdict engine costs the public check, in the same process and the same run.

On the node of ``bench.check_load`` (a million indicators, half of them reported, reports
from agencies, banks, registered citizens and anonymous networks), the same 10,000 queries
are checked two ways, alternating, several rounds:

- **ours**: ``check_value`` as the API runs it, with the verdict engine (reports weighed by
  trust, distinct senders, ageing, events and disputes; three indexed reads);
- **reference**: the same ``check_value`` path with the engine replaced by the first rule it
  superseded, one aggregate query and a count (the foundation's check), so the difference is
  what the engine adds.

    .venv/bin/python -m bench.verdict_engine
    .venv/bin/python -m bench.verdict_engine --indicators 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from bench.check_load import node_database, prepare_data
from bench.common import machine, median, print_table, source_fingerprint, write_result
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import ParseContext, default_registry
from scamintel.indicators.lookalike import default_lookalikes
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports import service
from scamintel.reports.engine import Assessment, Evidence, Verdict, assess
from scamintel.storage.database import make_engine
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import indicators, report_indicators, reports

GOAL_COST = 0.20
FIRST_RULE_SCAM_AT = 3

# The foundation's query: per scam type, the count and the first and last dates.
FIRST_RULE_STATS = (
    select(
        reports.c.scam_type, func.count(), func.min(reports.c.seen_at), func.max(reports.c.seen_at)
    )
    .select_from(indicators)
    .join(report_indicators, report_indicators.c.indicator_id == indicators.c.id)
    .join(reports, reports.c.id == report_indicators.c.report_id)
    .where(indicators.c.type == bindparam("type"), indicators.c.value == bindparam("value"))
    .group_by(reports.c.scam_type)
)


class FirstRuleStore:
    """The store as the foundation's check used it: no evidence, one aggregate query."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.rows: Sequence[Any] = ()

    def evidence(self, indicator: Any) -> Evidence | None:
        self.rows = self.connection.execute(
            FIRST_RULE_STATS, {"type": indicator.type.value, "value": indicator.value}
        ).all()
        return None


def first_rule(store: FirstRuleStore) -> service.Assessor:
    def judge_by_count(*_args: object) -> Assessment:
        count = sum(row[1] for row in store.rows)
        if count == 0:
            return Assessment(Verdict.NO_REPORTS, 0.0, "No report.")
        verdict = Verdict.SCAM if count >= FIRST_RULE_SCAM_AT else Verdict.SUSPICIOUS
        return Assessment(verdict, round(1 - 0.5**count, 3), f"{count} reports", count)

    return judge_by_count


@dataclass(frozen=True)
class Round:
    ours_per_s: float
    reference_per_s: float


def _run(checks: Callable[[str], object], queries: Sequence[str]) -> float:
    started = time.perf_counter()
    for query in queries:
        checks(query)
    return len(queries) / (time.perf_counter() - started)


def measure(database_url: str, queries: Sequence[str], repeat: int) -> list[Round]:
    engine = make_engine(database_url)
    database = NodeDatabase(engine, PersonalDataSealer("bench-" * 8))
    registry, warninglist, lookalikes = default_registry(), Warninglist(), default_lookalikes()
    context = ParseContext("TH")
    rounds = []
    with engine.connect() as connection:
        ours_store = database.reader(connection)
        reference_store = FirstRuleStore(connection)

        def check(store: Any, assessor: Any) -> Callable[[str], object]:
            def one(query: str) -> object:
                return service.check_value(
                    store,
                    query,
                    registry=registry,
                    context=context,
                    warninglist=warninglist,
                    lookalikes=lookalikes,
                    assessor=assessor,
                )

            return one

        ours = check(ours_store, assess)
        reference = check(reference_store, first_rule(reference_store))
        _run(ours, queries[:500])  # warm the caches of both
        _run(reference, queries[:500])
        for _ in range(repeat):
            reference_rate = _run(reference, queries)
            ours_rate = _run(ours, queries)
            rounds.append(Round(ours_rate, reference_rate))
            print(f"  ours {ours_rate:,.0f}/s, reference {reference_rate:,.0f}/s")
    engine.dispose()
    return rounds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    dataset = prepare_data(args.indicators)
    queries = [
        line for line in dataset.queries_path.read_text(encoding="utf-8").splitlines() if line
    ]
    from urllib.parse import unquote

    queries = [unquote(query) for query in queries]
    with node_database("sqlite", dataset, "") as url:
        rounds = measure(url, queries, args.repeat)
    ours = median([r.ours_per_s for r in rounds])
    reference = median([r.reference_per_s for r in rounds])
    cost = 1 - ours / reference
    print_table(
        ["", "checks/s (median)"],
        [
            ["ours: check with the verdict engine", f"{ours:,.0f}"],
            ["reference: check with the first rule", f"{reference:,.0f}"],
            ["engine cost", f"{cost:.1%} (goal < {GOAL_COST:.0%})"],
        ],
    )
    write_result(
        "verdict_engine",
        {
            "indicators": args.indicators,
            "queries": len(queries),
            "rounds": [vars(r) for r in rounds],
            "ours_per_s": ours,
            "reference_per_s": reference,
            "cost": cost,
            "goal_cost": GOAL_COST,
            "machine": machine(),
            "source": source_fingerprint("scamintel"),
            "at": datetime.now(UTC).isoformat(),
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
