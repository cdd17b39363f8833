"""An operation's dossier for an investigator or a prosecutor: STIX 2.1, JSON and printable HTML.

Pure: the caller hands in the operation's summary, its indicators and its reports (with their
narratives, never the reporters' contact details). docs/dossiers.md describes the formats and
the personal data they hold.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from scamintel.analysis.currency import rate_table
from scamintel.analysis.summary import OperationSummary, PartnerSummary, summary_to_dict
from scamintel.federation.markings import SCAMINTEL_NAMESPACE, Purpose, SharingContext, Tlp
from scamintel.federation.stix import bundle_of, indicator_object, report_object
from scamintel.governance.audit import AuditEvent
from scamintel.indicators import Indicator, IndicatorType

DOSSIER_VERSION = 1
# The network picture stays readable: the most connected indicators and reports only.
NETWORK_MAX_INDICATORS = 40
NETWORK_MAX_REPORTS = 120
# Timelines of a short operation count weeks; longer ones count months.
WEEKLY_SPAN_DAYS = 120
PERSONAL_DATA_NOTICE = (
    "This dossier holds the victims' own accounts of the scams (report narratives): personal "
    "data, for the investigation and prosecution of this operation only. It holds no reporter "
    "contact details. Its export was recorded in the node's audit log."
)
FORMATS = ("stix", "json", "html")
MEDIA_TYPES = {
    "stix": "application/stix+json;version=2.1",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}
EXTENSIONS = {"stix": "stix.json", "json": "json", "html": "html"}
NO_LOSS = Decimal("0.00")
# Indicator labels in the network picture are cut to stay legible.
LABEL_CHARS = 28
# The audit entry of an export lists the reports whose narratives left the node; past this
# many it records their count and a SHA-256 of the sorted ids instead (the entry stays small,
# and the ids can still be checked against a list kept elsewhere).
AUDIT_IDS_LISTED = 200


@dataclass(frozen=True, slots=True)
class OperationIndicator:
    """An indicator of the operation and how many of its reports named it. ``given`` is False
    for a value only found in report narratives (the dossier flags it, never exports it)."""

    id: int
    type: str
    value: str
    country: str | None
    report_count: int
    given: bool = True


@dataclass(frozen=True, slots=True)
class OperationReport:
    """A report of the operation, never with the reporter's contact details; ``narrative``
    only where the caller asked for it (the dossier)."""

    id: str
    seen_at: datetime
    occurred_at: datetime | None
    scam_type: str
    channel: str
    victim_country: str | None
    amount: Decimal | None
    currency: str | None
    narrative: str | None
    # Indicators the report gave, and values only found in its narrative.
    indicator_ids: tuple[int, ...]
    mentioned_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Dossier:
    operation_id: int
    summary: OperationSummary
    indicators: tuple[OperationIndicator, ...]
    reports: tuple[OperationReport, ...]
    origin: str
    generated_at: datetime

    @property
    def given_indicators(self) -> tuple[OperationIndicator, ...]:
        """The indicators reports gave: the only ones that describe the operation."""
        return tuple(item for item in self.indicators if item.given)


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    reports: int
    loss_usd: Decimal


def file_name(operation_id: int, fmt: str) -> str:
    return f"operation-{operation_id}-dossier.{EXTENSIONS[fmt]}"


# -- timeline ----------------------------------------------------------------------------------


def timeline(reports: Sequence[OperationReport]) -> list[Period]:
    """Reports and converted losses per ISO week (operations spanning under 120 days) or per
    month, every period from the first to the last shown, empty ones included."""
    if not reports:
        return []
    first = min(report.seen_at for report in reports)
    last = max(report.seen_at for report in reports)
    weekly = (last - first).days < WEEKLY_SPAN_DAYS
    key = _week if weekly else _month
    counts: Counter[str] = Counter()
    losses: dict[str, Decimal] = defaultdict(Decimal)
    for report in reports:
        label = key(report.seen_at)
        counts[label] += 1
        losses[label] += rate_table().to_usd(report.amount, report.currency) or Decimal(0)
    labels = _all_weeks(first, last) if weekly else _all_months(first, last)
    return [Period(label, counts[label], losses.get(label, NO_LOSS)) for label in labels]


def _week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _month(moment: datetime) -> str:
    return f"{moment.year}-{moment.month:02d}"


def _all_weeks(first: datetime, last: datetime) -> list[str]:
    monday = first.date() - timedelta(days=first.weekday())
    labels: list[str] = []
    while monday <= last.date():
        year, week, _ = monday.isocalendar()
        labels.append(f"{year}-W{week:02d}")
        monday += timedelta(days=7)
    return labels


def _all_months(first: datetime, last: datetime) -> list[str]:
    labels: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        labels.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


# -- JSON --------------------------------------------------------------------------------------


def dossier_summary(summary: OperationSummary) -> dict[str, Any]:
    """The summary as a dossier shows it: partner data reduced to per-partner counts, except
    the values a partner's record allows to pass on (onward sharing agreed and TLP:CLEAR or
    TLP:GREEN). Whatever else partners shared stays on this node."""
    document = summary_to_dict(summary)
    document["partners"] = [_partner_for_dossier(partner) for partner in summary.partners]
    return document


def _partner_for_dossier(partner: PartnerSummary) -> dict[str, Any]:
    return {
        "partner": partner.partner,
        "matched_values": partner.matched_values,
        "report_count": partner.report_count,
        "values": list(partner.onward_values),
    }


def dossier_json(dossier: Dossier) -> dict[str, Any]:
    """The dossier as a JSON-ready dict: summary, indicators, reports with their narratives and
    the indicators they named (values only found in a narrative flagged apart), and the
    timeline."""
    by_id = {item.id: item for item in dossier.indicators}
    return {
        "dossier_version": DOSSIER_VERSION,
        "operation_id": dossier.operation_id,
        "origin": dossier.origin,
        "generated_at": dossier.generated_at.isoformat(),
        "personal_data_notice": PERSONAL_DATA_NOTICE,
        "summary": dossier_summary(dossier.summary),
        "indicators": [
            {
                "type": item.type,
                "value": item.value,
                "country": item.country,
                "report_count": item.report_count,
            }
            for item in dossier.given_indicators
        ],
        "reports": [_report_json(report, by_id) for report in dossier.reports],
        "timeline": [
            {"period": period.label, "reports": period.reports, "loss_usd": str(period.loss_usd)}
            for period in timeline(dossier.reports)
        ],
    }


def _report_json(report: OperationReport, by_id: dict[int, OperationIndicator]) -> dict[str, Any]:
    usd = rate_table().to_usd(report.amount, report.currency)
    return {
        "id": report.id,
        "seen_at": report.seen_at.isoformat(),
        "occurred_at": report.occurred_at.isoformat() if report.occurred_at else None,
        "scam_type": report.scam_type,
        "channel": report.channel,
        "victim_country": report.victim_country,
        "amount": str(report.amount) if report.amount is not None else None,
        "currency": report.currency,
        "amount_usd": str(usd) if usd is not None else None,
        "indicators": _values(report.indicator_ids, by_id),
        # Found in the narrative, not given: often the victim's own number or an amount read
        # as a phone number; evidence to read, never an indicator of the operation.
        "mentioned_in_narrative": _values(report.mentioned_ids, by_id),
        "narrative": report.narrative,
    }


def _values(ids: Sequence[int], by_id: dict[int, OperationIndicator]) -> list[dict[str, str]]:
    return [{"type": by_id[i].type, "value": by_id[i].value} for i in ids if i in by_id]


# -- STIX --------------------------------------------------------------------------------------


def dossier_stix(dossier: Dossier, tlp: Tlp = Tlp.AMBER) -> dict[str, Any]:
    """A STIX 2.1 bundle: a ``grouping`` (context ``suspicious-activity``) of the operation's
    given indicators and reports (their facts, no narratives, no values only found in
    narratives), and a ``note`` with the summary (partners as a count, never by name)."""
    context = SharingContext(origin=dossier.origin, tlp=tlp, purpose=Purpose.INVESTIGATION)
    scam_types = sorted(dossier.summary.scam_types)
    moment = dossier.generated_at
    valid_from = dossier.summary.first_seen or moment
    indicator_refs: dict[int, str] = {}
    objects: list[dict[str, Any]] = []
    for item in dossier.given_indicators:
        indicator = _indicator(item)
        if indicator is None:
            continue
        obj = indicator_object(
            indicator, context, created=moment, valid_from=valid_from, scam_types=scam_types
        )
        indicator_refs[item.id] = str(obj["id"])
        objects.append(obj)
    for report in dossier.reports:
        refs = [indicator_refs[i] for i in report.indicator_ids if i in indicator_refs]
        if refs:
            fields = {
                "id": report.id,
                "scam_type": report.scam_type,
                "channel": report.channel,
                "victim_country": report.victim_country,
                "amount": report.amount,
                "currency": report.currency,
                "occurred_at": report.occurred_at,
            }
            objects.append(report_object(fields, refs, context, published=moment))
    grouping = _grouping(dossier, [str(obj["id"]) for obj in objects], context)
    return bundle_of([*objects, grouping, _note(dossier, str(grouping["id"]), context)])


def _indicator(item: OperationIndicator) -> Indicator | None:
    try:
        return Indicator(IndicatorType(item.type), item.value)
    except ValueError:
        return None  # a type this version cannot render in STIX


def _stix_id(kind: str, dossier: Dossier) -> str:
    name = f"{dossier.origin}\x00operation\x00{dossier.operation_id}\x00{kind}"
    return f"{kind}--{uuid.uuid5(SCAMINTEL_NAMESPACE, name)}"


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _grouping(dossier: Dossier, refs: list[str], context: SharingContext) -> dict[str, Any]:
    if not refs:
        raise ValueError(f"operation {dossier.operation_id} has no indicator to put in STIX")
    stamp = _timestamp(dossier.generated_at)
    return {
        "type": "grouping",
        "spec_version": "2.1",
        "id": _stix_id("grouping", dossier),
        "created": stamp,
        "modified": stamp,
        "name": f"Scam operation {dossier.operation_id}: {dossier.summary.title}",
        "description": summary_text(dossier.summary, name_partners=False),
        "context": "suspicious-activity",
        "object_refs": refs,
        **context.properties(),
    }


def _note(dossier: Dossier, grouping_id: str, context: SharingContext) -> dict[str, Any]:
    stamp = _timestamp(dossier.generated_at)
    return {
        "type": "note",
        "spec_version": "2.1",
        "id": _stix_id("note", dossier),
        "created": stamp,
        "modified": stamp,
        "abstract": f"Summary of scam operation {dossier.operation_id}",
        "content": summary_text(dossier.summary, name_partners=False),
        "object_refs": [grouping_id],
        **context.properties(),
    }


def summary_text(summary: OperationSummary, *, name_partners: bool = True) -> str:
    """The summary in a few sentences, for STIX descriptions and the CLI. Without
    ``name_partners`` (STIX, which goes to tools and other partners) the partners are a count:
    which partner shared what is theirs to pass on, not this node's."""
    lines = [
        summary.title + ".",
        f"{summary.report_count} reports from {summary.victim_count} victims"
        + (f" ({_counts(summary.victims_by_country)})." if summary.victims_by_country else "."),
        f"Losses: {summary.total_loss_usd} USD in total, median "
        f"{summary.median_loss_usd if summary.median_loss_usd is not None else 'n/a'} USD"
        + (
            f", {summary.unconverted_reports} amounts in unknown currencies not counted"
            if summary.unconverted_reports
            else ""
        )
        + f" (rates as of {summary.rates_as_of}).",
        f"Seen from {_date(summary.first_seen)} to {_date(summary.last_seen)}.",
        f"Indicators: {_counts(summary.indicator_mix) or 'none'}; infrastructure in "
        f"{', '.join(summary.infrastructure_countries) or 'unknown countries'}"
        + ("; cross-border." if summary.cross_border else "."),
        f"Harm score {summary.harm_score}.",
    ]
    if summary.narrative_indicators:
        lines.insert(
            -1,
            f"{summary.narrative_indicators} further values were only mentioned in narratives "
            "and are not counted as the operation's indicators.",
        )
    if summary.partners and name_partners:
        shared = ", ".join(
            f"{p.partner} ({p.matched_values} values, {p.report_count} reports)"
            for p in summary.partners
        )
        lines.append(f"Partners reporting the same values: {shared}.")
    elif summary.partners:
        lines.append(
            f"{len(summary.partners)} federation partners reported the same values "
            f"({summary.partner_report_count} reports)."
        )
    return " ".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items())


def _date(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "unknown"


# -- HTML --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NetworkNode:
    key: str
    kind: str  # "report" or "indicator"
    label: str
    x: float
    y: float
    r: float

    @property
    def short_label(self) -> str:
        """The printed label: indicators only (reports are too many to name in a picture)."""
        if self.kind != "indicator":
            return ""
        text = self.label.split(" ", 1)[-1]
        return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class Network:
    nodes: tuple[NetworkNode, ...]
    edges: tuple[tuple[float, float, float, float], ...]
    shown_reports: int
    shown_indicators: int
    total_reports: int
    total_indicators: int
    size: int

    @property
    def capped(self) -> bool:
        return (self.shown_reports, self.shown_indicators) != (
            self.total_reports,
            self.total_indicators,
        )


def network(dossier: Dossier, size: int = 640) -> Network:
    """The picture of reports and indicators: indicators on an inner ring, each report on the
    outer ring beside its first indicator, lines for "named". Capped to the most connected."""
    given = dossier.given_indicators
    shown = sorted(given, key=lambda i: (-i.report_count, i.id))
    shown = shown[:NETWORK_MAX_INDICATORS]
    chosen = {item.id for item in shown}
    ranked = sorted(
        (r for r in dossier.reports if chosen.intersection(r.indicator_ids)),
        key=lambda r: (-len(chosen.intersection(r.indicator_ids)), r.seen_at, r.id),
    )[:NETWORK_MAX_REPORTS]
    order = {item.id: index for index, item in enumerate(shown)}
    ranked.sort(key=lambda r: (min(order[i] for i in r.indicator_ids if i in order), r.id))
    centre = size / 2
    inner = _ring(len(shown), centre, size * 0.22)
    outer = _ring(len(ranked), centre, size * 0.44)
    places = {f"i{item.id}": inner[n] for n, item in enumerate(shown)}
    places |= {f"r{report.id}": outer[n] for n, report in enumerate(ranked)}
    nodes = [
        NetworkNode(f"i{i.id}", "indicator", f"{i.type} {i.value}", *inner[n], 7.0)
        for n, i in enumerate(shown)
    ]
    nodes += [
        NetworkNode(f"r{r.id}", "report", f"report {r.id}", *outer[n], 4.0)
        for n, r in enumerate(ranked)
    ]
    edges = tuple(
        (*places[f"r{report.id}"], *places[f"i{i}"])
        for report in ranked
        for i in report.indicator_ids
        if i in chosen
    )
    return Network(
        nodes=tuple(nodes),
        edges=edges,
        shown_reports=len(ranked),
        shown_indicators=len(shown),
        total_reports=len(dossier.reports),
        total_indicators=len(given),
        size=size,
    )


def _ring(count: int, centre: float, radius: float) -> list[tuple[float, float]]:
    if count == 1:
        return [(centre, centre)] if radius < centre * 0.5 else [(centre, centre - radius)]
    return [
        (
            round(centre + radius * math.cos(2 * math.pi * n / count - math.pi / 2), 1),
            round(centre + radius * math.sin(2 * math.pi * n / count - math.pi / 2), 1),
        )
        for n in range(count)
    ]


@cache
def _templates() -> Environment:
    # Autoescape everything: narratives and indicator values are attacker-written text.
    return Environment(
        loader=PackageLoader("scamintel.analysis", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def dossier_html(dossier: Dossier) -> str:
    """A printable page: summary, timeline, network picture and evidence list; no scripts and
    no external resources."""
    by_id = {item.id: item for item in dossier.indicators}
    periods = timeline(dossier.reports)
    busiest = max((period.reports for period in periods), default=1) or 1
    return (
        _templates()
        .get_template("dossier.html")
        .render(
            dossier=dossier,
            summary=dossier.summary,
            summary_text=summary_text(dossier.summary),
            indicators=dossier.given_indicators,
            periods=periods,
            busiest=busiest,
            network=network(dossier),
            reports=[_report_json(report, by_id) for report in dossier.reports],
            notice=PERSONAL_DATA_NOTICE,
            generated=dossier.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        )
    )


# -- export ------------------------------------------------------------------------------------


def render_dossier(dossier: Dossier, fmt: str) -> bytes:
    """The dossier in ``fmt`` (one of :data:`FORMATS`), as the bytes of the file."""
    if fmt == "stix":
        return json.dumps(dossier_stix(dossier), ensure_ascii=False, indent=2).encode()
    if fmt == "json":
        return json.dumps(dossier_json(dossier), ensure_ascii=False, indent=2).encode()
    if fmt == "html":
        return dossier_html(dossier).encode()
    raise ValueError(f"unknown dossier format {fmt!r}; use one of: {', '.join(FORMATS)}")


def export_event(dossier: Dossier, fmt: str, actor: str) -> AuditEvent:
    """The audit record of an export: a dossier carries victims' narratives (personal data),
    so the record says whose: the ids of the reports whose narratives left the node (the STIX
    dossier carries none), or past :data:`AUDIT_IDS_LISTED` their count and the SHA-256 of
    the sorted ids, one per line."""
    disclosed = (
        sorted(report.id for report in dossier.reports if report.narrative) if fmt != "stix" else []
    )
    details: dict[str, Any] = {
        "format": fmt,
        "reports": len(dossier.reports),
        "narratives": len(disclosed),
    }
    if len(disclosed) <= AUDIT_IDS_LISTED:
        details["narrative_report_ids"] = disclosed
    else:
        details["narrative_report_ids_sha256"] = disclosed_ids_digest(disclosed)
    return AuditEvent(
        actor=actor,
        action="operation.dossier_export",
        object_type="operation",
        object_id=str(dossier.operation_id),
        purpose="investigation",
        details=details,
    )


def disclosed_ids_digest(report_ids: Sequence[str]) -> str:
    """SHA-256 (hex) of the report ids, sorted, one per line (newline after each)."""
    text = "".join(f"{report_id}\n" for report_id in sorted(report_ids))
    return hashlib.sha256(text.encode()).hexdigest()
