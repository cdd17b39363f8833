"""network analysis and enforcement: operations, report operations, cases, case links and notes,
cross-border requests and their events, the audit log read by object

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_log_object_type_object_id_seq"),
            ["object_type", "object_id", "seq"],
            unique=False,
        )
    op.create_table(
        "cases",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index(
        op.f("ix_cases_status_updated_at"), "cases", ["status", "updated_at"], unique=False
    )
    op.create_table(
        "operations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("merged_into", sa.BigInteger(), nullable=True),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("victim_count", sa.Integer(), nullable=False),
        sa.Column("total_loss_usd", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("harm_score", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.Column("cross_border", sa.Boolean(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations")),
    )
    op.create_index(op.f("ix_operations_harm_score"), "operations", ["harm_score"], unique=False)
    op.create_index(op.f("ix_operations_merged_into"), "operations", ["merged_into"], unique=False)
    op.create_table(
        "case_links",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "kind", "ref", name=op.f("pk_case_links")),
    )
    op.create_index(op.f("ix_case_links_kind_ref"), "case_links", ["kind", "ref"], unique=False)
    op.create_table(
        "case_notes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index(op.f("ix_case_notes_case_id_at"), "case_notes", ["case_id", "at"], unique=False)
    op.create_table(
        "cross_border_requests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("indicator_type", sa.String(length=20), nullable=False),
        sa.Column("indicator_value", sa.String(length=2048), nullable=True),
        sa.Column("blind_selector", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_cross_border_requests_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cross_border_requests")),
        sa.UniqueConstraint(
            "request_id", "direction", name=op.f("uq_cross_border_requests_request_id_direction")
        ),
    )
    op.create_index(
        op.f("ix_cross_border_requests_case_id"), "cross_border_requests", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_cross_border_requests_direction_status"),
        "cross_border_requests",
        ["direction", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_cross_border_requests_partner"), "cross_border_requests", ["partner"], unique=False
    )
    op.create_table(
        "cross_border_request_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "request_row_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_row_id"],
            ["cross_border_requests.id"],
            name=op.f("fk_cross_border_request_events_request_row_id_cross_border_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cross_border_request_events")),
    )
    op.create_index(
        op.f("ix_cross_border_request_events_request_row_id_at"),
        "cross_border_request_events",
        ["request_row_id", "at"],
        unique=False,
    )
    op.create_table(
        "report_operations",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column(
            "operation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operations.id"],
            name=op.f("fk_report_operations_operation_id_operations"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_operations_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_report_operations")),
    )
    op.create_index(
        op.f("ix_report_operations_operation_id"),
        "report_operations",
        ["operation_id"],
        unique=False,
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_object_type_object_id_seq"))
    op.drop_index(op.f("ix_report_operations_operation_id"), table_name="report_operations")
    op.drop_table("report_operations")
    op.drop_index(
        op.f("ix_cross_border_request_events_request_row_id_at"),
        table_name="cross_border_request_events",
    )
    op.drop_table("cross_border_request_events")
    op.drop_index(op.f("ix_cross_border_requests_partner"), table_name="cross_border_requests")
    op.drop_index(
        op.f("ix_cross_border_requests_direction_status"), table_name="cross_border_requests"
    )
    op.drop_index(op.f("ix_cross_border_requests_case_id"), table_name="cross_border_requests")
    op.drop_table("cross_border_requests")
    op.drop_index(op.f("ix_case_notes_case_id_at"), table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_index(op.f("ix_case_links_kind_ref"), table_name="case_links")
    op.drop_table("case_links")
    op.drop_index(op.f("ix_operations_merged_into"), table_name="operations")
    op.drop_index(op.f("ix_operations_harm_score"), table_name="operations")
    op.drop_table("operations")
    op.drop_index(op.f("ix_cases_status_updated_at"), table_name="cases")
    op.drop_table("cases")
