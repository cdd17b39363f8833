"""Clients that keep writing while a server or its database is made to fail, and the checks
that nothing acknowledged was lost or doubled afterwards (the fault tests, docs/operations.md).

Each report is sent with its own Idempotency-Key and resent with the same key until the node
acknowledges it (201, or 200 for a repeat), as a well-behaved client does after a timeout or a
dropped connection."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx2 as httpx
from sqlalchemy import Engine, func, select

from scamintel.storage.tables import audit_log, indicators, report_indicators, reports

# Few distinct values, many reports each: a lost or doubled report shows in its value's count.
VALUES = [f"+66810{n:06d}" for n in range(7)]
RETRYABLE = {429, 500, 502, 503, 504}


def value_of(number: int) -> str:
    return VALUES[number % len(VALUES)]


def report_body(number: int) -> dict[str, object]:
    return {
        "scam_type": "investment",
        "channel": "line",
        "victim_country": "TH",
        "narrative": f"Report {number}: asked to transfer a deposit to {value_of(number)}",
        "indicators": [{"type": "phone", "value": value_of(number)}],
    }


def key_of(number: int) -> str:
    return f"fault-report-{number:05d}"


@dataclass
class Failure:
    """One answer that was not an acknowledgement: what it was and how long it took."""

    status: int | None  # None: no answer (refused, reset, timed out)
    problem_json: bool
    seconds: float


@dataclass
class Ledger:
    """What the clients were told: the report id acknowledged for each key, and every
    failure met on the way (shared by the client threads, under a lock)."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, key: str, report_id: str) -> None:
        with self.lock:
            earlier = self.acknowledged.setdefault(key, report_id)
        assert earlier == report_id, f"{key} acknowledged as {earlier} and then {report_id}"

    def fail(self, failure: Failure) -> None:
        with self.lock:
            self.failures.append(failure)


def send_until_acknowledged(
    bases: Callable[[int], str],
    number: int,
    headers: dict[str, str],
    ledger: Ledger,
    *,
    deadline: float,
) -> None:
    """POST report ``number`` with its key until a 201/200 (or the deadline); ``bases(attempt)``
    names the server each attempt goes to."""
    attempt = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        with ledger.lock:
            ledger.attempts += 1
        try:
            answer = httpx.post(
                bases(attempt) + "/api/v1/reports",
                json=report_body(number),
                headers={**headers, "Idempotency-Key": key_of(number)},
                timeout=15,
            )
        except httpx.TransportError:
            ledger.fail(Failure(None, False, time.monotonic() - started))
        else:
            if answer.status_code in (200, 201):
                ledger.acknowledge(key_of(number), answer.json()["id"])
                return
            assert answer.status_code in RETRYABLE, (answer.status_code, answer.text)
            ledger.fail(
                Failure(
                    answer.status_code,
                    answer.headers.get("content-type", "").startswith("application/problem+json"),
                    time.monotonic() - started,
                )
            )
        attempt += 1
        time.sleep(0.05)
    raise AssertionError(f"report {number} was never acknowledged")


def submit_from_threads(
    bases: Callable[[int], str],
    numbers: Sequence[int],
    headers: dict[str, str],
    ledger: Ledger,
    *,
    threads: int = 4,
    timeout: float = 120,
) -> None:
    """Send ``numbers`` from ``threads`` clients, each its share in turn; re-raises what a
    client thread failed on."""
    deadline = time.monotonic() + timeout
    errors: list[BaseException] = []

    def client(share: Sequence[int]) -> None:
        try:
            for number in share:
                send_until_acknowledged(bases, number, headers, ledger, deadline=deadline)
        except BaseException as error:  # re-raised in the test's thread below
            errors.append(error)

    workers = [
        threading.Thread(target=client, args=(numbers[index::threads],)) for index in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


class InBackground(threading.Thread):
    """Runs ``target`` in a thread; ``finish`` joins it and re-raises what it raised."""

    def __init__(self, target: Callable[[], None]) -> None:
        super().__init__(daemon=True)
        self._work = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._work()
        except BaseException as error:  # re-raised by finish() in the test's thread
            self.error = error

    def finish(self, timeout: float) -> None:
        self.join(timeout)
        assert not self.is_alive(), f"still running after {timeout}s"
        if self.error is not None:
            raise self.error


def assert_stored_exactly_once(engine: Engine, ledger: Ledger, numbers: Sequence[int]) -> None:
    """Every acknowledged report is stored once under its key and id, nothing else is, each
    value counts the reports sent about it, and one audit entry records each creation."""
    assert set(ledger.acknowledged) == {key_of(n) for n in numbers}
    with engine.connect() as connection:
        stored = connection.execute(select(reports.c.id, reports.c.idempotency_key)).all()
        per_value = dict(
            connection.execute(
                select(indicators.c.value, func.count())
                .join(report_indicators, report_indicators.c.indicator_id == indicators.c.id)
                .group_by(indicators.c.value)
            ).all()
        )
        created = connection.scalar(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "report.create")
        )
    assert len(stored) == len(numbers)
    by_key = {str(row.idempotency_key).rsplit(":", 1)[-1]: str(row.id) for row in stored}
    assert by_key == ledger.acknowledged
    assert per_value == dict(Counter(value_of(n) for n in numbers))
    assert created == len(numbers)
