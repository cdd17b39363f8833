"""Writes the demonstration data set: the reports to ingest and the truth to score against."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from scamintel.demo.generator import generate_reports


@dataclass(frozen=True, slots=True)
class DemoDataset:
    reports_path: Path
    truth_path: Path
    count: int


def write_demo_dataset(directory: Path, count: int = 5000, seed: int = 7) -> DemoDataset:
    """Write ``reports.jsonl`` (the ingest format) and ``truth.csv`` (report -> operation).

    Rows are streamed, so a million reports never sit in memory. Both files are written under
    temporary names and moved into place at the end, so an interrupted run never leaves a
    truncated data set that looks complete.
    """
    directory.mkdir(parents=True, exist_ok=True)
    reports_path = directory / "reports.jsonl"
    truth_path = directory / "truth.csv"
    reports_tmp = directory / "reports.jsonl.tmp"
    truth_tmp = directory / "truth.csv.tmp"
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    written = 0
    with (
        reports_tmp.open("w", encoding="utf-8", newline="\n") as reports,
        truth_tmp.open("w", encoding="utf-8", newline="\n") as truth,
    ):
        truth.write("external_id,operation_id\n")
        for row in generate_reports(count, seed):
            operation = row.pop("_operation")
            for key in [key for key in row if key[0] == "_"]:
                del row[key]
            reports.write(encode(row))
            reports.write("\n")
            # Both ids are [a-z0-9-] by construction, so no CSV quoting is ever needed.
            truth.write(f"{row['external_id']},{operation}\n")
            written += 1
    os.replace(reports_tmp, reports_path)
    os.replace(truth_tmp, truth_path)
    return DemoDataset(reports_path=reports_path, truth_path=truth_path, count=written)
