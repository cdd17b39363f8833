"""Bulk ingest: reports per second of ``scamintel ingest`` beside the raw write ceiling.

Our figure is the ingest exactly as ``scamintel ingest`` runs it (the CLI's own ingest
function: ``BulkIngest.run`` with the CLI's batch size and parsing workers), on a fresh
migrated database. The reference ("raw ceiling") stores the same rows with the bare driver:
every line is parsed, validated and made canonical beforehand, outside the timing, exactly as
the ingest does it, and only the database writes are timed (sqlite3 ``executemany`` with the
node's own connection settings, PostgreSQL ``COPY``), committing every batch.

    .venv/bin/python -m bench.ingest --count 1000000
    .venv/bin/python -m bench.ingest --count 20000 --backends sqlite --repeat 3
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pickle
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.engine import Dialect

from bench.common import (
    BENCH_SECRET_KEY,
    DATA_DIR,
    DEFAULT_POSTGRES_URL,
    DEMO_SEED,
    RESULTS_DIR,
    Row,
    bind_converter,
    demo_reports,
    machine,
    median,
    postgres_database,
    postgres_version,
    print_table,
    source_fingerprint,
    write_result,
)
from scamintel.cli import _run_ingest as run_cli_ingest
from scamintel.governance.sealing import PersonalDataSealer
from scamintel.indicators import default_registry
from scamintel.reports.bulk import (
    FileFormat,
    IngestSummary,
    ParserSettings,
    RowParser,
    read_rows,
)
from scamintel.reports.model import NewReport
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import indicators, report_indicators, reporter_contacts, reports

GOAL_REPORTS_PER_SECOND = 10_000  # on SQLite
GOAL_RATIO = 0.4
NODE_COUNTRY = "TH"
BATCH_SIZE: int = Settings.model_fields["ingest_batch_size"].default
# Parents before children, the order the foreign keys need.
TABLES: tuple[Table, ...] = (reports, reporter_contacts, indicators, report_indicators)
TABLE_NAMES = tuple(table.name for table in TABLES)


@dataclass(slots=True)
class RowBatch:
    """One committed batch of the raw ceiling: rows in the column order of each table."""

    rows: dict[str, list[Row]]


@dataclass(slots=True)
class PreparedRows:
    """The raw ceiling's batches, spilled to a file so that a million reports do not have to
    sit in memory; each batch is read back before its timed write starts."""

    spill: Path
    lines: int = 0
    rejected: int = 0
    duplicates: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLE_NAMES, 0))

    def add(self, handle: IO[bytes], batch: RowBatch) -> None:
        pickle.dump(batch, handle, protocol=pickle.HIGHEST_PROTOCOL)
        for name, rows in batch.rows.items():
            self.rows[name] += len(rows)

    def batches(self) -> Iterator[RowBatch]:
        with self.spill.open("rb") as handle:
            while True:
                try:
                    yield pickle.load(handle)
                except EOFError:
                    return


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    raw_seconds: float
    reports: int
    stored: int
    rejected: int

    @property
    def reports_per_second(self) -> float:
        return self.reports / self.seconds

    @property
    def raw_reports_per_second(self) -> float:
        return self.reports / self.raw_seconds

    @property
    def ratio(self) -> float:
        return self.raw_seconds / self.seconds


# -- the reference: the same rows, normalised beforehand ----------------------------------------
def prepare_rows(path: Path, batch_size: int, spill: Path) -> PreparedRows:
    """Parse, validate and canonicalise every line with the ingest's own row parser, seal the
    reporters and give every new indicator its id, so that only writes are left to time."""
    parser = RowParser(ParserSettings(region=NODE_COUNTRY))
    sealer = PersonalDataSealer(BENCH_SECRET_KEY)
    prepared = PreparedRows(spill)
    indicator_ids: dict[tuple[str, str], int] = {}
    seen: set[UUID] = set()
    pending: list[NewReport] = []
    batches = 0
    started = time.perf_counter()
    with (
        path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as handle,
        spill.open("wb") as out,
    ):
        for row in read_rows(handle, FileFormat.JSONL):
            prepared.lines += 1
            report = parser.parse(row)
            if not isinstance(report, NewReport):
                prepared.rejected += 1
                continue
            if report.id in seen:
                prepared.duplicates += 1
                continue
            seen.add(report.id)
            pending.append(report)
            if len(pending) >= batch_size:
                prepared.add(out, _row_batch(pending, indicator_ids, sealer))
                pending = []
                batches += 1
                if batches % 50 == 0:
                    _progress(f"  prepared {prepared.lines:,} lines", started)
        if pending:
            prepared.add(out, _row_batch(pending, indicator_ids, sealer))
    default_registry.cache_clear()  # every measured run starts as cold as a new process
    return prepared


def report_row(report: NewReport) -> Row:
    """A report as the ``reports`` table holds it, in the table's column order."""
    values = {
        "id": report.id,
        "idempotency_key": report.idempotency_key,
        "request_hash": report.request_hash,
        "source": report.source.value,
        "organisation_id": report.organisation_id,
        "scam_type": report.scam_type.value,
        "channel": report.channel.value,
        "victim_country": report.victim_country,
        "amount": report.amount,
        "currency": report.currency,
        "occurred_at": report.occurred_at,
        "received_at": report.received_at,
        "seen_at": report.seen_at,
        "narrative": report.narrative,
        "trust": report.trust,
        "source_key": report.source_key,
    }
    return tuple(values[column.name] for column in reports.c)


def _row_batch(
    batch: Sequence[NewReport],
    indicator_ids: dict[tuple[str, str], int],
    sealer: PersonalDataSealer,
) -> RowBatch:
    now = datetime.now(UTC)
    new_indicators: list[Row] = []
    links: dict[tuple[UUID, int], Row] = {}
    for report in batch:
        for item in report.indicators:
            key = (item.indicator.type.value, item.indicator.value)
            identity = indicator_ids.get(key)
            if identity is None:
                identity = indicator_ids[key] = len(indicator_ids) + 1
                new_indicators.append((identity, *key, item.indicator.country, now))
            links.setdefault(
                (report.id, identity), (report.id, identity, item.raw[:2048], item.origin)
            )
    return RowBatch(
        {
            reports.name: [report_row(report) for report in batch],
            reporter_contacts.name: [(r.id, sealer.seal(r.reporter)) for r in batch if r.reporter],
            indicators.name: new_indicators,
            report_indicators.name: list(links.values()),
        }
    )


def raw_write_seconds(engine: Engine, prepared: PreparedRows) -> float:
    """Seconds spent writing and committing the prepared batches with the bare driver."""
    pooled = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            return _raw_sqlite(pooled.driver_connection, engine.dialect, prepared)
        return _raw_postgresql(pooled.driver_connection, prepared)
    finally:
        pooled.close()


def _raw_sqlite(connection: Any, dialect: Dialect, prepared: PreparedRows) -> float:
    # The connection came through the node's engine, so it has the node's pragmas (WAL,
    # synchronous=NORMAL, foreign keys...).
    converters = {table.name: bind_converter(table, dialect) for table in TABLES}
    statements = {
        table.name: f"INSERT INTO {table.name} ({', '.join(table.c.keys())}) "
        f"VALUES ({', '.join('?' for _ in table.c)})"
        for table in TABLES
    }
    cursor = connection.cursor()
    elapsed = 0.0
    for batch in prepared.batches():
        converted = {
            name: [converters[name](row) for row in rows] for name, rows in batch.rows.items()
        }
        started = time.perf_counter()
        if not connection.in_transaction:
            cursor.execute("BEGIN")
        for table in TABLES:
            if converted[table.name]:
                cursor.executemany(statements[table.name], converted[table.name])
        connection.commit()
        elapsed += time.perf_counter() - started
    cursor.close()
    return elapsed


def _raw_postgresql(connection: Any, prepared: PreparedRows) -> float:
    statements = {
        table.name: f"COPY {table.name} ({', '.join(table.c.keys())}) FROM STDIN"
        for table in TABLES
    }
    elapsed = 0.0
    with connection.cursor() as cursor:
        for batch in prepared.batches():
            started = time.perf_counter()
            for table in TABLES:
                rows = batch.rows[table.name]
                if rows:
                    with cursor.copy(statements[table.name]) as copy:
                        for row in rows:
                            copy.write_row(row)
            connection.commit()
            elapsed += time.perf_counter() - started
    return elapsed


# -- our figure: the ingest itself -------------------------------------------------------------
def product_ingest(
    url: str, path: Path, *, profile_to: Path | None = None
) -> tuple[float, IngestSummary]:
    """Seconds of the ingest exactly as ``scamintel ingest`` runs it (the CLI's own
    ``_run_ingest``: BulkIngest with the CLI's choice of parsing workers), on a fresh schema.
    Profiling keeps the parsing in this process (no workers) so that the profile sees it."""
    settings = Settings(
        home=DATA_DIR,
        database_url=url,
        secret_key=BENCH_SECRET_KEY,
        node_country=NODE_COUNTRY,
        environment="production",
    )
    database = NodeDatabase.connect(settings.database_url, settings.secret_key)
    upgrade_to_head(database.engine)
    default_registry.cache_clear()  # as cold as a new process
    profiler = cProfile.Profile() if profile_to else None
    with tempfile.TemporaryDirectory(dir=DATA_DIR, prefix="rejects-") as folder:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        summary = run_cli_ingest(
            settings,
            database,
            path,
            FileFormat.JSONL,
            Path(folder) / "rejects.jsonl",
            quiet=True,
            workers=0,
        )
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
    database.dispose()
    if profiler and profile_to:
        profiler.dump_stats(profile_to)
    return elapsed, summary


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in TABLES
        }


# -- one repeat on one backend -------------------------------------------------------------------
@contextmanager
def fresh_database(backend: str, postgres_url: str) -> Iterator[str]:
    """An empty database (no schema yet) for one measurement, removed afterwards."""
    if backend == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=DATA_DIR, prefix="ingest-") as folder:
            yield f"sqlite:///{folder}/node.db"
    else:
        with postgres_database(postgres_url, "ingest") as url:
            yield url


def measure(
    backend: str,
    path: Path,
    prepared: PreparedRows,
    postgres_url: str,
    profile_to: Path | None = None,
) -> tuple[Run, bool]:
    """One product run and one raw run, each on a fresh database; also whether both stored
    exactly as many rows in every table."""
    with fresh_database(backend, postgres_url) as url:
        seconds, summary = product_ingest(url, path, profile_to=profile_to)
        engine = make_engine(url)
        product_counts = table_counts(engine)
        engine.dispose()
    with fresh_database(backend, postgres_url) as url:
        engine = make_engine(url)
        upgrade_to_head(engine)
        raw_seconds = raw_write_seconds(engine, prepared)
        raw_counts = table_counts(engine)
        engine.dispose()
    same_rows = product_counts == raw_counts
    if not same_rows:
        print(f"  WARNING: rows differ: ingest {product_counts}, raw {raw_counts}")
    run = Run(seconds, raw_seconds, summary.rows, summary.new, summary.rejected)
    return run, same_rows


def _progress(message: str, started: float) -> None:
    print(f"{message} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)


def _print_profile(profile: Path, limit: int = 15) -> None:
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(str(profile), stream=out).sort_stats(order).print_stats(limit)
        print(f"\nprofile of the ingest, top {limit} by {order} ({profile}):")
        print(out.getvalue().split("\n\n", 1)[-1].rstrip())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--count", type=int, default=1_000_000, help="reports in the file")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="demo generator seed")
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs per backend (default 3; 1 above 100,000)"
    )
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin database URL")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the first ingest run of each backend"
    )
    args = parser.parse_args(argv)
    args.source_fingerprint = source_fingerprint("scamintel")  # the code as the run starts
    args.backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = set(args.backends) - {"sqlite", "postgresql"}
    if unknown or not args.backends:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown)) or '(none)'}")
    if args.count < 1 or (args.repeat is not None and args.repeat < 1):
        parser.error("--count and --repeat must be at least 1")
    args.repeat = args.repeat or (3 if args.count <= 100_000 else 1)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    server_version = None
    if "postgresql" in args.backends:
        server_version = postgres_version(args.postgres_url)
        if server_version is None:
            print(f"PostgreSQL is not reachable at {args.postgres_url}; skipping it")
            args.backends.remove("postgresql")
    if not args.backends:
        return 1

    path = demo_reports(args.count, args.seed)
    started = time.perf_counter()
    spill = DATA_DIR / f"ingest-rows-{os.getpid()}.pickle"
    try:
        prepared = prepare_rows(path, BATCH_SIZE, spill)
        print(
            f"{prepared.lines:,} lines: {prepared.rows[reports.name]:,} reports to store, "
            f"{prepared.rejected:,} rejected; {prepared.rows[indicators.name]:,} indicators, "
            f"{prepared.rows[report_indicators.name]:,} links "
            f"(prepared for the raw ceiling in {time.perf_counter() - started:.0f} s, not timed)"
        )
        results = {
            backend: measure_backend(backend, path, prepared, args) for backend in args.backends
        }
    finally:
        spill.unlink(missing_ok=True)

    workers = 0  # the CLI's default: parsing in the writing process
    print()
    print(
        f"bulk ingest of {args.count:,} demo reports (seed {args.seed}), batches of "
        f"{BATCH_SIZE:,}, {workers} parsing worker process(es) (the CLI's choice here)"
    )
    print(
        f"median of {args.repeat} run(s) per backend; goals: >= {GOAL_REPORTS_PER_SECOND:,} "
        f"reports/s on SQLite, ratio >= {GOAL_RATIO}"
    )
    print_table(
        ["backend", "reports", "seconds", "reports/s", "raw reports/s", "ratio", "goal", "met"],
        [
            [
                backend,
                f"{args.count:,}",
                f"{summary['seconds']:.1f}",
                f"{summary['reports_per_second']:,.0f}",
                f"{summary['raw_reports_per_second']:,.0f}",
                f"{summary['ratio']:.3f}",
                _goal_text(backend),
                "yes" if _goal_met(backend, summary) else "no",
            ]
            for backend, summary in results.items()
        ],
    )
    written = write_result(
        "ingest",
        {
            "benchmark": "ingest",
            "count": args.count,
            "seed": args.seed,
            "batch_size": BATCH_SIZE,
            "parsing_workers": workers,
            "repeat": args.repeat,
            "file": str(path),
            "lines": prepared.lines,
            "stored": prepared.rows[reports.name],
            "rejected": prepared.rejected,
            "goals": {"sqlite_reports_per_second": GOAL_REPORTS_PER_SECOND, "ratio": GOAL_RATIO},
            "backends": results,
            "postgresql_version": server_version,
            "machine": machine(),
            "source_fingerprint": args.source_fingerprint,
        },
    )
    print(f"\nresult: {written}")
    return 0


def measure_backend(
    backend: str, path: Path, prepared: PreparedRows, args: argparse.Namespace
) -> dict[str, Any]:
    runs: list[Run] = []
    rows_match = True
    for attempt in range(args.repeat):
        profile_to = None
        if args.profile and attempt == 0:
            profile_to = RESULTS_DIR / f"ingest-{backend}-{args.count}.prof"
        run, same = measure(backend, path, prepared, args.postgres_url, profile_to)
        rows_match = rows_match and same
        runs.append(run)
        print(
            f"{backend} run {attempt + 1}/{args.repeat}: {run.seconds:.1f} s "
            f"({run.reports_per_second:,.0f} reports/s), raw {run.raw_seconds:.1f} s "
            f"({run.raw_reports_per_second:,.0f} reports/s), ratio {run.ratio:.3f}"
            + (" [profiled]" if profile_to else ""),
            flush=True,
        )
        if profile_to:
            _print_profile(profile_to)
    return _summarise(runs, rows_match)


def _summarise(runs: Sequence[Run], rows_match: bool) -> dict[str, Any]:
    return {
        "seconds": median([run.seconds for run in runs]),
        "reports_per_second": median([run.reports_per_second for run in runs]),
        "raw_seconds": median([run.raw_seconds for run in runs]),
        "raw_reports_per_second": median([run.raw_reports_per_second for run in runs]),
        "ratio": median([run.ratio for run in runs]),
        "stored": runs[0].stored,
        "rejected": runs[0].rejected,
        "rows_match_raw": rows_match,
        "runs": [
            {
                "seconds": run.seconds,
                "reports_per_second": run.reports_per_second,
                "raw_seconds": run.raw_seconds,
                "raw_reports_per_second": run.raw_reports_per_second,
                "ratio": run.ratio,
            }
            for run in runs
        ],
    }


def _goal_text(backend: str) -> str:
    if backend == "sqlite":
        return f">={GOAL_REPORTS_PER_SECOND:,}/s, ratio>={GOAL_RATIO}"
    return f"ratio>={GOAL_RATIO}"


def _goal_met(backend: str, summary: dict[str, Any]) -> bool:
    ratio_met = bool(summary["ratio"] >= GOAL_RATIO)
    if backend == "sqlite":
        return ratio_met and summary["reports_per_second"] >= GOAL_REPORTS_PER_SECOND
    return ratio_met


if __name__ == "__main__":
    sys.exit(main())
