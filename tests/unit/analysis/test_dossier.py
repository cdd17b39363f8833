"""An operation's dossier: STIX 2.1 that validates, JSON with the evidence, printable HTML."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from stix2validator import ValidationOptions, validate_instance

from scamintel.analysis.dossier import (
    AUDIT_IDS_LISTED,
    NETWORK_MAX_INDICATORS,
    NETWORK_MAX_REPORTS,
    Dossier,
    OperationIndicator,
    OperationReport,
    disclosed_ids_digest,
    dossier_html,
    dossier_json,
    dossier_stix,
    export_event,
    network,
    render_dossier,
    timeline,
)
from scamintel.analysis.summary import IndicatorFact, PartnerMatch, ReportFact, summarize

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
ACCEPTED_WARNINGS = ("{103}", "{401}")
HOSTILE = '</p><script>alert("x")</script><img src="http://evil.example/x.png">'
INDICATORS = (
    OperationIndicator(1, "phone", "+66812345678", "TH", 3),
    OperationIndicator(2, "bank_account", "KH:ABA:000123456", "KH", 2),
    OperationIndicator(3, "url", "https://invest-gold.example/login", None, 1),
    OperationIndicator(4, "crypto_wallet", "TAGhRS8An9JESopMDSAufx9m6VUDLCk7t9", None, 1),
)
# Found only in a narrative: the victim's own Myanmar number.
VICTIM_PHONE = OperationIndicator(5, "phone", "+95912345678", "MM", 1, given=False)


def make_report(
    number: int,
    days: int,
    ids: tuple[int, ...],
    narrative: str | None = None,
    mentioned: tuple[int, ...] = (),
) -> OperationReport:
    return OperationReport(
        id=f"00000000-0000-4000-8000-{number:012d}",
        seen_at=T0 + timedelta(days=days),
        occurred_at=T0 + timedelta(days=days),
        scam_type="investment",
        channel="line",
        victim_country="TH" if number % 2 else "MM",
        amount=Decimal("10000"),
        currency="THB",
        narrative=narrative,
        indicator_ids=ids,
        mentioned_ids=mentioned,
    )


def make_dossier(
    reports: tuple[OperationReport, ...],
    indicators: tuple[OperationIndicator, ...] = INDICATORS,
    partners: tuple[PartnerMatch, ...] = (),
) -> Dossier:
    facts = [
        ReportFact(
            r.id, r.seen_at, r.scam_type, r.channel, r.victim_country, r.amount, r.currency, None
        )
        for r in reports
    ]
    inds = [IndicatorFact(i.id, i.type, i.value, i.country, i.given) for i in indicators]
    summary = summarize(facts, inds, partners)
    return Dossier(7, summary, tuple(indicators), reports, "th-aoc", T0 + timedelta(days=60))


REPORTS = (
    make_report(1, 0, (1, 2), "They promised 30% a week. " + HOSTILE),
    make_report(2, 9, (1, 3)),
    make_report(3, 22, (1, 2, 4), "Paid to the USDT wallet."),
)


def test_stix_bundle_is_a_valid_grouping_of_indicators_and_reports() -> None:
    bundle = dossier_stix(make_dossier(REPORTS))
    results = validate_instance(bundle, ValidationOptions(version="2.1", strict=False))
    assert results.is_valid, [str(error) for error in results.errors]
    unexpected = [
        str(w) for w in results.warnings if not any(a in str(w) for a in ACCEPTED_WARNINGS)
    ]
    assert not unexpected
    by_type: dict[str, list[dict[str, Any]]] = {}
    for obj in bundle["objects"]:
        by_type.setdefault(obj["type"], []).append(obj)
    (grouping,) = by_type["grouping"]
    (note,) = by_type["note"]
    assert grouping["context"] == "suspicious-activity"
    assert len(by_type["indicator"]) == 4
    assert len(by_type["report"]) == 3
    assert set(grouping["object_refs"]) == {
        o["id"] for o in by_type["indicator"] + by_type["report"]
    }
    assert note["object_refs"] == [grouping["id"]]
    assert "3 reports from 3 victims" in note["content"]
    # Narratives are not shared in STIX; the same operation gives the same ids.
    assert "promised" not in json.dumps(bundle)
    assert dossier_stix(make_dossier(REPORTS))["id"] == bundle["id"]


def test_json_dossier_holds_the_evidence_and_the_timeline() -> None:
    document = dossier_json(make_dossier(REPORTS))
    assert document["operation_id"] == 7
    assert "personal data" in document["personal_data_notice"]
    first = document["reports"][0]
    assert first["narrative"].startswith("They promised")
    assert first["indicators"] == [
        {"type": "phone", "value": "+66812345678"},
        {"type": "bank_account", "value": "KH:ABA:000123456"},
    ]
    assert first["amount_usd"] == "290.00"
    assert [p["reports"] for p in document["timeline"]] == [1, 1, 0, 1]
    assert [p["loss_usd"] for p in document["timeline"]] == ["290.00", "290.00", "0.00", "290.00"]
    assert document["timeline"][0]["period"] == "2026-W23"
    assert json.loads(render_dossier(make_dossier(REPORTS), "json")) == document


def test_timeline_counts_months_for_long_operations() -> None:
    reports = (make_report(1, 0, (1,)), make_report(2, 200, (1,)), make_report(3, 201, (1,)))
    periods = timeline(reports)
    assert [p.label for p in periods][:2] == ["2026-06", "2026-07"]
    assert periods[-1].label == "2026-12"
    assert periods[-1].reports == 2
    assert sum(p.reports for p in periods) == 3
    assert periods[0].loss_usd == Decimal("290.00")
    assert timeline(()) == []


def test_html_is_printable_escaped_and_self_contained() -> None:
    html = dossier_html(make_dossier(REPORTS))
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<img" not in html
    # No external resources: the only URLs are the SVG namespace and escaped evidence text.
    assert not re.search(r'(src|href)="', html)
    assert "@media print" in html
    for needle in (
        "Evidence",
        "Timeline",
        "Network",
        "+66812345678",
        "2026-W23",
        "Report 00000000",
    ):
        assert needle in html
    assert html.count('class="evidence"') == 3
    assert "All 3 reports and 4 indicators." in html
    assert ">KH:ABA:000123456</text>" in html  # indicators are named in the picture


def test_network_of_a_big_operation_is_capped_to_the_most_connected() -> None:
    indicators = tuple(
        OperationIndicator(n, "phone", f"+6681{n:07d}", "TH", 1 + (n == 0) * 500)
        for n in range(NETWORK_MAX_INDICATORS + 10)
    )
    reports = tuple(
        make_report(n, n % 50, (0, 1 + n % 49)) for n in range(NETWORK_MAX_REPORTS + 80)
    )
    dossier = make_dossier(reports, indicators)
    picture = network(dossier)
    assert picture.capped
    assert picture.shown_indicators == NETWORK_MAX_INDICATORS
    assert picture.shown_reports == NETWORK_MAX_REPORTS
    assert (picture.total_reports, picture.total_indicators) == (200, 50)
    assert any(node.key == "i0" for node in picture.nodes)  # the hub is kept
    html = dossier_html(dossier)
    assert f"Showing the most connected {NETWORK_MAX_REPORTS} of 200 reports" in html


def test_values_only_in_narratives_are_evidence_never_indicators() -> None:
    reports = (
        make_report(1, 0, (1, 2), "My number is +95 9 1234 5678, they called me.", (5,)),
        make_report(2, 9, (1, 3)),
    )
    dossier = make_dossier(reports, (*INDICATORS, VICTIM_PHONE))
    assert dossier.summary.infrastructure_countries == ("KH", "TH")
    assert "MM" not in dossier.summary.infrastructure_countries
    assert dossier.summary.indicator_mix["phone"] == 1
    bundle = dossier_stix(dossier)
    assert "+95912345678" not in json.dumps(bundle)
    assert len([o for o in bundle["objects"] if o["type"] == "indicator"]) == 4
    document = dossier_json(dossier)
    assert "+95912345678" not in [i["value"] for i in document["indicators"]]
    first = document["reports"][0]
    assert {"type": "phone", "value": "+95912345678"} not in first["indicators"]
    assert first["mentioned_in_narrative"] == [{"type": "phone", "value": "+95912345678"}]
    html = dossier_html(dossier)
    evidence = html.split("<h2>Evidence</h2>")[1]
    assert "Mentioned in the narrative (not given as an indicator" in evidence
    assert "+95912345678" in evidence
    before_evidence = html.split("<h2>Evidence</h2>")[0]
    assert "+95912345678" not in before_evidence  # not in the indicator table or the picture
    assert "1 further values were only mentioned in narratives" in html


def test_partner_values_leave_only_where_the_partner_allows_onward_sharing() -> None:
    partners = (
        PartnerMatch("KH-NCC", "phone", "+66812345678", 12, onward=True),
        PartnerMatch("KH-NCC", "bank_account", "KH:ABA:000123456", 4),
        PartnerMatch("LA-MPS", "url", "https://invest-gold.example/login", 2),
    )
    dossier = make_dossier(REPORTS, partners=partners)
    # This node's own view keeps every value.
    assert dossier.summary.partners[1].values == ("url:https://invest-gold.example/login",)
    shown = dossier_json(dossier)["summary"]["partners"]
    assert shown == [
        {
            "partner": "KH-NCC",
            "matched_values": 2,
            "report_count": 12,
            "values": ["phone:+66812345678"],
        },
        {"partner": "LA-MPS", "matched_values": 1, "report_count": 2, "values": []},
    ]
    html = dossier_html(dossier)
    assert "KH-NCC: 2 shared values, 12 reports" in html
    assert "bank_account:KH:ABA" not in html
    assert "url:https://" not in html
    # STIX goes to tools and other partners: partners are a count, never named.
    text = json.dumps(dossier_stix(dossier))
    assert "KH-NCC" not in text
    assert "LA-MPS" not in text
    assert "2 federation partners reported the same values (14 reports)" in text


def test_an_operation_without_renderable_indicators_has_no_stix() -> None:
    odd = (OperationIndicator(9, "telepathy", "x", None, 1),)
    with pytest.raises(ValueError, match="no indicator"):
        dossier_stix(make_dossier((make_report(1, 0, (9,)),), odd))
    with pytest.raises(ValueError, match="unknown dossier format"):
        render_dossier(make_dossier(REPORTS), "pdf")


def test_export_event_records_format_and_narratives() -> None:
    event = export_event(make_dossier(REPORTS), "html", "key:abc")
    assert (event.action, event.object_type, event.object_id) == (
        "operation.dossier_export",
        "operation",
        "7",
    )
    assert event.details == {
        "format": "html",
        "reports": 3,
        "narratives": 2,
        "narrative_report_ids": [REPORTS[0].id, REPORTS[2].id],
    }
    stix = export_event(make_dossier(REPORTS), "stix", "cli").details
    assert (stix["narratives"], stix["narrative_report_ids"]) == (0, [])


def test_export_event_of_many_narratives_records_a_digest_of_their_ids() -> None:
    many = tuple(make_report(n, n % 30, (1,), f"story {n}") for n in range(AUDIT_IDS_LISTED + 1))
    details = export_event(make_dossier(many), "json", "cli").details
    assert details["narratives"] == AUDIT_IDS_LISTED + 1
    assert "narrative_report_ids" not in details
    ids = sorted(report.id for report in many)
    expected = hashlib.sha256("".join(f"{i}\n" for i in ids).encode()).hexdigest()
    assert details["narrative_report_ids_sha256"] == expected == disclosed_ids_digest(ids[::-1])
