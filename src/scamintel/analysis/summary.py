"""What one scam operation amounts to: victims, losses, reach and a harm score that ranks it.

Pure: the storage layer hands in the operation's report facts, indicator facts and partner
matches; :func:`summarize` returns an :class:`OperationSummary`. docs/dossiers.md explains every
field and the harm formula.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from statistics import median
from typing import Any

from scamintel.analysis.currency import CENT, RateTable, rate_table

# Harm formula weights (docs/dossiers.md, "Harm score").
# One point per victim; ten points per tenfold of the loss in US dollars. No recency term: an
# incremental clustering run refreshes only the operations it touched, so a stored recency
# would be computed at different moments for different operations and the ranking would
# compare stale numbers; last_seen is shown (and sortable) on its own instead.
VICTIM_WEIGHT = 1.0
LOSS_WEIGHT = 10.0
CROSS_BORDER_FACTOR = 1.25
# Partner lists kept in the summary: enough to read, bounded for the JSON column.
PARTNER_VALUES_KEPT = 20
UNKNOWN_COUNTRY = "??"
# The only source keys that tell victims apart: an organisation's key plus the keyed hash of
# the victim contact it named (reports/trust.py report_source, "org:<id>:<hex>"). A bare
# "org:<id>" (an organisation sending without contacts, e.g. a police CSV ingested with
# --org) and "net:<hash>" (anonymous senders by network, who may all share one proxy) say
# who sent a report, not whose loss it is.
CONTACT_KEY = re.compile(r"org:[0-9]+:[0-9a-f]+")


@dataclass(frozen=True, slots=True)
class ReportFact:
    """One report of the operation, as much as the summary needs (no narrative, no contact)."""

    id: str
    seen_at: datetime
    scam_type: str
    channel: str
    victim_country: str | None
    amount: Decimal | None
    currency: str | None
    source_key: str | None


@dataclass(frozen=True, slots=True)
class IndicatorFact:
    """One indicator of the operation; ``country`` is where its infrastructure belongs (phone
    country code, bank country, domain country) when known. ``given`` is False when no report
    gave it as an indicator and it was only found in narratives (often the victim's own number
    or an amount misread as a phone): such values are counted apart and never describe the
    operation's infrastructure."""

    id: int
    type: str
    value: str
    country: str | None
    given: bool = True


@dataclass(frozen=True, slots=True)
class PartnerMatch:
    """A value a federation partner shared that one of the operation's indicators equals.
    ``onward``: the partner's record may be passed on (its agreement allows onward sharing and
    it is marked TLP:CLEAR or TLP:GREEN); only such values may appear in a dossier."""

    partner: str
    type: str
    value: str
    report_count: int
    onward: bool = False


@dataclass(frozen=True, slots=True)
class PartnerSummary:
    partner: str
    matched_values: int
    report_count: int
    values: tuple[str, ...]
    # The subset of ``values`` that may leave the node in a dossier (see PartnerMatch.onward).
    onward_values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HarmParts:
    """The terms of the harm score, so a ranking can be explained."""

    victims: float
    loss: float
    cross_border_factor: float


@dataclass(frozen=True, slots=True)
class OperationSummary:
    title: str
    report_count: int
    victim_count: int
    victims_by_country: dict[str, int]
    total_loss_usd: Decimal
    median_loss_usd: Decimal | None
    unconverted_reports: int
    first_seen: datetime | None
    last_seen: datetime | None
    indicator_mix: dict[str, int]
    infrastructure_countries: tuple[str, ...]
    victim_countries: tuple[str, ...]
    cross_border: bool
    scam_types: dict[str, int]
    channels: dict[str, int]
    partners: tuple[PartnerSummary, ...]
    partner_report_count: int
    harm_score: float
    harm: HarmParts
    rates_as_of: str
    # Distinct values found only in report narratives: not in indicator_mix, the
    # infrastructure countries, cross_border or the partner matches.
    narrative_indicators: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def summarize(
    reports: Sequence[ReportFact],
    indicators: Iterable[IndicatorFact],
    partner_matches: Iterable[PartnerMatch],
    rates: RateTable | None = None,
) -> OperationSummary:
    """The summary of one operation from its facts. Only given indicators describe the
    operation; values only mentioned in narratives are counted apart."""
    table = rates if rates is not None else rate_table()
    distinct = _distinct_indicators(indicators)
    distinct_indicators = [fact for fact in distinct if fact.given]
    victims = _victims(reports)
    by_country = Counter(country for _, country in victims.items())
    losses, unconverted = _losses(reports, table)
    total = sum(losses, Decimal(0)).quantize(CENT)
    median_loss = Decimal(median(losses)).quantize(CENT) if losses else None
    seen = [report.seen_at for report in reports]
    victim_countries = tuple(sorted(c for c in by_country if c != UNKNOWN_COUNTRY))
    infrastructure = tuple(sorted({f.country.upper() for f in distinct_indicators if f.country}))
    cross_border = is_cross_border(victim_countries, infrastructure)
    partners = _partners(partner_matches)
    partner_reports = sum(partner.report_count for partner in partners)
    scam_types = Counter(report.scam_type for report in reports)
    harm = harm_parts(len(victims) + partner_reports, total, cross_border)
    return OperationSummary(
        title=operation_title(scam_types, len(reports), victim_countries or infrastructure),
        report_count=len(reports),
        victim_count=len(victims),
        victims_by_country=dict(by_country.most_common()),
        total_loss_usd=total,
        median_loss_usd=median_loss,
        unconverted_reports=unconverted,
        first_seen=min(seen) if seen else None,
        last_seen=max(seen) if seen else None,
        indicator_mix=dict(Counter(f.type for f in distinct_indicators).most_common()),
        infrastructure_countries=infrastructure,
        victim_countries=victim_countries,
        cross_border=cross_border,
        scam_types=dict(scam_types.most_common()),
        channels=dict(Counter(report.channel for report in reports).most_common()),
        partners=partners,
        partner_report_count=partner_reports,
        harm_score=harm_score(harm),
        harm=harm,
        rates_as_of=table.as_of.isoformat(),
        narrative_indicators=len(distinct) - len(distinct_indicators),
    )


def _distinct_indicators(facts: Iterable[IndicatorFact]) -> list[IndicatorFact]:
    """One fact per indicator, given when any report gave it."""
    merged: dict[int, IndicatorFact] = {}
    for fact in facts:
        known = merged.get(fact.id)
        if known is None or (fact.given and not known.given):
            merged[fact.id] = fact
    return list(merged.values())


def victim_key(report: ReportFact) -> str:
    """Who the victim of ``report`` is, for counting distinct victims: the reporter's contact
    hash when the source key carries one, else the report itself (one victim per report)."""
    key = report.source_key
    if key is not None and CONTACT_KEY.fullmatch(key):
        return f"k:{key}"
    return f"r:{report.id}"


def _victims(reports: Iterable[ReportFact]) -> dict[str, str]:
    """Distinct victims and their country (:func:`victim_key`)."""
    victims: dict[str, str] = {}
    for report in reports:
        key = victim_key(report)
        country = (report.victim_country or UNKNOWN_COUNTRY).upper()
        # A victim who reported twice keeps the first known country.
        if victims.get(key, UNKNOWN_COUNTRY) == UNKNOWN_COUNTRY:
            victims[key] = country
    return victims


def _losses(reports: Iterable[ReportFact], table: RateTable) -> tuple[list[Decimal], int]:
    """The converted losses and how many reports stated an amount that could not be converted."""
    losses: list[Decimal] = []
    unconverted = 0
    for report in reports:
        if report.amount is None:
            continue
        usd = table.to_usd(report.amount, report.currency)
        if usd is None:
            unconverted += 1
        else:
            losses.append(usd)
    return losses, unconverted


def _partners(matches: Iterable[PartnerMatch]) -> tuple[PartnerSummary, ...]:
    """Per partner: the values it shared that the operation uses, and its report count. The
    same partner reports may name several values, so a partner counts its largest per-value
    report count, not the sum (a lower bound that never double counts)."""
    values: dict[str, dict[str, int]] = {}
    onward: dict[str, set[str]] = {}
    for match in matches:
        seen = values.setdefault(match.partner, {})
        label = f"{match.type}:{match.value}"
        seen[label] = max(seen.get(label, 0), match.report_count)
        if match.onward:
            onward.setdefault(match.partner, set()).add(label)
    summaries: list[PartnerSummary] = []
    for partner, counts in sorted(values.items()):
        kept = sorted(counts)[:PARTNER_VALUES_KEPT]
        passable = onward.get(partner, set())
        summaries.append(
            PartnerSummary(
                partner=partner,
                matched_values=len(counts),
                report_count=max(counts.values(), default=0),
                values=tuple(kept),
                onward_values=tuple(label for label in kept if label in passable),
            )
        )
    return tuple(summaries)


def is_cross_border(victim_countries: Sequence[str], infrastructure: Sequence[str]) -> bool:
    """Cross-border: the victims and the infrastructure together span more than one country
    (victims in two countries, or a number, account or domain of another country than the
    victims'). Unknown countries count for nothing."""
    return len(set(victim_countries) | set(infrastructure)) > 1


def harm_parts(victims: int, loss_usd: Decimal, cross_border: bool) -> HarmParts:
    """The harm terms: victims, 10·log10(1+loss in USD), ×1.25 when cross-border. Nothing
    depends on when the score is computed, so stored scores of operations refreshed at
    different times compare fairly."""
    return HarmParts(
        victims=VICTIM_WEIGHT * max(victims, 0),
        loss=LOSS_WEIGHT * math.log10(1 + max(float(loss_usd), 0.0)),
        cross_border_factor=CROSS_BORDER_FACTOR if cross_border else 1.0,
    )


def harm_score(parts: HarmParts) -> float:
    return round((parts.victims + parts.loss) * parts.cross_border_factor, 4)


def operation_title(scam_types: Mapping[str, int], reports: int, countries: Sequence[str]) -> str:
    """A short human title, e.g. ``investment, job_task · 42 reports · TH, MM``."""
    kinds = ", ".join(kind for kind, _ in Counter(scam_types).most_common(2)) or "unknown"
    noun = "report" if reports == 1 else "reports"
    where = ", ".join(list(countries)[:3])
    more = f" +{len(countries) - 3}" if len(countries) > 3 else ""
    return f"{kinds} · {reports} {noun}" + (f" · {where}{more}" if where else "")


# -- JSON --------------------------------------------------------------------------------------


def summary_to_dict(summary: OperationSummary) -> dict[str, Any]:
    """A JSON-ready dict: decimals as strings, datetimes as ISO 8601. Written out by hand
    rather than with ``dataclasses.asdict``: a full recluster writes every operation's."""
    return {
        "title": summary.title,
        "report_count": summary.report_count,
        "victim_count": summary.victim_count,
        "victims_by_country": dict(summary.victims_by_country),
        "total_loss_usd": str(summary.total_loss_usd),
        "median_loss_usd": _jsonable(summary.median_loss_usd),
        "unconverted_reports": summary.unconverted_reports,
        "first_seen": _jsonable(summary.first_seen),
        "last_seen": _jsonable(summary.last_seen),
        "indicator_mix": dict(summary.indicator_mix),
        "infrastructure_countries": list(summary.infrastructure_countries),
        "victim_countries": list(summary.victim_countries),
        "cross_border": summary.cross_border,
        "scam_types": dict(summary.scam_types),
        "channels": dict(summary.channels),
        "partners": [
            {
                "partner": partner.partner,
                "matched_values": partner.matched_values,
                "report_count": partner.report_count,
                "values": list(partner.values),
                "onward_values": list(partner.onward_values),
            }
            for partner in summary.partners
        ],
        "partner_report_count": summary.partner_report_count,
        "harm_score": summary.harm_score,
        "harm": {
            "victims": summary.harm.victims,
            "loss": summary.harm.loss,
            "cross_border_factor": summary.harm.cross_border_factor,
        },
        "rates_as_of": summary.rates_as_of,
        "narrative_indicators": summary.narrative_indicators,
        "extra": _jsonable(summary.extra),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def summary_from_dict(data: Mapping[str, Any]) -> OperationSummary:
    """The inverse of :func:`summary_to_dict`."""
    median_loss = data.get("median_loss_usd")
    return OperationSummary(
        title=str(data["title"]),
        report_count=int(data["report_count"]),
        victim_count=int(data["victim_count"]),
        victims_by_country=dict(data["victims_by_country"]),
        total_loss_usd=Decimal(data["total_loss_usd"]),
        median_loss_usd=Decimal(median_loss) if median_loss is not None else None,
        unconverted_reports=int(data["unconverted_reports"]),
        first_seen=_moment(data.get("first_seen")),
        last_seen=_moment(data.get("last_seen")),
        indicator_mix=dict(data["indicator_mix"]),
        infrastructure_countries=tuple(data["infrastructure_countries"]),
        victim_countries=tuple(data["victim_countries"]),
        cross_border=bool(data["cross_border"]),
        scam_types=dict(data["scam_types"]),
        channels=dict(data["channels"]),
        partners=tuple(
            PartnerSummary(
                partner=item["partner"],
                matched_values=int(item["matched_values"]),
                report_count=int(item["report_count"]),
                values=tuple(item["values"]),
                # Summaries written before this field existed pass nothing on.
                onward_values=tuple(item.get("onward_values") or ()),
            )
            for item in data["partners"]
        ),
        partner_report_count=int(data["partner_report_count"]),
        harm_score=float(data["harm_score"]),
        harm=_harm(data["harm"]),
        rates_as_of=str(data["rates_as_of"]),
        narrative_indicators=int(data.get("narrative_indicators") or 0),
        extra=dict(data.get("extra") or {}),
    )


def _harm(data: Mapping[str, Any]) -> HarmParts:
    # Older summaries also stored a recency factor: ignored (it is no longer part of the score).
    return HarmParts(
        victims=float(data["victims"]),
        loss=float(data["loss"]),
        cross_border_factor=float(data["cross_border_factor"]),
    )


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
