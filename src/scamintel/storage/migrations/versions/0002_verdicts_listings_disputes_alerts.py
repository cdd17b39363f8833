"""reporter trust, evidence hashes, outcomes and disputes, published listings, alerts

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("scam_type", sa.String(length=40), nullable=False),
        sa.Column("countries", sa.String(length=200), nullable=False),
        sa.Column("languages", sa.String(length=200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_published_at"), ["published_at"], unique=False)

    listing_head_table = op.create_table(
        "listing_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_head")),
    )
    op.create_table(
        "disputes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "indicator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claim", sa.Text(), nullable=False),
        sa.Column("contact_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicators.id"], name=op.f("fk_disputes_indicator_id_indicators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disputes_indicator_id"), ["indicator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_disputes_status_created_at"), ["status", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_disputes_pending_indicator",
            ["indicator_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "indicator_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "indicator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column(
            "organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("dispute_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_events_indicator_id_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_indicator_events_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_events")),
    )
    with op.batch_alter_table("indicator_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_events_indicator_id"), ["indicator_id"], unique=False
        )

    op.create_table(
        "listings",
        sa.Column(
            "indicator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=2048), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Numeric(precision=4, scale=3), nullable=False),
        sa.Column("under_review", sa.Boolean(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicators.id"], name=op.f("fk_listings_indicator_id_indicators")
        ),
        sa.PrimaryKeyConstraint("indicator_id", name=op.f("pk_listings")),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listings_change_seq"), ["change_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_value_hash"), ["value_hash"], unique=False)

    op.create_table(
        "review_items",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "indicator_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source_key", sa.String(length=80), nullable=True),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_review_items_indicator_id_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint(
            "indicator_id",
            "kind",
            "source_key",
            name=op.f("uq_review_items_indicator_id_kind_source_key"),
        ),
    )
    op.create_table(
        "report_evidence",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_evidence_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "sha256", name=op.f("pk_report_evidence")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("trust", sa.String(length=20), server_default="anonymous", nullable=False)
        )
        batch_op.add_column(sa.Column("source_key", sa.String(length=80), nullable=True))
    op.bulk_insert(listing_head_table, [{"id": 1, "seq": 0}])
    # Reports sent with a key before this revision: the sender's organisation and its trust
    # (reports/trust.py). Victims named by an organisation cannot be told apart here (their
    # contacts are sealed); each such report counts as the organisation.
    op.execute(
        """
        UPDATE reports SET
            source_key = 'org:' || CAST(organisation_id AS VARCHAR(20)),
            trust = (
                SELECT CASE
                    WHEN o.kind IN ('agency', 'police') AND o.verified THEN 'verified_agency'
                    WHEN o.kind IN ('bank', 'telco') THEN 'bank_telco'
                    ELSE 'registered_citizen'
                END
                FROM organisations o WHERE o.id = reports.organisation_id
            )
        WHERE organisation_id IS NOT NULL
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("source_key")
        batch_op.drop_column("trust")

    op.drop_table("report_evidence")
    op.drop_table("review_items")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listings_value_hash"))
        batch_op.drop_index(batch_op.f("ix_listings_change_seq"))

    op.drop_table("listings")
    with op.batch_alter_table("indicator_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_events_indicator_id"))

    op.drop_table("indicator_events")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("uq_disputes_pending_indicator")
        batch_op.drop_index(batch_op.f("ix_disputes_status_created_at"))
        batch_op.drop_index(batch_op.f("ix_disputes_indicator_id"))

    op.drop_table("disputes")
    op.drop_table("listing_head")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_published_at"))

    op.drop_table("alerts")
