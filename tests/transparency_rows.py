"""Rows for the transparency report's tests: reports, listing changes (through ``publish``),
disputes, data-subject requests, cross-border requests and audit entries, some inside the
period and some outside; and the report's numbers counted again with independent SQL.

The period is ``[today - 10 days, today + 1 day)``: audit entries are stamped with the time
they are written (now), so they fall inside it; rows dated ``today - 20`` or ``today + 2``
fall outside."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, text

from scamintel.access.keys import OrganisationKind, Role
from scamintel.governance.audit import AuditEvent
from scamintel.governance.transparency import ReportPeriod
from scamintel.indicators import Indicator, IndicatorType
from scamintel.protection.listing import ListingState
from scamintel.storage.access_repo import create_api_key, ensure_organisation
from scamintel.storage.evidence_repo import ensure_indicator_id
from scamintel.storage.listings_repo import publish
from scamintel.storage.node import NodeDatabase
from scamintel.storage.store import append_audit
from scamintel.storage.tables import (
    cross_border_requests,
    disputes,
    reports,
    subject_requests,
)

TODAY = datetime.now(UTC).date()
PERIOD = ReportPeriod(TODAY - timedelta(days=10), TODAY + timedelta(days=1))
# A period that ends before today: none of the audit entries written now is in it.
EARLIER = ReportPeriod(TODAY - timedelta(days=30), TODAY - timedelta(days=10))


def day(offset: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY + timedelta(days=offset), time(hour), tzinfo=UTC)


IN, BEFORE, AFTER = day(-5), day(-20), day(2)
# The period's edges: its first instant counts, its end does not.
FIRST_INSTANT = datetime.combine(PERIOD.start, time.min, tzinfo=UTC)
END_INSTANT = datetime.combine(PERIOD.end, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    """What the seed put inside PERIOD, counted by hand."""

    reports: int = 4
    listed: int = 3
    delisted: int = 2
    disputes_opened: int = 4
    purge_runs: int = 3
    partner_pages: int = 3
    partner_objects: int = 15


def seed(database: NodeDatabase) -> Seeded:
    with database.engine.begin() as connection:
        _reports(connection)
        _disputes(connection)
        _subject_requests(connection)
        _cross_border(connection)
    _listing_changes(database)
    with database.engine.begin() as connection:
        _audit(connection)
    return Seeded()


def _reports(connection: Connection) -> None:
    rows = [
        ("investment", "call", IN, IN),
        ("investment", "sms", IN, IN),
        # Happened long ago, received in the period: counted (by received_at).
        ("romance", "line", FIRST_INSTANT, day(-400)),
        ("job_task", "telegram", END_INSTANT - timedelta(microseconds=1), IN),
        ("romance", "line", BEFORE, BEFORE),
        ("investment", "call", END_INSTANT, END_INSTANT),  # the end is not in the period
        ("loan", "web", AFTER, AFTER),
    ]
    connection.execute(
        reports.insert(),
        [
            {
                "id": uuid.uuid4(),
                "source": "web",
                "scam_type": scam_type,
                "channel": channel,
                "received_at": received,
                "seen_at": seen,
            }
            for scam_type, channel, received, seen in rows
        ],
    )


def _indicator(connection: Connection, number: int) -> int:
    return ensure_indicator_id(
        connection, Indicator(IndicatorType.PHONE, f"+66812{number:06d}", "TH")
    )


def _state(indicator_id: int, number: int, verdict: str, score: float) -> ListingState:
    return ListingState(indicator_id, "phone", f"+66812{number:06d}", verdict, score, False)


def _listing_changes(database: NodeDatabase) -> None:
    """Published in time order (publication stamps only rise): A listed before the period and
    delisted in it; B listed in it, then only its score moves; C listed, delisted and listed
    again in it; D listed after it."""
    with database.engine.begin() as connection:
        ids = {name: _indicator(connection, number) for number, name in enumerate("ABCD")}
    steps: list[tuple[datetime, str, str, float]] = [
        (BEFORE, "A", "scam", 0.9),
        (day(-5), "A", "no_reports", 0.0),
        (day(-4), "B", "suspicious", 0.6),
        (day(-3, 10), "B", "suspicious", 0.9),  # a score step: still listed, no transition
        (day(-3, 11), "C", "scam", 0.9),
        (day(-3, 12), "C", "no_reports", 0.0),
        (day(-2), "C", "scam", 0.8),
        (AFTER, "D", "scam", 0.9),
    ]
    for moment, name, verdict, score in steps:
        number = "ABCD".index(name)
        with database.engine.begin() as connection:
            publish(connection, [_state(ids[name], number, verdict, score)], moment)


def _disputes(connection: Connection) -> None:
    statuses = [("pending", IN), ("upheld", IN), ("rejected", IN), ("upheld", FIRST_INSTANT)]
    statuses += [("rejected", BEFORE), ("upheld", AFTER)]
    rows = []
    for number, (status, created) in enumerate(statuses):
        rows.append(
            {
                "id": uuid.uuid4(),
                "indicator_id": _indicator(connection, 100 + number),
                "status": status,
                "claim": "This number is my shop's.",
                "created_at": created,
            }
        )
    connection.execute(disputes.insert(), rows)


def _subject_requests(connection: Connection) -> None:
    rows = [
        ("access", "received", IN),
        ("access", "completed", IN),
        ("access", "completed", IN),
        ("erasure", "refused", IN),
        ("correction", "verified", IN),
        ("erasure", "completed", BEFORE),
        ("access", "received", AFTER),
    ]
    connection.execute(
        subject_requests.insert(),
        [
            {
                "id": uuid.uuid4(),
                "kind": kind,
                "identifier_type": "phone",
                "identifier_sealed": b"sealed",
                "identifier_key": "k" * 64,
                "status": status,
                "received_at": received,
                "due_at": received + timedelta(days=30),
            }
            for kind, status, received in rows
        ],
    )


def _cross_border(connection: Connection) -> None:
    ensure_organisation(connection, "MM-CCD", OrganisationKind.PARTNER_NODE, "MM")
    ensure_organisation(connection, "MM-Police", OrganisationKind.POLICE, "MM")
    ensure_organisation(connection, "KH-Police", OrganisationKind.POLICE, "KH")
    ensure_organisation(connection, "Unknown-land", OrganisationKind.OTHER, None)
    rows = [
        ("outgoing", "MM-CCD", "fulfilled", IN),
        ("outgoing", "MM-CCD", "sent", IN),
        ("outgoing", "MM-Police", "fulfilled", IN),
        ("incoming", "MM-CCD", "fulfilled", IN),
        ("incoming", "KH-Police", "rejected", IN),
        ("outgoing", "LA-Node", "fulfilled", IN),  # no organisation: shown by its name
        ("incoming", "Unknown-land", "received", IN),  # an organisation without a country
        ("outgoing", "MM-CCD", "fulfilled", BEFORE),
        ("incoming", "KH-Police", "fulfilled", AFTER),
    ]
    connection.execute(
        cross_border_requests.insert(),
        [
            {
                "request_id": uuid.uuid4(),
                "direction": direction,
                "partner": partner,
                "kind": "freeze_account",
                "indicator_type": "bank_account",
                "purpose": "investigation",
                "reason": "case 12",
                "status": status,
                "created_by": "cli:officer",
                "created_at": created,
                "updated_at": created,
                "due_at": created + timedelta(days=1),
            }
            for direction, partner, status, created in rows
        ],
    )


def _audit(connection: Connection) -> None:
    partner = create_api_key(
        connection,
        ensure_organisation(connection, "MM-CCD", OrganisationKind.PARTNER_NODE, "MM"),
        Role.PARTNER,
    )
    staff = create_api_key(
        connection,
        ensure_organisation(connection, "TH-ASC", OrganisationKind.AGENCY, "TH"),
        Role.ANALYST,
    )
    purges: list[dict[str, Any]] = [
        {"counts": {"report": 3, "narrative": 5}, "completed": True},
        {"counts": {"report": 1, "audit_entry": 2}, "completed": True},
        # A purge that failed part-way: a run too, with what it had deleted.
        {"counts": {"value": 1, "operation": 1}, "completed": False, "error": "OperationalError"},
    ]
    for details in purges:
        event = AuditEvent("purge", "retention.purge", "node", None, details=details)
        append_audit(connection, event)
    served: list[tuple[str, dict[str, Any]]] = [
        (f"key:{partner.key_id}", {"count": 10, "more": True}),
        (f"key:{partner.key_id}", {"count": 0, "more": False}),
        ("key:gone", {"count": 5, "partner": "KH-Police"}),  # the entry names the partner
        (f"key:{staff.key_id}", {"count": 3}),  # this node's own analyst: not a disclosure
    ]
    for actor, details in served:
        event = AuditEvent(actor, "federation.page_served", "collection", "c-1", details=details)
        append_audit(connection, event)
    # Neither a purge nor a page: not counted.
    append_audit(connection, AuditEvent("cli:dpo", "audit.head_signed", "audit"))


# -- the same numbers, counted independently ----------------------------------------------------
def _query(connection: Connection, sql: str, period: ReportPeriod) -> list[Any]:
    statement = text(sql).bindparams(
        bindparam("start", type_=DateTime(timezone=True)),
        bindparam("end", type_=DateTime(timezone=True)),
    )
    return list(connection.execute(statement, {"start": period.start_at, "end": period.end_at}))


def direct_counts(connection: Connection, period: ReportPeriod) -> dict[str, Any]:
    """The report's numbers (the JSON's shape, without node, period and time), each from a
    query written here, not the repository's."""
    window = "{col} >= :start AND {col} < :end"
    by_type: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    for scam_type, channel in _query(
        connection,
        "SELECT scam_type, channel FROM reports WHERE " + window.format(col="received_at"),
        period,
    ):
        by_type[scam_type] += 1
        by_channel[channel] += 1
    moves = {
        bool(listed): (int(n), int(values))
        for listed, n, values in _query(
            connection,
            "SELECT listed, COUNT(*), COUNT(DISTINCT indicator_id) FROM listing_transitions "
            "WHERE " + window.format(col="at") + " GROUP BY listed",
            period,
        )
    }
    dispute_status = dict(
        _query(
            connection,
            "SELECT status, COUNT(*) FROM disputes WHERE "
            + window.format(col="created_at")
            + " GROUP BY status",
            period,
        )
    )
    subject: dict[str, dict[str, int]] = {
        kind: dict.fromkeys(("received", "verified", "completed", "refused"), 0)
        for kind in ("access", "correction", "erasure")
    }
    for kind, status, n in _query(
        connection,
        "SELECT kind, status, COUNT(*) FROM subject_requests WHERE "
        + window.format(col="received_at")
        + " GROUP BY kind, status",
        period,
    ):
        subject[kind][status] = int(n)
    partners: dict[tuple[str | None, str | None], list[int]] = {}
    for country, partner, direction, status in _query(
        connection,
        "SELECT o.country, r.partner, r.direction, r.status FROM cross_border_requests r "
        "LEFT JOIN organisations o ON o.name = r.partner WHERE "
        + window.format(col="r.created_at"),
        period,
    ):
        key = (country, None) if country else (None, partner)
        counts = partners.setdefault(key, [0, 0, 0, 0])
        offset = 0 if direction == "outgoing" else 2
        counts[offset] += 1
        counts[offset + 1] += status == "fulfilled"
    runs, deleted = 0, Counter[str]()
    pages, shared = Counter[str](), Counter[str]()
    for action, actor, details in _query(
        connection,
        "SELECT action, actor, details FROM audit_log WHERE " + window.format(col="at"),
        period,
    ):
        if action == "retention.purge":
            runs += 1
            deleted.update(json.loads(details)["counts"])
        elif action == "federation.page_served":
            detail = json.loads(details)
            partner = detail.get("partner") or _partner_key_owner(connection, actor)
            if partner:
                pages[partner] += 1
                shared[partner] += detail.get("count", 0)
    return {
        "reports": {
            "total": sum(by_type.values()),
            "by_scam_type": dict(by_type),
            "by_channel": dict(by_channel),
        },
        "listings": {
            "listed": moves.get(True, (0, 0))[0],
            "delisted": moves.get(False, (0, 0))[0],
            "values_listed": moves.get(True, (0, 0))[1],
            "values_delisted": moves.get(False, (0, 0))[1],
        },
        "disputes": {
            "opened": sum(dispute_status.values()),
            "upheld": dispute_status.get("upheld", 0),
            "rejected": dispute_status.get("rejected", 0),
            "pending": dispute_status.get("pending", 0),
        },
        "subject_requests": {
            kind: {"received": sum(statuses.values()), "by_status": statuses}
            for kind, statuses in subject.items()
        },
        "cross_border_requests": {
            key: dict(
                zip(
                    ("sent", "sent_fulfilled", "received", "received_fulfilled"),
                    counts,
                    strict=True,
                )
            )
            for key, counts in partners.items()
        },
        "purges": {"runs": runs, "deleted": dict(deleted)},
        "disclosures": {partner: (pages[partner], shared[partner]) for partner in pages},
    }


def _partner_key_owner(connection: Connection, actor: str) -> str | None:
    row = connection.execute(
        text(
            "SELECT o.name FROM api_keys k JOIN organisations o ON o.id = k.organisation_id "
            "WHERE k.key_id = :key_id AND k.role = 'partner'"
        ),
        {"key_id": actor.removeprefix("key:")},
    ).first()
    return None if row is None else str(row[0])


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A report's JSON in :func:`direct_counts`'s shape (lists keyed, order dropped)."""
    return {
        "reports": {
            "total": document["reports"]["total"],
            "by_scam_type": dict(document["reports"]["by_scam_type"]),
            "by_channel": dict(document["reports"]["by_channel"]),
        },
        "listings": document["listings"],
        "disputes": document["disputes"],
        "subject_requests": {
            item["kind"]: {"received": item["received"], "by_status": item["by_status"]}
            for item in document["subject_requests"]
        },
        "cross_border_requests": {
            (item["country"], item["partner"]): {
                key: item[key]
                for key in ("sent", "sent_fulfilled", "received", "received_fulfilled")
            }
            for item in document["cross_border_requests"]
        },
        "purges": document["purges"],
        "disclosures": {
            item["partner"]: (item["pages"], item["objects"]) for item in document["disclosures"]
        },
    }


def period_query(period: ReportPeriod) -> dict[str, str]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}
