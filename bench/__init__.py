"""Benchmarks of a scamintel node. Each prints its figure beside a reference measured in the
same run and writes a JSON result to ``bench/results/``; see ``docs/benchmarks.md``."""
