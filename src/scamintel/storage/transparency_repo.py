"""The transparency report's numbers, each an aggregate query over one period
(governance/transparency.py; docs/governance.md, "Transparency report").

Every query reads a range of one indexed timestamp column (``reports.received_at``,
``listing_transitions.at``, ``audit_log.at``, ``subject_requests.received_at``; the first
and the last added by migration 0005). Reports are counted in one pass grouped by scam type
and channel, so their range is read once, not three times.

The report is public and a period may span five years, so the API and the page read it
through :class:`ReportCache`: a period asked again within a few minutes is answered from
memory, and at most a few reports are computed at once.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    and_,
    case,
    cast,
    distinct,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB

from scamintel.access.keys import Role
from scamintel.federation.markings import SCAMINTEL_NAMESPACE
from scamintel.governance.transparency import (
    DisputeCounts,
    ListingCounts,
    PartnerDisclosures,
    PartnerRequestCounts,
    PurgeCounts,
    ReportCounts,
    ReportPeriod,
    SubjectRequestCounts,
    TransparencyReport,
    sorted_counts,
)
from scamintel.reports.engine import ReviewStatus
from scamintel.storage.listings_repo import snapshot_reads
from scamintel.storage.tables import (
    agreements,
    api_keys,
    audit_log,
    cross_border_requests,
    disputes,
    listing_transitions,
    organisations,
    reports,
    subject_requests,
)

PURGE_ACTION = "retention.purge"
PAGE_SERVED_ACTION = "federation.page_served"
FULFILLED = "fulfilled"
# Shown even when none arrived, so that every report has the same rows.
SUBJECT_REQUEST_KINDS = ("access", "correction", "erasure")
SUBJECT_REQUEST_STATUSES = ("received", "verified", "completed", "refused")
KEY_ACTOR_PREFIX = "key:"
# What a disclosure is credited to when its audit entry no longer says (redacted by the
# audit retention) or names a caller this node does not know.
UNKNOWN_PARTNER = "unknown"


def transparency_report(
    engine: Engine, period: ReportPeriod, node_name: str, now: datetime
) -> TransparencyReport:
    """Every number of the report, read from one snapshot of the database."""
    with snapshot_reads(engine) as connection:
        return TransparencyReport(
            node=node_name,
            period=period,
            generated_at=now,
            reports=report_counts(connection, period),
            listings=listing_counts(connection, period),
            disputes=dispute_counts(connection, period),
            subject_requests=subject_request_counts(connection, period),
            cross_border_requests=cross_border_counts(connection, period),
            purges=purge_counts(connection, period),
            disclosures=disclosure_counts(connection, period),
        )


# How long a computed report is served again: the API's Cache-Control max-age, so that a
# shared cache and this one expire together.
REPORT_CACHE_SECONDS = 300
# Periods kept at once; the oldest goes first. A report is a few kilobytes.
REPORT_CACHE_ENTRIES = 64
# Reports computed at the same time for public callers: a flood of distinct five-year periods
# waits its turn instead of taking every database connection.
REPORT_CACHE_CONCURRENCY = 2


@dataclass(frozen=True, slots=True)
class _Cached:
    report: TransparencyReport
    expires: float


class ReportCache:
    """The reports of recently asked periods, for the public API and page.

    A period asked again within ``ttl_s`` seconds is answered from memory (its numbers and
    ``generated_at`` are those of the first computation); at most ``max_entries`` periods are
    kept, the oldest dropped first. Callers asking for the same period at the same time wait
    for one computation, and at most ``concurrency`` periods are computed at once. One per
    process (``app.state.transparency``): workers do not share it.
    """

    def __init__(
        self,
        engine: Engine,
        node_name: str,
        *,
        ttl_s: float = REPORT_CACHE_SECONDS,
        max_entries: int = REPORT_CACHE_ENTRIES,
        concurrency: int = REPORT_CACHE_CONCURRENCY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._node_name = node_name
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(concurrency)
        self._entries: OrderedDict[ReportPeriod, _Cached] = OrderedDict()
        self._computing: dict[ReportPeriod, threading.Event] = {}

    def report(self, period: ReportPeriod, now: datetime) -> TransparencyReport:
        while True:
            with self._lock:
                self._drop_expired()
                held = self._entries.get(period)
                if held is not None:
                    return held.report
                running = self._computing.get(period)
                if running is None:
                    running = self._computing[period] = threading.Event()
                    break
            # Another caller computes this period: take its result (or, if it failed,
            # compute it in the next round).
            running.wait()
        try:
            with self._slots:
                report = transparency_report(self._engine, period, self._node_name, now)
            with self._lock:
                self._entries[period] = _Cached(report, self._clock() + self._ttl_s)
                while len(self._entries) > self._max_entries:
                    self._entries.popitem(last=False)
            return report
        finally:
            with self._lock:
                del self._computing[period]
            running.set()

    def _drop_expired(self) -> None:
        now = self._clock()
        # Entries are in the order they were computed, with one lifetime: oldest first.
        while self._entries and next(iter(self._entries.values())).expires <= now:
            self._entries.popitem(last=False)


def _within(column: Any, period: ReportPeriod) -> ColumnElement[bool]:
    return and_(column >= period.start_at, column < period.end_at)


def report_counts(connection: Connection, period: ReportPeriod) -> ReportCounts:
    rows = connection.execute(
        select(reports.c.scam_type, reports.c.channel, func.count())
        .where(_within(reports.c.received_at, period))
        .group_by(reports.c.scam_type, reports.c.channel)
    ).all()
    by_type: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    for scam_type, channel, count in rows:
        by_type[scam_type] += int(count)
        by_channel[channel] += int(count)
    return ReportCounts(sum(by_type.values()), sorted_counts(by_type), sorted_counts(by_channel))


def listing_counts(connection: Connection, period: ReportPeriod) -> ListingCounts:
    rows = connection.execute(
        select(
            listing_transitions.c.listed,
            func.count(),
            func.count(distinct(listing_transitions.c.indicator_id)),
        )
        .where(_within(listing_transitions.c.at, period))
        .group_by(listing_transitions.c.listed)
    ).all()
    moves = {bool(listed): (int(count), int(values)) for listed, count, values in rows}
    on, off = moves.get(True, (0, 0)), moves.get(False, (0, 0))
    return ListingCounts(listed=on[0], delisted=off[0], values_listed=on[1], values_delisted=off[1])


def dispute_counts(connection: Connection, period: ReportPeriod) -> DisputeCounts:
    rows = connection.execute(
        select(disputes.c.status, func.count())
        .where(_within(disputes.c.created_at, period))
        .group_by(disputes.c.status)
    ).all()
    by_status = {status: int(count) for status, count in rows}
    return DisputeCounts(
        opened=sum(by_status.values()),
        upheld=by_status.get(ReviewStatus.UPHELD.value, 0),
        rejected=by_status.get(ReviewStatus.REJECTED.value, 0),
        pending=by_status.get(ReviewStatus.PENDING.value, 0),
    )


def subject_request_counts(
    connection: Connection, period: ReportPeriod
) -> tuple[SubjectRequestCounts, ...]:
    rows = connection.execute(
        select(subject_requests.c.kind, subject_requests.c.status, func.count())
        .where(_within(subject_requests.c.received_at, period))
        .group_by(subject_requests.c.kind, subject_requests.c.status)
    ).all()
    table: dict[str, dict[str, int]] = {
        kind: dict.fromkeys(SUBJECT_REQUEST_STATUSES, 0) for kind in SUBJECT_REQUEST_KINDS
    }
    for kind, status, count in rows:
        table.setdefault(kind, dict.fromkeys(SUBJECT_REQUEST_STATUSES, 0))
        table[kind][status] = table[kind].get(status, 0) + int(count)
    return tuple(
        SubjectRequestCounts(kind, sum(statuses.values()), statuses)
        for kind, statuses in table.items()
    )


def cross_border_counts(
    connection: Connection, period: ReportPeriod
) -> tuple[PartnerRequestCounts, ...]:
    """Requests created in the period, per partner country; a partner whose country this node
    does not know (no organisation of that name with a country) is shown by its name."""
    fulfilled = func.sum(case((cross_border_requests.c.status == FULFILLED, 1), else_=0))
    rows = connection.execute(
        select(
            cross_border_requests.c.direction,
            cross_border_requests.c.partner,
            func.count(),
            fulfilled,
        )
        .where(_within(cross_border_requests.c.created_at, period))
        .group_by(cross_border_requests.c.direction, cross_border_requests.c.partner)
    ).all()
    countries = partner_countries(connection, {row.partner for row in rows})
    totals: dict[tuple[str | None, str | None], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for direction, partner, count, done in rows:
        country = countries.get(partner)
        key = (country, None) if country else (None, partner)
        offset = 0 if direction == "outgoing" else 2
        totals[key][offset] += int(count)
        totals[key][offset + 1] += int(done or 0)
    found = [PartnerRequestCounts(key[0], key[1], *counts) for key, counts in totals.items()]
    return tuple(sorted(found, key=lambda item: (-(item.sent + item.received), item.label)))


def partner_countries(connection: Connection, partners: Iterable[str]) -> dict[str, str]:
    """The country of each partner that this node knows as an organisation with a country
    (a partner's API key belongs to an organisation named like the partner)."""
    names = sorted(set(partners))
    if not names:
        return {}
    rows = connection.execute(
        select(organisations.c.name, organisations.c.country).where(
            organisations.c.name.in_(names), organisations.c.country.is_not(None)
        )
    )
    return {name: country.upper() for name, country in rows if country}


def purge_counts(connection: Connection, period: ReportPeriod) -> PurgeCounts:
    """Every ``retention.purge`` entry is a purge that deleted something (a purge that found
    nothing writes none), one that stopped part-way (``"completed": false``) included with
    what it had deleted. They are few (an hour apart at most), so their details are summed
    here rather than in SQL, where each backend reads JSON its own way."""
    rows = connection.execute(
        select(audit_log.c.details).where(
            _within(audit_log.c.at, period), audit_log.c.action == PURGE_ACTION
        )
    ).scalars()
    runs = 0
    deleted: Counter[str] = Counter()
    for details in rows:
        runs += 1
        for kind, count in _purged(details).items():
            deleted[kind] += count
    return PurgeCounts(runs, sorted_counts(deleted))


def _purged(details: str) -> dict[str, int]:
    """The ``counts`` of a purge entry; none for one redacted by the audit retention."""
    try:
        counts = json.loads(details).get("counts") or {}
    except (ValueError, AttributeError):
        return {}
    if not isinstance(counts, dict):
        return {}
    return {
        str(kind): int(count)
        for kind, count in counts.items()
        if isinstance(count, int) and not isinstance(count, bool)
    }


def _json_field(connection: Connection, key: str) -> ColumnElement[Any]:
    """The text of one top-level field of ``audit_log.details`` (a JSON object)."""
    # The key is a literal, not a bound parameter: PostgreSQL only matches a grouped
    # expression with the selected one when both are the same text.
    if connection.dialect.name == "postgresql":
        return cast(audit_log.c.details, JSONB).op("->>")(literal_column(f"'{key}'"))
    return func.json_extract(audit_log.c.details, literal_column(f"'$.{key}'"))


def disclosure_counts(
    connection: Connection, period: ReportPeriod
) -> tuple[PartnerDisclosures, ...]:
    """Pages served to partners in the period and the objects on them, per partner. Pages
    are many (every sync reads some), so they are summed in SQL, grouped by the caller and
    the collection; the partner is then the one the entry names, else the organisation of
    the caller's key, else the partner whose agreement collection was read. Pages this
    node's own staff read are not disclosures to a partner and are left out."""
    partner_field = _json_field(connection, "partner")
    objects = func.sum(cast(_json_field(connection, "count"), BigInteger))
    rows = connection.execute(
        select(
            partner_field.label("partner"),
            audit_log.c.actor,
            audit_log.c.object_id,
            func.count(),
            objects,
        )
        .where(_within(audit_log.c.at, period), audit_log.c.action == PAGE_SERVED_ACTION)
        .group_by(partner_field, audit_log.c.actor, audit_log.c.object_id)
    ).all()
    keys = _key_owners(connection, {row.actor for row in rows})
    collections = _agreement_collections(connection)
    pages: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    for named, actor, collection, count, total in rows:
        partner = _disclosed_to(named, keys.get(actor), collections.get(collection or ""))
        if partner is None:
            continue
        pages[partner] += int(count)
        shared[partner] += int(total or 0)
    return tuple(
        PartnerDisclosures(partner, count, shared[partner])
        for partner, count in sorted(pages.items(), key=lambda item: (-item[1], item[0]))
    )


def _disclosed_to(
    named: str | None, key_owner: tuple[str, str] | None, agreement_partner: str | None
) -> str | None:
    if named:
        return str(named)
    if key_owner is not None:
        organisation, role = key_owner
        return organisation if role == Role.PARTNER.value else agreement_partner
    return agreement_partner or UNKNOWN_PARTNER


def _key_owners(connection: Connection, actors: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``key:ID`` actor → (organisation name, role) of that API key."""
    key_ids = {
        actor[len(KEY_ACTOR_PREFIX) :]: actor
        for actor in actors
        if actor and actor.startswith(KEY_ACTOR_PREFIX)
    }
    if not key_ids:
        return {}
    rows = connection.execute(
        select(api_keys.c.key_id, organisations.c.name, api_keys.c.role)
        .join(organisations, organisations.c.id == api_keys.c.organisation_id)
        .where(api_keys.c.key_id.in_(sorted(key_ids)))
    )
    return {key_ids[key_id]: (name, role) for key_id, name, role in rows}


def _agreement_collections(connection: Connection) -> Mapping[str, str]:
    """Collection id → partner, for every agreement (the id ``Agreement.collection_id``
    derives from the partner's name)."""
    partners = connection.execute(select(agreements.c.partner)).scalars()
    return {
        str(uuid.uuid5(SCAMINTEL_NAMESPACE, f"agreement\x00{partner}")): partner
        for partner in partners
    }
