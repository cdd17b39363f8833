"""`scamintel ingest` as an operator runs it: summaries, rejects, and crash safety."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select

from helpers import scamintel_command, settings_environment
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import reports


def report_line(number: int) -> str:
    # Distinct valid Thai mobile numbers: 081 000 0000 + number.
    phone = f"081{number:07d}"
    return json.dumps(
        {
            "external_id": f"row-{number}",
            "scam_type": "job_task",
            "channel": "line",
            "victim_country": "TH",
            "narrative": f"Task scam, paid deposit to {phone}",
            "indicators": [{"type": "phone", "value": phone}],
        }
    )


def write_reports(path: Path, count: int) -> Path:
    path.write_text("\n".join(report_line(n) for n in range(count)) + "\n", encoding="utf-8")
    return path


def run_cli(settings: Settings, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        scamintel_command(*arguments),
        env=settings_environment(settings),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stored_reports(node_database: NodeDatabase) -> int:
    with node_database.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(reports)) or 0)


def test_ingest_reports_new_duplicate_and_rejected_rows(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    source = tmp_path / "mixed.jsonl"
    lines = [
        report_line(1),
        report_line(2),
        report_line(1),
        '{"scam_type": "job_task", "narrative": "x", "colour": "red"}',
        "{not json",
        json.dumps({"indicators": [{"type": "phone", "value": "12"}]}),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli(settings, "ingest", str(source), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary | {"rejects_file": None} == {
        "rows": 6,
        "new": 2,
        "duplicates": 1,
        "rejected": 3,
        "rejects_file": None,
    }
    rejects = [json.loads(line) for line in Path(summary["rejects_file"]).read_text().splitlines()]
    assert [item["line"] for item in rejects] == [4, 5, 6]
    assert rejects[0]["reason"].startswith("colour: unknown field; remove it")
    assert rejects[1]["reason"].startswith("not valid JSON")
    assert "indicators[0] '12'" in rejects[2]["reason"]
    assert stored_reports(node_database) == 2


def test_csv_with_invalid_utf8_rejects_that_row_and_keeps_the_others(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    source = tmp_path / "reports.csv"
    source.write_bytes(
        b"external_id,scam_type,channel,indicators,narrative\n"
        b"c-1,investment,line,phone=081-111-2222|url=hxxps://invest-th[.]com,Lost money\n"
        b"c-2,investment,line,phone=081-111-3333,Bad byte \xff here\n"
        b"c-3,loan,sms,0811114444,Loan app\n"
    )
    result = run_cli(settings, "ingest", str(source), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["new"], summary["rejected"]) == (2, 1)
    rejected = json.loads(Path(summary["rejects_file"]).read_text().splitlines()[0])
    assert rejected["line"] == 3
    assert rejected["reason"] == "the row is not valid UTF-8"


def test_ingest_of_a_missing_file_says_so_and_exits_2(settings: Settings, tmp_path: Path) -> None:
    result = run_cli(settings, "ingest", str(tmp_path / "nope.jsonl"), cwd=tmp_path)
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_an_ingest_killed_midway_and_rerun_stores_every_row_exactly_once(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    total = 6_000
    source = write_reports(tmp_path / "large.jsonl", total)
    process = subprocess.Popen(
        scamintel_command("ingest", str(source), "--json"),
        env=settings_environment(settings),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while stored_reports(node_database) < total // 5 and time.monotonic() < deadline:
        assert process.poll() is None, "ingest finished before it could be interrupted"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    interrupted_at = stored_reports(node_database)
    assert 0 < interrupted_at < total

    rerun = run_cli(settings, "ingest", str(source), "--json", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["new"] + summary["duplicates"] == total
    assert summary["duplicates"] == interrupted_at
    with node_database.engine.connect() as connection:
        keys = list(connection.scalars(select(reports.c.idempotency_key)))
    assert len(keys) == total
    assert set(keys) == {f"ingest:row-{n}" for n in range(total)}
