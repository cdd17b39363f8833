"""Every benchmark with its default sizes, one after the other (``make bench``).

.venv/bin/python -m bench.run_all          # the sizes quoted in docs/benchmarks.md (long)
.venv/bin/python -m bench.run_all --quick  # small sizes, to try a change in minutes
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence

from bench.common import REPO_ROOT

BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    # name: (default arguments, --quick arguments)
    "bench.ingest": ([], ["--count", "20000"]),
    "bench.check_load": ([], ["--indicators", "100000", "--duration", "5"]),
    "bench.protection": ([], ["--count", "100000", "--duration", "5"]),
    "bench.load_mix": ([], ["--indicators", "100000", "--duration", "5", "--runs", "1"]),
    "bench.verdict_engine": ([], ["--indicators", "100000", "--repeat", "3"]),
    "bench.extraction": ([], ["--repeat", "1"]),
    "bench.classifier_cv": ([], ["--runs", "1"]),
    "bench.taxii_serving": ([], ["--sizes", "1000,2000", "--large", "100000", "--runs", "1"]),
    "bench.federation_sync": ([], ["--count", "20000", "--runs", "1"]),
    "bench.clustering": ([], ["--count", "20000", "--demo-count", "2000", "--incremental", "3"]),
    "bench.pages": ([], ["--count", "1000", "--requests", "100"]),
    "bench.governance": (
        [],
        ["--entries", "20000", "--reports", "10000", "--appends", "2000", "--repeat", "1"],
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--quick", action="store_true", help="small sizes instead of defaults")
    args = parser.parse_args(argv)
    failures: list[str] = []
    for module, (default, quick) in BENCHMARKS.items():
        command = [sys.executable, "-m", module, *(quick if args.quick else default)]
        print(f"\n=== {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        finished = subprocess.run(command, cwd=REPO_ROOT, check=False)
        print(
            f"=== {module}: exit {finished.returncode} after {time.perf_counter() - started:.0f} s"
        )
        if finished.returncode != 0:
            failures.append(module)
    if failures:
        print(f"failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
