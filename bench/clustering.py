"""Clustering reports into scam operations: quality against the generator's truth, and speed.

Quality: pairwise precision, pairwise recall and adjusted Rand index of the operations found,
against the operation the demonstration generator filed each report for:

* the default demo (5,000 reports, seed 7), through the real ``scamintel ingest`` and
  ``recluster_all`` on a fresh SQLite node;
* ``--count`` reports (1,000,000 by default) with extra noise: every line parsed by the
  product's own row parser (canonical values exactly as the ingest stores them), then
  switchboards: numbers on no warninglist (a bank's or a telco's hotline the allowlist does
  not know), one of them named in ``--switchboard-rate`` (3 %) of the reports, each named by
  about ``--switchboard-reports`` (1,500) reports; on top of the generator's own noise
  (victims' own numbers and listed hotlines in 5 % and 3 % of the reports, typos in 2 %).

Speed, on the same ``--count`` links: our clustering step (link arrays to labels) beside
``networkx.connected_components`` on the same graph in the same run, with time and peak
memory; then the whole ``recluster_all`` on a real SQLite node holding those reports, and the
incremental update of one new report on it (median of ``--incremental`` reports).

Parsing a million lines takes minutes, so the prepared arrays are cached under
``bench/results/data/`` (keyed by the source of the generator, the parsers and the ingest).

    .venv/bin/python -m bench.clustering                  # the figures in docs/benchmarks.md
    .venv/bin/python -m bench.clustering --count 50000    # a quick run
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine, select

import scamintel.storage.operations_repo as operations_repo
from bench.common import (
    DATA_DIR,
    DEMO_SEED,
    bind_converter,
    demo_reports,
    machine,
    median,
    print_table,
    source_fingerprint,
    write_result,
)
from bench.ingest import product_ingest
from scamintel.analysis.graph import (
    BoolArray,
    Clustering,
    Links,
    cluster,
    cluster_links,
    operation_labels,
    pair_counts,
)
from scamintel.analysis.quality import ClusterScore, score_clustering
from scamintel.reports.bulk import FileFormat, ParserSettings, RowParser, read_rows
from scamintel.reports.intake import REPORT_ID_NAMESPACE
from scamintel.reports.model import NewReport
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.migrate import upgrade_to_head
from scamintel.storage.tables import indicators, report_indicators, report_operations, reports

GOAL_PRECISION = 0.95
GOAL_RECALL = 0.90
GOAL_SECONDS = 60.0
GOAL_PEAK_GIB = 4.0
GOAL_SPEEDUP = 10.0
GOAL_INCREMENTAL_MS = 50.0
NODE_COUNTRY = "TH"
DEFAULT_CAP: int = Settings.model_fields["cluster_fanout_cap"].default
PARSE_CHUNK = 2_000
_T = TypeVar("_T")
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A data set's report–value links as the ingest would store them, and the truth."""

    link_report: NDArray[np.int32]
    link_value: NDArray[np.int32]
    link_given: NDArray[np.bool_]
    truth: NDArray[np.int32]  # true operation of every stored report
    value_type: NDArray[np.str_]
    value_text: NDArray[np.str_]
    lines: int
    rejected: int

    @property
    def report_count(self) -> int:
        return int(self.truth.size)

    def links(self) -> Links:
        return Links(
            self.link_report.astype(np.int64),
            self.link_value.astype(np.int64),
            self.report_count,
            int(self.value_text.size),
            self.link_given,
        )


# -- preparing the links (cached) ---------------------------------------------------------------
def _parse_chunk(lines: list[str]) -> list[tuple[str, list[tuple[str, str, bool]]] | None]:
    """Each line as (external id, [(type, canonical value, given)]) or None when rejected."""
    parser = _parser()
    parsed: list[tuple[str, list[tuple[str, str, bool]]] | None] = []
    for row in read_rows(iter(lines), FileFormat.JSONL):  # type: ignore[arg-type]
        report = parser.parse(row)
        if not isinstance(report, NewReport):
            parsed.append(None)
            continue
        external = (report.idempotency_key or "").removeprefix("ingest:")
        values = [
            (item.indicator.type.value, item.indicator.value, item.origin == "given")
            for item in report.indicators
        ]
        parsed.append((external, values))
    return parsed


_PARSER: list[RowParser] = []


def _parser() -> RowParser:
    if not _PARSER:
        _PARSER.append(RowParser(ParserSettings(region=NODE_COUNTRY)))
    return _PARSER[0]


def _chunks(items: Iterator[_T], size: int) -> Iterator[list[_T]]:
    while chunk := list(islice(items, size)):
        yield chunk


def prepare(count: int, seed: int, workers: int) -> Prepared:
    """Parse the demo data set of ``count`` reports with the product's row parser, or load the
    arrays cached by an earlier run."""
    fingerprint = source_fingerprint("scamintel.demo", "scamintel.indicators", "scamintel.reports")
    cache = DATA_DIR / f"clustering-{count}-seed{seed}-{fingerprint}.npz"
    if cache.exists():
        with np.load(cache) as data:
            return Prepared(
                data["link_report"],
                data["link_value"],
                data["link_given"],
                data["truth"],
                data["value_type"],
                data["value_text"],
                int(data["lines"]),
                int(data["rejected"]),
            )
    path = demo_reports(count, seed)
    truth_of = _truth(path.parent / "truth.csv")
    operation_codes: dict[str, int] = {}
    value_ids: dict[tuple[str, str], int] = {}
    link_report: list[int] = []
    link_value: list[int] = []
    link_given: list[bool] = []
    truth: list[int] = []
    lines = rejected = 0
    started = time.perf_counter()
    with (
        path.open("r", encoding="utf-8") as handle,
        ProcessPoolExecutor(max_workers=workers) as pool,
    ):
        for parsed_chunk in pool.map(_parse_chunk, _chunks(iter(handle), PARSE_CHUNK)):
            for parsed in parsed_chunk:
                lines += 1
                if parsed is None:
                    rejected += 1
                    continue
                external, values = parsed
                report = len(truth)
                operation = truth_of[external]
                truth.append(operation_codes.setdefault(operation, len(operation_codes)))
                for kind, value, given in values:
                    link_report.append(report)
                    link_value.append(value_ids.setdefault((kind, value), len(value_ids)))
                    link_given.append(given)
            if lines % 100_000 < PARSE_CHUNK:
                _progress(f"  parsed {lines:,} lines", started)
    keys = list(value_ids)
    prepared = Prepared(
        np.asarray(link_report, dtype=np.int32),
        np.asarray(link_value, dtype=np.int32),
        np.asarray(link_given, dtype=np.bool_),
        np.asarray(truth, dtype=np.int32),
        np.asarray([kind for kind, _ in keys]),
        np.asarray([value for _, value in keys]),
        lines,
        rejected,
    )
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for stale in DATA_DIR.glob(f"clustering-{count}-seed{seed}-*.npz"):
        stale.unlink()
    np.savez(cache, **{name: getattr(prepared, name) for name in Prepared.__dataclass_fields__})
    return prepared


def _truth(path: Path) -> dict[str, str]:
    with path.open("r", encoding="utf-8", newline="") as handle:
        return {row["external_id"]: row["operation_id"] for row in csv.DictReader(handle)}


def _progress(message: str, started: float) -> None:
    print(f"{message} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)


# -- extra noise ---------------------------------------------------------------------------------
def switchboard_count(reports: int, rate: float, per_switchboard: int) -> int:
    """How many switchboards make each one named by about ``per_switchboard`` reports."""
    return 0 if rate <= 0 else max(1, round(reports * rate / per_switchboard))


def with_switchboards(prepared: Prepared, count: int, rate: float, seed: int) -> Links:
    """The links plus ``count`` switchboard numbers (on no warninglist), each report naming
    one of them with probability ``rate``, given as an indicator like any other value."""
    links = prepared.links()
    if count == 0 or rate <= 0:
        return links
    rng = np.random.default_rng(seed)
    chosen = np.flatnonzero(rng.random(links.report_count) < rate)
    extra_values = links.value_count + rng.integers(0, count, chosen.size)
    given = links.given if links.given is not None else np.ones(links.reports.size, np.bool_)
    return Links(
        np.concatenate((links.reports, chosen)),
        np.concatenate((links.values, extra_values)),
        links.report_count,
        links.value_count + count,
        np.concatenate((given, np.ones(chosen.size, dtype=np.bool_))),
    )


def switchboard_value(number: int) -> tuple[str, str]:
    """A Bangkok landline no warninglist names (type, canonical value)."""
    return "phone", f"+6620{number:07d}"


def degree_profile(links: Links, truth: NDArray[np.int32], cap: int) -> dict[str, Any]:
    """How many reports name each value, for values of one true operation and for values
    shared across operations (hotlines, switchboards, victims' numbers)."""
    degrees = np.bincount(links.values, minlength=links.value_count)
    pairs, _ = pair_counts(links.values, truth[links.reports].astype(np.int64))
    operations_per_value = np.bincount(pairs[0], minlength=links.value_count)
    pure = (operations_per_value == 1) & (degrees >= 2)
    mixed = operations_per_value > 1
    pure_degrees = degrees[pure]
    return {
        "values_named_twice_or_more": int((degrees >= 2).sum()),
        "single_operation_values": int(pure.sum()),
        "single_operation_degree_p50_p99_p999_max": _percentiles(pure_degrees),
        "single_operation_values_over_cap": int((pure_degrees > cap).sum()),
        "cross_operation_values": int(mixed.sum()),
        "cross_operation_degree_min_p50_max": (
            [int(degrees[mixed].min()), int(np.median(degrees[mixed])), int(degrees[mixed].max())]
            if mixed.any()
            else []
        ),
        "cross_operation_values_under_cap": int((mixed & (degrees <= cap)).sum()),
    }


def _percentiles(values: NDArray[Any]) -> list[float]:
    if values.size == 0:
        return []
    found = np.percentile(values, [50, 99, 99.9])
    return [*(round(float(v), 1) for v in found), int(values.max())]


def score_caps(
    links: Links, truth: NDArray[np.int32], caps: Sequence[int]
) -> dict[int, ClusterScore]:
    return {cap: score_clustering(truth, cluster(links, fanout_cap=cap)) for cap in caps}


# -- speed ---------------------------------------------------------------------------------------
def time_ours(links: Links, cap: int, repeat: int) -> tuple[float, int, Clustering]:
    """Median seconds of the whole clustering (every rule, then the components), from link
    arrays to labels, and the peak memory of one traced run."""
    seconds = []
    result = Clustering(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.bool_))
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = cluster_links(links, fanout_cap=cap)
        seconds.append(time.perf_counter() - started)
    gc.collect()
    tracemalloc.start()
    cluster_links(links, fanout_cap=cap)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return median(seconds), peak, result


def time_components(links: Links, linkable: BoolArray, repeat: int) -> float:
    """Median seconds of our components step alone, on the final graph networkx gets."""
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        operation_labels(links, linkable)
        seconds.append(time.perf_counter() - started)
    return median(seconds)


def time_networkx(links: Links, linkable: BoolArray) -> tuple[float, IntArray, int]:
    """networkx on the same graph (the links through the values that linked in our run, every
    report and value a node): building it and ``connected_components``, to one label per
    report. Also the growth of the process's peak resident memory while it ran (networkx
    keeps pure Python objects)."""
    import networkx as nx

    keep = linkable[links.values]
    edges = zip(
        links.reports[keep].tolist(),
        (links.values[keep] + links.report_count).tolist(),
        strict=True,
    )
    gc.collect()
    rss_before = _peak_rss_bytes()
    started = time.perf_counter()
    graph = nx.Graph()
    graph.add_nodes_from(range(links.report_count + links.value_count))
    graph.add_edges_from(edges)
    labels = np.empty(links.report_count, dtype=np.int64)
    for number, component in enumerate(nx.connected_components(graph)):
        members = np.fromiter(component, dtype=np.int64)
        labels[members[members < links.report_count]] = number
    seconds = time.perf_counter() - started
    growth = max(0, _peak_rss_bytes() - rss_before)
    del graph
    gc.collect()
    return seconds, labels, growth


def _peak_rss_bytes() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def same_partition(first: IntArray, second: IntArray) -> bool:
    pairs, _ = pair_counts(first, second)
    return bool(pairs.shape[1] == np.unique(first).size == np.unique(second).size)


# -- a real node ---------------------------------------------------------------------------------
_REFRESH = "refresh_summaries"  # the repository's own import, replaced while timing


class _Timed:
    """Wraps ``refresh_summaries`` in the operations repository to time it apart."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original: Callable[..., None] = getattr(operations_repo, _REFRESH)

    def __enter__(self) -> _Timed:
        def timed(*args: Any, **kwargs: Any) -> None:
            started = time.perf_counter()
            try:
                self._original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        setattr(operations_repo, _REFRESH, timed)
        return self

    def __exit__(self, *_: object) -> None:
        setattr(operations_repo, _REFRESH, self._original)


REPORTED_AT = datetime(2026, 10, 1, tzinfo=UTC)


def build_node(url: str, links: Links, prepared: Prepared, switchboards: int) -> Engine:
    """A migrated node holding the links as stored reports, values and links, written with
    the bare driver (the ingest's speed is bench.ingest's business)."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    texts = [
        *zip(prepared.value_type.tolist(), prepared.value_text.tolist(), strict=True),
        *(switchboard_value(number) for number in range(switchboards)),
    ]
    report_ids = [uuid.UUID(int=number + 1) for number in range(links.report_count)]
    given = links.given if links.given is not None else np.ones(links.reports.size, np.bool_)
    with engine.begin() as connection:
        raw: Any = connection.connection.driver_connection
        dialect = connection.dialect
        convert_report = bind_converter(reports, dialect)
        convert_value = bind_converter(indicators, dialect)
        convert_link = bind_converter(report_indicators, dialect)
        columns = [column.name for column in reports.c]
        report_rows = (
            convert_report(tuple(_report_values(report_id).get(name) for name in columns))
            for report_id in report_ids
        )
        _write(raw, reports.name, len(columns), report_rows)
        value_rows = (
            convert_value((number + 1, kind, value, None, REPORTED_AT))
            for number, (kind, value) in enumerate(texts)
        )
        _write(raw, indicators.name, 5, value_rows)
        link_rows = (
            convert_link((report_ids[r], v + 1, "bench", "given" if g else "narrative"))
            for r, v, g in zip(
                links.reports.tolist(), links.values.tolist(), given.tolist(), strict=True
            )
        )
        _write(raw, report_indicators.name, 4, link_rows)
    return engine


def _report_values(report_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": report_id,
        "source": "ingest",
        "scam_type": "investment",
        "channel": "call",
        "victim_country": "TH",
        "received_at": REPORTED_AT,
        "seen_at": REPORTED_AT,
        "trust": "anonymous",
    }


def _write(raw: Any, table: str, width: int, rows: Iterator[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" * width)
    cursor = raw.cursor()
    for chunk in _chunks(rows, 50_000):
        cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", chunk)
    cursor.close()


def node_labels(engine: Engine, report_count: int) -> IntArray:
    labels = np.empty(report_count, dtype=np.int64)
    with engine.connect() as connection:
        for report_id, operation_id in connection.execute(
            select(report_operations.c.report_id, report_operations.c.operation_id)
        ):
            labels[report_id.int - 1] = operation_id
    return labels


def measure_node(
    engine: Engine, links: Links, prepared: Prepared, cap: int, new_reports: int, seed: int
) -> dict[str, Any]:
    """``recluster_all`` on the node, then ``new_reports`` reports added one at a time, each
    naming values of an existing report, clustered with ``cluster_new_reports``."""
    with _Timed() as summaries, engine.begin() as connection:
        started = time.perf_counter()
        run = operations_repo.recluster_all(connection, fanout_cap=cap, now=datetime.now(UTC))
        full_seconds = time.perf_counter() - started
    labels = node_labels(engine, links.report_count)
    score = score_clustering(prepared.truth, labels)
    rng = np.random.default_rng(seed)
    texts = list(zip(prepared.value_type.tolist(), prepared.value_text.tolist(), strict=True))
    single: list[float] = []
    single_summaries: list[float] = []
    for number in range(new_reports):
        report_id = _add_report(engine, links, texts, rng, number)
        with _Timed() as refresh, engine.begin() as connection:
            started = time.perf_counter()
            operations_repo.cluster_new_reports(
                connection, fanout_cap=cap, now=datetime.now(UTC), report_ids=[report_id]
            )
            total = time.perf_counter() - started
        single.append(total - refresh.seconds)
        single_summaries.append(refresh.seconds)
    return {
        "recluster_all_seconds": full_seconds,
        "recluster_all_summary_seconds": summaries.seconds,
        "recluster_all_without_summaries_seconds": full_seconds - summaries.seconds,
        "operations_live": run.operations_live,
        "node_score": asdict(score),
        "incremental_ms": [round(s * 1000, 2) for s in single],
        "incremental_median_ms": median(single) * 1000,
        "incremental_summary_refresh_ms": [round(s * 1000, 2) for s in single_summaries],
        "incremental_summary_refresh_median_ms": median(single_summaries) * 1000,
        "peak_rss_gib_after": round(_peak_rss_bytes() / 2**30, 2),
    }


def _add_report(
    engine: Engine, links: Links, texts: list[tuple[str, str]], rng: np.random.Generator, n: int
) -> uuid.UUID:
    """A new report naming one or two values of a random existing report, and one new one."""
    with_links = np.unique(links.reports)
    neighbour = int(rng.choice(with_links))
    own = links.values[links.reports == neighbour]
    values = [texts[int(v)] for v in own[: 1 + int(rng.integers(0, 2))] if v < len(texts)]
    values.append(("phone", f"+6629{n:07d}"))
    report_id = uuid.uuid4()
    with engine.begin() as connection:
        raw: Any = connection.connection.driver_connection
        row = bind_converter(reports, connection.dialect)(
            tuple(_report_values(report_id).get(c.name) for c in reports.c)
        )
        raw.execute(f"INSERT INTO reports VALUES ({', '.join('?' * len(row))})", row)
        for kind, value in values:
            found = raw.execute(
                "SELECT id FROM indicators WHERE type = ? AND value = ?", (kind, value)
            ).fetchone()
            if found is None:
                found = raw.execute(
                    "INSERT INTO indicators (type, value, created_at) VALUES (?, ?, ?) "
                    "RETURNING id",
                    (kind, value, REPORTED_AT.isoformat(" ")),
                ).fetchone()
            raw.execute(
                "INSERT INTO report_indicators VALUES (?, ?, ?, ?)",
                (report_id.hex, found[0], value, "given"),
            )
    return report_id


# -- the default demo through the real ingest ------------------------------------------------------
def demo_quality(count: int, seed: int, cap: int) -> dict[str, Any]:
    """The demo data set through ``scamintel ingest``'s own ingest and ``recluster_all`` on a
    fresh SQLite node, scored against the truth file."""
    path = demo_reports(count, seed)
    truth_of = _truth(path.parent / "truth.csv")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA_DIR, prefix="clustering-") as folder:
        url = f"sqlite:///{folder}/node.db"
        ingest_seconds, summary = product_ingest(url, path)
        engine = make_engine(url)
        started = time.perf_counter()
        with engine.begin() as connection:
            run = operations_repo.recluster_all(connection, fanout_cap=cap, now=datetime.now(UTC))
        seconds = time.perf_counter() - started
        external = {
            uuid.uuid5(REPORT_ID_NAMESPACE, f"ingest:{name}"): operation
            for name, operation in truth_of.items()
        }
        with engine.connect() as connection:
            rows = connection.execute(
                select(report_operations.c.report_id, report_operations.c.operation_id)
            ).all()
        engine.dispose()
    score = score_clustering([external[r] for r, _ in rows], [op for _, op in rows])
    return {
        "count": count,
        "stored": summary.new,
        "rejected": summary.rejected,
        "ingest_seconds": ingest_seconds,
        "recluster_all_seconds": seconds,
        "operations_live": run.operations_live,
        "score": asdict(score),
    }


# -- the run ---------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.clustering", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--count", type=int, default=1_000_000, help="reports in the large set")
    parser.add_argument("--demo-count", type=int, default=5_000, help="reports in the demo set")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="demo generator seed")
    parser.add_argument("--cap", type=int, default=DEFAULT_CAP, help="fan-out cap")
    parser.add_argument(
        "--switchboard-rate", type=float, default=0.03, help="share of reports naming a switchboard"
    )
    parser.add_argument(
        "--switchboard-reports",
        type=int,
        default=1_500,
        help="reports naming each switchboard (an unlisted hotline); sets how many there are",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of our clustering")
    parser.add_argument("--incremental", type=int, default=9, help="single new reports timed")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parsers")
    parser.add_argument("--no-networkx", action="store_true", help="skip the networkx run")
    parser.add_argument("--no-node", action="store_true", help="skip the real SQLite node")
    args = parser.parse_args(argv)
    if min(args.count, args.demo_count, args.cap - 1, args.repeat, args.incremental) < 1:
        parser.error("--count, --demo-count, --repeat, --incremental >= 1 and --cap >= 2")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result: dict[str, Any] = {"benchmark": "clustering", "args": vars(args), "machine": machine()}
    print(f"demo data set: {args.demo_count:,} reports through the ingest, on SQLite ...")
    demo = demo_quality(args.demo_count, args.seed, args.cap)
    result["demo"] = demo

    started = time.perf_counter()
    prepared = prepare(args.count, args.seed, args.workers)
    print(
        f"large set: {prepared.lines:,} lines, {prepared.report_count:,} reports stored "
        f"({prepared.rejected:,} rejected), {prepared.link_report.size:,} links, "
        f"{prepared.value_text.size:,} values (prepared in {time.perf_counter() - started:.0f} s)"
    )
    args.switchboards = switchboard_count(
        prepared.report_count, args.switchboard_rate, args.switchboard_reports
    )
    links = with_switchboards(prepared, args.switchboards, args.switchboard_rate, args.seed)
    caps = sorted({50, 100, args.cap, 500, 1_000, 5_000, 10**9})
    large_scores = score_caps(links, prepared.truth, caps)
    profile = degree_profile(links, prepared.truth, args.cap)
    result["large"] = {
        "count": args.count,
        "reports": prepared.report_count,
        "rejected": prepared.rejected,
        "links": int(links.reports.size),
        "values": links.value_count,
        "switchboards": args.switchboards,
        "switchboard_rate": args.switchboard_rate,
        "degree_profile": profile,
        "scores_by_cap": {str(cap): asdict(score) for cap, score in large_scores.items()},
    }

    seconds, peak, ours = time_ours(links, args.cap, args.repeat)
    speed: dict[str, Any] = {
        "ours_seconds": seconds,
        "ours_peak_gib": peak / 2**30,
        "ours_components_only_seconds": time_components(links, ours.linkable, args.repeat),
        "linked_links": int(ours.linkable[links.values].sum()),
    }
    if not args.no_networkx:
        nx_seconds, nx_labels, nx_growth = time_networkx(links, ours.linkable)
        speed |= {
            "networkx_seconds": nx_seconds,
            "networkx_peak_rss_growth_gib": nx_growth / 2**30,
            "speedup": nx_seconds / seconds,
            "speedup_components_only": nx_seconds / speed["ours_components_only_seconds"],
            "same_operations": same_partition(ours.labels, nx_labels),
        }
    result["speed"] = speed

    if not args.no_node:
        with tempfile.TemporaryDirectory(dir=DATA_DIR, prefix="clustering-node-") as folder:
            built = time.perf_counter()
            engine = build_node(f"sqlite:///{folder}/node.db", links, prepared, args.switchboards)
            print(
                f"node of {links.report_count:,} reports built in "
                f"{time.perf_counter() - built:.0f} s"
            )
            result["node"] = measure_node(
                engine, links, prepared, args.cap, args.incremental, args.seed
            )
            engine.dispose()
    _report(result, args)
    print(f"\nresult: {write_result('clustering', result)}")
    return 0


def _report(result: dict[str, Any], args: argparse.Namespace) -> None:
    demo, large, speed = result["demo"], result["large"], result["speed"]
    print(f"\nquality (goals: precision >= {GOAL_PRECISION}, recall >= {GOAL_RECALL})")
    rows = [
        [
            "demo (ingest + recluster_all)",
            f"{demo['count']:,}",
            args.cap,
            *_score_cells(demo["score"]),
        ]
    ]
    for cap, score in large["scores_by_cap"].items():
        label = "large + switchboards" + (" (default cap)" if int(cap) == args.cap else "")
        rows.append([label, f"{large['count']:,}", cap, *_score_cells(score)])
    print_table(
        [
            "data",
            "reports",
            "cap",
            "precision",
            "recall",
            "ARI",
            "operations",
            "true",
            "singletons",
        ],
        rows,
    )
    print(f"degree profile (large set): {large['degree_profile']}")
    print(
        f"\nspeed (goals: < {GOAL_SECONDS:.0f} s, < {GOAL_PEAK_GIB:.0f} GiB, "
        f">= {GOAL_SPEEDUP:.0f}x networkx)"
    )
    print(
        f"  ours: {speed['ours_seconds']:.2f} s (median of {args.repeat}; every rule and the "
        f"components), peak {speed['ours_peak_gib']:.2f} GiB; the components step alone "
        f"{speed['ours_components_only_seconds']:.2f} s"
    )
    if "networkx_seconds" in speed:
        print(
            f"  networkx: {speed['networkx_seconds']:.1f} s, peak RSS growth "
            f"{speed['networkx_peak_rss_growth_gib']:.2f} GiB; speed-up {speed['speedup']:.1f}x "
            f"({speed['speedup_components_only']:.1f}x components alone); "
            f"same operations: {speed['same_operations']}"
        )
    node = result.get("node")
    if node:
        print(
            f"  node: recluster_all {node['recluster_all_seconds']:.1f} s "
            f"(summaries {node['recluster_all_summary_seconds']:.1f} s); one new report "
            f"{node['incremental_median_ms']:.1f} ms median of {args.incremental} "
            f"(+ summary refresh {node['incremental_summary_refresh_median_ms']:.1f} ms; "
            f"goal < {GOAL_INCREMENTAL_MS:.0f} ms)"
        )


def _score_cells(score: dict[str, Any]) -> list[str]:
    return [
        f"{score['precision']:.4f}",
        f"{score['recall']:.4f}",
        f"{score['adjusted_rand']:.4f}",
        f"{score['found_operations']:,}",
        f"{score['true_operations']:,}",
        f"{score['singletons']:,}",
    ]


if __name__ == "__main__":
    sys.exit(main())
