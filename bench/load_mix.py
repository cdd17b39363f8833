"""The realistic request mix under load: 80 % ``GET /api/v1/check?q=``, 10 % ``GET
/api/v1/range/{prefix}``, 5 % ``POST /api/v1/reports``, 5 % ``POST /api/v1/classify``.

A real server (``scamintel serve --workers N``) runs as a subprocess on a node holding
``--indicators`` indicators (default 1,000,000, the seeding of ``bench.check_load``: reports
linked to half of them; here half of them are also published listings, so range lookups
find real entries). A second process on loopback sends the load, for each worker count:

- **Fixed rate** (wrk, paced by its Lua ``delay()`` hook): each rate of ``--rate`` (requests
  per second, default 500; several rates are measured one after the other) for
  ``--duration`` seconds, after an unmeasured warm-up at the same rate. One wrk process per
  kind of request runs at the same time as the others, holding that kind's share of the
  rate, so the mix's proportions are kept whatever each endpoint costs. Latency is measured
  from when each request is actually sent, and a connection waits for its answer: when the
  server falls behind, the achieved rate drops below the offered one (coordinated omission
  is not corrected; the tables show both rates). The mix *held* a rate when it achieved at
  least 98 % of it, overall and for each kind of request, with no error and a p99 under
  100 ms; the highest such rate is reported per worker count.
- **Maximum throughput** (wrk, the same mix drawn from a request file by a Lua script,
  ``--connections`` connections kept busy): the most the server answers per second.
- **Reference**, in the same run against the same server at the same settings:
  ``GET /healthz`` (the HTTP stack's ceiling), at each fixed rate (one paced wrk process
  at the whole rate) and at the maximum.

Queries are those of ``bench.check_load`` (stored values written the ways people write
them, and valid numbers the node has never seen); range prefixes are half prefixes of listed
values, half random; reports carry a narrative, a scam type, a channel and one phone number
or URL; classified texts are short SMS-like messages written here (scams and ordinary ones).

The load comes from one loopback address standing for many citizens, so the per-client rate
limit is turned off (``SCAMINTEL_RATE_LIMIT_CLIENT_PER_MINUTE=0``); the global limit stays
on, at a value above any rate offered here (``SCAMINTEL_RATE_LIMIT_GLOBAL_PER_SECOND``).

    .venv/bin/python -m bench.load_mix
    .venv/bin/python -m bench.load_mix --indicators 100000 --duration 10 --runs 1
    .venv/bin/python -m bench.load_mix --rate 100 200 300 400 500
    .venv/bin/python -m bench.load_mix --backend sqlite --workers 1 4 --json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy import text

from bench.check_load import (
    CURRENCIES,
    NODE_COUNTRY,
    VICTIM_COUNTRIES,
    DataSet,
    Server,
    Stored,
    candidate,
    node_database,
    prepare_data,
    running_server,
    store_rows,
    written_forms,
)
from bench.common import (
    DEFAULT_POSTGRES_URL,
    Row,
    machine,
    median,
    postgres_version,
    print_table,
    source_fingerprint,
    write_result,
    wrk_command,
    wrk_totals,
)
from scamintel.indicators import IndicatorRegistry, IndicatorType, ParseContext, default_registry
from scamintel.protection.listing import value_hash
from scamintel.storage.database import make_engine
from scamintel.storage.tables import listings

SEED = 11
MIX = {"check": 80, "range": 10, "report": 5, "classify": 5}  # shares in percent
POSTED_TO = {"report": "/api/v1/reports", "classify": "/api/v1/classify"}
HEALTHZ = {"healthz": 100}  # the reference at a fixed rate: all of it
FIXED_RATE_GENERATOR = "wrk, paced by its Lua delay() hook, one process per kind"
# A paced wrk process (one thread) opens max(4, ceil(rate x PACED_WAIT_S)) connections, at
# most PACED_MAX_CONNECTIONS: a connection waits for its answer before its next slot, so with
# rate x PACED_WAIT_S of them the schedule is kept until answers take that long (in flight =
# rate x latency); the cap keeps a slow server from being flooded with sockets.
PACED_WAIT_S = 0.25
PACED_MIN_CONNECTIONS = 4
PACED_MAX_CONNECTIONS = 256
FIXED_RATE_CONNECTIONS = (
    f"max({PACED_MIN_CONNECTIONS}, ceil(rate x {PACED_WAIT_S})), at most "
    f"{PACED_MAX_CONNECTIONS}, per process of 1 thread"
)
# The mix held a rate when it achieved this share of it (overall and for each kind), with no
# error and a p99 below this.
HELD_ACHIEVED_SHARE = 0.98
HELD_P99_MS = 100.0
# Above every rate offered here (the fixed rate and what one machine can answer at most):
# the limiter stays in the request path, as in production, without refusing the benchmark.
GLOBAL_LIMIT_PER_SECOND = 100_000
RATE_LIMIT_SETTINGS = {
    "SCAMINTEL_RATE_LIMIT_CLIENT_PER_MINUTE": "0",
    "SCAMINTEL_RATE_LIMIT_GLOBAL_PER_SECOND": str(GLOBAL_LIMIT_PER_SECOND),
}
LISTED_EVERY = 2  # every second stored indicator is a published listing
PREFIXES = 5_000
REPORT_BODIES = 1_000
CLASSIFY_BODIES = 1_000
WRK_REQUESTS = 10_000  # the wrk request file: the mix, drawn in its proportions
LISTED_AT = datetime(2026, 1, 1, tzinfo=UTC)
OK_STATUSES = frozenset({200, 201})

# (scam type, channel, kind of indicator, narrative with the value as the victim wrote it)
STORIES = (
    (
        "phishing_parcel_utility",
        "sms",
        "url",
        "Got an SMS that my parcel was held for an unpaid fee, with the link {value}. I paid "
        "45 baht with my card and the next day 12,000 baht was taken from it.",
    ),
    (
        "officials_impersonated",
        "call",
        "phone",
        "A man called from {value}, said he was a police officer and that my bank account was "
        "used for money laundering. He told me to move my savings to a safe account.",
    ),
    (
        "bank_impersonation",
        "sms",
        "url",
        "Message from my bank saying the account was locked, verify at {value}. The page "
        "asked for my PIN and the OTP, then my balance was gone.",
    ),
    (
        "investment",
        "line",
        "phone",
        "Added to a LINE group promising 30 % a month from gold trading; the admin gave "
        "{value} to call. I invested twice and could not withdraw anything.",
    ),
    (
        "job_task",
        "telegram",
        "phone",
        "Offered a part-time job liking videos. They paid small amounts at first, then asked "
        "me to deposit to unlock bigger tasks. The contact number was {value}.",
    ),
    (
        "fake_seller",
        "facebook",
        "url",
        "Bought a phone from a shop page, paid by transfer after ordering at {value}; nothing "
        "arrived and the page is gone.",
    ),
    (
        "loan",
        "sms",
        "phone",
        "A loan offer by SMS; they asked for an insurance fee before paying out the loan and "
        "then another fee. They called me from {value}.",
    ),
    (
        "prize_qr",
        "sms",
        "url",
        "SMS said I won a prize in an anniversary draw and to claim it at {value}; it asked "
        "for a delivery fee and my card details.",
    ),
    (
        "romance",
        "whatsapp",
        "phone",
        "Met someone online who said he worked abroad. After two months he needed money for "
        "customs to send me a gift. His WhatsApp is {value}.",
    ),
)

# Short messages as people receive them: scams (with a value) and ordinary ones.
MESSAGES = (
    "Your parcel could not be delivered: customs fee unpaid. Pay 45 THB within 24h at {url}",
    "KBank: your account has been suspended. Verify now at {url} to avoid closure.",
    "Congratulations! You won 50,000 baht in our anniversary draw. Call {phone} to claim.",
    "This is the police. A case is open against your ID card. Call {phone} immediately.",
    "Part-time job, earn 3000 baht a day liking videos. Add us or call {phone} now.",
    "Pinjaman segera tanpa cagaran, lulus dalam 5 minit. WhatsApp {phone}",
    "พัสดุของคุณถูกระงับ กรุณาชำระค่าธรรมเนียมที่ {url} ภายในวันนี้",
    "การไฟฟ้าแจ้ง ค่าไฟค้างชำระ ระบบจะตัดไฟวันนี้ ติดต่อด่วน {phone}",
    "GCash: You received a reward of P5,000. Claim at {url} before midnight.",
    "Your electricity will be cut tonight. Pay the overdue bill at {url}",
    "Hi mum, I'll be home by 7, can you save me some dinner?",
    "Your OTP for login is 482913. Do not share this code with anyone.",
    "Meeting moved to 3pm tomorrow, same room.",
    "Reminder: your dentist appointment is on Friday at 10:00.",
    "นัดกินข้าวเย็นวันเสาร์นะ ร้านเดิม",
    "Your order has been shipped and will arrive on Tuesday.",
)

MIX_LUA = r"""
-- Requests drawn at random from the file given after "--", one per line as
-- METHOD<tab>PATH<tab>BODY; the second argument makes this run's Idempotency-Keys unique; a
-- third, when given, is the rate each thread holds (requests/s), paced by delay().
-- Answers are tallied by status; totals, with the latency at every 0.1 % from 0.1 to 100 %,
-- are printed as one JSON line.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } pacing_timespec;
int clock_gettime(int clock_id, pacing_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local clock_reading = ffi.new("pacing_timespec")
local plan = {}
local threads = {}
local interval_ms = nil
local next_slot_ms = nil
statuses = {}
sent = 0

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock_reading)
  return tonumber(clock_reading.tv_sec) * 1000 + tonumber(clock_reading.tv_nsec) / 1e6
end

-- The thread's connections share one schedule, a slot every interval_ms. A schedule fallen
-- behind (every connection was waiting for an answer) restarts now: no catch-up burst.
local function paced_delay()
  local now = now_ms()
  if next_slot_ms == nil or next_slot_ms < now then
    next_slot_ms = now
  end
  local wait = next_slot_ms - now
  next_slot_ms = next_slot_ms + interval_ms
  return math.floor(wait + 0.5)
end

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_number", #threads)
end

function init(args)
  run_token = args[2] or "run"
  if args[3] then
    interval_ms = 1000 / tonumber(args[3])
    -- wrk turns its delay hook on when delay() exists once init() has run: unpaced runs
    -- (the maximum) go without a timer per request
    delay = paced_delay
  end
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t(.*)$")
    plan[#plan + 1] = {method, path, body}
  end
  math.randomseed(7919 * (thread_number or 1))
end

function request()
  local chosen = plan[math.random(#plan)]
  if chosen[1] == "GET" then
    return wrk.format("GET", chosen[2])
  end
  sent = sent + 1
  local headers = {["Content-Type"] = "application/json"}
  if chosen[2] == "/api/v1/reports" then
    -- a fresh key per report, as the report form sends one per submission
    headers["Idempotency-Key"] = string.format("wrk-%s-%d-%d", run_token, thread_number, sent)
  end
  return wrk.format(chosen[1], chosen[2], headers, chosen[3])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local tally = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      tally[#tally + 1] = string.format('"%d": %d', status, count)
    end
  end
  -- the whole distribution, so that processes run side by side can be merged
  local grid = {}
  for step = 1, 1000 do
    grid[step] = string.format("%d", latency:percentile(step / 10))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "max_us": %d, '
    .. '"statuses": [{%s}], "percentiles_us": [%s]}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    latency.max, table.concat(tally, "}, {"), table.concat(grid, ", ")))
end
"""


# -- what is measured ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Figures:
    """One load against one URL set: rates in requests per second, latencies in ms."""

    offered_per_second: float | None  # None: as fast as the server answers
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    # answers by status code; "0" counts requests that got none (refused, reset, timed out)
    statuses: dict[str, int]
    endpoints: dict[str, Figures] = field(default_factory=dict)

    @property
    def errors(self) -> dict[str, int]:
        return {code: n for code, n in self.statuses.items() if int(code) not in OK_STATUSES}

    @classmethod
    def median_of(cls, runs: Sequence[Figures]) -> Figures:
        """Each rate and percentile's median over the runs; the max and counts over all."""
        statuses: dict[str, int] = {}
        for run in runs:
            for code, count in run.statuses.items():
                statuses[code] = statuses.get(code, 0) + count
        names = sorted({name for run in runs for name in run.endpoints})
        return cls(
            offered_per_second=runs[0].offered_per_second,
            per_second=median([run.per_second for run in runs]),
            p50_ms=median([run.p50_ms for run in runs]),
            p99_ms=median([run.p99_ms for run in runs]),
            max_ms=max(run.max_ms for run in runs),
            requests=sum(run.requests for run in runs),
            statuses=dict(sorted(statuses.items())),
            endpoints={
                name: cls.median_of([run.endpoints[name] for run in runs if name in run.endpoints])
                for name in names
            },
        )


@dataclass(frozen=True, slots=True)
class FixedRate:
    """The mix and ``/healthz`` at one offered rate, each a median over the runs."""

    rate: float
    mix: Figures
    healthz: Figures

    @property
    def held(self) -> bool:
        """Whether the mix kept up: most of the rate achieved, by every kind of request too
        (the mix's proportions kept), no error, p99 within bounds."""
        return (
            all(
                figures.per_second >= HELD_ACHIEVED_SHARE * (figures.offered_per_second or 0)
                for figures in (self.mix, *self.mix.endpoints.values())
            )
            and not self.mix.errors
            and self.mix.p99_ms < HELD_P99_MS
        )


@dataclass(frozen=True, slots=True)
class Configuration:
    """Everything measured with one server worker count, each load a median over the runs."""

    workers: int
    fixed: list[FixedRate]  # by increasing rate
    mix_max: Figures
    healthz_max: Figures

    @property
    def highest_rate_held(self) -> float | None:
        held = [item.rate for item in self.fixed if item.held]
        return max(held) if held else None


@dataclass(frozen=True, slots=True)
class WrkTotals:
    """What one wrk process printed (``MIX_LUA``'s ``done()``)."""

    requests: int
    seconds: float
    # answers by status code; "0" counts socket errors (refused, reset, timed out)
    statuses: dict[str, int]
    max_ms: float
    percentiles_ms: list[float]  # the latency at each step of an even grid up to 100 %

    @classmethod
    def parse(cls, output: str) -> WrkTotals:
        totals = wrk_totals(output)
        statuses: dict[str, int] = {}
        for tally in totals["statuses"]:
            for code, count in tally.items():
                statuses[code] = statuses.get(code, 0) + count
        if totals["socket_errors"]:
            statuses["0"] = statuses.get("0", 0) + totals["socket_errors"]
        return cls(
            requests=totals["requests"],
            seconds=totals["duration_us"] / 1e6,
            statuses=dict(sorted(statuses.items())),
            max_ms=totals["max_us"] / 1000,
            percentiles_ms=[value / 1000 for value in totals["percentiles_us"]],
        )


def merged_percentile(parts: Sequence[WrkTotals], share: float) -> float:
    """The latency below which ``share`` of the requests of all ``parts`` were answered: each
    value of a process's grid stands for an equal part of that process's requests, and the
    weighted values of all processes are ranked together. For one process, its own value at
    ``share`` (when ``share`` is on the grid)."""
    samples = sorted(
        (value, part.requests / len(part.percentiles_ms))
        for part in parts
        for value in part.percentiles_ms
    )
    total = sum(weight for _, weight in samples)
    if total == 0:
        return 0.0
    wanted = share * total * (1 - 1e-9)  # not missed by a rounding of the running sum
    running = 0.0
    for value, weight in samples:
        running += weight
        if running >= wanted:
            return value
    return samples[-1][0]


def figures_of(parts: Sequence[WrkTotals], offered: float | None) -> Figures:
    """One load from wrk processes run side by side: rates, counts and statuses add up, the
    percentiles are those of the merged distributions."""
    statuses: dict[str, int] = {}
    for part in parts:
        for code, count in part.statuses.items():
            statuses[code] = statuses.get(code, 0) + count
    return Figures(
        offered_per_second=offered,
        per_second=sum(part.requests / part.seconds for part in parts if part.seconds),
        p50_ms=merged_percentile(parts, 0.50),
        p99_ms=merged_percentile(parts, 0.99),
        max_ms=max((part.max_ms for part in parts), default=0.0),
        requests=sum(part.requests for part in parts),
        statuses=dict(sorted(statuses.items())),
    )


# -- the requests --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Requests:
    """What the load draws from, by kind: URL-encoded check queries, range prefixes, and JSON
    bodies of reports and classifications."""

    check: list[str]
    range: list[str]
    report: list[str]
    classify: list[str]


class Values:
    """Phone numbers and URLs as people write them: half stored on the node, half new."""

    def __init__(self, stored: Sequence[Stored], rng: Random) -> None:
        self._stored = {
            kind: [item for item in stored if item.type == kind] for kind in ("phone", "url")
        }
        self._rng = rng
        self._registry: IndicatorRegistry = default_registry()

    def written(self, kind: str, region: str = NODE_COUNTRY) -> str:
        """A value of ``kind`` as written by someone in ``region``: the node reads a local
        number in the reporter's country, so only forms valid there are kept (a Thai local
        number in a report from the Philippines is refused, rightly)."""
        item = None
        while item is None:
            if self._stored[kind] and self._rng.random() < 0.5:
                item = self._rng.choice(self._stored[kind])
            else:  # a valid value the node has probably never seen
                item = self._fresh(kind)
        raw = self._rng.choice(written_forms(item))
        # The canonical form (E.164, a full URL) reads the same in every country.
        return raw if self._reads(raw, kind, region) else item.value

    def _fresh(self, kind: str) -> Stored | None:
        raw, indicator_type = candidate("phone_th" if kind == "phone" else "url", self._rng)
        try:
            indicator = self._registry.canonicalise(raw, indicator_type, ParseContext(NODE_COUNTRY))
        except ValueError:
            return None
        return Stored(indicator.type.value, indicator.value, indicator.country)

    def _reads(self, raw: str, kind: str, region: str) -> bool:
        try:
            self._registry.canonicalise(raw, IndicatorType(kind), ParseContext(region))
        except ValueError:
            return False
        return True


def report_body(values: Values, rng: Random) -> dict[str, Any]:
    scam_type, channel, kind, narrative = rng.choice(STORIES)
    country = rng.choice(VICTIM_COUNTRIES)
    value = values.written(kind, country)
    occurred = LISTED_AT + timedelta(minutes=rng.randrange(60 * 24 * 90))
    return {
        "narrative": narrative.format(value=value),
        "scam_type": scam_type,
        "channel": channel,
        "victim_country": country,
        "amount": str(Decimal(rng.randrange(10_000, 5_000_000)) / 100),
        "currency": CURRENCIES[country],
        "occurred_at": occurred.isoformat(),
        "indicators": [{"type": kind, "value": value}],
    }


def message(values: Values, rng: Random) -> str:
    template = rng.choice(MESSAGES)
    return template.format(
        phone=values.written("phone") if "{phone}" in template else "",
        url=values.written("url") if "{url}" in template else "",
    )


def build_requests(dataset: DataSet) -> Requests:
    rng = Random(SEED)
    stored = dataset.load_indicators()
    values = Values(stored, rng)
    listed = stored[::LISTED_EVERY]  # as list_values publishes them
    known = [value_hash(rng.choice(listed).value)[:5] for _ in range(PREFIXES // 2)]
    unknown = [f"{rng.randrange(16**5):05x}" for _ in range(PREFIXES - len(known))]
    prefixes = known + unknown
    rng.shuffle(prefixes)
    return Requests(
        check=dataset.queries_path.read_text(encoding="utf-8").split(),
        range=prefixes,
        report=[json.dumps(report_body(values, rng)) for _ in range(REPORT_BODIES)],
        classify=[json.dumps({"text": message(values, rng)}) for _ in range(CLASSIFY_BODIES)],
    )


def write_wrk_requests(requests: Requests, path: Path, shares: dict[str, int] = MIX) -> None:
    """``WRK_REQUESTS`` lines drawn in the proportions of ``shares`` (the mix's, or one kind
    alone for a process of its own), for the wrk Lua script."""
    rng = Random(SEED + 1)
    kinds = rng.choices(list(shares), list(shares.values()), k=WRK_REQUESTS)
    lines = []
    for kind in kinds:
        if kind == "check":
            lines.append(f"GET\t/api/v1/check?q={rng.choice(requests.check)}\t")
        elif kind == "range":
            lines.append(f"GET\t/api/v1/range/{rng.choice(requests.range)}\t")
        else:
            bodies = requests.report if kind == "report" else requests.classify
            lines.append(f"POST\t{POSTED_TO[kind]}\t{rng.choice(bodies)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the node ------------------------------------------------------------------------------------
def list_values(database_url: str, dataset: DataSet) -> int:
    """Publish every ``LISTED_EVERY``-th stored indicator as a listing (bare inserts), so range
    lookups read a realistic listings table. Returns how many were listed."""
    rng = Random(SEED + 2)
    stored = dataset.load_indicators()
    rows: list[Row] = []
    for number, item in enumerate(stored[::LISTED_EVERY], start=1):
        scam = rng.random() < 0.65
        score = rng.uniform(0.6, 0.99) if scam else rng.uniform(0.3, 0.6)
        indicator_id = (number - 1) * LISTED_EVERY + 1
        rows.append(
            (
                indicator_id,
                item.type,
                item.value,
                value_hash(item.value),
                "scam" if scam else "suspicious",
                Decimal(f"{score:.3f}"),
                rng.random() < 0.01,
                number,
                LISTED_AT,
            )
        )
    engine = make_engine(database_url)
    pooled = engine.raw_connection()
    connection: Any = pooled.driver_connection
    try:
        store_rows(connection, engine, listings, rows)
        connection.commit()
    finally:
        pooled.close()
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE listing_head SET seq = :seq WHERE id = 1"), {"seq": len(rows)}
        )
    engine.dispose()
    return len(rows)


@contextlib.contextmanager
def listed_node(
    args: argparse.Namespace, dataset: DataSet, work: Path
) -> Iterator[tuple[str, int]]:
    """The node of ``bench.check_load`` with half its indicators listed, and how many are.
    SQLite: a copy of the cached node (the cache stays as ``bench.check_load`` expects it)."""
    with node_database(args.backend, dataset, args.postgres_url) as url:
        if args.backend == "sqlite":
            copy = work / "node.db"
            shutil.copyfile(url.removeprefix("sqlite:///"), copy)
            url = f"sqlite:///{copy}"
        say("listing every second indicator (not timed) ...")
        yield url, list_values(url, dataset)


def smoke_test(server: Server, requests: Requests) -> None:
    """One request of each kind and /healthz, by hand: each must be answered 200 or 201."""
    base = server.base
    probes: list[tuple[str, bytes | None]] = [
        (f"{base}/healthz", None),
        (f"{base}/api/v1/check?q={requests.check[0]}", None),
        (f"{base}/api/v1/range/{requests.range[0]}", None),
        (f"{base}/api/v1/reports", requests.report[0].encode()),
        (f"{base}/api/v1/classify", requests.classify[0].encode()),
    ]
    for url, body in probes:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:500]
            raise RuntimeError(f"{url} answered {error.code} before the load: {detail}") from error
        if status not in OK_STATUSES:
            raise RuntimeError(f"{url} answered {status} before the load")


# -- the loads -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WrkLoad:
    """One wrk process: the plan it draws its requests from, and how it sends them."""

    plan: Path
    threads: int
    connections: int
    rate: float | None = None  # requests/s over all its threads; None: as fast as answered


def paced_connections(rate: float) -> int:
    """Connections of a paced process (see ``PACED_WAIT_S``)."""
    wanted = max(PACED_MIN_CONNECTIONS, math.ceil(rate * PACED_WAIT_S))
    return min(PACED_MAX_CONNECTIONS, wanted)


def run_wrk_fixed(
    server: Server,
    args: argparse.Namespace,
    script: Path,
    rate: float,
    shares: dict[str, int],
    plans: dict[str, Path],
) -> Figures:
    """``rate`` requests per second for a warm-up then ``--duration`` measured seconds, from
    one paced wrk process per kind of ``shares`` (its plan in ``plans``), all at once, each
    holding its kind's share of the rate."""
    total = sum(shares.values())
    rates = {kind: rate * share / total for kind, share in shares.items()}
    loads = [WrkLoad(plans[kind], 1, paced_connections(rates[kind]), rates[kind]) for kind in rates]
    if args.warmup > 0:
        _wrk(server.base, loads, args.warmup, script)
    parts = dict(zip(rates, _wrk(server.base, loads, args.duration, script), strict=True))
    endpoints = {kind: figures_of([part], rates[kind]) for kind, part in parts.items()}
    return replace(figures_of(list(parts.values()), rate), endpoints=endpoints)


def run_wrk_mix(server: Server, args: argparse.Namespace, plan: Path, script: Path) -> Figures:
    """wrk keeping ``--connections`` busy for ``--duration`` seconds after a warm-up, with
    requests drawn from ``plan`` (see ``MIX_LUA``)."""
    load = WrkLoad(plan, args.threads, args.connections)
    if args.warmup > 0:
        _wrk(server.base, [load], args.warmup, script)
    return figures_of(_wrk(server.base, [load], args.duration, script), None)


def _wrk_command(url: str, load: WrkLoad, duration: float, script: Path) -> list[str]:
    pacing = [] if load.rate is None else [repr(load.rate / load.threads)]
    return wrk_command(
        url,
        script,
        threads=load.threads,
        connections=load.connections,
        duration=duration,
        # a key reused with another body would be refused (422)
        arguments=[str(load.plan), uuid.uuid4().hex, *pacing],
    )


def _wrk(url: str, loads: Sequence[WrkLoad], duration: float, script: Path) -> list[WrkTotals]:
    """One wrk process per load, all started together, for ``duration`` seconds."""
    deadline = time.monotonic() + duration + 60
    processes = [
        subprocess.Popen(
            _wrk_command(url, load, duration, script),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for load in loads
    ]
    try:
        outputs = [
            process.communicate(timeout=max(1.0, deadline - time.monotonic()))
            for process in processes
        ]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    totals = []
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise RuntimeError(f"wrk failed ({process.returncode}): {stderr.strip()}")
        totals.append(WrkTotals.parse(stdout))
    return totals


def measure(
    server: Server, workers: int, args: argparse.Namespace, requests: Requests, work: Path
) -> Configuration:
    script = work / "mix.lua"
    script.write_text(MIX_LUA, encoding="utf-8")
    mix_plan = work / "wrk-mix.txt"
    write_wrk_requests(requests, mix_plan)
    kind_plans = {kind: work / f"wrk-{kind}.txt" for kind in MIX}
    for kind, path in kind_plans.items():
        write_wrk_requests(requests, path, {kind: 1})
    health_plans = {"healthz": work / "wrk-healthz.txt"}
    health_plans["healthz"].write_text("GET\t/healthz\t\n", encoding="utf-8")
    mix_fixed: dict[float, list[Figures]] = {rate: [] for rate in args.rate}
    healthz_fixed: dict[float, list[Figures]] = {rate: [] for rate in args.rate}
    mix_max: list[Figures] = []
    healthz_max: list[Figures] = []
    for number in range(args.runs):
        for rate in args.rate:
            mix_fixed[rate].append(run_wrk_fixed(server, args, script, rate, MIX, kind_plans))
            healthz_fixed[rate].append(
                run_wrk_fixed(server, args, script, rate, HEALTHZ, health_plans)
            )
        mix_max.append(run_wrk_mix(server, args, mix_plan, script))
        healthz_max.append(run_wrk_mix(server, args, health_plans["healthz"], script))
        fixed_text = "; ".join(
            f"mix at {rate:,.0f}/s achieved {runs[-1].per_second:,.0f}/s "
            f"(p99 {runs[-1].p99_ms:.1f} ms)"
            for rate, runs in mix_fixed.items()
        )
        say(
            f"  run {number + 1}/{args.runs}, {workers} worker(s): {fixed_text}; "
            f"mix at most {mix_max[-1].per_second:,.0f}/s, healthz at most "
            f"{healthz_max[-1].per_second:,.0f}/s"
        )
    return Configuration(
        workers=workers,
        fixed=[
            FixedRate(
                rate=rate,
                mix=Figures.median_of(mix_fixed[rate]),
                healthz=Figures.median_of(healthz_fixed[rate]),
            )
            for rate in args.rate
        ],
        mix_max=Figures.median_of(mix_max),
        healthz_max=Figures.median_of(healthz_max),
    )


# -- output --------------------------------------------------------------------------------------
def say(line: str) -> None:
    """Progress: on stdout, or on stderr when stdout carries the JSON (``--json``)."""
    print(line, flush=True)


def errors_text(figures: Figures) -> str:
    errors = figures.errors
    return ", ".join(f"{code}: {count}" for code, count in errors.items()) if errors else "none"


def rate_text(rate: float | None) -> str:
    return "as fast as answered" if rate is None else f"{rate:,.0f}"


def figures_row(label: str, workers: int, figures: Figures) -> list[object]:
    return [
        label,
        workers,
        rate_text(figures.offered_per_second),
        f"{figures.per_second:,.0f}",
        f"{figures.p50_ms:.1f}",
        f"{figures.p99_ms:.1f}",
        f"{figures.max_ms:,.0f}",
        f"{figures.requests:,}",
        errors_text(figures),
    ]


def held_text(rate: float | None) -> str:
    held = "none of the rates offered" if rate is None else f"{rate:,.0f}/s"
    return (
        f"highest rate the mix held: {held} (achieved >= {HELD_ACHIEVED_SHARE * 100:.0f} % of "
        f"offered, overall and by endpoint, no error, p99 < {HELD_P99_MS:.0f} ms)"
    )


def print_configuration(configuration: Configuration) -> None:
    workers = configuration.workers
    rows = [
        *(figures_row("mix, fixed rate", workers, item.mix) for item in configuration.fixed),
        *(
            figures_row("healthz, fixed rate", workers, item.healthz)
            for item in configuration.fixed
        ),
        figures_row("mix, maximum", workers, configuration.mix_max),
        figures_row("healthz, maximum", workers, configuration.healthz_max),
    ]
    print_table(
        [
            *("load", "workers", "offered/s", "achieved/s", "p50 ms", "p99 ms", "max ms"),
            *("requests", "errors by status"),
        ],
        rows,
    )
    print("\n  the fixed-rate mix by endpoint:")
    print_table(
        [
            *("mix at/s", "endpoint", "offered/s", "achieved/s", "p50 ms", "p99 ms", "max ms"),
            "errors by status",
        ],
        [
            [
                rate_text(item.rate),
                name,
                f"{figures.offered_per_second or 0:,.1f}",
                f"{figures.per_second:,.1f}",
                f"{figures.p50_ms:.1f}",
                f"{figures.p99_ms:.1f}",
                f"{figures.max_ms:,.0f}",
                errors_text(figures),
            ]
            for item in configuration.fixed
            for name, figures in item.mix.endpoints.items()
        ],
    )
    print(f"\n  {held_text(configuration.highest_rate_held)}")


def growth(configurations: Sequence[Configuration]) -> dict[str, float]:
    """Maximum throughput of each worker count relative to the fewest workers measured."""
    first = configurations[0]
    return {
        str(item.workers): item.mix_max.per_second / first.mix_max.per_second
        if first.mix_max.per_second
        else 0.0
        for item in configurations
    }


def configuration_json(configuration: Configuration) -> dict[str, Any]:
    """The configuration with, for each fixed rate, whether the mix held it."""
    result = asdict(configuration)
    for entry, item in zip(result["fixed"], configuration.fixed, strict=True):
        entry["held"] = item.held
    result["highest_rate_held"] = configuration.highest_rate_held
    return result


def report(
    args: argparse.Namespace,
    configurations: Sequence[Configuration],
    dataset: DataSet,
    listed: int,
    server_version: str | None,
    load_at_start: tuple[float, float, float],
) -> dict[str, Any]:
    result = {
        "benchmark": "load_mix",
        "backend": args.backend,
        "indicators": dataset.count,
        "listed_values": listed,
        "mix_percent": MIX,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "runs": args.runs,
        "fixed_rate_per_second": args.rate,
        "fixed_rate_generator": FIXED_RATE_GENERATOR,
        "fixed_rate_connections": FIXED_RATE_CONNECTIONS,
        "fixed_rate_held_when": {
            "achieved_share_of_offered_at_least": HELD_ACHIEVED_SHARE,
            "by_endpoint_too": True,
            "errors": 0,
            "p99_ms_below": HELD_P99_MS,
        },
        "highest_rate_held": {str(item.workers): item.highest_rate_held for item in configurations},
        "wrk": {"connections": args.connections, "threads": args.threads},
        "rate_limits": {
            "client_per_minute": 0,
            "global_per_second": GLOBAL_LIMIT_PER_SECOND,
        },
        "configurations": [configuration_json(item) for item in configurations],
        "max_throughput_relative_to_first": growth(configurations),
        "postgresql_version": server_version,
        "machine": machine() | {"load_average_at_start": load_at_start},
        "source_fingerprint": args.source_fingerprint,
    }
    result["result_file"] = str(write_result(f"load_mix-{args.backend}", result))
    return result


def print_report(result: dict[str, Any], configurations: Sequence[Configuration]) -> None:
    print()
    print(
        f"The request mix (check {MIX['check']} %, range {MIX['range']} %, report "
        f"{MIX['report']} %, classify {MIX['classify']} %) on {result['backend']}, "
        f"{result['indicators']:,} indicators ({result['listed_values']:,} listed); "
        f"{result['duration_s']:.0f} s per load after {result['warmup_s']:.0f} s of warm-up, "
        f"median of {result['runs']} run(s); {result['machine']['cpus']} CPUs shared by the "
        f"server and the load (load average at start "
        f"{result['machine']['load_average_at_start'][0]:.2f})"
    )
    print(
        "rate limits: per client off (SCAMINTEL_RATE_LIMIT_CLIENT_PER_MINUTE=0: the load comes "
        "from one loopback address standing for many citizens); global limit left on at "
        f"{GLOBAL_LIMIT_PER_SECOND:,}/s (SCAMINTEL_RATE_LIMIT_GLOBAL_PER_SECOND), above every "
        "rate offered here"
    )
    print(
        f"fixed rate: {FIXED_RATE_GENERATOR} (connections {FIXED_RATE_CONNECTIONS}), /healthz "
        "one process at the whole rate; latency from when each request is sent, and a "
        "connection waits for its answer, so a server that falls behind lowers the achieved "
        "rate (coordinated omission not corrected); maximum: wrk, "
        f"{result['wrk']['connections']} connections, {result['wrk']['threads']} threads"
    )
    for configuration in configurations:
        print(f"\n{configuration.workers} server worker(s)")
        print_configuration(configuration)
    relative = result["max_throughput_relative_to_first"]
    if len(configurations) > 1:
        print(
            "\nmaximum mix throughput relative to "
            f"{configurations[0].workers} worker(s): "
            + ", ".join(f"{workers} workers x{ratio:.2f}" for workers, ratio in relative.items())
        )
    print(f"\nresult: {result['result_file']}")


# -- command line --------------------------------------------------------------------------------
def worker_counts(values: Sequence[str]) -> list[int]:
    counts: list[int] = []
    for value in values:
        for part in value.split(","):
            count = int(part)
            if count < 1:
                raise argparse.ArgumentTypeError("worker counts must be at least 1")
            if count not in counts:
                counts.append(count)
    return counts


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    cpus = len(os.sched_getaffinity(0))
    parser = argparse.ArgumentParser(prog="python -m bench.load_mix", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--indicators", type=int, default=1_000_000, help="stored indicators")
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds per load")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds per load")
    parser.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=[500.0],
        help="fixed rates, requests/s, each measured in turn (default 500)",
    )
    parser.add_argument(
        "--workers",
        nargs="+",
        default=[f"1,{cpus}"],
        help=f"server worker counts, e.g. 1 4 or 1,4 (default: 1 and the CPU count, {cpus})",
    )
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--runs", type=int, default=3, help="runs (medians are reported)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (maximum)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (maximum)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin database URL")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        args.workers = worker_counts(args.workers)
    except (ValueError, argparse.ArgumentTypeError) as error:
        parser.error(f"--workers: {error}")
    if args.indicators < 1000 or args.duration <= 0 or args.warmup < 0 or args.runs < 1:
        parser.error("need --indicators >= 1000, --duration > 0, --warmup >= 0, --runs >= 1")
    if not all(0 < rate < GLOBAL_LIMIT_PER_SECOND for rate in args.rate):
        parser.error(
            f"--rate: each rate must be above 0 and below the global limit set here, "
            f"{GLOBAL_LIMIT_PER_SECOND:,}/s"
        )
    args.rate = sorted(set(args.rate))
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    args.source_fingerprint = source_fingerprint("scamintel")  # the code as the run starts
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("missing: wrk (apt-get install -y wrk)")
        return 2
    output = contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext()
    with output:
        load_at_start = os.getloadavg()
        server_version = None
        if args.backend == "postgresql":
            server_version = postgres_version(args.postgres_url)
            if server_version is None:
                print(f"PostgreSQL is not reachable at {args.postgres_url}")
                return 1
        dataset = prepare_data(args.indicators)
        requests = build_requests(dataset)
        configurations = []
        with tempfile.TemporaryDirectory(prefix="scamintel-load-mix-") as folder:
            work = Path(folder)
            with listed_node(args, dataset, work) as (url, listed):
                for workers in args.workers:
                    home = work / f"home-{workers}"
                    home.mkdir()
                    with running_server(url, workers, home, RATE_LIMIT_SETTINGS) as server:
                        smoke_test(server, requests)
                        say(f"server with {workers} worker(s) on port {server.port}")
                        configurations.append(measure(server, workers, args, requests, work))
        result = report(args, configurations, dataset, listed, server_version, load_at_start)
        if not args.json:
            print_report(result, configurations)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
