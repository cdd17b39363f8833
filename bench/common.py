"""What the benchmarks share: where results and cached data go, the machine they ran on,
throw-away PostgreSQL databases, the cached demonstration data and plain-text tables."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, text
from sqlalchemy.engine import Dialect, make_url

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DATA_DIR = RESULTS_DIR / "data"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Long enough for production rules; only ever used for throw-away benchmark databases.
BENCH_SECRET_KEY = "benchmark-only-secret-key-0123456789abcdef"
DEMO_SEED = 7
Row = tuple[Any, ...]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def machine() -> dict[str, Any]:
    """What the figures depend on: cores, CPU model, load when the run started, versions."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def postgres_version(admin_url: str) -> str | None:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            return str(connection.scalar(text("SHOW server_version")))
    except Exception:  # the server is optional for the SQLite half
        return None
    finally:
        engine.dispose()


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """``bench/results/<name>-<UTC time>.json`` and a copy as ``<name>-latest.json``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    body = json.dumps(payload, indent=2, default=str) + "\n"
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(body, encoding="utf-8")
    (RESULTS_DIR / f"{name}-latest.json").write_text(body, encoding="utf-8")
    return path


def source_fingerprint(*packages: str) -> str:
    """A short digest of the source of ``packages`` (dotted names under ``src/``), so a cached
    file made by older code is never reused."""
    digest = hashlib.sha256()
    for package in packages:
        folder = REPO_ROOT / "src" / Path(*package.split("."))
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def demo_reports(count: int, seed: int = DEMO_SEED) -> Path:
    """The demonstration data set of ``count`` reports as JSON Lines, generated once and
    cached under ``bench/results/data/`` (keyed by the generator's source)."""
    from scamintel.demo import write_demo_dataset

    folder = DATA_DIR / f"demo-{count}-seed{seed}-{source_fingerprint('scamintel.demo')}"
    reports = folder / "reports.jsonl"
    if reports.exists():
        return reports
    for stale in DATA_DIR.glob(f"demo-{count}-seed{seed}-*"):
        shutil.rmtree(stale)  # made by an older generator
    print(f"generating {count:,} demonstration reports (seed {seed}) into {folder} ...")
    started = time.perf_counter()
    dataset = write_demo_dataset(folder, count=count, seed=seed)
    print(f"  generated in {time.perf_counter() - started:.1f} s")
    return dataset.reports_path


@contextmanager
def postgres_database(admin_url: str, purpose: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one measurement, dropped afterwards."""
    name = f"scamintel_bench_{purpose}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def bind_converter(table: Table, dialect: Dialect) -> Callable[[Row], Row]:
    """Python values to what SQLAlchemy binds for ``dialect``: a row stored with the bare
    driver then reads back exactly like one the node stored (UUIDs as hex on SQLite...)."""
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.c]

    def convert(row: Row) -> Row:
        return tuple(
            value if process is None or value is None else process(value)
            for process, value in zip(processors, row, strict=True)
        )

    return convert


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(header) for header in headers], *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    for index, row in enumerate(cells):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Ask a server the benchmark started to stop; kill it if it has not within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wrk_command(
    url: str,
    script: Path,
    *,
    threads: int,
    connections: int,
    duration: float,
    arguments: Sequence[str] = (),
) -> list[str]:
    """wrk with latency statistics and a Lua ``script`` that prints one ``BENCH_JSON`` line
    (read back by :func:`wrk_totals`); ``arguments`` go to the script after ``--``."""
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration))}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        url,
    ]
    return [*command, "--", *arguments] if arguments else command


def wrk_totals(output: str) -> dict[str, Any]:
    """The ``BENCH_JSON`` line a wrk script of the benchmarks printed in its ``done()``."""
    match = re.search(r"^BENCH_JSON (\{.*\})$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no totals in the wrk output:\n{output}")
    # Lua writes a table with no entries as [{}]
    totals: dict[str, Any] = json.loads(match.group(1).replace("[{}]", "[]"))
    return totals
