"""Scam alerts in the database: publish (with its audit entry), read one, list the newest."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Row, literal, select

from scamintel.alerts.model import Alert, AlertQuery
from scamintel.governance.audit import AuditEvent
from scamintel.reports.model import ScamType
from scamintel.storage.sql import as_utc
from scamintel.storage.store import append_audit
from scamintel.storage.tables import alerts

SEPARATOR = ","


class SqlAlertStore:
    """Implements :class:`scamintel.alerts.model.AlertStore` on one open transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_alert(self, alert: Alert) -> None:
        insert_alert(self.connection, alert)

    def audit(self, event: AuditEvent) -> None:
        append_audit(self.connection, event)


def insert_alert(connection: Connection, alert: Alert) -> None:
    connection.execute(
        alerts.insert().values(
            id=alert.id,
            title=alert.title,
            body=alert.body,
            scam_type=alert.scam_type.value,
            countries=SEPARATOR.join(alert.countries),
            languages=SEPARATOR.join(alert.languages),
            published_at=alert.published_at,
            author=alert.author,
        )
    )


def get_alert(connection: Connection, alert_id: UUID) -> Alert | None:
    row = connection.execute(select(alerts).where(alerts.c.id == alert_id)).first()
    return alert_of(row) if row is not None else None


def _lists(column: ColumnElement[str], code: str) -> ColumnElement[bool]:
    # The codes are stored comma-separated; framing both sides with commas matches whole
    # codes only ("TH" never matches inside "ATH"). Codes are validated letters, so they
    # carry no LIKE wildcards.
    framed = literal(SEPARATOR) + column + literal(SEPARATOR)
    return framed.like(f"%{SEPARATOR}{code}{SEPARATOR}%")


def list_alerts(connection: Connection, query: AlertQuery) -> list[Alert]:
    """Newest first; ties (same instant) in a fixed order so that pages and ETags are stable."""
    statement = select(alerts)
    if query.country is not None:
        statement = statement.where(_lists(alerts.c.countries, query.country))
    if query.language is not None:
        statement = statement.where(_lists(alerts.c.languages, query.language))
    if query.scam_type is not None:
        statement = statement.where(alerts.c.scam_type == query.scam_type.value)
    statement = statement.order_by(alerts.c.published_at.desc(), alerts.c.id.desc()).limit(
        query.limit
    )
    return [alert_of(row) for row in connection.execute(statement)]


def alert_of(row: Row[Any]) -> Alert:
    return Alert(
        id=row.id,
        title=row.title,
        body=row.body,
        scam_type=ScamType(row.scam_type),
        countries=tuple(code for code in row.countries.split(SEPARATOR) if code),
        languages=tuple(code for code in row.languages.split(SEPARATOR) if code),
        published_at=as_utc(row.published_at) or row.published_at,
        author=row.author,
    )
