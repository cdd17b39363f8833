"""federation: agreements, peers, partner indicators, rejections, TAXII statuses, blind releases

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listing_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listings_type_change_seq"), ["type", "change_seq"], unique=False
        )
    op.create_table(
        "agreements",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("blind_key_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("partner", name=op.f("uq_agreements_partner")),
    )
    op.create_table(
        "blind_releases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("selector", sa.String(length=64), nullable=False),
        sa.Column("indicator_type", sa.String(length=20), nullable=False),
        sa.Column(
            "indicator_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approvals", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_blind_releases_indicator_id_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blind_releases")),
    )
    op.create_index(
        op.f("ix_blind_releases_partner_status"),
        "blind_releases",
        ["partner", "status"],
        unique=False,
    )
    op.create_table(
        "federation_rejections",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("stix_id", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_rejections")),
    )
    op.create_index(
        op.f("ix_federation_rejections_partner_at"),
        "federation_rejections",
        ["partner", "at"],
        unique=False,
    )
    op.create_table(
        "partner_indicators",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("stix_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=2048), nullable=True),
        sa.Column("blind_hash", sa.String(length=64), nullable=True),
        sa.Column("verdict", sa.String(length=20), nullable=True),
        sa.Column("score", sa.Numeric(precision=4, scale=3), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("onward", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_indicators")),
        sa.UniqueConstraint(
            "partner", "stix_id", name=op.f("uq_partner_indicators_partner_stix_id")
        ),
    )
    op.create_index(
        op.f("ix_partner_indicators_blind_hash"), "partner_indicators", ["blind_hash"], unique=False
    )
    op.create_index(
        op.f("ix_partner_indicators_expires_at"), "partner_indicators", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_partner_indicators_type_value"),
        "partner_indicators",
        ["type", "value"],
        unique=False,
    )
    op.create_table(
        "peers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("collection_id", sa.String(length=200), nullable=True),
        sa.Column("api_key_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("next_cursor", sa.String(length=1000), nullable=True),
        sa.Column("added_after", sa.String(length=40), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peers")),
        sa.UniqueConstraint("name", name=op.f("uq_peers_name")),
    )
    op.create_table(
        "taxii_statuses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.String(length=100), nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("pending_count", sa.Integer(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_statuses")),
    )


def downgrade() -> None:
    with op.batch_alter_table("listing_head", schema=None) as batch_op:
        batch_op.drop_column("changed_at")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listings_type_change_seq"))
    op.drop_table("taxii_statuses")
    op.drop_table("peers")
    op.drop_index(op.f("ix_partner_indicators_type_value"), table_name="partner_indicators")
    op.drop_index(op.f("ix_partner_indicators_expires_at"), table_name="partner_indicators")
    op.drop_index(op.f("ix_partner_indicators_blind_hash"), table_name="partner_indicators")
    op.drop_table("partner_indicators")
    op.drop_index(op.f("ix_federation_rejections_partner_at"), table_name="federation_rejections")
    op.drop_table("federation_rejections")
    op.drop_index(op.f("ix_blind_releases_partner_status"), table_name="blind_releases")
    op.drop_table("blind_releases")
    op.drop_table("agreements")
