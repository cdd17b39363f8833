"""Which scam operation each report belongs to: the full recompute and the incremental update.

``recluster_all`` reads every report–value link in one query, labels the connected components
(:mod:`scamintel.analysis.graph`) and writes the differences. Operation ids stay stable: each
component keeps the old id held by most of its reports (each old id serves once); an old
operation left without reports is marked ``merged_into`` the operation that took most of them.
An operation whose reports are all gone (purged) and that no case names is deleted; one a case
names keeps its row with no reports, so the case's link still resolves.

``cluster_new_reports`` takes the few reports that arrived since: each joins the operation its
linkable values lead to, merges several (the largest survives, the others get ``merged_into``
and their reports move), or starts a new one (:mod:`scamintel.analysis.incremental`). It never
splits: a value that grows past the fan-out cap stops linking new reports at once, but the
operations it joined earlier stay joined until the next full run (``scamintel cluster --full``).

Both work on raw driver values (UUIDs as SQLite's hex text or psycopg's UUID objects) and
``exec_driver_sql`` for the bulk statements: a million SQLAlchemy row conversions cost more
than the clustering itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy import (
    Connection,
    String,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)

from scamintel.analysis.graph import (
    CONCENTRATION,
    BoolArray,
    IntArray,
    Links,
    cluster,
    pair_counts,
    reporter_degrees,
)
from scamintel.analysis.incremental import Batch, plan_batch
from scamintel.indicators import IndicatorType
from scamintel.indicators.model import Indicator
from scamintel.indicators.warninglist import Warninglist
from scamintel.storage.operation_summaries_repo import refresh_summaries
from scamintel.storage.sql import LOOKUP_CHUNK, chunked
from scamintel.storage.tables import (
    case_links,
    indicators,
    operations,
    report_indicators,
    report_operations,
    reports,
)

# Above this many unclustered reports the incremental path (a few queries per report's
# values) costs more than reading every link once, so the full recompute runs instead.
INCREMENTAL_LIMIT = 5_000
_WRITE_CHUNK = 10_000
_CASE_LINK_KIND = "operation"  # cases.model.LinkKind.OPERATION


@dataclass(frozen=True, slots=True)
class ClusterRun:
    """What one clustering run changed."""

    full: bool
    reports_clustered: int  # reports whose operation was (re)computed
    operations_live: int  # live operations holding reports after the run
    touched: tuple[int, ...] = ()  # live operations whose membership changed
    merged: Mapping[int, int] = field(default_factory=dict)  # absorbed id -> survivor
    created: int = 0  # new operations


# -- full recompute ------------------------------------------------------------------------------
@dataclass(slots=True)
class _Snapshot:
    """Every report with its links and its current operation, as dense arrays."""

    report_keys: list[Any]  # raw driver value of each report id, by dense index
    old_operation: IntArray  # current operation id per report, -1 when unclustered
    links: Links
    value_ids: IntArray  # indicator id per dense value index
    reporter: IntArray  # reporter number per report (-1: unknown, a reporter of its own)


def recluster_all(connection: Connection, *, fanout_cap: int, now: datetime) -> ClusterRun:
    """Recompute every report's operation from scratch; see the module docstring."""
    snapshot = _read_snapshot(connection)
    count = len(snapshot.report_keys)
    if count == 0:
        return ClusterRun(full=True, reports_clustered=0, operations_live=0)
    benign = _benign_values(connection, snapshot)
    labels = cluster(
        snapshot.links, fanout_cap=fanout_cap, benign=benign, reporter_of_report=snapshot.reporter
    )
    label_ids = _stable_ids(labels, snapshot.old_operation)
    sizes = np.bincount(labels)
    created_labels = np.flatnonzero(label_ids < 0)
    if created_labels.size:
        label_ids[created_labels] = _insert_operations(connection, sizes[created_labels], now)
    new_operation = label_ids[labels]
    changed = new_operation != snapshot.old_operation
    _write_memberships(connection, snapshot, new_operation, changed)
    touched = _touched_operations(snapshot.old_operation, new_operation, changed)
    _update_counts(connection, label_ids, sizes, touched, now)
    merged = _retire_old_operations(connection, snapshot.old_operation, new_operation, now)
    refresh_summaries(connection, touched, now)
    return ClusterRun(
        full=True,
        reports_clustered=count,
        operations_live=int(sizes.size),
        touched=tuple(sorted(touched)),
        merged=merged,
        created=int(created_labels.size),
    )


def _read_snapshot(connection: Connection) -> _Snapshot:
    r, ri, ro = reports.name, report_indicators.name, report_operations.name
    rows = connection.exec_driver_sql(
        # One pass: every report (with or without links) and its current operation.
        f"SELECT r.id, r.source_key, ri.indicator_id, ri.origin, ro.operation_id "  # noqa: S608
        f"FROM {r} r LEFT JOIN {ri} ri ON ri.report_id = r.id "
        f"LEFT JOIN {ro} ro ON ro.report_id = r.id"
    ).fetchall()
    report_index: dict[Any, int] = {}
    reporter_index: dict[str, int] = {}
    report_keys: list[Any] = []
    old: list[int] = []
    reporter: list[int] = []
    link_report: list[int] = []
    link_indicator: list[int] = []
    link_given: list[bool] = []
    for report_id, source_key, indicator_id, origin, operation_id in rows:
        index = report_index.get(report_id)
        if index is None:
            index = report_index[report_id] = len(report_keys)
            report_keys.append(report_id)
            old.append(-1 if operation_id is None else int(operation_id))
            reporter.append(
                -1
                if source_key is None
                else reporter_index.setdefault(source_key, len(reporter_index))
            )
        if indicator_id is not None:
            link_report.append(index)
            link_indicator.append(int(indicator_id))
            link_given.append(origin == "given")
    del rows
    value_ids, dense_values = np.unique(
        np.asarray(link_indicator, dtype=np.int64), return_inverse=True
    )
    links = Links(
        np.asarray(link_report, dtype=np.int64),
        dense_values.ravel().astype(np.int64),
        len(report_keys),
        int(value_ids.size),
        np.asarray(link_given, dtype=np.bool_),
    )
    return _Snapshot(
        report_keys,
        np.asarray(old, dtype=np.int64),
        links,
        value_ids.astype(np.int64),
        np.asarray(reporter, dtype=np.int64),
    )


def _benign_values(connection: Connection, snapshot: _Snapshot) -> BoolArray:
    """Which values a warninglist names. Intake already leaves those out; this catches values
    stored before a list named them. Only values that could link anything are looked up."""
    # Values past the cap can link too (when concentrated), so every value named twice is
    # looked up.
    candidates = np.flatnonzero(reporter_degrees(snapshot.links) >= 2)
    benign = np.zeros(snapshot.links.value_count, dtype=np.bool_)
    if candidates.size == 0:
        return benign
    position = {int(snapshot.value_ids[i]): int(i) for i in candidates}
    warninglist = Warninglist()
    for chunk in chunked(list(position), LOOKUP_CHUNK):
        query = select(indicators.c.id, indicators.c.type, indicators.c.value).where(
            indicators.c.id.in_(chunk)
        )
        for row in connection.execute(query):
            indicator = Indicator(IndicatorType(row.type), row.value)
            if warninglist.benign(indicator) is not None:
                benign[position[int(row.id)]] = True
    return benign


def _stable_ids(labels: IntArray, old_operation: IntArray) -> IntArray:
    """The old operation id each new label keeps, or -1: greedily by how many of the label's
    reports the old operation held, each old id given out once."""
    label_count = int(labels.max()) + 1
    kept = np.full(label_count, -1, dtype=np.int64)
    clustered = old_operation >= 0
    if not clustered.any():
        return kept
    pairs, counts = pair_counts(labels[clustered], old_operation[clustered])
    # Most shared reports first; ties go to the older (smaller) operation id.
    order = np.lexsort((pairs[1], -counts))
    used: set[int] = set()
    for label, old_id in pairs[:, order].T.tolist():
        if kept[label] < 0 and old_id not in used:
            kept[label] = old_id
            used.add(old_id)
    return kept


def _insert_operations(connection: Connection, sizes: IntArray, now: datetime) -> IntArray:
    """New operation rows with ``report_count`` set; the summary columns start at zero and
    ``refresh_summaries`` fills them. Returns the new ids in the order of ``sizes``."""
    ids: list[int] = []
    rows = [_new_operation_row(int(size), now) for size in sizes.tolist()]
    statement = insert(operations).returning(operations.c.id, sort_by_parameter_order=True)
    for chunk in chunked(rows, _WRITE_CHUNK):
        ids.extend(int(row[0]) for row in connection.execute(statement, list(chunk)))
    return np.asarray(ids, dtype=np.int64)


def _new_operation_row(size: int, now: datetime) -> dict[str, Any]:
    return {
        "merged_into": None,
        "report_count": size,
        "victim_count": 0,
        "total_loss_usd": 0,
        "harm_score": 0,
        "cross_border": False,
        "first_seen": None,
        "last_seen": None,
        "summary": None,
        "created_at": now,
        "updated_at": now,
    }


def _write_memberships(
    connection: Connection, snapshot: _Snapshot, new_operation: IntArray, changed: BoolArray
) -> None:
    keys = snapshot.report_keys
    moved = np.flatnonzero(changed & (snapshot.old_operation >= 0)).tolist()
    fresh = np.flatnonzero(snapshot.old_operation < 0).tolist()
    mark = _placeholder(connection)
    table = report_operations.name
    operation_of = new_operation.tolist()
    for chunk in chunked(moved, _WRITE_CHUNK):
        connection.exec_driver_sql(
            f"UPDATE {table} SET operation_id = {mark} WHERE report_id = {mark}",  # noqa: S608
            [(operation_of[i], keys[i]) for i in chunk],
        )
    for chunk in chunked(fresh, _WRITE_CHUNK):
        connection.exec_driver_sql(
            f"INSERT INTO {table} (report_id, operation_id) VALUES ({mark}, {mark})",  # noqa: S608
            [(keys[i], operation_of[i]) for i in chunk],
        )


def _placeholder(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _touched_operations(old: IntArray, new: IntArray, changed: BoolArray) -> set[int]:
    """Live operations whose membership changed: those that gained a report, and those that
    lost one and still exist."""
    gained = set(np.unique(new[changed]).tolist())
    lost = set(np.unique(old[changed & (old >= 0)]).tolist())
    live = set(np.unique(new).tolist())
    return gained | (lost & live)


def _update_counts(
    connection: Connection, label_ids: IntArray, sizes: IntArray, touched: set[int], now: datetime
) -> None:
    rows = [
        {"op_id": op_id, "report_count": size, "updated_at": now}
        for op_id, size in zip(label_ids.tolist(), sizes.tolist(), strict=True)
        if op_id in touched
    ]
    statement = (
        update(operations)
        .where(operations.c.id == bindparam("op_id"))
        .values(report_count=bindparam("report_count"), updated_at=bindparam("updated_at"))
    )
    for chunk in chunked(rows, _WRITE_CHUNK):
        connection.execute(statement, list(chunk))


def _retire_old_operations(
    connection: Connection, old: IntArray, new: IntArray, now: datetime
) -> dict[int, int]:
    """Old operations that kept no reports: merged into where most of their reports went."""
    live = set(np.unique(new).tolist())
    clustered = old >= 0
    merged: dict[int, int] = {}
    if clustered.any():
        pairs, counts = pair_counts(old[clustered], new[clustered])
        order = np.lexsort((pairs[1], -counts))
        for old_id, new_id in pairs[:, order].T.tolist():
            if old_id not in live and old_id not in merged:
                merged[old_id] = new_id
    _mark_merged(connection, merged, now)
    _drop_empty_operations(connection, live, set(merged))
    return merged


def _mark_merged(connection: Connection, merged: Mapping[int, int], now: datetime) -> None:
    if not merged:
        return
    values = [
        {"op_id": old_id, "survivor": new_id, "updated_at": now}
        for old_id, new_id in merged.items()
    ]
    statement = update(operations).values(
        merged_into=bindparam("survivor"), report_count=0, updated_at=bindparam("updated_at")
    )
    for chunk in chunked(values, _WRITE_CHUNK):
        # Operations merged earlier into one that is merged now point at the new survivor,
        # so every chain stays one step long.
        connection.execute(statement.where(operations.c.merged_into == bindparam("op_id")), chunk)
        connection.execute(statement.where(operations.c.id == bindparam("op_id")), chunk)


def _drop_empty_operations(connection: Connection, live: set[int], merged: set[int]) -> None:
    """Live rows that hold no report any more (their reports were purged): deleted unless a
    case names them."""
    empty = select(operations.c.id).where(
        operations.c.merged_into.is_(None),
        ~select(report_operations.c.report_id)
        .where(report_operations.c.operation_id == operations.c.id)
        .exists(),
    )
    ids = [int(row[0]) for row in connection.execute(empty) if int(row[0]) not in merged | live]
    if not ids:
        return
    named = {
        int(row[0])
        for chunk in chunked([str(i) for i in ids], LOOKUP_CHUNK)
        for row in connection.execute(
            select(case_links.c.ref).where(
                case_links.c.kind == _CASE_LINK_KIND, case_links.c.ref.in_(chunk)
            )
        )
    }
    doomed = [i for i in ids if i not in named]
    for chunk in chunked(doomed, LOOKUP_CHUNK):
        connection.execute(delete(operations).where(operations.c.id.in_(chunk)))


# -- incremental ---------------------------------------------------------------------------------
def cluster_new_reports(
    connection: Connection,
    *,
    fanout_cap: int,
    now: datetime,
    report_ids: Sequence[UUID] | None = None,
) -> ClusterRun:
    """Cluster ``report_ids`` (default: every report without an operation) into the existing
    operations; above ``INCREMENTAL_LIMIT`` such reports :func:`recluster_all` runs instead.
    Reports given that already have an operation are left as they are."""
    pending = _unclustered(connection, report_ids)
    if not pending:
        return ClusterRun(full=False, reports_clustered=0, operations_live=_live_count(connection))
    if len(pending) > INCREMENTAL_LIMIT:
        return recluster_all(connection, fanout_cap=fanout_cap, now=now)
    batch = _read_batch(connection, pending, fanout_cap)
    plan = plan_batch(batch)
    merged: dict[int, int] = {}
    touched: set[int] = set()
    created = 0
    for group in plan.groups:
        survivor = group.survivor
        if survivor is None:
            survivor = int(_insert_operations(connection, np.asarray([0]), now)[0])
            created += 1
        absorbed = [op for op in group.operations if op != survivor]
        _absorb(connection, survivor, absorbed, now)
        merged.update(dict.fromkeys(absorbed, survivor))
        _add_members(connection, survivor, [pending[i] for i in group.reports])
        touched.add(survivor)
    _recount(connection, touched, now)
    refresh_summaries(connection, touched, now)
    return ClusterRun(
        full=False,
        reports_clustered=len(pending),
        operations_live=_live_count(connection),
        touched=tuple(sorted(touched)),
        merged=merged,
        created=created,
    )


def _unclustered(connection: Connection, report_ids: Sequence[UUID] | None) -> list[UUID]:
    """The reports to cluster: those given that exist and have no operation yet, or all
    such reports."""
    query = (
        select(reports.c.id)
        .outerjoin(report_operations, report_operations.c.report_id == reports.c.id)
        .where(report_operations.c.report_id.is_(None))
    )
    if report_ids is None:
        return [row[0] for row in connection.execute(query.order_by(reports.c.received_at))]
    found: list[UUID] = []
    wanted = list(dict.fromkeys(report_ids))
    for chunk in chunked(wanted, LOOKUP_CHUNK):
        found.extend(row[0] for row in connection.execute(query.where(reports.c.id.in_(chunk))))
    order = {report_id: index for index, report_id in enumerate(wanted)}
    return sorted(found, key=order.__getitem__)


def _read_batch(connection: Connection, pending: Sequence[UUID], fanout_cap: int) -> Batch:
    """The batch's values, which of them may link, and the operations they lead to."""
    position = {report_id: index for index, report_id in enumerate(pending)}
    values_of: dict[int, list[int]] = {}
    for chunk in chunked(list(pending), LOOKUP_CHUNK):
        rows = connection.execute(
            select(report_indicators.c.report_id, report_indicators.c.indicator_id).where(
                report_indicators.c.report_id.in_(chunk)
            )
        )
        for report_id, indicator_id in rows:
            values_of.setdefault(int(indicator_id), []).append(position[report_id])
    linkable, busy = _linkable(connection, list(values_of), fanout_cap)
    operations_of = _operations_of_values(connection, linkable)
    # A value past the cap links only to the one operation it is concentrated in.
    operations_of.update(
        (value, {operation}) for value, operation in _concentrated(connection, busy).items()
    )
    sizes = _operation_sizes(connection, {op for ops in operations_of.values() for op in ops})
    return Batch(
        report_count=len(pending),
        reports_of_value={value: values_of[value] for value in operations_of},
        operations_of_value=operations_of,
        operation_sizes=sizes,
    )


def _linkable(
    connection: Connection, value_ids: Sequence[int], fanout_cap: int
) -> tuple[list[int], list[int]]:
    """Values named in two reports or more, given as an indicator by somebody, and on no
    warninglist (the rule of :func:`analysis.graph.linkable_values`): those named by at most
    ``fanout_cap`` distinct reporters, and those named by more."""
    ri = report_indicators
    given = func.sum(case((ri.c.origin == "given", 1), else_=0))
    counted: dict[int, int] = {}
    for chunk in chunked(list(value_ids), LOOKUP_CHUNK):
        query = (
            select(ri.c.indicator_id, func.count(), given)
            .where(ri.c.indicator_id.in_(chunk))
            .group_by(ri.c.indicator_id)
        )
        for indicator_id, links, given_links in connection.execute(query):
            if links >= 2 and given_links:
                counted[int(indicator_id)] = int(links)
    over = [value for value, links in counted.items() if links > fanout_cap]
    reporters = _distinct_reporters(connection, over)
    eligible = set(_not_benign(connection, list(counted)))
    within = [
        value
        for value, links in counted.items()
        if value in eligible and (links <= fanout_cap or reporters[value] <= fanout_cap)
    ]
    busy = [value for value in over if value in eligible and reporters[value] > fanout_cap]
    return sorted(within), sorted(busy)


def _concentrated(connection: Connection, value_ids: Sequence[int]) -> dict[int, int]:
    """For each value past the cap, the operation it is concentrated in, if any: the one
    holding more than ``CONCENTRATION`` of the clustered reports naming it
    (:func:`analysis.graph.concentrated_values`)."""
    ri, ro = report_indicators, report_operations
    found: dict[int, int] = {}
    for value in value_ids:
        query = (
            select(ro.c.operation_id, func.count())
            .select_from(ri)
            .join(ro, ro.c.report_id == ri.c.report_id)
            .where(ri.c.indicator_id == value)
            .group_by(ro.c.operation_id)
        )
        counts = {int(op): int(count) for op, count in connection.execute(query)}
        if counts:
            top = max(counts, key=lambda op: (counts[op], -op))
            if counts[top] > CONCENTRATION * sum(counts.values()):
                found[value] = top
    return found


def _distinct_reporters(connection: Connection, value_ids: Sequence[int]) -> dict[int, int]:
    """Distinct reporters per value; a report without a reporter key counts as its own."""
    if not value_ids:
        return {}
    ri = report_indicators
    reporter = func.coalesce(reports.c.source_key, cast(reports.c.id, String))
    counts: dict[int, int] = {}
    for chunk in chunked(list(value_ids), LOOKUP_CHUNK):
        query = (
            select(ri.c.indicator_id, func.count(func.distinct(reporter)))
            .join(reports, reports.c.id == ri.c.report_id)
            .where(ri.c.indicator_id.in_(chunk))
            .group_by(ri.c.indicator_id)
        )
        counts.update((int(value), int(count)) for value, count in connection.execute(query))
    return counts


def _not_benign(connection: Connection, value_ids: Sequence[int]) -> list[int]:
    if not value_ids:
        return []
    warninglist = Warninglist()
    kept: list[int] = []
    for chunk in chunked(list(value_ids), LOOKUP_CHUNK):
        query = select(indicators.c.id, indicators.c.type, indicators.c.value).where(
            indicators.c.id.in_(chunk)
        )
        for row in connection.execute(query):
            if warninglist.benign(Indicator(IndicatorType(row.type), row.value)) is None:
                kept.append(int(row.id))
    return sorted(kept)


def _operations_of_values(connection: Connection, value_ids: Sequence[int]) -> dict[int, set[int]]:
    ri, ro = report_indicators, report_operations
    found: dict[int, set[int]] = {value: set() for value in value_ids}
    for chunk in chunked(list(value_ids), LOOKUP_CHUNK):
        query = (
            select(ri.c.indicator_id, ro.c.operation_id)
            .join(ro, ro.c.report_id == ri.c.report_id)
            .where(ri.c.indicator_id.in_(chunk))
            .distinct()
        )
        for value, operation_id in connection.execute(query):
            found[int(value)].add(int(operation_id))
    return found


def _operation_sizes(connection: Connection, operation_ids: Iterable[int]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for chunk in chunked(sorted(operation_ids), LOOKUP_CHUNK):
        query = select(operations.c.id, operations.c.report_count).where(operations.c.id.in_(chunk))
        sizes.update((int(op_id), int(count)) for op_id, count in connection.execute(query))
    return sizes


def _absorb(connection: Connection, survivor: int, absorbed: Sequence[int], now: datetime) -> None:
    """Move the absorbed operations' reports into ``survivor`` and mark them merged."""
    if not absorbed:
        return
    connection.execute(
        update(report_operations)
        .where(report_operations.c.operation_id.in_(absorbed))
        .values(operation_id=survivor)
    )
    _mark_merged(connection, dict.fromkeys(absorbed, survivor), now)


def _add_members(connection: Connection, operation_id: int, report_ids: Sequence[UUID]) -> None:
    connection.execute(
        insert(report_operations),
        [{"report_id": report_id, "operation_id": operation_id} for report_id in report_ids],
    )


def _recount(connection: Connection, operation_ids: Iterable[int], now: datetime) -> None:
    for op_id in sorted(operation_ids):
        count = connection.scalar(
            select(func.count()).where(report_operations.c.operation_id == op_id)
        )
        connection.execute(
            update(operations)
            .where(operations.c.id == op_id)
            .values(report_count=int(count or 0), updated_at=now)
        )


def _live_count(connection: Connection) -> int:
    # Only the merged_into index is read; an operation without reports is deleted unless a
    # case names it, so the few kept empty for a case count too.
    query = select(func.count()).select_from(operations).where(operations.c.merged_into.is_(None))
    return int(connection.scalar(query) or 0)


# -- lookups -------------------------------------------------------------------------------------
def operation_of_report(connection: Connection, report_id: UUID) -> int | None:
    """The operation ``report_id`` belongs to; None when it is not clustered yet."""
    value = connection.scalar(
        select(report_operations.c.operation_id).where(report_operations.c.report_id == report_id)
    )
    return None if value is None else int(value)
