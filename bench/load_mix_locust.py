"""Locust users for ``bench.load_mix`` (run by it; not meant to be started by hand).

``bench.load_mix`` writes the requests to draw from (JSON) and names the file in
``LOAD_MIX_REQUESTS``; ``LOAD_MIX_PER_USER_RATE`` is the rate each user holds and
``LOAD_MIX_ANSWERS`` where to write what was measured. Each user is one simulated citizen
holding a fixed rate (``constant_throughput``), and ``LOAD_MIX_USERS`` says how many users
send each kind of request, so together they offer ``users x rate`` requests per second until
slow answers hold users back: the achieved rate then falls below the offered one, which is
what the benchmark reports. Every answer is recorded by our own
listener (start time, status, latency) rather than read from Locust's rounded statistics,
so the benchmark computes exact percentiles and counts answers by status code.

This module imports only the standard library and Locust: Locust loads it by path.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant_throughput, events, task

JSON_HEADERS = {"Content-Type": "application/json"}


@cache
def plan() -> dict[str, list[str]]:
    """Query strings, hash prefixes and JSON bodies to draw from, by kind of request."""
    return dict(json.loads(Path(os.environ["LOAD_MIX_REQUESTS"]).read_text(encoding="utf-8")))


# name -> [(start time (epoch s), status (0: no answer), latency ms)]
answers: dict[str, list[tuple[float, int, float]]] = {}


def record_answer(
    name: str, response_time: float, response: Any, start_time: float, **_: Any
) -> None:
    status = int(getattr(response, "status_code", 0) or 0)
    answers.setdefault(name, []).append((start_time, status, response_time))


def write_answers(**_: Any) -> None:
    Path(os.environ["LOAD_MIX_ANSWERS"]).write_text(json.dumps(answers), encoding="utf-8")


def listen(hook: Any, listener: Callable[..., None]) -> None:
    """``hook.add_listener(listener)``; Locust's event hooks carry no type hints."""
    hook.add_listener(listener)


listen(events.request, record_answer)
listen(events.test_stop, write_answers)


def users_for(kind: str) -> int:
    """How many users send ``kind`` in this run (``LOAD_MIX_USERS``, JSON; absent: none)."""
    return int(json.loads(os.environ.get("LOAD_MIX_USERS", "{}")).get(kind, 0))


class Citizen(FastHttpUser):
    """One citizen sending one kind of request at ``LOAD_MIX_PER_USER_RATE`` per second.

    Each kind has its own users, as the people who check numbers are not the ones who file
    reports: a slow report then holds back only report senders, and every endpoint is offered
    its share of the rate whatever the latency of the others."""

    abstract = True

    def wait_time(self) -> float:
        pacing: Callable[[Any], float] = constant_throughput(
            float(os.environ["LOAD_MIX_PER_USER_RATE"])
        )
        return pacing(self)


class Checker(Citizen):
    fixed_count = users_for("check")

    @task
    def check(self) -> None:
        query = random.choice(plan()["check"])
        self.client.get(f"/api/v1/check?q={query}", name="check")


class RangeLookup(Citizen):
    fixed_count = users_for("range")

    @task
    def hash_range(self) -> None:
        prefix = random.choice(plan()["range"])
        self.client.get(f"/api/v1/range/{prefix}", name="range")


class Reporter(Citizen):
    fixed_count = users_for("report")

    @task
    def report(self) -> None:
        # A fresh Idempotency-Key per report, as the report form sends one per submission.
        headers = {**JSON_HEADERS, "Idempotency-Key": uuid.uuid4().hex}
        body = random.choice(plan()["report"])
        self.client.post("/api/v1/reports", data=body, headers=headers, name="report")


class Classifier(Citizen):
    fixed_count = users_for("classify")

    @task
    def classify(self) -> None:
        body = random.choice(plan()["classify"])
        self.client.post("/api/v1/classify", data=body, headers=JSON_HEADERS, name="classify")


class Healthz(Citizen):
    """The reference: the HTTP stack alone, at the same rate and the same number of users."""

    fixed_count = users_for("healthz")

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="healthz")
