"""Due process and listing upkeep at the node's console: `scamintel dispute`, `scamintel
outcome` and `scamintel listings refresh`, run as processes against the real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from sqlalchemy import select, update

from helpers import run_scamintel
from scamintel.indicators import Indicator, IndicatorType
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import listings, reports

NUMBER = Indicator(IndicatorType.PHONE, "+66812345678", "TH")


def store_agency_report(node_database: NodeDatabase, received_at: datetime) -> None:
    report = NewReport(
        id=uuid4(),
        source=ReportSource.API,
        scam_type=ScamType.OFFICIALS_IMPERSONATED,
        channel=Channel.CALL,
        received_at=received_at,
        indicators=(ReportedIndicator(NUMBER, "0812345678", "given"),),
        trust="verified_agency",
        source_key="org:1",
    )
    with node_database.transaction() as store:
        store.add_reports([report])
        store.refresh_listings(store.touched_indicator_ids)


def check_json(settings: Settings, tmp_path: Path) -> dict[str, object]:
    done = run_scamintel(settings, tmp_path, "check", "0812345678", "--json")
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_dispute_opened_and_upheld_at_the_console_clears_the_verdict(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    store_agency_report(node_database, datetime.now(UTC))
    opened = run_scamintel(
        settings,
        tmp_path,
        "dispute",
        "open",
        "081-234-5678",
        "--claim",
        "The holder phoned: the number is his pharmacy's since June.",
        "--contact-phone",
        "+66 89 999 9999",
        "--json",
    )
    assert opened.returncode == 0, opened.stderr
    dispute = json.loads(opened.stdout)
    assert (dispute["status"], dispute["created"]) == ("pending", True)

    listed = run_scamintel(settings, tmp_path, "dispute", "list", "--json")
    assert [d["id"] for d in json.loads(listed.stdout)] == [dispute["id"]]
    without_purpose = run_scamintel(settings, tmp_path, "dispute", "show", dispute["id"], "--json")
    assert json.loads(without_purpose.stdout)["contact"] is None
    shown = run_scamintel(
        settings, tmp_path, "dispute", "show", dispute["id"], "--purpose", "call back", "--json"
    )
    assert json.loads(shown.stdout)["contact"] == {"phone": "+66 89 999 9999"}

    decided = run_scamintel(
        settings,
        tmp_path,
        "dispute",
        "decide",
        dispute["id"],
        "--decision",
        "upheld",
        "--reason",
        "pharmacy's number since June",
    )
    assert decided.returncode == 0, decided.stderr
    result = check_json(settings, tmp_path)
    assert result["verdict"] == "no_reports"
    assert result["review"]["status"] == "upheld"  # type: ignore[index]

    again = run_scamintel(
        settings,
        tmp_path,
        "dispute",
        "decide",
        dispute["id"],
        "--decision",
        "rejected",
        "--reason",
        "second thoughts",
    )
    assert again.returncode == 2
    assert "already upheld" in again.stderr.decode()


def test_disputing_an_unreported_value_is_refused_with_the_reason(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    done = run_scamintel(
        settings, tmp_path, "dispute", "open", "0899999999", "--claim", "never was a scam"
    )
    assert done.returncode == 2
    assert "no report about +66899999999" in done.stderr.decode()


def test_an_outcome_recorded_at_the_console_moves_the_verdict(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    store_agency_report(node_database, datetime.now(UTC))
    done = run_scamintel(
        settings,
        tmp_path,
        "outcome",
        "0812345678",
        "--outcome",
        "false_positive",
        "--note",
        "police closed the case: spoofed caller ID",
    )
    assert done.returncode == 0, done.stderr
    assert "Verdict now: suspicious" in done.stdout.decode()
    result = check_json(settings, tmp_path)
    assert result["verdict"] == "suspicious"
    assert "false positive" in str(result["explanation"])
    wrong = run_scamintel(settings, tmp_path, "outcome", "0812345678", "--outcome", "jailed")
    assert wrong.returncode == 2
    assert "frozen, blocked, taken_down, false_positive" in wrong.stderr.decode()


def test_listings_refresh_publishes_what_decay_changed(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    store_agency_report(node_database, datetime.now(UTC))
    with node_database.engine.begin() as connection:
        assert connection.execute(select(listings.c.verdict)).scalar_one() == "scam"
        # The report is a year older than when it was published.
        a_year_ago = datetime.now(UTC) - timedelta(days=365)
        connection.execute(update(reports).values(seen_at=a_year_ago, received_at=a_year_ago))
    done = run_scamintel(settings, tmp_path, "listings", "refresh", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"values": 1, "changed": 1}
    with node_database.engine.connect() as connection:
        row = connection.execute(select(listings.c.verdict, listings.c.score)).one()
    assert row.verdict == "suspicious"
    assert float(row.score) < 0.2
    unchanged = run_scamintel(settings, tmp_path, "listings", "refresh", "--json")
    assert json.loads(unchanged.stdout) == {"values": 1, "changed": 0}


def test_a_burst_is_listed_and_closed_at_the_console(
    settings: Settings, node_database: NodeDatabase, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    burst = [
        NewReport(
            id=uuid4(),
            source=ReportSource.API,
            scam_type=ScamType.OTHER,
            channel=Channel.SMS,
            received_at=now,
            indicators=(ReportedIndicator(NUMBER, "0812345678", "given"),),
            source_key="net:one-sender",
        )
        for _ in range(3)
    ]
    with node_database.transaction() as store:
        store.add_reports(burst)
        store.refresh_listings(store.touched_indicator_ids)
    listed = run_scamintel(settings, tmp_path, "review", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)
    assert [(i["value"], i["report_count"]) for i in items] == [("+66812345678", 3)]
    closed = run_scamintel(
        settings, tmp_path, "review", "close", str(items[0]["id"]), "--note", "one victim, retries"
    )
    assert closed.returncode == 0, closed.stderr
    assert json.loads(run_scamintel(settings, tmp_path, "review", "list", "--json").stdout) == []
    again = run_scamintel(
        settings, tmp_path, "review", "close", str(items[0]["id"]), "--note", "x y"
    )
    assert again.returncode == 2
    assert "no open review item" in again.stderr.decode()
