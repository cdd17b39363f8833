"""An operation's summary from its facts: victims, losses, reach, partners and harm."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from scamintel.analysis.currency import parse_rates
from scamintel.analysis.summary import (
    IndicatorFact,
    PartnerMatch,
    ReportFact,
    harm_parts,
    harm_score,
    is_cross_border,
    operation_title,
    summarize,
    summary_from_dict,
    summary_to_dict,
    victim_key,
)

NOW = datetime(2026, 11, 1, tzinfo=UTC)
RATES = parse_rates('{"as_of": "2026-11-01", "usd_per_unit": {"USD": "1", "THB": "0.03"}}')


def report(
    number: int,
    *,
    key: str | None = None,
    country: str | None = "TH",
    amount: str | None = None,
    currency: str | None = "USD",
    days_ago: int = 10,
    scam_type: str = "investment",
) -> ReportFact:
    return ReportFact(
        id=f"r{number}",
        seen_at=NOW - timedelta(days=days_ago),
        scam_type=scam_type,
        channel="phone",
        victim_country=country,
        amount=Decimal(amount) if amount is not None else None,
        currency=currency,
        source_key=key,
    )


# Source keys as reports/trust.py writes them: an organisation plus the keyed hash of the
# victim contact it named (the only kind that tells victims apart), a bare organisation, and
# an anonymous sender's network.
A = "org:3:0123456789abcdef"
B = "org:3:fedcba9876543210"


def test_victims_losses_and_dates() -> None:
    reports = [
        report(1, key=A, amount="100", days_ago=40),
        report(2, key=A, amount="300", days_ago=5),  # the same victim reporting again
        report(3, key=None, country="MM", amount="1000", currency="THB"),
        report(4, key=None, country=None, amount="50", currency="XXX", scam_type="job_task"),
        report(5, key=B, country="MM"),  # no amount
    ]
    summary = summarize(reports, [], [], RATES)
    assert summary.report_count == 5
    assert summary.victim_count == 4  # A, r3, r4, B
    assert summary.victims_by_country == {"MM": 2, "TH": 1, "??": 1}
    assert summary.victim_countries == ("MM", "TH")
    assert summary.total_loss_usd == Decimal("430.00")  # 100 + 300 + 30
    assert summary.median_loss_usd == Decimal("100.00")
    assert summary.unconverted_reports == 1
    assert summary.first_seen == NOW - timedelta(days=40)
    assert summary.last_seen == NOW - timedelta(days=5)
    assert summary.scam_types == {"investment": 4, "job_task": 1}
    assert summary.rates_as_of == "2026-11-01"


def test_even_count_median_is_the_mean_of_the_middle_two() -> None:
    reports = [report(n, amount=value) for n, value in enumerate(["10", "20", "30", "41"])]
    assert summarize(reports, [], [], RATES).median_loss_usd == Decimal("25.00")


def test_only_contact_derived_keys_merge_victims() -> None:
    """A police CSV ingested with --org (every row "org:N") or public reports behind one proxy
    (one "net:<hash>") are many victims, not one: only "org:N:<contact hash>" merges."""
    police_csv = [report(n, key="org:7", amount="100") for n in range(5)]
    behind_proxy = [report(10 + n, key="net:" + "ab" * 16) for n in range(4)]
    same_contact = [
        report(20, key="org:7:00ff00ff00ff00ff"),
        report(21, key="org:7:00ff00ff00ff00ff"),
    ]
    other_org_same_hash = [report(22, key="org:8:00ff00ff00ff00ff")]
    odd = [report(30, key="legacy-key"), report(31, key="legacy-key")]
    assert summarize(police_csv, [], [], RATES).victim_count == 5
    assert summarize(behind_proxy, [], [], RATES).victim_count == 4
    assert summarize(same_contact, [], [], RATES).victim_count == 1
    assert summarize(same_contact + other_org_same_hash, [], [], RATES).victim_count == 2
    assert summarize(odd, [], [], RATES).victim_count == 2
    assert victim_key(report(1, key="org:7")) == "r:r1"
    assert victim_key(report(1, key="org:7:00ff")) == "k:org:7:00ff"


def test_a_victim_keeps_the_first_known_country() -> None:
    reports = [report(1, key=A, country=None), report(2, key=A, country="LA")]
    assert summarize(reports, [], [], RATES).victims_by_country == {"LA": 1}


def test_indicator_mix_and_infrastructure_countries() -> None:
    facts = [
        IndicatorFact(1, "phone", "+66812345678", "TH"),
        IndicatorFact(1, "phone", "+66812345678", "TH"),  # named by two reports: counted once
        IndicatorFact(2, "phone", "+85512345678", "kh"),
        IndicatorFact(3, "bank_account", "KH:ABA:1", "KH"),
        IndicatorFact(4, "url", "https://x.example/", None),
    ]
    summary = summarize([report(1)], facts, [], RATES)
    assert summary.indicator_mix == {"phone": 2, "bank_account": 1, "url": 1}
    assert summary.infrastructure_countries == ("KH", "TH")
    assert summary.cross_border is True
    assert summary.narrative_indicators == 0


def test_values_only_found_in_narratives_do_not_describe_the_operation() -> None:
    """The victim's own Myanmar number and an amount read as a phone number, found in a Thai
    victim's narrative, make the operation neither cross-border nor phone-heavy."""
    facts = [
        IndicatorFact(1, "bank_account", "TH:KBANK:1", "TH"),
        IndicatorFact(2, "phone", "+95912345678", "MM", given=False),
        IndicatorFact(3, "phone", "+66250000", "TH", given=False),
        # Given by one report, found in another's narrative: it is given.
        IndicatorFact(4, "url", "https://x.example/", None, given=False),
        IndicatorFact(4, "url", "https://x.example/", None, given=True),
    ]
    summary = summarize([report(1)], facts, [], RATES)
    assert summary.indicator_mix == {"bank_account": 1, "url": 1}
    assert summary.infrastructure_countries == ("TH",)
    assert summary.cross_border is False
    assert summary.narrative_indicators == 2


def test_cross_border_means_more_than_one_country_in_all() -> None:
    assert is_cross_border(["TH"], ["TH"]) is False
    assert is_cross_border(["TH"], []) is False
    assert is_cross_border([], []) is False
    assert is_cross_border(["TH", "MM"], []) is True
    assert is_cross_border(["TH"], ["KH"]) is True
    assert is_cross_border([], ["KH", "TH"]) is True


def test_partners_count_their_largest_value_and_add_to_harm() -> None:
    matches = [
        PartnerMatch("KH-NCC", "phone", "+66812345678", 12, onward=True),
        PartnerMatch("KH-NCC", "bank_account", "KH:ABA:1", 5),
        PartnerMatch("LA-MPS", "phone", "+66812345678", 2),
    ]
    reports = [report(1, key=A)]
    alone = summarize(reports, [], [], RATES)
    shared = summarize(reports, [], matches, RATES)
    assert [(p.partner, p.matched_values, p.report_count) for p in shared.partners] == [
        ("KH-NCC", 2, 12),
        ("LA-MPS", 1, 2),
    ]
    assert shared.partner_report_count == 14
    assert shared.harm_score > alone.harm_score
    # Every value is kept for this node's analysts; only those a partner's record allows to
    # pass on are marked as such (the dossier shows only these).
    kh = shared.partners[0]
    assert kh.values == ("bank_account:KH:ABA:1", "phone:+66812345678")
    assert kh.onward_values == ("phone:+66812345678",)
    assert shared.partners[1].onward_values == ()


def test_harm_grows_with_victims_loss_and_reach() -> None:
    base = harm_score(harm_parts(10, Decimal(1000), False))
    assert harm_score(harm_parts(11, Decimal(1000), False)) > base
    assert harm_score(harm_parts(10, Decimal(2000), False)) > base
    assert harm_score(harm_parts(10, Decimal(1000), True)) > base
    # docs/dossiers.md by hand: (10 + 10·log10 1001) × 1.
    assert abs(base - 40.0043) < 0.001
    assert abs(harm_score(harm_parts(10, Decimal(1000), True)) - 50.0054) < 0.001


def test_harm_does_not_depend_on_when_it_is_computed() -> None:
    """Stored scores of operations refreshed at different moments compare fairly: the same
    facts give the same score however long ago the operation was last seen."""
    recent = [report(1, key=A, amount="100", days_ago=1)]
    old = [report(1, key=A, amount="100", days_ago=900)]
    assert summarize(recent, [], [], RATES).harm_score == summarize(old, [], [], RATES).harm_score


def test_harm_ranks_a_big_cross_border_operation_above_a_small_local_one() -> None:
    big = [report(n, country="TH" if n % 2 else "MM", amount="500") for n in range(30)]
    small = [report(n, amount="5000") for n in range(3)]
    assert summarize(big, [], [], RATES).harm_score > summarize(small, [], [], RATES).harm_score


def test_titles() -> None:
    assert (
        operation_title({"job_task": 3, "investment": 40, "romance": 1}, 44, ["TH", "MM"])
        == "investment, job_task · 44 reports · TH, MM"
    )
    assert operation_title({"romance": 1}, 1, []) == "romance · 1 report"
    assert operation_title({}, 0, ["A1", "B2", "C3", "D4"]) == "unknown · 0 reports · A1, B2, C3 +1"


def test_an_empty_operation_has_zero_harm_terms() -> None:
    summary = summarize([], [], [], RATES)
    assert (summary.report_count, summary.victim_count) == (0, 0)
    assert summary.total_loss_usd == Decimal("0.00")
    assert summary.median_loss_usd is None
    assert summary.first_seen is None
    assert summary.harm_score == 0.0


def test_the_summary_survives_json() -> None:
    summary = summarize(
        [report(1, key=A, amount="100"), report(2, country="MM", amount="7")],
        [
            IndicatorFact(1, "phone", "+66812345678", "TH"),
            IndicatorFact(2, "phone", "+95912345678", "MM", given=False),
        ],
        [PartnerMatch("KH-NCC", "phone", "+66812345678", 3, onward=True)],
        RATES,
    )
    assert summary_from_dict(json.loads(json.dumps(summary_to_dict(summary)))) == summary
    assert summary_to_dict(summary)["title"] == summary.title  # cases/model.py reads it


def test_a_summary_stored_before_the_recency_term_was_dropped_still_reads() -> None:
    document = summary_to_dict(summarize([report(1, key=A)], [], [], RATES))
    document["harm"]["recency_factor"] = 0.9
    for item in document["partners"]:
        item.pop("onward_values")
    document.pop("narrative_indicators")
    assert summary_from_dict(document).harm.victims == 1.0
