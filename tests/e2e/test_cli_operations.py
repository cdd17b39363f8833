"""``scamintel operation list|show|dossier`` run as processes against each backend."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from helpers import run_scamintel
from operation_rows import ReportRow, add_report, new_operation
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.operation_summaries_repo import refresh_summaries
from scamintel.storage.store import read_audit_entries

NARRATIVE = "They asked me to pay a 'tax' <before> the withdrawal."


def seed(database: NodeDatabase) -> tuple[int, int, int, list[str]]:
    ids: list[str] = []
    with database.engine.begin() as connection:
        big = new_operation(connection)
        small = new_operation(connection)
        merged = new_operation(connection, merged_into=big)
        hotline = ("phone", "+66812345678", "TH")
        for days, country in ((0, "TH"), (20, "LA"), (45, "TH")):
            report_id = add_report(
                connection,
                big,
                ReportRow(
                    scam_type="job_task",
                    victim_country=country,
                    amount="1000",
                    currency="USD",
                    days=days,
                    narrative=NARRATIVE,
                    values=[hotline],
                ),
            )
            ids.append(str(report_id))
        add_report(connection, small, ReportRow(days=60, values=[("phone", "+66899999999", "TH")]))
        refresh_summaries(connection, [big, small, merged], datetime.now(UTC))
    return big, small, merged, sorted(ids)


def test_list_show_and_dossier(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    big, small, merged, narrated = seed(node_database)

    listed = run_scamintel(settings, tmp_path, "operation", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.decode().splitlines()]
    assert [row["id"] for row in rows] == [big, small]
    assert rows[0]["title"] == "job_task · 3 reports · LA, TH"
    assert rows[0]["total_loss_usd"] == "3000.00"

    table = run_scamintel(settings, tmp_path, "operation", "list", "--top", "1", "--country", "la")
    assert table.returncode == 0
    assert "job_task" in table.stdout.decode()
    assert "investment" not in table.stdout.decode()  # the small operation is not listed
    latest = run_scamintel(settings, tmp_path, "operation", "list", "--sort", "last_seen", "--json")
    assert latest.returncode == 0, latest.stderr
    assert [json.loads(line)["id"] for line in latest.stdout.decode().splitlines()] == [small, big]
    bad_sort = run_scamintel(settings, tmp_path, "operation", "list", "--sort", "recency")
    assert bad_sort.returncode == 2
    assert "use harm or last_seen" in bad_sort.stderr.decode()

    shown = run_scamintel(settings, tmp_path, "operation", "show", str(big), "--json")
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["indicators"] == [
        {"type": "phone", "value": "+66812345678", "country": "TH", "report_count": 3}
    ]
    phones = run_scamintel(
        settings, tmp_path, "operation", "show", str(big), "--type", "PHONE", "--indicators", "1",
        "--json",
    )  # fmt: skip
    assert [i["value"] for i in json.loads(phones.stdout)["indicators"]] == ["+66812345678"]
    accounts = run_scamintel(
        settings, tmp_path, "operation", "show", str(big), "--type", "bank_account", "--json"
    )
    assert json.loads(accounts.stdout)["indicators"] == []
    bad_type = run_scamintel(settings, tmp_path, "operation", "show", str(big), "--type", "iban")
    assert bad_type.returncode == 2
    assert "'iban' is not an indicator type" in bad_type.stderr.decode()
    moved = run_scamintel(settings, tmp_path, "operation", "show", str(merged))
    assert moved.returncode == 2
    assert f"merged into {big}" in moved.stderr.decode()

    target = tmp_path / "dossier.html"
    written = run_scamintel(
        settings,
        tmp_path,
        "operation",
        "dossier",
        str(big),
        "--format",
        "html",
        "--out",
        str(target),
    )
    assert written.returncode == 0, written.stderr
    html = target.read_text(encoding="utf-8")
    assert "pay a &#39;tax&#39; &lt;before&gt;" in html
    assert "+66812345678" in html
    with node_database.engine.connect() as connection:
        exports = [
            entry.event
            for entry in read_audit_entries(connection)
            if entry.event.action == "operation.dossier_export"
        ]
    assert len(exports) == 1
    assert exports[0].actor.startswith("cli")
    assert exports[0].details == {
        "format": "html",
        "reports": 3,
        "narratives": 3,
        "narrative_report_ids": narrated,
    }

    # The operator reads the export back from the log.
    logged = run_scamintel(
        settings, tmp_path, "audit", "list", "--action", "operation.dossier", "--json"
    )
    assert logged.returncode == 0, logged.stderr
    lines = [json.loads(line) for line in logged.stdout.decode().splitlines()]
    assert [(e["action"], e["object_id"], e["details"]["format"]) for e in lines] == [
        ("operation.dossier_export", str(big), "html")
    ]
    as_text = run_scamintel(settings, tmp_path, "audit", "list", "--object-type", "operation")
    assert f"operation.dossier_export operation:{big}" in as_text.stdout.decode()
    wrong = run_scamintel(
        settings, tmp_path, "operation", "dossier", str(big), "--format", "pdf", "--out", "x"
    )
    assert wrong.returncode == 2
    assert "use one of stix, json, html" in wrong.stderr.decode()
    refreshed = run_scamintel(settings, tmp_path, "operation", "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "Refreshed the summaries of 2 operations." in refreshed.stdout.decode()
    unknown = run_scamintel(settings, tmp_path, "operation", "show", "424242")
    assert unknown.returncode == 2
    assert "no scam operation 424242" in unknown.stderr.decode()


def test_an_operation_not_summarised_yet_is_shown_and_exported(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    with node_database.engine.begin() as connection:
        fresh = new_operation(connection)
        add_report(connection, fresh, ReportRow(values=[("phone", "+66812345678", "TH")]))
    shown = run_scamintel(settings, tmp_path, "operation", "show", str(fresh), "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["summary"]["title"] == "investment · 1 report · TH"
    target = tmp_path / "fresh.json"
    written = run_scamintel(
        settings,
        tmp_path,
        "operation",
        "dossier",
        str(fresh),
        "--format",
        "json",
        "--out",
        str(target),
    )
    assert written.returncode == 0, written.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["report_count"] == 1
