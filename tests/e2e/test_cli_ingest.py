"""`scamintel ingest` as an operator runs it: summaries, rejects, crash safety, MISP events
and files sent by an organisation."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import scamintel_command, settings_environment
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import indicators, organisations, report_evidence, reports


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


# --- MISP events and the sending organisation -----------------------------------------------


def misp_event(number: int, attributes: list[dict[str, str]] | None = None) -> dict[str, object]:
    """A scam as a partner's MISP holds it: a mule phone, a bank account, a screenshot."""
    return {
        "Event": {
            "uuid": str(uuid.UUID(int=number)),
            "info": f"Investment scam group {number} on LINE",
            "date": "2025-02-01",
            "Tag": [
                {"name": 'scamintel:scam-type="investment"'},
                {"name": 'scamintel:channel="line"'},
                {"name": 'scamintel:victim-country="TH"'},
            ],
            "Attribute": attributes
            or [
                {"type": "url", "category": "Network activity", "value": "hxxps://th-invest[.]top"},
                {"type": "comment", "category": "Other", "value": "Victims told to top up"},
            ],
            "Object": [
                {
                    "name": "phone-number",
                    "Attribute": [
                        {"object_relation": "phone-number", "value": f"+6681{number:07d}"}
                    ],
                },
                {
                    "name": "bank-account",
                    "Attribute": [
                        {"object_relation": "account", "value": f"{number:010d}"},
                        {"object_relation": "swift", "value": "KASITHBK"},
                    ],
                },
                {
                    "name": "file",
                    "Attribute": [
                        {
                            "object_relation": "sha256",
                            "value": hashlib.sha256(b"%d" % number).hexdigest(),
                        },
                        {"object_relation": "filename", "value": "chat.png"},
                    ],
                },
            ],
        }
    }


def test_a_misp_search_response_becomes_one_report_per_event_and_reimports_store_nothing(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    unreadable = misp_event(3, attributes=[{"type": "phone-number", "value": "12"}])
    source = tmp_path / "partner-events.json"
    source.write_text(
        json.dumps({"response": [misp_event(1), misp_event(2), unreadable]}), encoding="utf-8"
    )
    result = run_cli(settings, "ingest", str(source), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["new"], summary["duplicates"], summary["rejected"]) == (2, 0, 1)
    [rejected] = [
        json.loads(line) for line in Path(summary["rejects_file"]).read_text().splitlines()
    ]
    assert rejected["line"] == 3
    assert "indicators[0] '12'" in rejected["reason"]
    assert json.loads(rejected["row"])["Event"]["uuid"] == str(uuid.UUID(int=3))

    with node_database.engine.connect() as connection:
        stored = connection.execute(
            select(reports.c.idempotency_key, reports.c.scam_type, reports.c.victim_country)
        ).all()
        values = set(connection.scalars(select(indicators.c.value)))
        files = connection.scalar(select(func.count()).select_from(report_evidence))
    assert sorted(stored) == [(f"ingest:{uuid.UUID(int=n)}", "investment", "TH") for n in (1, 2)]
    assert {"+66810000001", "TH:KBANK:0000000001", "https://th-invest.top/"} <= values
    assert files == 2

    again = run_cli(settings, "ingest", str(source), "--format", "misp", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["duplicates"] == 2
    assert stored_reports(node_database) == 2


@pytest.mark.parametrize(
    ("org", "kind_options", "trust"),
    [
        ("Example Bank", ("--kind", "bank"), "bank_telco"),
        ("Royal Thai Police CCIB", ("--kind", "police", "--verified"), "verified_agency"),
        ("Citizen App", ("--kind", "other"), "registered_citizen"),
    ],
)
def test_ingest_with_an_organisation_attributes_every_report_to_it_with_its_trust(
    settings: Settings,
    node_database: NodeDatabase,
    tmp_path: Path,
    org: str,
    kind_options: tuple[str, ...],
    trust: str,
) -> None:
    created = run_cli(
        settings,
        "apikey",
        "create",
        "--org",
        org,
        "--role",
        "reporter",
        *kind_options,
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    source = write_reports(tmp_path / "sent.jsonl", 3)
    result = run_cli(settings, "ingest", str(source), "--org", org, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    anonymous = write_reports(tmp_path / "public.jsonl", 5)
    assert run_cli(settings, "ingest", str(anonymous), cwd=tmp_path).returncode == 0
    with node_database.engine.connect() as connection:
        org_id = connection.scalar(select(organisations.c.id).where(organisations.c.name == org))
        senders = connection.execute(
            select(reports.c.organisation_id, reports.c.trust, reports.c.source_key, func.count())
            .group_by(reports.c.organisation_id, reports.c.trust, reports.c.source_key)
            .order_by(reports.c.organisation_id.is_(None))
        ).all()
    # The public file repeats the organisation's three rows (same external ids): they stay
    # as first stored, the organisation's.
    assert [tuple(row) for row in senders] == [
        (org_id, trust, f"org:{org_id}", 3),
        (None, "anonymous", None, 2),
    ]


def test_ingest_with_an_unknown_organisation_exits_2_and_says_how_to_create_it(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    source = write_reports(tmp_path / "bank.jsonl", 1)
    result = run_cli(settings, "ingest", str(source), "--org", "Nobody Bank", cwd=tmp_path)
    assert result.returncode == 2
    assert "no organisation named 'Nobody Bank'" in result.stderr
    assert "scamintel apikey create --org 'Nobody Bank'" in " ".join(result.stderr.split())
    assert stored_reports(node_database) == 0
