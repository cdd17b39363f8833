"""TAXII serving: a full read of the ``listings`` collection with ``taxii2-client``, paging
1,000 objects at a time, from our server and from medallion (the OASIS reference TAXII 2.1
server, memory backend) holding the same objects, in the same run; then ours alone at large
sizes, to see whether the cost per object stays flat as the collection grows.

- **Ours**: ``scamintel serve`` (production settings, one worker) on a SQLite node with N
  published listings (the node of ``bench.protection``, built with bare inserts and cached),
  read with a partner's API key.
- **Medallion**: ``medallion`` as a process, its memory backend loaded with the objects and
  the manifest (``date_added``, ``version``) exported from our server, so both serve the same
  N objects in the same order.

Each full read is timed ``--runs`` times (median reported) and must return N distinct objects.

    .venv/bin/python -m bench.taxii_serving
    .venv/bin/python -m bench.taxii_serving --sizes 1000,2000 --large 100000 --runs 1
"""

from __future__ import annotations

import argparse
import base64
import importlib.metadata
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from taxii2client.v21 import Collection, as_pages  # type: ignore[import-untyped]

from bench.check_load import free_port, running_server
from bench.common import (
    REPO_ROOT,
    machine,
    median,
    print_table,
    source_fingerprint,
    stop_process,
    write_result,
)
from bench.protection import cached_node
from scamintel.access.keys import OrganisationKind, Role
from scamintel.federation.taxii import (
    LISTINGS_COLLECTION_ID,
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
)
from scamintel.storage.access_repo import create_api_key, ensure_organisation
from scamintel.storage.database import make_engine

PAGE = 1000
GOAL_RATIO = 100.0  # medallion's time over ours at the largest size read from both
# "Flat" per-object cost: the largest size may cost at most this much more per object than
# the smallest (the machine is shared, so some noise has to be allowed for).
FLAT_TOLERANCE = 1.5
PARTNER = "Bench Partner NCC"
MEDALLION = REPO_ROOT / ".venv" / "bin" / "medallion"
MEDALLION_ROOT = "bench"
MEDALLION_USER = ("bench", "bench-password")
# Medallion forgets a paging session this many seconds after it began (default 30): longer
# than any read measured here, so a slow read is timed instead of failing half-way.
MEDALLION_SESSION_S = 3600
START_TIMEOUT_S = 120.0


# -- reading -------------------------------------------------------------------------------------
class BearerAuth:
    """requests' auth hook: our server takes a partner's API key as a bearer token."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self.key}"
        return request


@dataclass(frozen=True, slots=True)
class Read:
    seconds: float
    objects: int
    distinct: int
    pages: int


def full_read(collection: Collection) -> Read:
    """Every object of the collection, page by page, as a partner would sync it."""
    ids: set[str] = set()
    objects = pages = 0
    started = time.perf_counter()
    for envelope in as_pages(collection.get_objects, per_request=PAGE):
        page = envelope.get("objects", [])
        objects += len(page)
        pages += 1
        ids.update(item["id"] for item in page)
    return Read(time.perf_counter() - started, objects, len(ids), pages)


def timed_reads(collection: Collection, expected: int, runs: int, label: str) -> list[Read]:
    """``runs`` full reads; each must return exactly ``expected`` distinct objects."""
    collection.refresh()  # the collection's own resource, fetched once, outside the timing
    reads: list[Read] = []
    for number in range(runs):
        read = full_read(collection)
        if read.objects != expected or read.distinct != expected:
            raise RuntimeError(
                f"{label}: read {read.objects:,} objects ({read.distinct:,} distinct), "
                f"expected {expected:,}"
            )
        reads.append(read)
        print(
            f"  {label} run {number + 1}/{runs}: {read.seconds:.2f} s, {read.pages} pages",
            flush=True,
        )
    return reads


def export(collection: Collection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """All objects and the manifest, as our server serves them (also a warm-up read)."""
    objects: list[dict[str, Any]] = []
    manifest: list[dict[str, Any]] = []
    for envelope in as_pages(collection.get_objects, per_request=PAGE):
        objects += envelope.get("objects", [])
    for envelope in as_pages(collection.get_manifest, per_request=PAGE):
        manifest += envelope.get("objects", [])
    return objects, manifest


# -- our node ------------------------------------------------------------------------------------
def partner_key(database_url: str) -> str:
    """An API key of role ``partner``, as ``scamintel apikey create --role partner`` makes."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            organisation = ensure_organisation(connection, PARTNER, OrganisationKind.OTHER, "KH")
            return create_api_key(connection, organisation, Role.ANALYST, "benchmark").token
    finally:
        engine.dispose()


@contextmanager
def our_collection(count: int, work: Path) -> Iterator[tuple[Collection, dict[str, Any]]]:
    """``scamintel serve`` over a copy of the cached node of ``count`` listings."""
    node, details = cached_node(count)
    copy = work / f"node-{count}.db"
    shutil.copyfile(node, copy)  # the key written next must not land in the cache
    url = f"sqlite:///{copy}"
    key = partner_key(url)
    home = work / f"home-{count}"
    home.mkdir()
    try:
        with running_server(url, 1, home) as server:
            address = f"{server.base}/taxii2/api/collections/{LISTINGS_COLLECTION_ID}/"
            yield Collection(address, auth=BearerAuth(key)), details
    finally:
        copy.unlink(missing_ok=True)


# -- medallion -----------------------------------------------------------------------------------
def medallion_data(
    base: str, objects: list[dict[str, Any]], manifest: list[dict[str, Any]]
) -> dict[str, Any]:
    """Medallion's memory-backend file: one API root holding the collection, its objects and
    their manifest entries (where medallion keeps each object's ``date_added``)."""
    root = f"{base}/{MEDALLION_ROOT}/"
    return {
        "/discovery": {"title": "medallion (benchmark peer)", "default": root, "api_roots": [root]},
        MEDALLION_ROOT: {
            "information": {
                "title": "benchmark",
                "versions": [TAXII_MEDIA_TYPE],
                "max_content_length": 10 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                {
                    "id": LISTINGS_COLLECTION_ID,
                    "title": "listings",
                    "can_read": True,
                    "can_write": False,
                    "media_types": [STIX_MEDIA_TYPE],
                    "objects": objects,
                    "manifest": manifest,
                }
            ],
        },
    }


@contextmanager
def medallion_collection(
    objects: list[dict[str, Any]], manifest: list[dict[str, Any]], work: Path
) -> Iterator[Collection]:
    """``medallion --host 127.0.0.1 --port P conf.json``, the way its README starts it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder = work / f"medallion-{len(objects)}"
    folder.mkdir()
    data = folder / "data.json"
    data.write_text(json.dumps(medallion_data(base, objects, manifest)), encoding="utf-8")
    config = folder / "config.json"
    config.write_text(json.dumps(medallion_config(data)), encoding="utf-8")
    log = folder / "medallion.log"
    command = [str(MEDALLION), "--host", "127.0.0.1", "--port", str(port), str(config)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=output)
    try:
        _wait_for_medallion(process, base, log)
        address = f"{base}/{MEDALLION_ROOT}/collections/{LISTINGS_COLLECTION_ID}/"
        user, password = MEDALLION_USER
        yield Collection(address, user=user, password=password)
    finally:
        stop_process(process)


def medallion_config(data: Path) -> dict[str, Any]:
    user, password = MEDALLION_USER
    return {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data),
            "session_timeout": MEDALLION_SESSION_S,
        },
        "users": {user: password},
        "taxii": {"max_page_size": PAGE},
    }


def _wait_for_medallion(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    user, password = MEDALLION_USER
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(
        f"{base}/taxii2/",
        headers={"Authorization": f"Basic {token}", "Accept": TAXII_MEDIA_TYPE},
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"medallion exited: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"medallion did not answer within {START_TIMEOUT_S:.0f} s")


# -- one size ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Served:
    """The reads of one server at one size."""

    objects: int
    reads: list[Read]

    @property
    def seconds(self) -> float:
        return median([read.seconds for read in self.reads])

    @property
    def per_second(self) -> float:
        return self.objects / self.seconds

    @property
    def per_object_us(self) -> float:
        return self.seconds / self.objects * 1e6

    def summary(self) -> dict[str, Any]:
        return {
            "objects": self.objects,
            "median_s": self.seconds,
            "objects_per_s": self.per_second,
            "per_object_us": self.per_object_us,
            "runs": [asdict(read) for read in self.reads],
        }


@dataclass(frozen=True, slots=True)
class Size:
    objects: int
    ours: Served
    medallion: Served | None
    node: dict[str, Any]

    @property
    def ratio(self) -> float | None:
        return self.medallion.seconds / self.ours.seconds if self.medallion else None


def side_by_side(count: int, runs: int, work: Path) -> Size:
    """Ours, then medallion holding the objects exported from ours."""
    print(f"\n{count:,} objects: ours and medallion", flush=True)
    with our_collection(count, work) as (collection, node):
        objects, manifest = export(collection)
        ours = Served(count, timed_reads(collection, count, runs, "ours"))
    if len(objects) != count or len(manifest) != count:
        raise RuntimeError(f"exported {len(objects):,} objects and {len(manifest):,} entries")
    with medallion_collection(objects, manifest, work) as peer:
        theirs = Served(count, timed_reads(peer, count, runs, "medallion"))
    return Size(count, ours, theirs, node)


def ours_alone(count: int, runs: int, work: Path) -> Size:
    print(f"\n{count:,} objects: ours alone", flush=True)
    # No warm-up read: copying the node has just put its file in the page cache.
    with our_collection(count, work) as (collection, node):
        ours = Served(count, timed_reads(collection, count, runs, "ours"))
    return Size(count, ours, None, node)


# -- the run -------------------------------------------------------------------------------------
def counts(text: str) -> list[int]:
    """``1000,2000,4000`` to a list; an empty string to none."""
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of sizes"
        ) from None
    if any(value < 1 for value in values):
        raise argparse.ArgumentTypeError("sizes must be positive")
    return values


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.taxii_serving", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "--sizes", type=counts, default=[1000, 2000, 4000], help="read from ours and medallion"
    )
    parser.add_argument(
        "--large", type=counts, default=[100_000, 1_000_000], help="read from ours alone"
    )
    parser.add_argument("--runs", type=int, default=3, help="full reads per server and size")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not args.sizes and not args.large:
        parser.error("nothing to measure: give --sizes or --large")
    args.source_fingerprint = source_fingerprint("scamintel")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = machine()
    sizes: list[Size] = []
    with tempfile.TemporaryDirectory(prefix="scamintel-bench-") as folder:
        work = Path(folder)
        sizes += [side_by_side(count, args.runs, work) for count in args.sizes]
        sizes += [ours_alone(count, args.runs, work) for count in args.large]
    report(args, sizes, started)
    return 0


def report(args: argparse.Namespace, sizes: Sequence[Size], started: dict[str, Any]) -> None:
    load = started["load_average_at_start"][0]
    print(
        f"\nFull read of the listings collection with taxii2-client, {PAGE:,} objects a page, "
        f"median of {args.runs} run(s), {started['cpus']} CPUs (load {load:.1f} at the start)"
    )
    rows: list[list[object]] = []
    for size in sizes:
        for name, served in (("ours", size.ours), ("medallion", size.medallion)):
            if served is None:
                continue
            ratio = size.ratio if name == "ours" and size.ratio is not None else None
            rows.append(
                [
                    f"{size.objects:,}",
                    name,
                    f"{served.seconds:.3f}",
                    f"{served.per_second:,.0f}",
                    f"{served.per_object_us:,.1f}",
                    "" if ratio is None else f"{ratio:,.0f}x",
                ]
            )
    print_table(["objects", "server", "median s", "objects/s", "µs/object", "medallion/ours"], rows)
    verdicts = goals(sizes)
    for line in verdicts["lines"]:
        print(line)
    written = write_result(
        "taxii_serving",
        {
            "benchmark": "taxii_serving",
            "page_size": PAGE,
            "runs": args.runs,
            "sizes": [
                {
                    "objects": size.objects,
                    "ours": size.ours.summary(),
                    "medallion": size.medallion.summary() if size.medallion else None,
                    "medallion_over_ours": size.ratio,
                    "node": size.node,
                }
                for size in sizes
            ],
            "goals": {"ratio": GOAL_RATIO, "flat_tolerance": FLAT_TOLERANCE},
            "verdicts": {key: value for key, value in verdicts.items() if key != "lines"},
            "medallion_session_timeout_s": MEDALLION_SESSION_S,
            "versions": {
                name: importlib.metadata.version(name) for name in ("medallion", "taxii2-client")
            },
            "machine": started,
            "source_fingerprint": args.source_fingerprint,
        },
    )
    print(f"\nresult: {written}")


def goals(sizes: Sequence[Size]) -> dict[str, Any]:
    """The ratio at the largest size read from both, and per-object growth of ours."""
    found: dict[str, Any] = {"lines": []}
    both = [size for size in sizes if size.ratio is not None]
    if both:
        largest = max(both, key=lambda size: size.objects)
        ratio = largest.ratio or 0.0
        found["ratio_at"] = largest.objects
        found["ratio_met"] = ratio >= GOAL_RATIO
        found["lines"].append(
            f"medallion/ours at {largest.objects:,} objects: {ratio:,.0f}x "
            f"(goal >= {GOAL_RATIO:.0f}x: {'met' if found['ratio_met'] else 'not met'})"
        )
    if len(sizes) > 1:
        smallest = min(sizes, key=lambda size: size.objects)
        biggest = max(sizes, key=lambda size: size.objects)
        growth = biggest.ours.per_object_us / smallest.ours.per_object_us
        found["per_object_growth"] = growth
        found["flat_met"] = growth <= FLAT_TOLERANCE
        found["lines"].append(
            f"ours per object at {biggest.objects:,} / at {smallest.objects:,}: {growth:.2f} "
            f"(flat within {FLAT_TOLERANCE}x: {'met' if found['flat_met'] else 'not met'})"
        )
    return found


if __name__ == "__main__":
    sys.exit(main())
