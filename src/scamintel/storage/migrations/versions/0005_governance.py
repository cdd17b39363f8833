"""governance: legal basis and redaction of audit entries, the values each entry concerns, signed
tree heads, listing transitions for the transparency report, data-subject requests

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_signed_heads",
        sa.Column(
            "size",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_audit_signed_heads")),
    )
    op.create_table(
        "listing_transitions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("indicator_id", sa.BigInteger(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_transitions")),
    )
    op.create_index(op.f("ix_listing_transitions_at"), "listing_transitions", ["at"], unique=False)
    op.create_index(
        op.f("ix_listing_transitions_indicator_id"),
        "listing_transitions",
        ["indicator_id"],
        unique=False,
    )
    op.create_table(
        "subject_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("identifier_type", sa.String(length=20), nullable=False),
        sa.Column("identifier_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("identifier_key", sa.String(length=64), nullable=False),
        sa.Column("contact_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_requests")),
    )
    op.create_index(
        op.f("ix_subject_requests_identifier_key"),
        "subject_requests",
        ["identifier_key"],
        unique=False,
    )
    op.create_index(
        op.f("ix_subject_requests_received_at"), "subject_requests", ["received_at"], unique=False
    )
    op.create_index(
        op.f("ix_subject_requests_status_due_at"),
        "subject_requests",
        ["status", "due_at"],
        unique=False,
    )
    op.create_table(
        "audit_subjects",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("indicator_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"],
            ["audit_log.seq"],
            name=op.f("fk_audit_subjects_seq_audit_log"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", "indicator_id", name=op.f("pk_audit_subjects")),
    )
    op.create_index(
        op.f("ix_audit_subjects_indicator_id_seq"),
        "audit_subjects",
        ["indicator_id", "seq"],
        unique=False,
    )
    op.create_table(
        "subject_request_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_requests.id"],
            name=op.f("fk_subject_request_events_request_id_subject_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_request_events")),
    )
    op.create_index(
        op.f("ix_subject_request_events_request_id_at"),
        "subject_request_events",
        ["request_id", "at"],
        unique=False,
    )
    op.add_column("audit_log", sa.Column("legal_basis", sa.String(length=60), nullable=True))
    op.add_column("audit_log", sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_reports_received_at"), "reports", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reports_received_at"), table_name="reports")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_column("audit_log", "redacted_at")
    op.drop_column("audit_log", "legal_basis")
    op.drop_index(
        op.f("ix_subject_request_events_request_id_at"), table_name="subject_request_events"
    )
    op.drop_table("subject_request_events")
    op.drop_index(op.f("ix_audit_subjects_indicator_id_seq"), table_name="audit_subjects")
    op.drop_table("audit_subjects")
    op.drop_index(op.f("ix_subject_requests_status_due_at"), table_name="subject_requests")
    op.drop_index(op.f("ix_subject_requests_received_at"), table_name="subject_requests")
    op.drop_index(op.f("ix_subject_requests_identifier_key"), table_name="subject_requests")
    op.drop_table("subject_requests")
    op.drop_index(op.f("ix_listing_transitions_indicator_id"), table_name="listing_transitions")
    op.drop_index(op.f("ix_listing_transitions_at"), table_name="listing_transitions")
    op.drop_table("listing_transitions")
    op.drop_table("audit_signed_heads")
