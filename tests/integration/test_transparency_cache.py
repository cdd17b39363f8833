"""The public transparency report's cache, on SQLite and PostgreSQL: a period asked again
within its lifetime is answered from memory, then computed again; at most ``max_entries``
periods are kept, the oldest dropped first; callers asking for one period at once share one
computation."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

from scamintel.governance.transparency import ReportPeriod, TransparencyReport
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import reports
from scamintel.storage.transparency_repo import ReportCache
from transparency_rows import IN, PERIOD

NOW = datetime.now(UTC)


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def add_report(database: NodeDatabase) -> None:
    """One report received inside PERIOD (and the longer periods below)."""
    with database.engine.begin() as connection:
        connection.execute(
            reports.insert(),
            {
                "id": uuid.uuid4(),
                "source": "web",
                "scam_type": "investment",
                "channel": "call",
                "received_at": IN,
                "seen_at": IN,
            },
        )


def longer(days: int) -> ReportPeriod:
    return ReportPeriod(PERIOD.start, PERIOD.end + timedelta(days=days))


def test_a_period_asked_again_is_answered_from_memory_until_its_time_is_up(
    node_database: NodeDatabase,
) -> None:
    clock = Clock()
    cache = ReportCache(node_database.engine, "test-node", ttl_s=300, clock=clock)
    add_report(node_database)
    first = cache.report(PERIOD, NOW)
    assert first.reports.total == 1
    add_report(node_database)
    clock.now += 299
    again = cache.report(PERIOD, NOW + timedelta(minutes=4))
    assert again is first  # the same numbers and generated_at, not read again
    clock.now += 1
    later = cache.report(PERIOD, NOW + timedelta(minutes=5))
    assert later.reports.total == 2
    assert later.generated_at == NOW + timedelta(minutes=5)


def test_at_most_max_entries_periods_are_kept_the_oldest_dropped_first(
    node_database: NodeDatabase,
) -> None:
    cache = ReportCache(node_database.engine, "test-node", max_entries=2, clock=Clock())
    first, second, third = PERIOD, longer(1), longer(2)
    for period in (first, second, third):
        assert cache.report(period, NOW).reports.total == 0
    add_report(node_database)
    assert cache.report(third, NOW).reports.total == 0  # still held
    assert cache.report(second, NOW).reports.total == 0  # still held
    assert cache.report(first, NOW).reports.total == 1  # dropped when the third came


def test_callers_asking_for_one_period_at_once_share_one_computation(
    node_database: NodeDatabase,
) -> None:
    cache = ReportCache(node_database.engine, "test-node", clock=Clock())
    callers = 6
    start = threading.Barrier(callers)
    answers: list[TransparencyReport] = []

    def ask() -> None:
        start.wait()
        answers.append(cache.report(PERIOD, NOW))

    threads = [threading.Thread(target=ask) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == callers
    assert all(answer is answers[0] for answer in answers)
