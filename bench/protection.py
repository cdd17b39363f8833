"""Private lookups at scale: range lookups per second, and the blocklist bundle's size and
build time, on a SQLite node listing ``--count`` values (default 1,000,000).

- **Range, in process**: ``range_lookup`` exactly as ``GET /api/v1/range/{prefix}`` calls it
  (a connection from the node's engine, one indexed read, padding with keyed decoys), for
  random prefixes: half of them prefixes of listed values, half drawn at random. Reference:
  the same indexed read with the bare driver, the database's share of the work.
- **Range over HTTP** (needs ``wrk``): ``scamintel serve`` under wrk, asking for random
  prefixes, beside ``GET /healthz`` of the same server in the same run.
- **Full bundle**: build time (read every listing in one snapshot, sort, encode) and size.
  Reference: reading the same columns of the same rows with the bare driver. Also the
  client's side: parsing the bundle and lookups per second in it.
- **Delta**: after 1 % of the values change (verdicts and scores, removals, new listings,
  published by the node's own ``publish``), the delta's build time and size; the bundle
  brought forward by it is checked to equal a freshly built full bundle.

    .venv/bin/python -m bench.protection
    .venv/bin/python -m bench.protection --count 100000 --duration 5
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from bench.check_load import LUA_SCRIPT, Load, run_wrk, running_server
from bench.common import (
    BENCH_SECRET_KEY,
    DATA_DIR,
    bind_converter,
    machine,
    median,
    print_table,
    source_fingerprint,
    write_result,
)
from scamintel.indicators import IndicatorType, ParseContext, default_registry
from scamintel.protection.bundle import Bundle, BundleDelta, build_bundle, build_delta
from scamintel.protection.listing import LISTED_VERDICTS, ListingState, value_hash
from scamintel.protection.range import RESPONSE_LENGTH, range_lookup
from scamintel.storage.database import make_engine
from scamintel.storage.listings_repo import (
    listing_of,
    publish,
    snapshot_reads,
)
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.protection_store import SqlListings
from scamintel.storage.sql import chunked
from scamintel.storage.tables import indicators, listings

SEED = 7
NODE_COUNTRY = "TH"
INSERT_CHUNK = 50_000
CHANGED_SHARE = 0.01
SAMPLE_CHECKED = 2_000
BUNDLE_LOOKUPS = 200_000
CREATED = datetime(2026, 1, 1, tzinfo=UTC)

# Share of each kind among the listed values: mostly phone numbers, as in the reports.
KIND_SHARES = {
    "phone_th": 0.60,
    "phone_my": 0.12,
    "phone_ph": 0.08,
    "url": 0.08,
    "domain": 0.06,
    "bank_account": 0.06,
}
TH_MOBILE_PREFIXES = ["61", "62", "63", "64", "65", "66"] + [str(n) for n in range(80, 100)]
MY_MOBILE_PREFIXES = ["12", "13", "16", "17", "19"]
PH_MOBILE_PREFIXES = ["905", "915", "917", "918", "919", "920", "927", "945", "966", "977", "995"]
BRANDS = ("kbank", "scb", "krungthai", "maybank", "bdo", "gcash", "shopee", "thaipost", "kerry")
LURES = ("secure", "verify", "login", "update", "refund", "promo", "bonus", "parcel", "help")
TLDS = ("com", "net", "org", "xyz", "top", "info", "online", "site", "shop", "cc", "vip")
TH_BANKS = ("KBANK", "SCB", "BBL", "KTB", "BAY", "TTB")


# -- the node ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Listed:
    type: str
    value: str
    country: str | None


def canonical_value(kind: str, rng: random.Random) -> Listed:
    """A value already in its canonical form (a sample is checked against the registry)."""
    digits = _digits_of(rng)
    if kind == "phone_th":
        return Listed("phone", f"+66{rng.choice(TH_MOBILE_PREFIXES)}{digits(7)}", "TH")
    if kind == "phone_my":
        subscriber = f"{rng.randrange(2, 10)}{digits(6)}"
        return Listed("phone", f"+60{rng.choice(MY_MOBILE_PREFIXES)}{subscriber}", "MY")
    if kind == "phone_ph":
        return Listed("phone", f"+63{rng.choice(PH_MOBILE_PREFIXES)}{digits(7)}", "PH")
    host = f"{rng.choice(BRANDS)}-{rng.choice(LURES)}{rng.randrange(10**6)}.{rng.choice(TLDS)}"
    if kind == "url":
        return Listed("url", f"https://{host}/{rng.choice(LURES)}/{rng.randrange(10**6)}", None)
    if kind == "domain":
        return Listed("domain", host, None)
    return Listed("bank_account", f"TH:{rng.choice(TH_BANKS)}:{digits(10)}", "TH")


def _digits_of(rng: random.Random) -> Callable[[int], str]:
    return lambda count: f"{rng.randrange(10**count):0{count}d}"


def generate_values(count: int, rng: random.Random) -> list[Listed]:
    kinds, weights = list(KIND_SHARES), list(KIND_SHARES.values())
    seen: set[tuple[str, str]] = set()
    found: list[Listed] = []
    while len(found) < count:
        for kind in rng.choices(kinds, weights, k=count - len(found)):
            item = canonical_value(kind, rng)
            if (item.type, item.value) not in seen:
                seen.add((item.type, item.value))
                found.append(item)
    return found


def share_canonical(values: Sequence[Listed], rng: random.Random) -> float:
    """Share of a sample that the node's indicator code reads back as itself."""
    registry = default_registry()
    context = ParseContext(NODE_COUNTRY)
    sample = rng.sample(list(values), min(SAMPLE_CHECKED, len(values)))
    same = 0
    for item in sample:
        try:
            read = registry.canonicalise(item.value, IndicatorType(item.type), context)
        except ValueError:
            continue
        same += read.value == item.value
    return same / len(sample)


def listing_rows(values: Sequence[Listed], rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """(indicator_id, type, value, value_hash, verdict, score, under_review, seq, changed_at)."""
    for number, item in enumerate(values, start=1):
        scam = rng.random() < 0.65
        score = rng.uniform(0.6, 0.99) if scam else rng.uniform(0.3, 0.6)
        yield (
            number,
            item.type,
            item.value,
            value_hash(item.value),
            "scam" if scam else "suspicious",
            Decimal(f"{score:.3f}"),
            rng.random() < 0.01,
            number,
            CREATED,
        )


def build_node(path: Path, count: int) -> dict[str, Any]:
    """Migrations, then bare inserts of the indicators and their published listings."""
    rng = random.Random(SEED)
    started = time.perf_counter()
    values = generate_values(count, rng)
    canonical = share_canonical(values, random.Random(SEED + 1))
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    pooled = engine.raw_connection()
    connection: Any = pooled.driver_connection
    try:
        indicator_rows = (
            (number, item.type, item.value, item.country, CREATED)
            for number, item in enumerate(values, start=1)
        )
        _insert(connection, engine, indicators.name, indicator_rows)
        _insert(connection, engine, listings.name, listing_rows(values, rng))
        connection.execute("UPDATE listing_head SET seq = ? WHERE id = 1", (count,))
        connection.commit()
    finally:
        pooled.close()
        engine.dispose()
    seconds = time.perf_counter() - started
    print(f"  {count:,} listed values in {seconds:.0f} s; {canonical:.1%} of a sample canonical")
    return {"canonical_share_of_sample": canonical, "build_seconds": seconds}


def _insert(connection: Any, engine: Engine, name: str, rows: Iterator[tuple[Any, ...]]) -> None:
    table = indicators if name == indicators.name else listings
    convert = bind_converter(table, engine.dialect)
    statement = (
        f"INSERT INTO {name} ({', '.join(table.c.keys())}) "
        f"VALUES ({', '.join('?' for _ in table.c)})"
    )
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(convert(row))
        if len(chunk) == INSERT_CHUNK:
            connection.executemany(statement, chunk)
            chunk = []
    if chunk:
        connection.executemany(statement, chunk)


def cached_node(count: int) -> tuple[Path, dict[str, Any]]:
    """The node for ``count``, built once in ``bench/results/data/`` (keyed by the schema)."""
    fingerprint = source_fingerprint("scamintel.storage.migrations", "scamintel.protection")
    folder = DATA_DIR / f"protection-{count}-seed{SEED}-{fingerprint}"
    path = folder / "node.db"
    if path.exists():
        return path, {"cached": True}
    for stale in DATA_DIR.glob(f"protection-{count}-seed{SEED}-*"):
        shutil.rmtree(stale)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"building a SQLite node of {count:,} listed values in {folder} (not timed) ...")
    building = folder / "node.db.building"
    building.unlink(missing_ok=True)
    details = build_node(building, count)
    building.replace(path)
    return path, details | {"cached": False}


# -- range ---------------------------------------------------------------------------------------
def prefixes(engine: Engine, count: int, rng: random.Random) -> list[str]:
    """Half prefixes of listed values, half drawn at random, shuffled."""
    with engine.connect() as connection:
        total = _highest_id(connection)
        ids = [rng.randrange(1, total + 1) for _ in range(count // 2)]
        hashes = connection.scalars(
            select(listings.c.value_hash).where(listings.c.indicator_id.in_(ids))
        ).all()
    chosen = [value_hash[:5] for value_hash in hashes]
    chosen += [f"{rng.randrange(16**5):05x}" for _ in range(count - len(chosen))]
    rng.shuffle(chosen)
    return chosen


def _highest_id(connection: Connection) -> int:
    return int(connection.scalar(select(func.max(listings.c.indicator_id))) or 0)


@dataclass(frozen=True, slots=True)
class Timed:
    per_second: float
    seconds: float


def timed_per_item(items: Sequence[str], work: Callable[[str], object]) -> Timed:
    started = time.perf_counter()
    for item in items:
        work(item)
    seconds = time.perf_counter() - started
    return Timed(len(items) / seconds, seconds)


def range_in_process(engine: Engine, path: Path, queries: Sequence[str]) -> tuple[Timed, Timed]:
    """Ours (the route's function) and the bare driver's indexed read, same prefixes."""

    def ours(prefix: str) -> object:
        with engine.connect() as connection:
            answer = range_lookup(SqlListings(connection), prefix, BENCH_SECRET_KEY)
        assert len(answer.body) == RESPONSE_LENGTH or answer.listed > 128
        return answer

    bare = sqlite3.connect(path)
    statement = (
        "SELECT value_hash, verdict, score, under_review FROM listings "
        "WHERE value_hash >= ? AND value_hash < ? AND verdict IN ('scam', 'suspicious')"
    )

    def reference(prefix: str) -> object:
        return bare.execute(statement, (prefix, prefix + "g")).fetchall()

    try:
        return timed_per_item(queries, ours), timed_per_item(queries, reference)
    finally:
        bare.close()


@dataclass(frozen=True, slots=True)
class HttpRound:
    range: Load
    healthz: Load

    @property
    def ratio(self) -> float:
        return self.range.per_second / self.healthz.per_second if self.healthz.per_second else 0


def range_over_http(
    database_url: str, queries: Sequence[str], args: argparse.Namespace, work: Path
) -> tuple[list[HttpRound], dict[str, int]]:
    script = work / "range.lua"
    script.write_text(LUA_SCRIPT, encoding="utf-8")
    prefix_file = work / "prefixes.txt"
    prefix_file.write_text("\n".join(queries) + "\n", encoding="utf-8")
    rounds: list[HttpRound] = []
    with running_server(database_url, args.workers, work) as server:
        lengths = smoke_test(server.base, queries[:50])
        range_url = f"{server.base}/api/v1/range/"
        health_url = f"{server.base}/healthz"
        for number in range(args.repeat):
            if args.warmup > 0:
                run_wrk(range_url, script, args, args.warmup, prefix_file)
            ranged, _ = run_wrk(range_url, script, args, args.duration, prefix_file)
            if args.warmup > 0:
                run_wrk(health_url, script, args, args.warmup, None)
            health, _ = run_wrk(health_url, script, args, args.duration, None)
            rounds.append(HttpRound(ranged, health))
            print(
                f"  round {number + 1}/{args.repeat}: range {ranged.per_second:,.0f} req/s "
                f"(p99 {ranged.p99_ms:.1f} ms), healthz {health.per_second:,.0f} req/s",
                flush=True,
            )
    return rounds, lengths


def smoke_test(base: str, queries: Sequence[str]) -> dict[str, int]:
    """Every answer 200; tally of body lengths (one length is the point of the padding)."""
    lengths: dict[str, int] = {}
    for prefix in queries:
        with urllib.request.urlopen(f"{base}/api/v1/range/{prefix}", timeout=10) as answer:
            length = str(len(answer.read()))
        lengths[length] = lengths.get(length, 0) + 1
    return lengths


# -- bundle --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BundleFigures:
    build_s: float
    reference_s: float
    bytes: int
    records: int
    parse_s: float
    lookups_per_s: float


def full_bundle(engine: Engine, path: Path, repeat: int) -> tuple[BundleFigures, Bundle]:
    builds: list[float] = []
    data = b""
    for _ in range(repeat):
        started = time.perf_counter()
        with snapshot_reads(engine) as connection:
            bundle = build_bundle(SqlListings(connection))
        data = bundle.encode()
        builds.append(time.perf_counter() - started)
    references = [_bare_read(path) for _ in range(repeat)]
    parses: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        parsed = Bundle.parse(data)
        parses.append(time.perf_counter() - started)
    lookups = _bundle_lookups(parsed)
    figures = BundleFigures(
        median(builds), median(references), len(data), len(parsed), median(parses), lookups
    )
    return figures, parsed


def _bare_read(path: Path) -> float:
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    try:
        connection.execute(
            "SELECT substr(value_hash, 1, 16), verdict, under_review FROM listings "
            "WHERE verdict IN ('scam', 'suspicious')"
        ).fetchall()
    finally:
        connection.close()
    return time.perf_counter() - started


def _bundle_lookups(bundle: Bundle) -> float:
    """Client-side lookups per second: canonical values hashed and searched, half listed."""
    rng = random.Random(SEED + 2)
    values = [f"+6681{rng.randrange(10**7):07d}" for _ in range(BUNDLE_LOOKUPS)]
    return timed_per_item(values, bundle.lookup).per_second


@dataclass(frozen=True, slots=True)
class DeltaFigures:
    changed: int
    publish_s: float
    build_s: float
    bytes: int
    upserts: int
    removals: int
    reproduces_full_bundle: bool


def change_one_percent(engine: Engine, rng: random.Random) -> tuple[int, float]:
    """Verdict and score changes (40 %), removals (30 %) and new listings (30 %), published by
    the node's own ``publish`` in one transaction."""
    started = time.perf_counter()
    with engine.begin() as connection:
        total = _highest_id(connection)
        wanted = max(1, round(total * CHANGED_SHARE))
        ids = rng.sample(range(1, total + 1), wanted - wanted * 3 // 10)
        rows = connection.execute(select(listings).where(listings.c.indicator_id.in_(ids)))
        current = [listing_of(row) for row in rows]
        states = [
            ListingState(
                row.indicator_id,
                row.type,
                row.value,
                "no_reports" if index % 7 < 3 else rng.choice(LISTED_VERDICTS),
                rng.uniform(0.3, 0.99),
                under_review=False,
            )
            for index, row in enumerate(current)
        ]
        states += _new_listings(connection, wanted * 3 // 10, rng)
        changed = publish(connection, states, datetime.now(UTC))
    return changed, time.perf_counter() - started


def _new_listings(connection: Connection, count: int, rng: random.Random) -> list[ListingState]:
    candidates = sorted({canonical_value("phone_th", rng).value for _ in range(count)})
    stored: set[str] = set()
    for chunk in chunked(candidates):
        stored.update(
            connection.scalars(select(indicators.c.value).where(indicators.c.value.in_(chunk)))
        )
    fresh = [Listed("phone", value, "TH") for value in candidates if value not in stored]
    inserted = connection.execute(
        indicators.insert().returning(indicators.c.id, indicators.c.value),
        [
            {"type": item.type, "value": item.value, "country": "TH", "created_at": CREATED}
            for item in fresh
        ],
    )
    return [
        ListingState(row.id, "phone", row.value, "scam", rng.uniform(0.6, 0.99), False)
        for row in inserted
    ]


def delta_figures(engine: Engine, base: Bundle, repeat: int, rng: random.Random) -> DeltaFigures:
    changed, publish_s = change_one_percent(engine, rng)
    builds: list[float] = []
    data = b""
    for _ in range(repeat):
        started = time.perf_counter()
        with snapshot_reads(engine) as connection:
            delta = build_delta(SqlListings(connection), base.version)
        assert delta is not None
        data = delta.encode()
        builds.append(time.perf_counter() - started)
    parsed = BundleDelta.parse(data)
    with snapshot_reads(engine) as connection:
        fresh = build_bundle(SqlListings(connection))
    return DeltaFigures(
        changed=changed,
        publish_s=publish_s,
        build_s=median(builds),
        bytes=len(data),
        upserts=len(parsed.upsert_keys),
        removals=len(parsed.removals),
        reproduces_full_bundle=base.apply(parsed) == fresh,
    )


# -- the run -------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.protection", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--count", type=int, default=1_000_000, help="listed values")
    parser.add_argument("--lookups", type=int, default=20_000, help="range lookups per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (medians reported)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of wrk load")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--no-http", action="store_true", help="skip the wrk measurement")
    args = parser.parse_args(argv)
    if args.count < 1000 or args.lookups < 100 or args.repeat < 1:
        parser.error("need --count >= 1000, --lookups >= 100 and --repeat >= 1")
    args.source_fingerprint = source_fingerprint("scamintel")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    node_path, node_details = cached_node(args.count)
    rng = random.Random(SEED + 3)
    with tempfile.TemporaryDirectory(prefix="scamintel-bench-") as folder:
        work = Path(folder)
        copy = work / "node.db"
        shutil.copyfile(node_path, copy)  # the delta measurement changes the node
        url = f"sqlite:///{copy}"
        engine = make_engine(url)
        queries = prefixes(engine, args.lookups, rng)
        print(f"range lookups in process ({args.lookups:,} prefixes x {args.repeat}) ...")
        in_process = [range_in_process(engine, copy, queries) for _ in range(args.repeat)]
        print("full bundle ...")
        bundle_figures, base = full_bundle(engine, copy, args.repeat)
        http: list[HttpRound] = []
        lengths: dict[str, int] = {}
        if args.no_http or shutil.which("wrk") is None:
            print("range over HTTP skipped (--no-http, or wrk is not installed)")
        else:
            print("range over HTTP ...")
            http, lengths = range_over_http(url, queries, args, work)
        print("delta after 1 % of the values change ...")
        delta = delta_figures(engine, base, args.repeat, rng)
        engine.dispose()
    report(args, node_details, in_process, http, lengths, bundle_figures, delta)
    return 0


def report(
    args: argparse.Namespace,
    node: dict[str, Any],
    in_process: Sequence[tuple[Timed, Timed]],
    http: Sequence[HttpRound],
    lengths: dict[str, int],
    bundle: BundleFigures,
    delta: DeltaFigures,
) -> None:
    ours = median([run[0].per_second for run in in_process])
    bare = median([run[1].per_second for run in in_process])
    print(f"\n{args.count:,} listed values on SQLite, medians of {args.repeat} run(s)")
    rows: list[list[object]] = [
        ["range, in process", f"{ours:,.0f} lookups/s", f"bare indexed read {bare:,.0f}/s"],
    ]
    if http:
        ranged = Load.median_of([item.range for item in http])
        health = Load.median_of([item.healthz for item in http])
        rows.append(
            [
                "range, HTTP",
                f"{ranged.per_second:,.0f} req/s, p99 {ranged.p99_ms:.1f} ms",
                f"/healthz {health.per_second:,.0f} req/s, p99 {health.p99_ms:.1f} ms",
            ]
        )
    rows += [
        [
            "full bundle build",
            f"{bundle.build_s:.2f} s, {bundle.bytes:,} bytes ({bundle.records:,} records)",
            f"bare read of the rows {bundle.reference_s:.2f} s",
        ],
        [
            "bundle, client side",
            f"parse {bundle.parse_s * 1000:.0f} ms, {bundle.lookups_per_s:,.0f} lookups/s",
            "",
        ],
        [
            f"delta, {delta.changed:,} changes",
            f"{delta.build_s:.2f} s, {delta.bytes:,} bytes",
            f"{delta.upserts:,} upserts, {delta.removals:,} removals",
        ],
    ]
    print_table(["measure", "ours", "reference"], rows)
    print(f"range answer lengths over HTTP (bytes: answers): {lengths or 'not measured'}")
    print(f"bundle + delta equals a fresh full bundle: {delta.reproduces_full_bundle}")
    written = write_result(
        "protection",
        {
            "benchmark": "protection",
            "count": args.count,
            "lookups": args.lookups,
            "repeat": args.repeat,
            "node": node,
            "range_in_process": {
                "lookups_per_s": ours,
                "bare_read_per_s": bare,
                "each_run": [[asdict(o), asdict(r)] for o, r in in_process],
            },
            "range_http": {
                "duration_s": args.duration,
                "connections": args.connections,
                "wrk_threads": args.threads,
                "server_workers": args.workers,
                "answer_lengths": lengths,
                "rounds": [
                    {"range": asdict(item.range), "healthz": asdict(item.healthz)} for item in http
                ],
            },
            "full_bundle": asdict(bundle),
            "false_positive_rate": bundle.records / 2**64,
            "delta": asdict(delta),
            "machine": machine(),
            "cpus_used": os.cpu_count(),
            "source_fingerprint": args.source_fingerprint,
        },
    )
    print(f"\nresult: {written}")


if __name__ == "__main__":
    sys.exit(main())
