"""The dashboard's charts as geometry: where each bar, segment and cell goes in an SVG of a
fixed view box. Pure: the templates draw the shapes (with SVG attributes and CSS classes, no
inline styles) and write the labels in the reader's language; each chart also keeps its
numbers as rows for the table shown beside it."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from scamintel.analysis.currency import RateTable
from scamintel.storage.dashboard_repo import AmountTotal, DailyCount

# Colour classes in static/analyst/analyst.css: series-0 … series-4 for the most reporting
# countries, series-other and series-unknown for the rest.
OTHER = "*"  # the series of every country past the most reporting ones
UNKNOWN = "?"  # reports that gave no victim country
CHART_WIDTH = 640
PLOT_LEFT = 44
PLOT_RIGHT = 8
PLOT_TOP = 10
PLOT_BOTTOM = 28
DAILY_HEIGHT = 240
BAR_ROW = 26
BAR_LABEL = 230
MATRIX_CELL = 44
MATRIX_LABEL = 44


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    country: str
    day: date
    count: int


@dataclass(frozen=True, slots=True)
class DayRow:
    day: date
    counts: tuple[int, ...]  # per series, in the order of DailyChart.countries
    total: int


@dataclass(frozen=True, slots=True)
class DailyChart:
    width: int
    height: int
    plot_left: int
    plot_bottom: float
    countries: tuple[str, ...]  # country codes, then OTHER and UNKNOWN when there are any
    colours: tuple[str, ...]  # the colour class of each of ``countries``
    segments: tuple[Segment, ...]
    ticks: tuple[Tick, ...]
    day_labels: tuple[tuple[float, date], ...]
    rows: tuple[DayRow, ...]
    total: int


def nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5 × 10^n at or above ``value`` (at least 1): a round axis top."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)


def _ticks(top: int, plot_top: float, plot_bottom: float, count: int = 4) -> tuple[Tick, ...]:
    step = max(1, top // count)
    values = range(0, top + 1, step)
    span = plot_bottom - plot_top
    return tuple(Tick(round(plot_bottom - span * v / top, 1), v) for v in values)


def _colour(index: int, country: str) -> str:
    if country == OTHER:
        return "series-other"
    if country == UNKNOWN:
        return "series-unknown"
    return f"series-{index}"


def daily_chart(
    counts: Iterable[DailyCount], today: date, days: int = 30, countries: int = 5
) -> DailyChart:
    """Reports per day for the last ``days`` days (today included), stacked by victim
    country: the ``countries`` most reporting ones, then all others, then unknown."""
    first = today - timedelta(days=days - 1)
    every_day = [first + timedelta(days=n) for n in range(days)]
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for item in counts:
        if first <= item.day <= today:
            country = item.country or UNKNOWN
            per_day[item.day][country] += item.reports
            totals[country] += item.reports
    known = [c for c, _ in totals.most_common() if c != UNKNOWN]
    shown = known[:countries]
    order = [*shown]
    if len(known) > countries:
        order.append(OTHER)
    if totals[UNKNOWN]:
        order.append(UNKNOWN)

    colours = [_colour(index, country) for index, country in enumerate(order)]

    def series_of(country: str) -> str:
        return country if country in shown or country == UNKNOWN else OTHER

    rows = []
    for day in every_day:
        grouped: Counter[str] = Counter()
        for country, n in per_day[day].items():
            grouped[series_of(country)] += n
        rows.append(DayRow(day, tuple(grouped[c] for c in order), sum(grouped.values())))
    top = nice_ceiling(max((row.total for row in rows), default=0))
    plot_bottom = DAILY_HEIGHT - PLOT_BOTTOM
    span = plot_bottom - PLOT_TOP
    slot = (CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT) / days
    segments = []
    for index, row in enumerate(rows):
        x = PLOT_LEFT + index * slot + slot * 0.1
        y: float = plot_bottom
        for colour, country, n in zip(colours, order, row.counts, strict=True):
            if n == 0:
                continue
            height = span * n / top
            y -= height
            segments.append(
                Segment(
                    round(x, 1),
                    round(y, 1),
                    round(slot * 0.8, 1),
                    round(height, 1),
                    colour,
                    country,
                    row.day,
                    n,
                )
            )
    labels = tuple(
        (round(PLOT_LEFT + index * slot + slot / 2, 1), day)
        for index, day in enumerate(every_day)
        if index % 7 == 0
    )
    return DailyChart(
        width=CHART_WIDTH,
        height=DAILY_HEIGHT,
        plot_left=PLOT_LEFT,
        plot_bottom=plot_bottom,
        countries=tuple(order),
        colours=tuple(colours),
        segments=tuple(segments),
        ticks=_ticks(top, PLOT_TOP, plot_bottom),
        day_labels=labels,
        rows=tuple(rows),
        total=sum(row.total for row in rows),
    )


@dataclass(frozen=True, slots=True)
class LossBar:
    scam_type: str
    usd: Decimal
    reports: int
    y: float
    width: float


@dataclass(frozen=True, slots=True)
class LossChart:
    width: int
    height: int
    bar_left: int
    bar_height: float
    bars: tuple[LossBar, ...]
    total_usd: Decimal
    unconverted_reports: int
    rates_as_of: date


def loss_chart(totals: Sequence[AmountTotal], rates: RateTable) -> LossChart:
    """Losses per scam type in US dollars by the shipped reference rates, largest first;
    amounts in a currency the table does not know are counted, not converted."""
    usd: dict[str, Decimal] = defaultdict(Decimal)
    reports: Counter[str] = Counter()
    unconverted = 0
    for item in totals:
        converted = rates.to_usd(item.amount, item.currency)
        if converted is None:
            unconverted += item.reports
            continue
        usd[item.scam_type] += converted
        reports[item.scam_type] += item.reports
    ranked = sorted(usd.items(), key=lambda pair: (-pair[1], pair[0]))
    largest = max((amount for _, amount in ranked), default=Decimal(0)) or Decimal(1)
    room = CHART_WIDTH - BAR_LABEL - PLOT_RIGHT - 90
    bars = tuple(
        LossBar(
            scam_type,
            amount,
            reports[scam_type],
            float(PLOT_TOP + index * BAR_ROW),
            round(max(1.0, float(amount / largest) * room), 1),
        )
        for index, (scam_type, amount) in enumerate(ranked)
    )
    return LossChart(
        width=CHART_WIDTH,
        height=PLOT_TOP * 2 + max(1, len(bars)) * BAR_ROW,
        bar_left=BAR_LABEL,
        bar_height=BAR_ROW * 0.7,
        bars=bars,
        total_usd=sum((bar.usd for bar in bars), Decimal(0)),
        unconverted_reports=unconverted,
        rates_as_of=rates.as_of,
    )


@dataclass(frozen=True, slots=True)
class MatrixCell:
    x: float
    y: float
    victims: int
    opacity: float
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class FlowMatrix:
    width: int
    height: int
    cell: int
    label: int
    sources: tuple[str, ...]  # rows: where the operations' infrastructure sits
    targets: tuple[str, ...]  # columns: where their victims are
    cells: tuple[MatrixCell, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]
    operations: int


@dataclass(frozen=True, slots=True)
class OperationFlow:
    """One operation as the matrix reads it (from its summary)."""

    infrastructure_countries: tuple[str, ...]
    victims_by_country: dict[str, int]


def flow_matrix(flows: Iterable[OperationFlow], limit: int = 8) -> FlowMatrix:
    """Victims counted from each infrastructure country to each victim country. An operation
    with infrastructure in two countries counts its victims in both rows; victims of unknown
    country and operations of unknown infrastructure are left out."""
    cells: Counter[tuple[str, str]] = Counter()
    used = 0
    for flow in flows:
        victims = {c: n for c, n in flow.victims_by_country.items() if len(c) == 2 and c.isalpha()}
        if not flow.infrastructure_countries or not victims:
            continue
        used += 1
        for source in flow.infrastructure_countries:
            for target, n in victims.items():
                cells[(source, target)] += n
    by_source: Counter[str] = Counter()
    by_target: Counter[str] = Counter()
    for (source, target), n in cells.items():
        by_source[source] += n
        by_target[target] += n
    sources = tuple(sorted(c for c, _ in by_source.most_common(limit)))
    targets = tuple(sorted(c for c, _ in by_target.most_common(limit)))
    largest = max((cells[(s, t)] for s in sources for t in targets), default=0) or 1
    drawn = []
    for row, source in enumerate(sources):
        for column, target in enumerate(targets):
            n = cells[(source, target)]
            if n:
                drawn.append(
                    MatrixCell(
                        float(MATRIX_LABEL + column * MATRIX_CELL),
                        float(MATRIX_LABEL + row * MATRIX_CELL),
                        n,
                        round(0.15 + 0.85 * n / largest, 2),
                        source,
                        target,
                    )
                )
    return FlowMatrix(
        width=MATRIX_LABEL + max(1, len(targets)) * MATRIX_CELL + PLOT_RIGHT,
        height=MATRIX_LABEL + max(1, len(sources)) * MATRIX_CELL + PLOT_RIGHT,
        cell=MATRIX_CELL,
        label=MATRIX_LABEL,
        sources=sources,
        targets=targets,
        cells=tuple(drawn),
        rows=tuple((s, tuple(cells[(s, t)] for t in targets)) for s in sources),
        operations=used,
    )
