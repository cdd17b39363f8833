"""Every table of a node. Alembic migrations create them; this module only describes them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("country", String(2), nullable=True),
    Column("verified", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("key_id", String(32), nullable=False, unique=True),
    Column("secret_hash", String(200), nullable=False),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("label", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("idempotency_key", String(300), nullable=True, unique=True),
    Column("request_hash", String(64), nullable=True),
    Column("source", String(20), nullable=False),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=True),
    Column("scam_type", String(40), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("victim_country", String(2), nullable=True),
    Column("amount", Numeric(20, 2), nullable=True),
    Column("currency", String(3), nullable=True),
    Column("occurred_at", DateTime(timezone=True), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # occurred_at when the reporter gave it, else received_at: what first/last seen read.
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("narrative", Text, nullable=True),
)

# Victim personal data lives apart from the report and is encrypted with the node's key.
reporter_contacts = Table(
    "reporter_contacts",
    metadata,
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("sealed", LargeBinary, nullable=False),
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("type", String(20), nullable=False),
    Column("value", String(2048), nullable=False),
    Column("country", String(2), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("type", "value"),
)

report_indicators = Table(
    "report_indicators",
    metadata,
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicators.id"), primary_key=True),
    Column("raw", String(2048), nullable=False),
    Column("origin", String(10), nullable=False),
    Index(None, "indicator_id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_id", String(200), nullable=True),
    Column("purpose", String(60), nullable=True),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
)

# One row: the chain's head. Appenders lock it, which orders every append on both databases.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigId, nullable=False),
    Column("entry_hash", String(64), nullable=False),
)
