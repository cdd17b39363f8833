"""Public check under load: ``GET /api/v1/check`` beside ``GET /healthz`` of the same server.

A real server (``scamintel serve``) runs as a subprocess on a node holding a million
indicators; ``wrk``, a second process, keeps 64 connections busy for 30 s asking for values
picked at random from 10,000 queries (80 % stored values written the ways people write them,
20 % valid numbers the node has never seen). The same wrk settings against ``/healthz`` of
the same server, in the same run, are the reference: the cost of the HTTP stack alone.

    .venv/bin/python -m bench.check_load
    .venv/bin/python -m bench.check_load --duration 5 --indicators 100000
    .venv/bin/python -m bench.check_load --backend postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from array import array
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any

from sqlalchemy import Engine, Integer, Table, text

from bench.common import (
    BENCH_SECRET_KEY,
    DATA_DIR,
    DEFAULT_POSTGRES_URL,
    REPO_ROOT,
    Row,
    bind_converter,
    machine,
    median,
    postgres_database,
    postgres_version,
    print_table,
    source_fingerprint,
    stop_process,
    write_result,
    wrk_command,
    wrk_totals,
)
from scamintel.indicators import IndicatorRegistry, IndicatorType, ParseContext, default_registry
from scamintel.reports.model import Channel, ScamType
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.tables import indicators, report_indicators, reports

GOAL_RATIO = 0.5
GOAL_P99_MS = 20.0
SEED = 7
QUERIES = 10_000
KNOWN_SHARE = 0.8
LINKED_SHARE = 0.5  # indicators with at least one report
MAX_REPORTS_PER_INDICATOR = 5
NODE_COUNTRY = "TH"
SCAMINTEL = REPO_ROOT / ".venv" / "bin" / "scamintel"
START_TIMEOUT_S = 120.0
INSERT_CHUNK = 50_000

# Share of each kind among the stored indicators: mostly phone numbers, as in the reports.
KIND_SHARES = {
    "phone_th": 0.55,
    "phone_my": 0.17,
    "phone_ph": 0.13,
    "url": 0.05,
    "domain": 0.05,
    "bank_account": 0.05,
}
TH_MOBILE_PREFIXES = ["61", "62", "63", "64", "65", "66"] + [str(n) for n in range(80, 100)]
BRANDS = ("kbank", "scb", "krungthai", "maybank", "bdo", "gcash", "shopee", "thaipost", "kerry")
LURES = ("secure", "verify", "login", "update", "refund", "promo", "bonus", "parcel", "help")
TLDS = ("com", "net", "org", "xyz", "top", "info", "online", "site", "shop", "cc", "vip")
BANKS = {"TH": ("KBANK", "SCB", "BBL", "KTB"), "MY": ("MAYBANK", "CIMB"), "PH": ("BDO", "BPI")}
ACCOUNT_DIGITS = {"TH": 10, "MY": 12, "PH": 12}
VICTIM_COUNTRIES = ("TH", "TH", "TH", "MY", "PH", "VN", "ID", "SG")
CURRENCIES = {"TH": "THB", "MY": "MYR", "PH": "PHP", "VN": "VND", "ID": "IDR", "SG": "SGD"}
NARRATIVE = (
    "They called from {value} and said my parcel was held at customs. I paid the fee they "
    "asked for and then they asked for more. "
)

LUA_SCRIPT = r"""
-- A query per request, picked at random from the file given after "--"; without a file, the
-- URL's own path. Totals are printed as one JSON line for the benchmark to read.
local queries = {}
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      queries[#queries + 1] = wrk.path .. line
    end
  end
  math.randomseed(7919 * (thread_number or 1))
end

function request()
  if #queries == 0 then
    return wrk.format("GET")
  end
  return wrk.format("GET", queries[math.random(#queries)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
    .. '"read_errors": %d, "write_errors": %d, "non_2xx_3xx": %d, "timeouts": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
"""


# -- the data set: indicators, reports, links and queries ---------------------------------------
@dataclass(frozen=True, slots=True)
class Stored:
    type: str
    value: str
    country: str | None


@dataclass(frozen=True, slots=True)
class DataSet:
    folder: Path
    indicators_path: Path
    queries_path: Path
    count: int

    def load_indicators(self) -> list[Stored]:
        stored = []
        with self.indicators_path.open(encoding="utf-8") as handle:
            for line in handle:
                kind, value, country = line.rstrip("\n").split("\t")
                stored.append(Stored(kind, value, country or None))
        return stored


def _digits(rng: Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def candidate(kind: str, rng: Random) -> tuple[str, IndicatorType]:
    """A raw value of ``kind``; the registry decides whether it is valid."""
    if kind == "phone_th":
        return f"0{rng.choice(TH_MOBILE_PREFIXES)}{_digits(rng, 7)}", IndicatorType.PHONE
    if kind == "phone_my":
        return f"+601{rng.choice('0123456789')}{_digits(rng, 7)}", IndicatorType.PHONE
    if kind == "phone_ph":
        return f"+639{_digits(rng, 9)}", IndicatorType.PHONE
    host = f"{rng.choice(BRANDS)}-{rng.choice(LURES)}{rng.randrange(100_000)}.{rng.choice(TLDS)}"
    if kind == "url":
        path = f"/{rng.choice(LURES)}/{rng.randrange(10**6)}"
        return f"https://{host}{path}", IndicatorType.URL
    if kind == "domain":
        return host, IndicatorType.DOMAIN
    country = rng.choice(("TH", "TH", "MY", "PH"))
    bank = rng.choice(BANKS[country])
    return f"{bank} {_digits(rng, ACCOUNT_DIGITS[country])}", IndicatorType.BANK_ACCOUNT


def generate_indicators(
    count: int, rng: Random, registry: IndicatorRegistry, context: ParseContext
) -> list[Stored]:
    kinds = list(KIND_SHARES)
    weights = list(KIND_SHARES.values())
    seen: set[tuple[str, str]] = set()
    stored: list[Stored] = []
    started = time.perf_counter()
    while len(stored) < count:
        raw, kind = candidate(rng.choices(kinds, weights)[0], rng)
        try:
            indicator = registry.canonicalise(raw, kind, context)
        except ValueError:
            continue
        key = (indicator.type.value, indicator.value)
        if key not in seen:
            seen.add(key)
            stored.append(Stored(*key, indicator.country))
            if len(stored) % 200_000 == 0:
                print(f"  {len(stored):,} indicators ({time.perf_counter() - started:.0f} s)")
    return stored


def written_forms(item: Stored) -> list[str]:
    """Ways people write a stored value; each is checked to read back as the same value."""
    value = item.value
    if item.type == "phone":
        national = value[3:]
        if value.startswith("+66"):
            local = "0" + national
            return [
                f"{local[:3]}-{local[3:6]}-{local[6:]}",
                f"+66 {national[:2]} {national[2:5]} {national[5:]}",
                local,
                value,
                f"{local[:3]} {local[3:6]} {local[6:]}",
                f"({local[:3]}) {local[3:6]}-{local[6:]}",
            ]
        if value.startswith("+60"):
            return [
                f"+60 {national[:2]}-{national[2:5]} {national[5:]}",
                value,
                f"0060 {national[:2]} {national[2:5]} {national[5:]}",
            ]
        return [
            f"+63 {national[:3]} {national[3:6]} {national[6:]}",
            f"+63-{national[:3]}-{national[3:6]}-{national[6:]}",
            value,
        ]
    if item.type == "url":
        scheme, rest = value.split("://", 1)
        host, _, path = rest.partition("/")
        return [value, f"{scheme.upper()}://{host.upper()}/{path}", value.replace(".", "[.]", 1)]
    if item.type == "domain":
        return [value, value.upper(), value.replace(".", "[.]")]
    _country, bank, account = value.split(":")
    return [f"{bank} {account}", f"{bank}:{account}", value, f"{bank.lower()} {account}"]


def generate_queries(
    stored: Sequence[Stored], rng: Random, registry: IndicatorRegistry, context: ParseContext
) -> list[str]:
    """URL-encoded queries: known values in varied forms, then valid numbers never stored."""
    known_target = round(QUERIES * KNOWN_SHARE)
    queries: list[str] = []
    attempts = 0
    while len(queries) < known_target and attempts < known_target * 20:
        attempts += 1
        item = rng.choice(stored)
        raw = rng.choice(written_forms(item))
        if _reads_as(raw, item, registry, context):
            queries.append(raw)
    values = {item.value for item in stored if item.type == "phone"}
    while len(queries) < QUERIES and attempts < QUERIES * 40:
        attempts += 1
        raw, kind = candidate(rng.choice(("phone_th", "phone_th", "phone_my", "phone_ph")), rng)
        try:
            indicator = registry.canonicalise(raw, kind, context)
        except ValueError:
            continue
        if indicator.value in values:
            continue
        fresh = Stored(indicator.type.value, indicator.value, indicator.country)
        raw = rng.choice(written_forms(fresh))
        if _reads_as(raw, fresh, registry, context):
            queries.append(raw)
    rng.shuffle(queries)
    return [urllib.parse.quote(raw, safe="") for raw in queries]


def _reads_as(raw: str, item: Stored, registry: IndicatorRegistry, context: ParseContext) -> bool:
    try:
        indicator = registry.canonicalise(raw, None, context)
    except ValueError:
        return False
    return (indicator.type.value, indicator.value) == (item.type, item.value)


def prepare_data(count: int) -> DataSet:
    """Indicators and queries, generated once per size and cached in ``bench/results/data``."""
    fingerprint = source_fingerprint("scamintel.indicators", "scamintel.storage.migrations")
    folder = DATA_DIR / f"check-{count}-seed{SEED}-{fingerprint}"
    dataset = DataSet(folder, folder / "indicators.tsv", folder / "queries.txt", count)
    if dataset.queries_path.exists():
        return dataset
    for stale in DATA_DIR.glob(f"check-{count}-seed{SEED}-*"):
        shutil.rmtree(stale)
    print(f"generating {count:,} indicators and {QUERIES:,} queries into {folder} ...")
    folder.mkdir(parents=True, exist_ok=True)
    rng = Random(SEED)
    registry = default_registry()
    context = ParseContext(NODE_COUNTRY)
    stored = generate_indicators(count, rng, registry, context)
    with dataset.indicators_path.open("w", encoding="utf-8") as handle:
        for item in stored:
            handle.write(f"{item.type}\t{item.value}\t{item.country or ''}\n")
    queries = generate_queries(stored, rng, registry, context)
    partial = dataset.queries_path.with_suffix(".tmp")
    partial.write_text("\n".join(queries) + "\n", encoding="utf-8")
    partial.replace(dataset.queries_path)  # written last: its presence means complete
    return dataset


@dataclass(slots=True)
class Links:
    """Which report mentions which indicator (indexes into the two lists)."""

    report_count: int
    report_of: array[int]
    indicator_of: array[int]


def generate_links(indicator_count: int, rng: Random) -> Links:
    """Half of the indicators get 1 to 5 reports; a report mentions 3 indicators on average."""
    average = (1 + MAX_REPORTS_PER_INDICATOR) / 2
    report_count = max(1, round(indicator_count * LINKED_SHARE * average / 3))
    report_of: array[int] = array("I")
    indicator_of: array[int] = array("I")
    for index in range(indicator_count):
        if rng.random() >= LINKED_SHARE:
            continue
        mentions = rng.randint(1, MAX_REPORTS_PER_INDICATOR)
        for report in rng.sample(range(report_count), min(mentions, report_count)):
            report_of.append(report)
            indicator_of.append(index)
    return Links(report_count, report_of, indicator_of)


def table_rows(dataset: DataSet) -> Iterator[tuple[Table, list[Row]]]:
    """Every row of the node in chunks, parents first, as Python values."""
    rng = Random(SEED + 1)
    stored = dataset.load_indicators()
    created = datetime(2026, 1, 1, tzinfo=UTC)
    for start in range(0, len(stored), INSERT_CHUNK):
        yield (
            indicators,
            [
                (start + offset + 1, item.type, item.value, item.country, created)
                for offset, item in enumerate(stored[start : start + INSERT_CHUNK])
            ],
        )
    links = generate_links(len(stored), rng)
    first_value: dict[int, str] = {}
    for report, indicator in zip(links.report_of, links.indicator_of, strict=True):
        first_value.setdefault(report, stored[indicator].value)
    report_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(links.report_count)]
    scam_types = list(ScamType)
    channels = list(Channel)
    for start in range(0, links.report_count, INSERT_CHUNK):
        chunk = []
        for number in range(start, min(start + INSERT_CHUNK, links.report_count)):
            country = rng.choice(VICTIM_COUNTRIES)
            seen = created - timedelta(seconds=rng.randrange(730 * 86_400))
            chunk.append(
                (
                    report_ids[number],
                    f"ingest:bench-{number:08d}",
                    None,
                    "ingest",
                    None,
                    rng.choice(scam_types).value,
                    rng.choice(channels).value,
                    country,
                    Decimal(rng.randrange(100, 500_000)),
                    CURRENCIES[country],
                    seen,
                    seen + timedelta(hours=rng.randrange(1, 240)),
                    seen,
                    NARRATIVE.format(value=first_value.get(number, "an unknown number")),
                    *sender(rng),
                )
            )
        yield reports, chunk
    for start in range(0, len(links.report_of), INSERT_CHUNK):
        end = start + INSERT_CHUNK
        yield (
            report_indicators,
            [
                (report_ids[report], indicator + 1, stored[indicator].value, "given")
                for report, indicator in zip(
                    links.report_of[start:end], links.indicator_of[start:end], strict=True
                )
            ],
        )


# Who sent the reports (docs/verdicts.md), so that the verdict engine has real work to do:
# (trust, share). Anonymous senders come from 5,000 networks, citizens through 3 apps.
SENDERS = (
    ("verified_agency", 0.1),
    ("bank_telco", 0.2),
    ("registered_citizen", 0.3),
    ("anonymous", 0.4),
)


def sender(rng: Random) -> tuple[str, str]:
    """(trust, source_key) of one report."""
    weights = [share for _, share in SENDERS]
    trust = rng.choices([name for name, _ in SENDERS], weights)[0]
    if trust == "anonymous":
        return trust, f"net:{rng.randrange(5_000):032x}"
    if trust == "registered_citizen":
        return trust, f"org:{rng.randrange(3, 6)}:{rng.getrandbits(64):016x}"
    organisation = 1 if trust == "verified_agency" else rng.randrange(2, 3)
    return trust, f"org:{organisation}"


def fill(engine: Engine, dataset: DataSet) -> dict[str, int]:
    """Store every row with the bare driver (sqlite3 executemany, PostgreSQL COPY)."""
    counts: dict[str, int] = {}
    pooled = engine.raw_connection()
    connection: Any = pooled.driver_connection
    try:
        numbered: set[Table] = set()  # tables with an integer id drawn from a sequence
        for table, rows in table_rows(dataset):
            counts[table.name] = counts.get(table.name, 0) + len(rows)
            if "id" in table.c and isinstance(table.c.id.type, Integer):
                numbered.add(table)
            store_rows(connection, engine, table, rows)
            connection.commit()
        if engine.dialect.name != "sqlite":
            # COPY with explicit ids leaves the id sequences at 1: move them past the rows, or
            # the node's next new indicator collides with a stored id (SQLite numbers rows
            # from the largest rowid, which needs nothing).
            for table in numbered:
                connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) "
                    f"FROM {table.name}"
                )
            connection.commit()
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    finally:
        pooled.close()
    return counts


def store_rows(connection: Any, engine: Engine, table: Table, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (Python values, in ``table``'s column order) with the bare driver
    ``connection`` of ``engine``: sqlite3 executemany, PostgreSQL COPY. Not committed."""
    columns = ", ".join(table.c.keys())
    if engine.dialect.name == "sqlite":
        convert = bind_converter(table, engine.dialect)
        marks = ", ".join("?" for _ in table.c)
        connection.executemany(
            f"INSERT INTO {table.name} ({columns}) VALUES ({marks})",
            [convert(row) for row in rows],
        )
        return
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def sqlite_database(dataset: DataSet) -> Path:
    """The SQLite node for ``dataset``, built once (migrations, then raw inserts) and reused."""
    path = dataset.folder / "node.db"
    if path.exists():
        return path
    building = dataset.folder / "node.db.building"
    for leftover in dataset.folder.glob("node.db.building*"):
        leftover.unlink()
    print(f"building the SQLite node in {path} (not timed) ...")
    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{building}")
    upgrade_to_head(engine)
    counts = fill(engine, dataset)
    engine.dispose()
    building.replace(path)
    print(f"  {counts} in {time.perf_counter() - started:.0f} s")
    return path


@contextmanager
def node_database(backend: str, dataset: DataSet, postgres_url: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_database(dataset)}"
        return
    with postgres_database(postgres_url, "check") as url:
        print("filling a fresh PostgreSQL database (not timed) ...")
        started = time.perf_counter()
        engine = make_engine(url)
        upgrade_to_head(engine)
        counts = fill(engine, dataset)
        with engine.connect() as connection:
            size = connection.scalar(
                text("SELECT pg_size_pretty(pg_database_size(current_database()))")
            )
        engine.dispose()
        print(f"  {counts} ({size}) in {time.perf_counter() - started:.0f} s")
        yield url


# -- the server ----------------------------------------------------------------------------------
@dataclass(slots=True)
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(
    database_url: str, workers: int, home: Path, settings: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """``scamintel serve`` on a free loopback port, stopped (and waited for) afterwards;
    ``settings`` are further ``SCAMINTEL_*`` variables for the server (they win)."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SCAMINTEL_")
    }
    environment.update(
        SCAMINTEL_HOME=str(home),
        SCAMINTEL_DATABASE_URL=database_url,
        SCAMINTEL_SECRET_KEY=BENCH_SECRET_KEY,
        SCAMINTEL_ENVIRONMENT="production",
        SCAMINTEL_NODE_NAME="bench",
        SCAMINTEL_NODE_COUNTRY=NODE_COUNTRY,
        # The load comes from one address: the rate limits would measure themselves.
        SCAMINTEL_RATE_LIMIT_CLIENT_PER_MINUTE="0",
        SCAMINTEL_RATE_LIMIT_GLOBAL_PER_SECOND="0",
    )
    environment.update(settings or {})
    port = free_port()
    log = home / "server.log"
    command = [str(SCAMINTEL), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=output)
    server = Server(process, port, log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        stop_process(process)


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited: {server.log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {START_TIMEOUT_S:.0f} s")


def smoke_test(server: Server, queries: Sequence[str]) -> dict[str, int]:
    """A few checks by hand before the load: every one must answer 200; tally the verdicts."""
    verdicts: dict[str, int] = {}
    for query in queries[:50]:
        with urllib.request.urlopen(f"{server.base}/api/v1/check?q={query}", timeout=10) as answer:
            body = json.load(answer)
        verdicts[body["verdict"]] = verdicts.get(body["verdict"], 0) + 1
    return verdicts


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def memory_mib(pid: int) -> dict[str, float]:
    """VmHWM (peak resident) and VmRSS of the process, in MiB."""
    values: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                values[name] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    return values


def server_memory(server: Server) -> dict[str, Any]:
    processes = [server.process.pid, *descendants(server.process.pid)]
    each = {pid: memory_mib(pid) for pid in processes}
    return {
        "peak_mib": sum(values.get("VmHWM", 0.0) for values in each.values()),
        "processes": {str(pid): values for pid, values in each.items()},
    }


# -- the load ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Load:
    per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    non_2xx: int
    socket_errors: int

    @classmethod
    def median_of(cls, loads: Sequence[Load]) -> Load:
        """Each figure's median over the rounds; counts of failures are summed."""
        return cls(
            per_second=median([load.per_second for load in loads]),
            p50_ms=median([load.p50_ms for load in loads]),
            p90_ms=median([load.p90_ms for load in loads]),
            p99_ms=median([load.p99_ms for load in loads]),
            max_ms=max(load.max_ms for load in loads),
            requests=sum(load.requests for load in loads),
            non_2xx=sum(load.non_2xx for load in loads),
            socket_errors=sum(load.socket_errors for load in loads),
        )


def run_wrk(
    url: str, script: Path, args: argparse.Namespace, duration: float, queries: Path | None
) -> tuple[Load, str]:
    command = wrk_command(
        url,
        script,
        threads=args.threads,
        connections=args.connections,
        duration=duration,
        arguments=[str(queries)] if queries is not None else (),
    )
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr.strip()}")
    totals = wrk_totals(finished.stdout)
    load = Load(
        per_second=totals["requests"] / (totals["duration_us"] / 1e6),
        requests=totals["requests"],
        p50_ms=totals["p50_us"] / 1000,
        p90_ms=totals["p90_us"] / 1000,
        p99_ms=totals["p99_us"] / 1000,
        max_ms=totals["max_us"] / 1000,
        non_2xx=totals["non_2xx_3xx"],
        socket_errors=sum(
            totals[name] for name in ("connect_errors", "read_errors", "write_errors", "timeouts")
        ),
    )
    return load, finished.stdout


@dataclass(frozen=True, slots=True)
class Round:
    check: Load
    healthz: Load
    wrk_output: dict[str, str]

    @property
    def ratio(self) -> float:
        return self.check.per_second / self.healthz.per_second if self.healthz.per_second else 0.0


def measure(
    server: Server, dataset: DataSet, args: argparse.Namespace, work: Path
) -> tuple[list[Round], dict[str, Any]]:
    """``--repeat`` rounds of the check load then the healthz load, each after a warm-up; and
    the server's memory right after the first check load."""
    script = work / "check.lua"
    script.write_text(LUA_SCRIPT, encoding="utf-8")
    check_url = f"{server.base}/api/v1/check?q="
    health_url = f"{server.base}/healthz"
    queries = dataset.queries_path
    rounds: list[Round] = []
    memory: dict[str, Any] = {}
    for number in range(args.repeat):
        if args.warmup > 0:
            run_wrk(check_url, script, args, args.warmup, queries)
        check, check_output = run_wrk(check_url, script, args, args.duration, queries)
        memory = memory or server_memory(server)
        if args.warmup > 0:
            run_wrk(health_url, script, args, args.warmup, None)
        health, health_output = run_wrk(health_url, script, args, args.duration, None)
        rounds.append(Round(check, health, {"check": check_output, "healthz": health_output}))
        print(
            f"round {number + 1}/{args.repeat}: check {check.per_second:,.0f} req/s "
            f"(p99 {check.p99_ms:.1f} ms), healthz {health.per_second:,.0f} req/s, "
            f"ratio {rounds[-1].ratio:.2f}",
            flush=True,
        )
    return rounds, memory


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.check_load", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--indicators", type=int, default=1_000_000, help="stored indicators")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load per URL")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (medians are reported)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin database URL")
    args = parser.parse_args(argv)
    args.source_fingerprint = source_fingerprint("scamintel")  # the code as the run starts
    if args.indicators < 1000 or args.duration <= 0 or args.connections < args.threads:
        parser.error("need --indicators >= 1000, --duration > 0, --connections >= --threads")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk (the HTTP load generator) is not installed; install it with:")
        print("  apt-get install -y wrk")
        return 2
    server_version = None
    if args.backend == "postgresql":
        server_version = postgres_version(args.postgres_url)
        if server_version is None:
            print(f"PostgreSQL is not reachable at {args.postgres_url}")
            return 1
    dataset = prepare_data(args.indicators)
    queries = dataset.queries_path.read_text(encoding="utf-8").split()
    with (
        node_database(args.backend, dataset, args.postgres_url) as url,
        tempfile.TemporaryDirectory(prefix="scamintel-bench-") as folder,
    ):
        work = Path(folder)
        with running_server(url, args.workers, work) as server:
            verdicts = smoke_test(server, queries)
            print(f"server on port {server.port}; verdicts of the first 50 queries: {verdicts}")
            rounds, memory = measure(server, dataset, args, work)
    report(args, rounds, memory, dataset, verdicts, server_version)
    return 0


def report(
    args: argparse.Namespace,
    rounds: Sequence[Round],
    memory: dict[str, Any],
    dataset: DataSet,
    verdicts: dict[str, int],
    server_version: str | None,
) -> None:
    check = Load.median_of([item.check for item in rounds])
    health = Load.median_of([item.healthz for item in rounds])
    ratio = median([item.ratio for item in rounds])
    print()
    print(
        f"GET /api/v1/check, {dataset.count:,} indicators on {args.backend}, "
        f"{args.connections} connections x {args.duration:.0f} s, median of {len(rounds)} "
        f"round(s) ({args.threads} wrk threads and {args.workers} server worker(s) sharing "
        f"{machine()['cpus']} CPUs)"
    )
    print(f"goals: check/healthz >= {GOAL_RATIO}, check p99 < {GOAL_P99_MS:.0f} ms")
    print_table(
        ["endpoint", "req/s", "p50 ms", "p99 ms", "max ms", "non-2xx", "errors"],
        [
            [
                name,
                f"{load.per_second:,.0f}",
                f"{load.p50_ms:.1f}",
                f"{load.p99_ms:.1f}",
                f"{load.max_ms:.0f}",
                load.non_2xx,
                load.socket_errors,
            ]
            for name, load in (("check", check), ("healthz", health))
        ],
    )
    print(
        f"ratio check/healthz {ratio:.2f} (goal >= {GOAL_RATIO}: "
        f"{'met' if ratio >= GOAL_RATIO else 'not met'}); p99 {check.p99_ms:.1f} ms "
        f"(goal < {GOAL_P99_MS:.0f} ms: {'met' if check.p99_ms < GOAL_P99_MS else 'not met'})"
    )
    print(f"server peak memory (VmHWM after the first check load): {memory['peak_mib']:,.0f} MiB")
    written = write_result(
        f"check_load-{args.backend}",
        {
            "benchmark": "check_load",
            "backend": args.backend,
            "indicators": dataset.count,
            "queries": QUERIES,
            "known_share": KNOWN_SHARE,
            "duration_s": args.duration,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "server_workers": args.workers,
            "rounds": len(rounds),
            "check": asdict(check),
            "healthz": asdict(health),
            "ratio": ratio,
            "goals": {"ratio": GOAL_RATIO, "p99_ms": GOAL_P99_MS},
            "server_memory": memory,
            "smoke_test_verdicts": verdicts,
            "each_round": [
                {"check": asdict(item.check), "healthz": asdict(item.healthz), "ratio": item.ratio}
                for item in rounds
            ],
            "wrk_output": [item.wrk_output for item in rounds],
            "postgresql_version": server_version,
            "machine": machine(),
            "source_fingerprint": args.source_fingerprint,
        },
    )
    print(f"\nresult: {written}")


if __name__ == "__main__":
    sys.exit(main())
