"""`scamintel ingest` SIGKILLed at random points and run again holds exactly what one clean
ingest of the same file into a fresh database holds: the same reports, indicators and links,
nothing doubled, nothing lost."""

from __future__ import annotations

import json
import random
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from helpers import run_scamintel, scamintel_command, settings_environment
from scamintel.settings import Settings
from scamintel.storage.database import make_engine
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import indicators, report_indicators, reports

ROWS = 3_000
# Fewer values than rows: values shared by several reports show a doubled or lost link.
SHARED_VALUES = 1_000


def write_file(path: Path) -> Path:
    lines = []
    for number in range(ROWS):
        phone = f"089{number % SHARED_VALUES:07d}"
        lines.append(
            json.dumps(
                {
                    "external_id": f"case-{number}",
                    "scam_type": "fake_seller",
                    "channel": "facebook",
                    "victim_country": "TH",
                    "narrative": f"Paid for a phone that never came; seller {phone}",
                    "indicators": [
                        {"type": "phone", "value": phone},
                        {"type": "url", "value": f"https://shop-{number % 97}.th-deals.top/pay"},
                    ],
                }
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def count_reports(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(reports)) or 0)


def holdings(engine: Engine) -> tuple[list[str], list[tuple[str, str]], dict[str, int]]:
    """Report keys (each once or it shows twice), indicators, and reports per value."""
    with engine.connect() as connection:
        keys = sorted(connection.scalars(select(reports.c.idempotency_key)))
        values = sorted(
            (row.type, row.value)
            for row in connection.execute(select(indicators.c.type, indicators.c.value))
        )
        per_value = dict(
            connection.execute(
                select(indicators.c.value, func.count())
                .join(report_indicators, report_indicators.c.indicator_id == indicators.c.id)
                .group_by(indicators.c.value)
            ).all()
        )
    return keys, values, per_value


def kill_when_stored(settings: Settings, engine: Engine, source: Path, at_least: int) -> int:
    """Start the ingest, SIGKILL it once ``at_least`` reports are stored; how many were."""
    process = subprocess.Popen(
        scamintel_command("ingest", str(source), "--json"),
        env=settings_environment(settings),
        cwd=source.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while count_reports(engine) < at_least and time.monotonic() < deadline:
        assert process.poll() is None, "the ingest finished before it could be killed"
        time.sleep(0.01)
    process.kill()
    process.wait(timeout=30)
    return count_reports(engine)


@pytest.mark.slow
def test_an_ingest_killed_twice_and_rerun_equals_one_clean_ingest(
    settings: Settings,
    node_database: NodeDatabase,
    second_database_url: str,
    tmp_path: Path,
) -> None:
    source = write_file(tmp_path / "cases.jsonl")
    chance = random.Random(20)
    # Two kill points, in order, somewhere in the first and the second half of the file.
    points = [chance.randint(ROWS // 10, ROWS // 2), chance.randint(ROWS // 2 + 1, ROWS * 9 // 10)]
    stored_at_kill = [
        kill_when_stored(settings, node_database.engine, source, point) for point in points
    ]
    assert stored_at_kill[0] < stored_at_kill[1] < ROWS, stored_at_kill

    rerun = run_scamintel(settings, tmp_path, "ingest", str(source), "--json")
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert (summary["new"], summary["duplicates"], summary["rejected"]) == (
        ROWS - stored_at_kill[1],
        stored_at_kill[1],
        0,
    )

    clean_settings = settings.model_copy(update={"database_url": second_database_url})
    clean = run_scamintel(clean_settings, tmp_path, "ingest", str(source), "--json")
    assert clean.returncode == 0, clean.stderr
    clean_engine = make_engine(second_database_url)
    try:
        expected = holdings(clean_engine)
    finally:
        clean_engine.dispose()
    interrupted = holdings(node_database.engine)
    assert len(expected[0]) == len(set(expected[0])) == ROWS
    assert interrupted == expected
    print(
        f"{ROWS} rows, killed at {stored_at_kill} stored, rerun added "
        f"{summary['new']}; {len(expected[1])} indicators; 0 lost, 0 doubled"
    )
