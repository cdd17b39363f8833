"""Data governance at scale: the audit log's append rate, the cost of proving it (``scamintel
audit verify``) and of signing its head, and a retention purge, each beside a reference
measured in the same run, on a SQLite node (``--backend postgresql`` for PostgreSQL).

- **Appends**: entries/s through ``append_audit``, one entry per transaction, the way API
  reads write them (a pooled connection from the node's engine, ``begin``, append, commit).
  Reference: the same rows (read back from our run) inserted with a bare ``INSERT`` on the
  node engine's own driver connection, one entry per transaction, with no chaining (no head
  row read or written, nothing hashed).
- **Verify and sign**: seconds of ``verify_log`` (what ``scamintel audit verify`` runs) and
  of ``sign_head`` (rolled back after each run, so every run signs the same log) over a valid
  chain of ``--entries`` entries, built beforehand with the chain's own ``seal`` and bulk
  inserts. Reference: the raw ceiling of hashing every entry's body (the bytes its hash
  covers) with hashlib in a loop, bodies already in memory; and the bare read of the rows.
- **Purge**: seconds of ``purge_expired_data`` on a node of ``--reports`` demonstration
  reports stored by ``scamintel ingest``, half of them past the report period. Reference: a
  bare ``DELETE`` of the same expired reports by ``received_at`` (the foreign keys cascade
  to their indicators' links and contacts), on a copy of the same node.

    .venv/bin/python -m bench.governance
    .venv/bin/python -m bench.governance --backend postgresql
    .venv/bin/python -m bench.governance --entries 20000 --reports 10000 --repeat 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, func, select, text, update
from sqlalchemy.engine import make_url

from bench.common import (
    BENCH_SECRET_KEY,
    DATA_DIR,
    DEFAULT_POSTGRES_URL,
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
from bench.ingest import product_ingest
from scamintel.governance.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditEvent,
    canonical_details,
    seal,
)
from scamintel.governance.legal_basis import legal_basis_for
from scamintel.governance.retention import DataKind, retention_policy
from scamintel.governance.signing import AuditSigner
from scamintel.storage.audit_repo import sign_head, verify_log
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.node import NodeDatabase
from scamintel.storage.retention_repo import purge_expired_data
from scamintel.storage.store import append_audit
from scamintel.storage.tables import audit_head, audit_log, audit_subjects, reports

SEED = 11
NODE_NAME = "bench-node"
INSERT_BATCH = 20_000
# Entry times: one every 50 ms from here (a million entries span about 14 hours).
LOG_START = datetime(2026, 1, 1, tzinfo=UTC)
# The purge node: expired reports were received 5 to 7 years before the run's "now", kept
# ones within the last 300 days (inside every shorter period: contacts, narratives).
EXPIRED_SHARE = 0.5
LOG_COLUMNS = tuple(audit_log.c.keys())
SUBJECT_COLUMNS = tuple(audit_subjects.c.keys())


# -- the audit entries ---------------------------------------------------------------------------
def audit_event(rng: random.Random) -> AuditEvent:
    """An entry of the kinds a busy node writes most: reads of reports (naming the values the
    report names) and partners paging through TAXII, with the legal basis ``append_audit``
    would give it."""
    if rng.random() < 0.7:
        event = AuditEvent(
            actor=f"api:key-{rng.randrange(40)}",
            action="report.read",
            object_type="report",
            object_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            purpose=rng.choice(("investigation", "takedown", "victim_support")),
            subjects=tuple(sorted({rng.randrange(1, 500_000) for _ in range(rng.randint(1, 3))})),
        )
    else:
        event = AuditEvent(
            actor=f"partner:{rng.choice(('my-node', 'ph-node', 'sg-node'))}",
            action="taxii.page_read",
            object_type="collection",
            object_id="listings",
            purpose="federation",
            details={"objects": rng.randrange(1, 1001), "next": f"{rng.getrandbits(64):016x}"},
        )
    return AuditEvent(
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        purpose=event.purpose,
        details=event.details,
        legal_basis=legal_basis_for(event.action).value,
        subjects=event.subjects,
    )


def entry_body(entry: AuditEntry) -> bytes:
    """The bytes an entry's hash covers (as ``governance.audit.entry_hash`` lays them out)."""
    event = entry.event
    fields: list[Any] = [
        entry.seq,
        entry.at.isoformat(timespec="microseconds"),
        event.actor,
        event.action,
        event.object_type,
        event.object_id,
        event.purpose,
        canonical_details(event.details),
        entry.prev_hash,
    ]
    if event.legal_basis is not None or event.subjects:
        fields += [event.legal_basis, sorted(set(event.subjects))]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def log_row(entry: AuditEntry) -> Row:
    event = entry.event
    values = {
        "seq": entry.seq,
        "at": entry.at,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "purpose": event.purpose,
        "details": canonical_details(event.details),
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
        "legal_basis": event.legal_basis,
        "redacted_at": None,
    }
    return tuple(values[name] for name in LOG_COLUMNS)


@dataclass(slots=True)
class LogChunk:
    rows: list[Row]
    subjects: list[Row]
    bodies: list[bytes]


def chain_chunks(count: int, size: int = INSERT_BATCH) -> Iterator[LogChunk]:
    """A valid chain of ``count`` entries, sealed by the chain's own code, ``size`` at a time."""
    rng = random.Random(SEED)
    previous = GENESIS_HASH
    for first in range(1, count + 1, size):
        chunk = LogChunk([], [], [])
        for seq in range(first, min(first + size, count + 1)):
            entry = seal(
                seq, LOG_START + timedelta(milliseconds=50 * seq), audit_event(rng), previous
            )
            previous = entry.entry_hash
            body = entry_body(entry)
            if seq <= 100:  # the ceiling hashes exactly what the chain hashes
                assert hashlib.sha256(body).hexdigest() == entry.entry_hash
            chunk.rows.append(log_row(entry))
            chunk.subjects.extend((seq, subject) for subject in entry.event.subjects)
            chunk.bodies.append(body)
        yield chunk


@dataclass(frozen=True, slots=True)
class BuiltLog:
    entries: int
    subjects: int
    build_s: float
    # The raw ceiling, per repeat: seconds hashing every body with hashlib.
    hash_s: list[float]


def build_log(engine: Engine, count: int, repeat: int) -> BuiltLog:
    """Fill a migrated, empty database with a valid chain (bulk inserts, then the head row),
    timing the hashing of each chunk's bodies on the side (``repeat`` times)."""
    started = time.perf_counter()
    hash_s = [0.0] * repeat
    subjects = 0
    last = GENESIS_HASH
    pooled = engine.raw_connection()
    try:
        driver = _driver(pooled)
        writer = _bulk_writer(engine, driver)
        for number, chunk in enumerate(chain_chunks(count), start=1):
            for index in range(repeat):
                hash_s[index] += _hash_all(chunk.bodies)
            writer(chunk)
            subjects += len(chunk.subjects)
            last = str(chunk.rows[-1][LOG_COLUMNS.index("entry_hash")])
            if number % 10 == 0:
                _progress(f"  {number * INSERT_BATCH:,} entries written", started)
    finally:
        pooled.close()
    with engine.begin() as connection:
        connection.execute(
            update(audit_head).where(audit_head.c.id == 1).values(seq=count, entry_hash=last)
        )
    return BuiltLog(count, subjects, time.perf_counter() - started, hash_s)


def _hash_all(bodies: Sequence[bytes]) -> float:
    sha256 = hashlib.sha256
    started = time.perf_counter()
    for body in bodies:
        sha256(body).hexdigest()
    return time.perf_counter() - started


def _bulk_writer(engine: Engine, driver: Any) -> Callable[[LogChunk], None]:
    """executemany on SQLite (the node's pragmas), COPY on PostgreSQL; a commit per chunk."""
    if engine.dialect.name == "sqlite":
        convert = bind_converter(audit_log, engine.dialect)
        insert_log = _insert_sql(audit_log.name, LOG_COLUMNS, "?")
        insert_subjects = _insert_sql(audit_subjects.name, SUBJECT_COLUMNS, "?")

        def write_sqlite(chunk: LogChunk) -> None:
            rows = [convert(row) for row in chunk.rows]
            cursor = driver.cursor()
            cursor.executemany(insert_log, rows)
            cursor.executemany(insert_subjects, chunk.subjects)
            driver.commit()
            cursor.close()

        return write_sqlite

    def write_postgresql(chunk: LogChunk) -> None:
        with driver.cursor() as cursor:
            for table, columns, rows in (
                (audit_log.name, LOG_COLUMNS, chunk.rows),
                (audit_subjects.name, SUBJECT_COLUMNS, chunk.subjects),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        driver.commit()

    return write_postgresql


def _insert_sql(table: str, columns: Sequence[str], mark: str) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)})"


# -- appends -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AppendRun:
    entries: int
    seconds: float
    bare_seconds: float

    @property
    def per_second(self) -> float:
        return self.entries / self.seconds

    @property
    def bare_per_second(self) -> float:
        return self.entries / self.bare_seconds

    @property
    def ratio(self) -> float:
        return self.bare_seconds / self.seconds


def append_run(backend: str, postgres_url: str, count: int) -> AppendRun:
    """``count`` appends through ``append_audit`` into a fresh node, then the same rows with
    bare INSERTs into another, one entry per transaction on both sides."""
    rng = random.Random(SEED + 1)
    events = [audit_event(rng) for _ in range(count)]
    with fresh_database(backend, postgres_url, "audit") as url:
        engine = make_engine(url)
        upgrade_to_head(engine)
        started = time.perf_counter()
        for event in events:
            with engine.begin() as connection:
                append_audit(connection, event)
        seconds = time.perf_counter() - started
        rows, subjects = _stored_rows(engine)
        engine.dispose()
    with fresh_database(backend, postgres_url, "audit") as url:
        engine = make_engine(url)
        upgrade_to_head(engine)
        bare_seconds = _bare_appends(engine, rows, subjects)
        stored = _count(engine, audit_log.name)
        engine.dispose()
    if stored != count or len(rows) != count:
        print(f"  WARNING: {len(rows):,} entries appended, {stored:,} inserted bare")
    return AppendRun(count, seconds, bare_seconds)


def _stored_rows(engine: Engine) -> tuple[list[Row], dict[int, list[Row]]]:
    """The log's rows as the driver reads them (so they go back in unchanged)."""
    pooled = engine.raw_connection()
    try:
        cursor = _driver(pooled).cursor()
        cursor.execute(f"SELECT {', '.join(LOG_COLUMNS)} FROM audit_log ORDER BY seq")
        rows = [tuple(row) for row in cursor.fetchall()]
        cursor.execute("SELECT seq, indicator_id FROM audit_subjects ORDER BY seq, indicator_id")
        subjects: dict[int, list[Row]] = {}
        for seq, indicator_id in cursor.fetchall():
            subjects.setdefault(int(seq), []).append((seq, indicator_id))
        cursor.close()
    finally:
        pooled.close()
    return rows, subjects


def _bare_appends(engine: Engine, rows: Sequence[Row], subjects: dict[int, list[Row]]) -> float:
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    insert_log = _insert_sql(audit_log.name, LOG_COLUMNS, mark)
    insert_subjects = _insert_sql(audit_subjects.name, SUBJECT_COLUMNS, mark)
    seq_at = LOG_COLUMNS.index("seq")
    pooled = engine.raw_connection()
    try:
        driver = _driver(pooled)
        cursor = driver.cursor()
        sqlite = engine.dialect.name == "sqlite"
        started = time.perf_counter()
        for row in rows:
            if sqlite and not driver.in_transaction:
                cursor.execute("BEGIN")
            cursor.execute(insert_log, row)
            named = subjects.get(int(row[seq_at]))
            if named:
                cursor.executemany(insert_subjects, named)
            driver.commit()
        elapsed = time.perf_counter() - started
        cursor.close()
    finally:
        pooled.close()
    return elapsed


# -- verify and sign -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProofRun:
    verify_s: float
    sign_s: float
    hash_ceiling_s: float
    bare_read_s: float


def proof_runs(
    backend: str, postgres_url: str, count: int, repeat: int
) -> tuple[BuiltLog, list[ProofRun]]:
    signer = AuditSigner(BENCH_SECRET_KEY)
    keys = signer.key_ring()
    runs: list[ProofRun] = []
    with fresh_database(backend, postgres_url, "audit") as url:
        engine = make_engine(url)
        upgrade_to_head(engine)
        print(f"building a valid chain of {count:,} entries (not timed) ...", flush=True)
        built = build_log(engine, count, repeat)
        print(f"  built in {built.build_s:.0f} s ({built.subjects:,} subjects)", flush=True)
        for number in range(repeat):
            with engine.connect() as connection:
                started = time.perf_counter()
                report = verify_log(connection, keys, NODE_NAME)
                verify_s = time.perf_counter() - started
            if not report.ok or report.entries != count:
                raise SystemExit(f"verify_log did not accept the built log: {report.to_json()}")
            with engine.connect() as connection:
                transaction = connection.begin()
                started = time.perf_counter()
                signed = sign_head(connection, signer, NODE_NAME, datetime.now(UTC))
                sign_s = time.perf_counter() - started
                transaction.rollback()  # every run signs the same log
            if signed is None or signed.size != count or signed.root_hash != report.root_hash:
                raise SystemExit("sign_head did not sign the log verify_log saw")
            bare_read_s = _bare_read(engine)
            runs.append(ProofRun(verify_s, sign_s, built.hash_s[number], bare_read_s))
            print(
                f"  run {number + 1}/{repeat}: verify {verify_s:.2f} s, sign {sign_s:.2f} s, "
                f"hash ceiling {built.hash_s[number]:.2f} s, bare read {bare_read_s:.2f} s",
                flush=True,
            )
        engine.dispose()
    return built, runs


def _bare_read(engine: Engine) -> float:
    """Every column of every entry, and the subjects, read with the bare driver."""
    pooled = engine.raw_connection()
    try:
        cursor = _driver(pooled).cursor()
        started = time.perf_counter()
        cursor.execute(f"SELECT {', '.join(LOG_COLUMNS)} FROM audit_log ORDER BY seq")
        while cursor.fetchmany(INSERT_BATCH):
            pass
        cursor.execute("SELECT seq, indicator_id FROM audit_subjects ORDER BY seq")
        while cursor.fetchmany(INSERT_BATCH):
            pass
        elapsed = time.perf_counter() - started
        cursor.close()
        _driver(pooled).rollback()
    finally:
        pooled.close()
    return elapsed


# -- the purge -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PurgeNode:
    """A node after ``scamintel ingest`` and the ageing; ``now`` is the purge's now."""

    now: datetime
    reports: int
    expired: int
    build_s: float
    cached: bool


@dataclass(frozen=True, slots=True)
class PurgeRun:
    seconds: float
    bare_seconds: float
    deleted: dict[str, int]
    bare_deleted: int
    log_verifies: bool

    @property
    def ratio(self) -> float:
        return self.bare_seconds / self.seconds


def build_purge_node(url: str, count: int) -> PurgeNode:
    """Ingest ``count`` demonstration reports the way ``scamintel ingest`` does (listings
    published), then age them: half received 5 to 7 years before ``now``, half within the
    last 300 days."""
    started = time.perf_counter()
    path = demo_reports(count)
    print(f"ingesting {count:,} demo reports to build the purge node (not timed) ...", flush=True)
    product_ingest(url, path)
    now = datetime.now(UTC)
    engine = make_engine(url)
    rng = random.Random(SEED + 2)
    with engine.begin() as connection:
        ids = list(connection.scalars(select(reports.c.id).order_by(reports.c.id)))
        rng.shuffle(ids)
        expired = round(len(ids) * EXPIRED_SHARE)
        report_days = retention_policy().period(DataKind.REPORT).days
        ages = [
            timedelta(days=report_days + 1 + rng.uniform(0, 730))
            if index < expired
            else timedelta(days=rng.uniform(0, 300))
            for index in range(len(ids))
        ]
        statement = (
            update(reports)
            .where(reports.c.id == bindparam("report_id"))
            .values(received_at=bindparam("received"))
        )
        for first in range(0, len(ids), INSERT_BATCH):
            connection.execute(
                statement,
                [
                    {"report_id": report_id, "received": now - age}
                    for report_id, age in zip(
                        ids[first : first + INSERT_BATCH],
                        ages[first : first + INSERT_BATCH],
                        strict=True,
                    )
                ],
            )
    if engine.dialect.name == "sqlite":  # the file is copied for each measurement
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return PurgeNode(now, len(ids), expired, time.perf_counter() - started, cached=False)


def cached_sqlite_node(count: int) -> tuple[Path, PurgeNode]:
    """The SQLite purge node, built once per size and code (``bench/results/data/``)."""
    folder = DATA_DIR / f"governance-{count}-{source_fingerprint('scamintel')}"
    path, details = folder / "node.db", folder / "node.json"
    if path.exists() and details.exists():
        data = json.loads(details.read_text(encoding="utf-8"))
        data["now"] = datetime.fromisoformat(data["now"])
        return path, PurgeNode(**(data | {"cached": True}))
    for stale in DATA_DIR.glob(f"governance-{count}-*"):
        shutil.rmtree(stale)  # made by older code
    folder.mkdir(parents=True)
    node = build_purge_node(f"sqlite:///{path}", count)
    details.write_text(json.dumps(asdict(node), default=str), encoding="utf-8")
    return path, node


@contextmanager
def purge_copies(backend: str, postgres_url: str, count: int) -> Iterator[tuple[Any, PurgeNode]]:
    """The purge node and a way to make a fresh copy of it for each measurement: a file copy
    on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL."""
    if backend == "sqlite":
        source, node = cached_sqlite_node(count)
        with tempfile.TemporaryDirectory(dir=DATA_DIR, prefix="governance-") as folder:

            @contextmanager
            def sqlite_copy() -> Iterator[str]:
                target = Path(folder) / "node.db"
                shutil.copyfile(source, target)
                try:
                    yield f"sqlite:///{target}"
                finally:
                    target.unlink(missing_ok=True)
                    for suffix in ("-wal", "-shm"):
                        Path(f"{target}{suffix}").unlink(missing_ok=True)

            yield sqlite_copy, node
        return
    with postgres_database(postgres_url, "purgenode") as template_url:
        node = build_purge_node(template_url, count)
        template = make_url(template_url).database
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")

        @contextmanager
        def postgres_copy() -> Iterator[str]:
            name = f"scamintel_bench_purge_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            try:
                yield (
                    make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
                )
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        try:
            yield postgres_copy, node
        finally:
            admin.dispose()


def purge_run(copy: Any, node: PurgeNode) -> PurgeRun:
    policy = retention_policy()
    with copy() as url:
        database = NodeDatabase.connect(url, BENCH_SECRET_KEY)
        signer = AuditSigner(BENCH_SECRET_KEY)
        started = time.perf_counter()
        summary = purge_expired_data(database, policy, node.now, actor="bench", signer=signer)
        seconds = time.perf_counter() - started
        with database.engine.connect() as connection:
            verifies = verify_log(connection, signer.key_ring(), NODE_NAME).ok
        database.dispose()
    with copy() as url:
        engine = make_engine(url)
        bare_seconds, bare_deleted = _bare_delete(engine, policy.cutoff(DataKind.REPORT, node.now))
        engine.dispose()
    deleted = {kind: count for kind, count in sorted(summary.counts.items()) if count}
    if deleted.get(DataKind.REPORT.value, 0) != node.expired or bare_deleted != node.expired:
        print(
            f"  WARNING: {node.expired:,} reports expired; the purge deleted "
            f"{deleted.get(DataKind.REPORT.value, 0):,}, the bare DELETE {bare_deleted:,}"
        )
    return PurgeRun(seconds, bare_seconds, deleted, bare_deleted, verifies)


def _bare_delete(engine: Engine, cutoff: datetime) -> tuple[float, int]:
    """The expired reports deleted by ``received_at`` with the bare driver, one transaction
    (on the node engine's connection: SQLite's foreign keys on, so the children cascade)."""
    column = reports.c.received_at
    process = column.type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
    bound = process(cutoff) if process is not None else cutoff
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    pooled = engine.raw_connection()
    try:
        driver = _driver(pooled)
        cursor = driver.cursor()
        started = time.perf_counter()
        cursor.execute(f"DELETE FROM reports WHERE received_at < {mark}", (bound,))
        deleted = int(cursor.rowcount)
        driver.commit()
        elapsed = time.perf_counter() - started
        cursor.close()
    finally:
        pooled.close()
    return elapsed, deleted


# -- shared --------------------------------------------------------------------------------------
@contextmanager
def fresh_database(backend: str, postgres_url: str, purpose: str) -> Iterator[str]:
    """An empty database (no schema yet), removed afterwards."""
    if backend == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=DATA_DIR, prefix=f"{purpose}-") as folder:
            yield f"sqlite:///{folder}/node.db"
    else:
        with postgres_database(postgres_url, purpose) as url:
            yield url


def _driver(pooled: Any) -> Any:
    """The DB-API connection under a pooled connection (sqlite3 or psycopg)."""
    return pooled.driver_connection


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(text(table))) or 0)


def _progress(message: str, started: float) -> None:
    print(f"{message} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)


# -- the run -------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.governance", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="admin database URL")
    parser.add_argument("--entries", type=int, default=1_000_000, help="audit log to verify")
    parser.add_argument("--appends", type=int, default=20_000, help="appends timed per run")
    parser.add_argument("--reports", type=int, default=200_000, help="reports on the purge node")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (medians reported)")
    parser.add_argument(
        "--only", choices=("appends", "proof", "purge"), action="append", help="part(s) to run"
    )
    args = parser.parse_args(argv)
    if min(args.entries, args.appends, args.reports) < 100 or args.repeat < 1:
        parser.error("need --entries, --appends and --reports >= 100 and --repeat >= 1")
    args.parts = args.only or ["appends", "proof", "purge"]
    args.source_fingerprint = source_fingerprint("scamintel")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    server_version = None
    if args.backend == "postgresql":
        server_version = postgres_version(args.postgres_url)
        if server_version is None:
            print(f"PostgreSQL is not reachable at {args.postgres_url}")
            return 1
    appends: list[AppendRun] = []
    built: BuiltLog | None = None
    proofs: list[ProofRun] = []
    node: PurgeNode | None = None
    purges: list[PurgeRun] = []
    if "appends" in args.parts:
        print(f"{args.appends:,} audit appends, one per transaction, x {args.repeat} ...")
        for number in range(args.repeat):
            run = append_run(args.backend, args.postgres_url, args.appends)
            appends.append(run)
            print(
                f"  run {number + 1}/{args.repeat}: {run.per_second:,.0f} entries/s, bare "
                f"INSERT {run.bare_per_second:,.0f}/s",
                flush=True,
            )
    if "proof" in args.parts:
        built, proofs = proof_runs(args.backend, args.postgres_url, args.entries, args.repeat)
    if "purge" in args.parts:
        with purge_copies(args.backend, args.postgres_url, args.reports) as (copy, node):
            print(
                f"purge node: {node.reports:,} reports, {node.expired:,} expired"
                + (" (cached)" if node.cached else f" (built in {node.build_s:.0f} s)")
            )
            for number in range(args.repeat):
                purge = purge_run(copy, node)
                purges.append(purge)
                print(
                    f"  run {number + 1}/{args.repeat}: purge {purge.seconds:.2f} s, bare "
                    f"DELETE {purge.bare_seconds:.2f} s",
                    flush=True,
                )
    report(args, server_version, appends, built, proofs, node, purges)
    return 0


def report(
    args: argparse.Namespace,
    server_version: str | None,
    appends: Sequence[AppendRun],
    built: BuiltLog | None,
    proofs: Sequence[ProofRun],
    node: PurgeNode | None,
    purges: Sequence[PurgeRun],
) -> None:
    print(f"\ndata governance on {args.backend}, medians of {args.repeat} run(s)")
    rows: list[list[object]] = []
    results: dict[str, Any] = {}
    if appends:
        ours = median([run.per_second for run in appends])
        bare = median([run.bare_per_second for run in appends])
        ratio = median([run.ratio for run in appends])
        rows.append(
            [
                f"audit append ({args.appends:,}, 1 per transaction)",
                f"{ours:,.0f} entries/s",
                f"bare INSERT {bare:,.0f} entries/s",
                f"{ratio:.2f}",
            ]
        )
        results["appends"] = {
            "entries": args.appends,
            "entries_per_s": ours,
            "bare_entries_per_s": bare,
            "ratio": ratio,
            "runs": [asdict(run) for run in appends],
        }
    if built is not None and proofs:
        hashed = median([run.hash_ceiling_s for run in proofs])
        read = median([run.bare_read_s for run in proofs])
        verify = median([run.verify_s for run in proofs])
        sign = median([run.sign_s for run in proofs])
        ceiling = f"hash {hashed:.2f} s; bare read {read:.2f} s"
        rows += [
            [f"audit verify ({built.entries:,} entries)", f"{verify:.2f} s", ceiling,
             f"{hashed / verify:.3f}"],
            [f"sign_head ({built.entries:,} entries)", f"{sign:.2f} s", ceiling,
             f"{hashed / sign:.3f}"],
        ]  # fmt: skip
        results["proof"] = {
            "entries": built.entries,
            "subjects": built.subjects,
            "build_s": built.build_s,
            "verify_s": verify,
            "sign_head_s": sign,
            "hash_ceiling_s": hashed,
            "bare_read_s": read,
            "verify_entries_per_s": built.entries / verify,
            "runs": [asdict(run) for run in proofs],
        }
    if node is not None and purges:
        seconds = median([run.seconds for run in purges])
        bare = median([run.bare_seconds for run in purges])
        rows.append(
            [
                f"purge ({node.reports:,} reports, {node.expired:,} expired)",
                f"{seconds:.2f} s",
                f"bare DELETE {bare:.2f} s",
                f"{bare / seconds:.3f}",
            ]
        )
        results["purge"] = {
            "node": asdict(node),
            "seconds": seconds,
            "bare_delete_s": bare,
            "expired_reports_per_s": node.expired / seconds,
            "log_verifies_after": all(run.log_verifies for run in purges),
            "deleted": purges[0].deleted,
            "runs": [asdict(run) for run in purges],
        }
    print_table(["measure", "ours", "reference", "reference/ours"], rows)
    if purges:
        print(f"purge deleted (first run): {purges[0].deleted}")
        print(f"audit log verifies after every purge: {results['purge']['log_verifies_after']}")
    written = write_result(
        f"governance-{args.backend}",
        {
            "benchmark": "governance",
            "backend": args.backend,
            "repeat": args.repeat,
            **results,
            "postgresql_version": server_version,
            "machine": machine(),
            "source_fingerprint": args.source_fingerprint,
        },
    )
    print(f"\nresult: {written}")


if __name__ == "__main__":
    sys.exit(main())
