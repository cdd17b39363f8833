"""The verdict policy of docs/verdicts.md as scenarios: reports and events stored in the real
database (SQLite and PostgreSQL), the public check asked, its verdict, confidence and
explanation compared with what the policy promises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import select

from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from scamintel.indicators.lookalike import default_lookalikes
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.engine import EventKind
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.reports.service import check_value
from scamintel.reports.trust import ReporterTrust
from scamintel.reports.verdict import CheckResult
from scamintel.storage.evidence_repo import add_event, indicator_id_of
from scamintel.storage.node import NodeDatabase
from scamintel.storage.tables import review_items

NUMBER = Indicator(IndicatorType.PHONE, "+66812345678", "TH")
AGENCY = ReporterTrust.VERIFIED_AGENCY
BANK = ReporterTrust.BANK_TELCO
CITIZEN = ReporterTrust.REGISTERED_CITIZEN
ANONYMOUS = ReporterTrust.ANONYMOUS


@dataclass(frozen=True)
class Sent:
    """A report: who sent it, from where, how long ago (in days)."""

    trust: ReporterTrust
    source: str
    days_ago: float = 0.0


@dataclass(frozen=True)
class Happened:
    kind: EventKind
    days_ago: float
    note: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    reports: tuple[Sent, ...]
    verdict: str
    score: float
    says: tuple[str, ...]
    events: tuple[Happened, ...] = ()
    query: str = "081-234-5678"
    held_for_review: int = 0
    review: str | None = None
    report_count: int | None = None
    never_says: tuple[str, ...] = field(default_factory=tuple)


SCENARIOS = [
    Scenario(
        "one anonymous report is suspicious, never a scam",
        (Sent(ANONYMOUS, "net:a"),),
        "suspicious",
        0.2,
        ("1 anonymous", "one anonymous reporter is never enough"),
    ),
    Scenario(
        "five anonymous reports from one address within an hour count once and go to review",
        tuple(Sent(ANONYMOUS, "net:a", days_ago=i / 100) for i in range(5)),
        "suspicious",
        0.2,
        ("Named in 5 reports from 1 reporter", "5 of these reports came from one sender"),
        held_for_review=1,
    ),
    Scenario(
        "seven anonymous reports from seven different networks make a scam listing",
        tuple(Sent(ANONYMOUS, f"net:{i}") for i in range(7)),
        "scam",
        0.79,
        ("7 different reporters", "makes it a scam listing"),
    ),
    Scenario(
        "one verified agency report makes a scam listing",
        (Sent(AGENCY, "org:police"),),
        "scam",
        0.9,
        ("1 from a verified agency", "makes it a scam listing"),
    ),
    Scenario(
        "one bank report is suspicious",
        (Sent(BANK, "org:bank"),),
        "suspicious",
        0.6,
        ("1 from a bank or telco", "a scam listing needs 0.75 or more"),
    ),
    Scenario(
        "two banks make a scam listing",
        (Sent(BANK, "org:bank-a"), Sent(BANK, "org:bank-b")),
        "scam",
        0.84,
        ("2 different reporters",),
    ),
    Scenario(
        "a registered citizen reporting three times in a week still counts once",
        tuple(Sent(CITIZEN, "org:app:victim", days_ago=d) for d in (0, 3, 6)),
        "suspicious",
        0.35,
        ("Named in 3 reports from 1 reporter",),
    ),
    Scenario(
        "a bank naming two of its customers as victims in a week makes a scam listing",
        (Sent(BANK, "org:bank:victim-1", days_ago=6), Sent(BANK, "org:bank:victim-2")),
        "scam",
        0.84,
        ("2 different reporters",),
    ),
    Scenario(
        "a citizen app naming five victims counts for three of them",
        tuple(Sent(CITIZEN, f"org:app:victim-{i}", days_ago=2 * i) for i in range(5)),
        "suspicious",
        0.725,
        ("at most 3 of the victims it names",),
    ),
    Scenario(
        "three reports from one bank on one day count once and go to review",
        tuple(Sent(BANK, f"org:bank:victim-{i}", days_ago=i / 10) for i in range(3)),
        "suspicious",
        0.6,
        ("3 of these reports came from one sender (one organisation or one network) within a day",),
        held_for_review=1,
    ),
    Scenario(
        "an official hotline is official and named, whatever is reported",
        (),
        "official",
        0.0,
        ("official contact", "Thailand"),
        query="1441",
    ),
    Scenario(
        "a dispute under review leaves the listing standing and says so",
        (Sent(AGENCY, "org:police", days_ago=5),),
        "scam",
        0.9,
        (
            "Someone who says they hold this value contests the listing",
            "the verdict stands until the review is decided",
        ),
        events=(Happened(EventKind.DISPUTE_OPENED, 1),),
        review="pending",
    ),
    Scenario(
        "an upheld dispute removes the listing and the verdict says it was reviewed",
        (Sent(AGENCY, "org:police", days_ago=5), Sent(ANONYMOUS, "net:a", days_ago=4)),
        "no_reports",
        0.0,
        ("reviewed on", "dispute was upheld (number reassigned to a shop in March)"),
        events=(
            Happened(EventKind.DISPUTE_OPENED, 3),
            Happened(EventKind.DISPUTE_UPHELD, 2, "number reassigned to a shop in March"),
        ),
        review="upheld",
        report_count=0,
    ),
    Scenario(
        "a new dispute after an upheld one does not bring the cleared reports back",
        (Sent(AGENCY, "org:police", days_ago=5),),
        "no_reports",
        0.0,
        ("dispute was upheld", "No report that still counts"),
        events=(
            Happened(EventKind.DISPUTE_OPENED, 4),
            Happened(EventKind.DISPUTE_UPHELD, 3, "reassigned"),
            Happened(EventKind.DISPUTE_OPENED, 1),
        ),
        review="pending",
    ),
    Scenario(
        "a report after an upheld dispute counts again",
        (Sent(AGENCY, "org:police", days_ago=5), Sent(BANK, "org:bank", days_ago=1)),
        "suspicious",
        0.6,
        ("Named in 1 report", "reviewed on", "only reports received since count"),
        events=(
            Happened(EventKind.DISPUTE_OPENED, 3),
            Happened(EventKind.DISPUTE_UPHELD, 2, "reassigned"),
        ),
        review="upheld",
    ),
    Scenario(
        "a rejected dispute keeps the listing and gives the reason",
        (Sent(AGENCY, "org:police", days_ago=5),),
        "scam",
        0.9,
        ("dispute was rejected (the caller used this number on 12 October)",),
        events=(
            Happened(EventKind.DISPUTE_OPENED, 3),
            Happened(EventKind.DISPUTE_REJECTED, 2, "the caller used this number on 12 October"),
        ),
        review="rejected",
    ),
    Scenario(
        "an agency report three months old still counts fully",
        (Sent(AGENCY, "org:police", days_ago=89),),
        "scam",
        0.9,
        ("makes it a scam listing",),
        never_says=("days old",),
    ),
    Scenario(
        "a year later the same report has decayed to suspicious",
        (Sent(AGENCY, "org:police", days_ago=365),),
        "suspicious",
        0.109,
        ("365 days old", "a report about a phone number counts fully for 90 days"),
    ),
    Scenario(
        "an account frozen by a bank confirms one report",
        (Sent(BANK, "org:bank"),),
        "scam",
        0.92,
        ("reported it frozen",),
        events=(Happened(EventKind.FROZEN, 0.5),),
    ),
    Scenario(
        "a false positive cuts earlier reports to a quarter",
        (Sent(BANK, "org:bank-a", days_ago=2), Sent(BANK, "org:bank-b", days_ago=2)),
        "suspicious",
        0.278,
        ("false positive",),
        events=(Happened(EventKind.FALSE_POSITIVE, 1),),
    ),
]


def _store_scenario(database: NodeDatabase, scenario: Scenario, now: datetime) -> None:
    reports = [
        NewReport(
            id=uuid4(),
            source=ReportSource.API,
            scam_type=ScamType.OFFICIALS_IMPERSONATED,
            channel=Channel.CALL,
            received_at=now - timedelta(days=sent.days_ago),
            indicators=(ReportedIndicator(NUMBER, "0812345678", "given"),),
            trust=sent.trust.value,
            source_key=sent.source,
        )
        for sent in scenario.reports
    ]
    with database.transaction() as store:
        store.add_reports(reports)
        indicator_id = indicator_id_of(store.connection, NUMBER)
        for event in scenario.events:
            assert indicator_id is not None
            add_event(
                store.connection,
                indicator_id,
                event.kind,
                actor="key:test",
                at=now - timedelta(days=event.days_ago),
                note=event.note,
            )
        store.refresh_listings([indicator_id] if indicator_id else [])


def _check(database: NodeDatabase, query: str) -> CheckResult:
    with database.engine.connect() as connection:
        return check_value(
            database.reader(connection),
            query,
            registry=default_registry(),
            context=ParseContext("TH"),
            warninglist=Warninglist(),
            lookalikes=default_lookalikes(),
        )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_verdict_policy(node_database: NodeDatabase, scenario: Scenario) -> None:
    _store_scenario(node_database, scenario, datetime.now(UTC))
    result = _check(node_database, scenario.query)
    assert result.verdict.value == scenario.verdict, result.explanation
    assert result.score == pytest.approx(scenario.score, abs=0.002), result.explanation
    for phrase in scenario.says:
        assert phrase in result.explanation
    for phrase in scenario.never_says:
        assert phrase not in result.explanation
    assert "is safe" not in result.explanation.replace("not proof that it is safe", "")
    assert (result.review.status.value if result.review else None) == scenario.review
    if scenario.report_count is not None:
        assert result.report_count == scenario.report_count
    with node_database.engine.connect() as connection:
        held = connection.execute(select(review_items.c.report_count)).scalars().all()
    assert len(held) == scenario.held_for_review
