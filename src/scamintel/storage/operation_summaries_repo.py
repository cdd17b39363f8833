"""Operation summaries: recomputed from the reports after clustering, read back ranked by harm.

``refresh_summaries`` works a chunk of operations at a time with one query per kind of fact
(reports, indicators, partner matches) and one batched update, so a full recluster of a
million reports costs a few hundred queries, not one per operation.

Only indicators a report *gave* (``report_indicators.origin = 'given'``) describe an
operation, as in the clustering (storage/operations_repo.py); values only found in narratives
are counted apart and shown flagged in the dossier's evidence.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    String,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    type_coerce,
    update,
)

from scamintel.analysis.currency import rate_table
from scamintel.analysis.dossier import Dossier, OperationIndicator, OperationReport
from scamintel.analysis.summary import (
    IndicatorFact,
    OperationSummary,
    PartnerMatch,
    ReportFact,
    summarize,
    summary_from_dict,
    summary_to_dict,
)
from scamintel.storage.sql import LOOKUP_CHUNK, as_utc, chunked
from scamintel.storage.tables import (
    indicators,
    operations,
    partner_indicators,
    report_indicators,
    report_operations,
    reports,
)

# Bound on a merge chain followed to its survivor (a chain this long means a bug, not data).
MERGE_CHAIN_LIMIT = 100
GIVEN = "given"
# Partner records a dossier may pass on: onward sharing agreed and one of these markings.
ONWARD_MARKINGS = ("clear", "green")
# The list filters read this key of the stored summary text, written last so that a LIKE can
# anchor on the end of the text: `"filter_index": "|c:KH|c:TH|t:investment|"}`. Victim and
# infrastructure countries ("c:") and scam types ("t:"); see docs/dossiers.md.
FILTER_KEY = "filter_index"
LIKE_ESCAPE = "!"
Order = Literal["harm", "last_seen"]


@dataclass(frozen=True, slots=True)
class OperationRow:
    """A live operation as stored, its summary parsed (None before the first refresh)."""

    id: int
    report_count: int
    victim_count: int
    total_loss_usd: Decimal
    harm_score: float
    cross_border: bool
    first_seen: datetime | None
    last_seen: datetime | None
    summary: OperationSummary | None


# -- refresh -----------------------------------------------------------------------------------


def refresh_summaries(connection: Connection, operation_ids: Iterable[int], now: datetime) -> None:
    """Recompute and store the summary columns of the given live operations (merged ones and
    unknown ids are skipped)."""
    ids = sorted(set(operation_ids))
    # A node that has no federation partner data skips that join for every chunk.
    partners = _has_partner_data(connection)
    for chunk in chunked(ids, LOOKUP_CHUNK):
        live = _live_ids(connection, chunk)
        if not live:
            continue
        summaries = _summaries(connection, live, now, partners)
        connection.execute(
            update(operations).where(operations.c.id == bindparam("op_id")),
            [_columns(operation_id, summaries[operation_id], now) for operation_id in live],
        )


def _has_partner_data(connection: Connection) -> bool:
    return connection.execute(select(partner_indicators.c.id).limit(1)).first() is not None


def _summaries(
    connection: Connection, ids: Sequence[int], now: datetime, partners: bool
) -> dict[int, OperationSummary]:
    """The summaries of the operations ``ids`` (at most a chunk), computed from their facts."""
    table = rate_table()
    report_facts = _report_facts(connection, ids)
    indicator_facts = _indicator_facts(connection, ids)
    matches = _partner_matches(connection, ids, now) if partners else {}
    return {
        operation_id: summarize(
            report_facts.get(operation_id, []),
            indicator_facts.get(operation_id, []),
            matches.get(operation_id, []),
            table,
        )
        for operation_id in ids
    }


def refresh_all_summaries(connection: Connection, now: datetime) -> int:
    """Recompute every live operation's summary (after a rate-table update, or when partner
    data in force changed); returns how many."""
    ids = [
        int(i)
        for i in connection.execute(
            select(operations.c.id).where(operations.c.merged_into.is_(None))
        ).scalars()
    ]
    refresh_summaries(connection, ids, now)
    return len(ids)


def _live_ids(connection: Connection, chunk: Sequence[int]) -> list[int]:
    query = select(operations.c.id).where(
        operations.c.id.in_(chunk), operations.c.merged_into.is_(None)
    )
    return sorted(int(row.id) for row in connection.execute(query))


def _report_facts(connection: Connection, ids: Sequence[int]) -> dict[int, list[ReportFact]]:
    # Id and seen_at as text where the driver gives text: a full recluster reads every report,
    # and SQLAlchemy's per-row UUID and SQLite datetime parsing cost more than the summary.
    query = (
        select(
            report_operations.c.operation_id,
            type_coerce(reports.c.id, String).label("id"),
            type_coerce(reports.c.seen_at, String).label("seen_at"),
            reports.c.scam_type,
            reports.c.channel,
            reports.c.victim_country,
            reports.c.amount,
            reports.c.currency,
            reports.c.source_key,
        )
        .join(reports, reports.c.id == report_operations.c.report_id)
        .where(report_operations.c.operation_id.in_(ids))
    )
    facts: dict[int, list[ReportFact]] = defaultdict(list)
    for operation_id, report_id, seen, *rest in connection.execute(query).all():
        facts[int(operation_id)].append(ReportFact(str(report_id), _moment(seen), *rest))
    return facts


def _moment(value: str | datetime) -> datetime:
    """A stored timestamp in UTC, from the text SQLite keeps or PostgreSQL's datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return _utc(moment)


def _given() -> ColumnElement[int]:
    """1 when any of the grouped links gave the value, 0 when all found it in narratives."""
    return func.max(case((report_indicators.c.origin == GIVEN, 1), else_=0))


def _indicator_facts(connection: Connection, ids: Sequence[int]) -> dict[int, list[IndicatorFact]]:
    given = _given().label("given")
    query = (
        select(
            report_operations.c.operation_id,
            indicators.c.id,
            indicators.c.type,
            indicators.c.value,
            indicators.c.country,
            given,
        )
        .join(report_indicators, report_indicators.c.report_id == report_operations.c.report_id)
        .join(indicators, indicators.c.id == report_indicators.c.indicator_id)
        .where(report_operations.c.operation_id.in_(ids))
        .group_by(
            report_operations.c.operation_id,
            indicators.c.id,
            indicators.c.type,
            indicators.c.value,
            indicators.c.country,
        )
    )
    facts: dict[int, list[IndicatorFact]] = defaultdict(list)
    for row in connection.execute(query).all():
        facts[int(row.operation_id)].append(
            IndicatorFact(
                id=int(row.id),
                type=row.type,
                value=row.value,
                country=row.country,
                given=bool(row.given),
            )
        )
    return facts


def _partner_matches(
    connection: Connection, ids: Sequence[int], now: datetime
) -> dict[int, list[PartnerMatch]]:
    """Partner data in force (not revoked, not expired) whose (type, value) equals one of the
    operations' given indicators. Blind-hashed partner rows are not matched: that needs each
    agreement's key per value, which the summary of every operation cannot afford. A value
    counts as passable onward when one of the partner's records of it allows onward sharing
    under TLP:CLEAR or TLP:GREEN."""
    passable = and_(
        partner_indicators.c.onward.is_(True), partner_indicators.c.marking.in_(ONWARD_MARKINGS)
    )
    query = (
        select(
            report_operations.c.operation_id,
            partner_indicators.c.partner,
            partner_indicators.c.type,
            partner_indicators.c.value,
            func.max(partner_indicators.c.report_count).label("report_count"),
            func.max(case((passable, 1), else_=0)).label("onward"),
        )
        .join(report_indicators, report_indicators.c.report_id == report_operations.c.report_id)
        .join(indicators, indicators.c.id == report_indicators.c.indicator_id)
        .join(
            partner_indicators,
            and_(
                partner_indicators.c.type == indicators.c.type,
                partner_indicators.c.value == indicators.c.value,
            ),
        )
        .where(
            report_operations.c.operation_id.in_(ids),
            report_indicators.c.origin == GIVEN,
            partner_indicators.c.revoked.is_(False),
            partner_indicators.c.expires_at > now,
            or_(partner_indicators.c.valid_until.is_(None), partner_indicators.c.valid_until > now),
        )
        .group_by(
            report_operations.c.operation_id,
            partner_indicators.c.partner,
            partner_indicators.c.type,
            partner_indicators.c.value,
        )
    )
    matches: dict[int, list[PartnerMatch]] = defaultdict(list)
    for row in connection.execute(query):
        matches[int(row.operation_id)].append(
            PartnerMatch(
                partner=row.partner,
                type=row.type,
                value=row.value,
                report_count=int(row.report_count or 0),
                onward=bool(row.onward),
            )
        )
    return matches


def _columns(operation_id: int, summary: OperationSummary, now: datetime) -> dict[str, Any]:
    return {
        "op_id": operation_id,
        "report_count": summary.report_count,
        "victim_count": summary.victim_count,
        "total_loss_usd": summary.total_loss_usd,
        "harm_score": Decimal(str(summary.harm_score)),
        "cross_border": summary.cross_border,
        "first_seen": summary.first_seen,
        "last_seen": summary.last_seen,
        "summary": summary_json(summary),
        "updated_at": now,
    }


def summary_json(summary: OperationSummary) -> str:
    """The stored text: the summary with the filter index as its last key (not sorted: the
    list filters anchor their LIKE on the end of the text)."""
    document = summary_to_dict(summary)
    document.pop(FILTER_KEY, None)
    document[FILTER_KEY] = filter_index(summary)
    return json.dumps(document, ensure_ascii=False)


def filter_index(summary: OperationSummary) -> str:
    """``|c:KH|c:TH|t:investment|``: the victim and infrastructure countries and the scam
    types, each between bars."""
    countries = sorted(set(summary.victim_countries) | set(summary.infrastructure_countries))
    tokens = [f"c:{code}" for code in countries] + [
        f"t:{kind}" for kind in sorted(summary.scam_types)
    ]
    return "|" + "".join(f"{token}|" for token in tokens)


def _indexed(token: str) -> ColumnElement[bool]:
    """The stored summary's filter index holds ``token``. The key's quotes cannot occur
    unescaped inside a JSON string, and it is the last key, so the match is within its value."""
    escaped = json.dumps(token, ensure_ascii=False)[1:-1]
    for char in (LIKE_ESCAPE, "%", "_"):
        escaped = escaped.replace(char, LIKE_ESCAPE + char)
    pattern = f'%"{FILTER_KEY}": "%|{escaped}|%"}}'
    return operations.c.summary.like(pattern, escape=LIKE_ESCAPE)


def _utc(moment: datetime) -> datetime:
    utc = as_utc(moment)
    assert utc is not None  # seen_at is NOT NULL
    return utc


# -- reading -----------------------------------------------------------------------------------


def list_operations(
    connection: Connection,
    *,
    limit: int = 50,
    offset: int = 0,
    country: str | None = None,
    cross_border: bool | None = None,
    scam_type: str | None = None,
    min_reports: int = 1,
    order: Order = "harm",
) -> list[OperationRow]:
    """Live operations ranked by harm (then id), or by ``last_seen`` (latest first, then id).
    ``country`` matches a known victim country or a given indicator's country; ``scam_type``
    any of the operation's scam types. Both read the stored summary (its filter index), so an
    operation not summarised yet matches neither."""
    query = select(operations).where(
        operations.c.merged_into.is_(None), operations.c.report_count >= min_reports
    )
    if cross_border is not None:
        query = query.where(operations.c.cross_border.is_(cross_border))
    if country is not None:
        query = query.where(_indexed(f"c:{country.strip().upper()}"))
    if scam_type is not None:
        query = query.where(_indexed(f"t:{scam_type}"))
    if order == "last_seen":
        query = query.order_by(operations.c.last_seen.desc().nulls_last(), operations.c.id)
    else:
        query = query.order_by(operations.c.harm_score.desc(), operations.c.id)
    return [_row(row) for row in connection.execute(query.limit(limit).offset(offset))]


def _row(row: Row[Any]) -> OperationRow:
    return OperationRow(
        id=int(row.id),
        report_count=int(row.report_count),
        victim_count=int(row.victim_count),
        total_loss_usd=Decimal(row.total_loss_usd),
        harm_score=float(row.harm_score),
        cross_border=bool(row.cross_border),
        first_seen=as_utc(row.first_seen),
        last_seen=as_utc(row.last_seen),
        summary=_stored_summary(row.summary),
    )


def _stored_summary(text: str | None) -> OperationSummary | None:
    """The stored summary; None when there is none or it is not one this version reads (a
    partial one written by hand): the detail and the dossier then summarise on the fly."""
    if not text:
        return None
    try:
        return summary_from_dict(json.loads(text))
    except (KeyError, TypeError, ValueError):
        return None


def find_operation(connection: Connection, operation_id: int) -> OperationRow | None:
    """The live operation ``operation_id``; None when unknown or merged away."""
    row = connection.execute(
        select(operations).where(operations.c.id == operation_id)
    ).one_or_none()
    if row is None or row.merged_into is not None:
        return None
    return _row(row)


def current_operation(
    connection: Connection, operation_id: int, now: datetime
) -> OperationRow | None:
    """The live operation ``operation_id`` with a summary: the stored one, or, for an operation
    no clustering run has summarised yet, one computed now (not stored); None when unknown or
    merged away."""
    row = find_operation(connection, operation_id)
    if row is None or row.summary is not None:
        return row
    summary = _summaries(connection, [operation_id], now, _has_partner_data(connection))[
        operation_id
    ]
    return OperationRow(
        id=row.id,
        report_count=summary.report_count,
        victim_count=summary.victim_count,
        total_loss_usd=summary.total_loss_usd,
        harm_score=summary.harm_score,
        cross_border=summary.cross_border,
        first_seen=summary.first_seen,
        last_seen=summary.last_seen,
        summary=summary,
    )


def survivor_of(connection: Connection, operation_id: int) -> int | None:
    """The live operation ``operation_id`` ended up in: itself when live, the end of its merge
    chain when merged, None when unknown."""
    current = operation_id
    for _ in range(MERGE_CHAIN_LIMIT):
        merged_into = connection.execute(
            select(operations.c.merged_into).where(operations.c.id == current)
        ).one_or_none()
        if merged_into is None:
            return None
        if merged_into[0] is None:
            return current
        current = int(merged_into[0])
    return None


def operation_indicators(
    connection: Connection,
    operation_id: int,
    limit: int | None = None,
    *,
    mentioned: bool = False,
    indicator_type: str | None = None,
) -> list[OperationIndicator]:
    """The operation's given indicators (of ``indicator_type`` only, when given) with the
    number of its reports naming each, most named first. ``mentioned`` adds the values only
    found in narratives (``given`` False; the dossier's evidence flags them), counting every
    report naming a value either way."""
    count = func.count(report_indicators.c.report_id).label("report_count")
    given = _given().label("given")
    query = (
        select(
            indicators.c.id,
            indicators.c.type,
            indicators.c.value,
            indicators.c.country,
            count,
            given,
        )
        .join(report_indicators, report_indicators.c.indicator_id == indicators.c.id)
        .join(report_operations, report_operations.c.report_id == report_indicators.c.report_id)
        .where(report_operations.c.operation_id == operation_id)
        .group_by(indicators.c.id, indicators.c.type, indicators.c.value, indicators.c.country)
        .order_by(count.desc(), indicators.c.id)
    )
    if not mentioned:
        query = query.where(report_indicators.c.origin == GIVEN)
    if indicator_type is not None:
        query = query.where(indicators.c.type == indicator_type)
    if limit is not None:
        query = query.limit(limit)
    return [
        OperationIndicator(
            id=int(row.id),
            type=row.type,
            value=row.value,
            country=row.country,
            report_count=int(row.report_count),
            given=bool(row.given),
        )
        for row in connection.execute(query)
    ]


def operation_reports(
    connection: Connection,
    operation_id: int,
    *,
    limit: int | None = None,
    offset: int = 0,
    narratives: bool = False,
) -> list[OperationReport]:
    """The operation's reports, oldest first, with the ids of the indicators each named.
    ``narratives`` adds the report text (personal data: the dossier only)."""
    columns = [
        reports.c.id,
        reports.c.seen_at,
        reports.c.occurred_at,
        reports.c.scam_type,
        reports.c.channel,
        reports.c.victim_country,
        reports.c.amount,
        reports.c.currency,
    ]
    if narratives:
        columns.append(reports.c.narrative)
    query = (
        select(*columns)
        .join(report_operations, report_operations.c.report_id == reports.c.id)
        .where(report_operations.c.operation_id == operation_id)
        .order_by(reports.c.seen_at, reports.c.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = list(connection.execute(query))
    named, mentioned = _named_indicators(connection, [row.id for row in rows])
    return [
        OperationReport(
            id=str(row.id),
            seen_at=_utc(row.seen_at),
            occurred_at=as_utc(row.occurred_at),
            scam_type=row.scam_type,
            channel=row.channel,
            victim_country=row.victim_country,
            amount=row.amount,
            currency=row.currency,
            narrative=row.narrative if narratives else None,
            indicator_ids=tuple(sorted(named.get(str(row.id), ()))),
            mentioned_ids=tuple(sorted(mentioned.get(str(row.id), ()))),
        )
        for row in rows
    ]


def _named_indicators(
    connection: Connection, report_ids: Sequence[Any]
) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Per report: the indicators it gave, and the values only found in its narrative."""
    named: dict[str, set[int]] = defaultdict(set)
    mentioned: dict[str, set[int]] = defaultdict(set)
    for chunk in chunked(report_ids, LOOKUP_CHUNK):
        query = select(
            report_indicators.c.report_id,
            report_indicators.c.indicator_id,
            report_indicators.c.origin,
        ).where(report_indicators.c.report_id.in_(chunk))
        for row in connection.execute(query):
            found = named if row.origin == GIVEN else mentioned
            found[str(row.report_id)].add(int(row.indicator_id))
    return named, mentioned


def load_dossier(
    connection: Connection, operation_id: int, origin: str, now: datetime
) -> Dossier | None:
    """Everything the dossier of the live operation ``operation_id`` shows, narratives
    included (an operation not summarised yet is summarised now); None when it is unknown or
    merged away."""
    row = current_operation(connection, operation_id, now)
    if row is None or row.summary is None:
        return None
    return Dossier(
        operation_id=operation_id,
        summary=row.summary,
        indicators=tuple(operation_indicators(connection, operation_id, mentioned=True)),
        reports=tuple(operation_reports(connection, operation_id, narratives=True)),
        origin=origin,
        generated_at=now,
    )
