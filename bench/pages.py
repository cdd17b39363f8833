"""Public pages: server time of each page and the bytes a phone downloads on a first visit.

A real server (``scamintel serve``, one worker) runs on a node holding the demonstration data
set (``scamintel demo``, 5,000 reports by default). One client asks for each public page in
turn over loopback, with keep-alive, and times every answer; in the same rounds it asks for
the JSON the page is built on: ``GET /api/v1/check`` of the same value (``POST
/api/v1/classify`` for a pasted message), the raw ceiling of the page, and ``GET /healthz``,
the cost of the HTTP stack alone. Then Debian's Chromium opens each page once with an empty
cache and adds up what crossed the network (the HTML and every CSS, script, image and font it
loaded), as the browser counts it.

    .venv/bin/python -m bench.pages
    .venv/bin/python -m bench.pages --count 1000 --requests 100
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx
from playwright.sync_api import Request, ViewportSize
from tests.browser.node import CHROMIUM, CHROMIUM_ARGS

from bench.common import (
    BENCH_SECRET_KEY,
    DEMO_SEED,
    REPO_ROOT,
    machine,
    print_table,
    source_fingerprint,
    stop_process,
    write_result,
)
from scamintel.indicators import IndicatorType
from scamintel.storage.database import make_engine
from scamintel.storage.store import most_reported_indicators

GOAL_P95_MS = 50.0
GOAL_FIRST_LOAD_KB = 300.0
NODE_COUNTRY = "TH"
SCAMINTEL = REPO_ROOT / ".venv" / "bin" / "scamintel"
PHONE: ViewportSize = {"width": 390, "height": 844}
START_TIMEOUT_S = 120.0
WARM_UP = 20
# Written for this benchmark: a parcel-fee SMS with the red flags the message check marks.
SCAM_MESSAGE = (
    "URGENT: Your parcel is held at customs. Pay the 150 THB fee within 24 hours at "
    "https://thaipost-fee.top/pay or it will be returned."
)
UNKNOWN_NUMBER = "+66925550199"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One page, or the JSON it stands on (``reference_of`` names the page)."""

    name: str
    method: str
    path: str
    json_body: dict[str, str] | None = None
    reference_of: str | None = None


@dataclass(frozen=True, slots=True)
class Timing:
    requests: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    body_bytes: int


@dataclass(frozen=True, slots=True)
class FirstLoad:
    requests: int
    transferred_bytes: int
    by_type: dict[str, int]


def endpoints(listed: str) -> list[Endpoint]:
    def check_page(query: str) -> str:
        return "/check?" + urlencode({"q": query})

    def check_api(query: str) -> str:
        return "/api/v1/check?" + urlencode({"q": query})

    return [
        Endpoint("home", "GET", "/"),
        Endpoint("check: listed number", "GET", check_page(listed)),
        Endpoint("  api check", "GET", check_api(listed), reference_of="check: listed number"),
        Endpoint("check: listed, Thai", "GET", check_page(listed) + "&lang=th"),
        Endpoint("check: unknown number", "GET", check_page(UNKNOWN_NUMBER)),
        Endpoint(
            "  api check",
            "GET",
            check_api(UNKNOWN_NUMBER),
            reference_of="check: unknown number",
        ),
        Endpoint("check: pasted message", "GET", check_page(SCAM_MESSAGE)),
        Endpoint(
            "  api classify",
            "POST",
            "/api/v1/classify",
            json_body={"text": SCAM_MESSAGE},
            reference_of="check: pasted message",
        ),
        Endpoint("report form", "GET", "/report"),
        Endpoint("alerts", "GET", "/alerts"),
        Endpoint("learn", "GET", "/learn"),
        Endpoint("spot the scam, answered", "GET", "/learn/spot?n=0&answer=scam"),
        Endpoint("dispute form", "GET", "/dispute"),
        Endpoint("healthz", "GET", "/healthz", reference_of="(HTTP stack)"),
    ]


# -- the node ------------------------------------------------------------------------------------
def node_environment(folder: Path) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SCAMINTEL_")
    }
    environment.update(
        SCAMINTEL_HOME=str(folder / "home"),
        SCAMINTEL_DATABASE_URL=f"sqlite:///{folder / 'node.db'}",
        SCAMINTEL_SECRET_KEY=BENCH_SECRET_KEY,
        SCAMINTEL_ENVIRONMENT="production",
        SCAMINTEL_NODE_NAME="bench",
        SCAMINTEL_NODE_COUNTRY=NODE_COUNTRY,
    )
    return environment


def load_demo(folder: Path, count: int) -> str:
    """``scamintel init`` and ``scamintel demo`` (not timed); the most reported phone number."""
    for arguments in (["init"], ["demo", "--count", str(count), "--seed", str(DEMO_SEED)]):
        subprocess.run(
            [str(SCAMINTEL), *arguments],
            env=node_environment(folder),
            cwd=folder,
            check=True,
            capture_output=True,
        )
    engine = make_engine(f"sqlite:///{folder / 'node.db'}")
    with engine.connect() as connection:
        ((value, _reports),) = most_reported_indicators(connection, IndicatorType.PHONE, 1)
    engine.dispose()
    return value


@contextmanager
def running_server(folder: Path, port: int) -> Iterator[str]:
    log = folder / "server.log"
    command = [str(SCAMINTEL), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=node_environment(folder), cwd=folder, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log.read_text(errors='replace')}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        stop_process(process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# -- server time ---------------------------------------------------------------------------------
def ask(client: httpx.Client, endpoint: Endpoint) -> httpx.Response:
    if endpoint.method == "POST":
        return client.post(endpoint.path, json=endpoint.json_body)
    return client.get(endpoint.path)


def time_endpoints(
    base: str, chosen: Sequence[Endpoint], requests: int, rounds: int
) -> list[Timing]:
    """``requests`` timed answers per endpoint, asked in ``rounds`` interleaved rounds so a
    passing disturbance of the machine spreads over every endpoint alike."""
    samples: dict[int, list[float]] = {index: [] for index in range(len(chosen))}
    sizes: dict[int, int] = {}
    per_round = max(1, requests // rounds)
    with httpx.Client(base_url=base, timeout=30) as client:
        for index, endpoint in enumerate(chosen):
            for _ in range(WARM_UP):
                answer = ask(client, endpoint)
                if answer.status_code >= 400:
                    raise RuntimeError(f"{endpoint.path} answered {answer.status_code}")
            sizes[index] = len(answer.content)
        for _ in range(rounds):
            for index, endpoint in enumerate(chosen):
                for _ in range(per_round):
                    started = time.perf_counter()
                    ask(client, endpoint).raise_for_status()
                    samples[index].append((time.perf_counter() - started) * 1000)
    timings = []
    for index in range(len(chosen)):
        values = sorted(samples[index])
        timings.append(
            Timing(
                requests=len(values),
                p50_ms=statistics.median(values),
                p95_ms=values[min(len(values) - 1, round(0.95 * (len(values) - 1)))],
                max_ms=values[-1],
                body_bytes=sizes[index],
            )
        )
    return timings


# -- bytes on a first load -----------------------------------------------------------------------
def collector(into: list[Request]) -> Callable[[Request], None]:
    def keep(request: Request) -> None:
        into.append(request)

    return keep


def first_loads(base: str, pages: Sequence[Endpoint]) -> dict[str, FirstLoad] | None:
    """What Chromium downloads to show each page with an empty cache (a new context each),
    as the transfer sizes of its network events: headers and encoded bodies."""
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium): first-load sizes skipped")
        return None
    from playwright.sync_api import sync_playwright

    loads: dict[str, FirstLoad] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
        )
        for endpoint in pages:
            context = browser.new_context(viewport=PHONE, base_url=base)
            page = context.new_page()
            finished: list[Request] = []
            page.on("requestfinished", collector(finished))
            page.goto(endpoint.path, wait_until="load")
            page.evaluate("async () => { await document.fonts.ready; }")
            by_type: dict[str, int] = {}
            for request in finished:
                sizes = request.sizes()
                size = sizes["responseHeadersSize"] + sizes["responseBodySize"]
                by_type[request.resource_type] = by_type.get(request.resource_type, 0) + size
            loads[endpoint.name] = FirstLoad(len(finished), sum(by_type.values()), by_type)
            context.close()
        browser.close()
    return loads


# -- the run -------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--count", type=int, default=5000, help="demonstration reports")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scamintel-bench-pages-") as folder:
        work = Path(folder)
        print(f"loading {args.count:,} demonstration reports (not timed) ...")
        started = time.perf_counter()
        listed = load_demo(work, args.count)
        print(f"  loaded in {time.perf_counter() - started:.0f} s; listed number {listed}")
        chosen = endpoints(listed)
        with running_server(work, free_port()) as base:
            timings = time_endpoints(base, chosen, args.requests, args.rounds)
            loads = first_loads(base, [item for item in chosen if item.reference_of is None])
    report(args, chosen, timings, loads)
    return 0


def report(
    args: argparse.Namespace,
    chosen: Sequence[Endpoint],
    timings: Sequence[Timing],
    loads: dict[str, FirstLoad] | None,
) -> None:
    print()
    print(
        f"Public pages on a {args.count:,}-report node (SQLite, one server worker), "
        f"{args.requests} sequential requests each over loopback"
    )
    print(
        f"goals: page p95 < {GOAL_P95_MS:.0f} ms; first load < {GOAL_FIRST_LOAD_KB:.0f} KB "
        "transferred"
    )
    rows = []
    for index, endpoint in enumerate(chosen):
        timing = timings[index]
        load = loads.get(endpoint.name) if loads else None
        rows.append(
            [
                endpoint.name,
                f"{timing.p50_ms:.1f}",
                f"{timing.p95_ms:.1f}",
                f"{timing.max_ms:.0f}",
                f"{timing.body_bytes / 1024:.1f}",
                f"{load.transferred_bytes / 1024:.1f}" if load else "",
                str(load.requests) if load else "",
            ]
        )
    print_table(
        ["endpoint", "p50 ms", "p95 ms", "max ms", "body KB", "first load KB", "files"], rows
    )
    pages = [
        (endpoint, timings[index])
        for index, endpoint in enumerate(chosen)
        if endpoint.reference_of is None
    ]
    slowest = max(timing.p95_ms for _endpoint, timing in pages)
    heaviest = max((load.transferred_bytes for load in loads.values()), default=0) if loads else 0
    print(
        f"slowest page p95 {slowest:.1f} ms (goal < {GOAL_P95_MS:.0f} ms: "
        f"{'met' if slowest < GOAL_P95_MS else 'not met'})"
    )
    if loads:
        print(
            f"heaviest first load {heaviest / 1024:.1f} KB (goal < {GOAL_FIRST_LOAD_KB:.0f} KB: "
            f"{'met' if heaviest / 1024 < GOAL_FIRST_LOAD_KB else 'not met'})"
        )
    written = write_result(
        "pages",
        {
            "benchmark": "pages",
            "demo_reports": args.count,
            "requests_per_endpoint": args.requests,
            "rounds": args.rounds,
            "goals": {"p95_ms": GOAL_P95_MS, "first_load_kb": GOAL_FIRST_LOAD_KB},
            "endpoints": [
                {
                    **asdict(endpoint),
                    **asdict(timings[index]),
                    "first_load": asdict(loads[endpoint.name])
                    if loads and endpoint.name in loads
                    else None,
                }
                for index, endpoint in enumerate(chosen)
            ],
            "machine": machine(),
            "source": source_fingerprint("scamintel"),
        },
    )
    print(f"results: {written.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
