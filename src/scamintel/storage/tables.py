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
    text,
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
    # How far the verdict engine trusts the reporter (docs/verdicts.md), fixed at intake.
    Column("trust", String(20), nullable=False, server_default="anonymous"),
    # Who sent it, for counting distinct reporters: an organisation, a keyed hash of the
    # reporter's contact, or a keyed hash of an anonymous sender's network; never raw.
    Column("source_key", String(80), nullable=True),
    Index(None, "seen_at"),
    # The transparency report counts, and the purge finds, reports by when they arrived.
    Index(None, "received_at"),
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
    # On what ground the node acted (governance/legal_basis.py); none on entries written
    # before the node recorded it.
    Column("legal_basis", String(60), nullable=True),
    # Set when the entry outlived the audit retention: its content is blanked and its hash
    # kept, so the chain and every signed head still verify (docs/governance.md).
    Column("redacted_at", DateTime(timezone=True), nullable=True),
    # A case's (or any object's) trail is read by object, in order.
    Index(None, "object_type", "object_id", "seq"),
    Index(None, "at"),
)

# Which values (indicator ids) each audit entry disclosed or changed: the index behind
# "who saw this number's data, and why". The ids are also inside the hashed entry.
audit_subjects = Table(
    "audit_subjects",
    metadata,
    Column("seq", ForeignKey("audit_log.seq", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", BigInteger, primary_key=True),
    Index(None, "indicator_id", "seq"),
)

# Signed tree heads: the Merkle root (RFC 9162) of the first ``size`` entry hashes, signed
# with the node's Ed25519 key. A partner or auditor keeps one and later asks for a proof that
# today's log extends it.
audit_signed_heads = Table(
    "audit_signed_heads",
    metadata,
    Column("size", BigId, primary_key=True, autoincrement=False),
    Column("root_hash", String(64), nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
)

# One row: the chain's head. Appenders lock it, which orders every append on both databases.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigId, nullable=False),
    Column("entry_hash", String(64), nullable=False),
)

# A value's move onto or off the published list (scam or suspicious), for the transparency
# report: how many values were listed and delisted in a period.
listing_transitions = Table(
    "listing_transitions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("indicator_id", BigInteger, nullable=False),
    Column("listed", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index(None, "at"),
    Index(None, "indicator_id"),
)

# Hashes of evidence files (screenshots, recordings) a report refers to; the files stay with
# the reporter or the case file, the node keeps only what identifies them.
report_evidence = Table(
    "report_evidence",
    metadata,
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("name", String(300), nullable=True),
    Column("media_type", String(100), nullable=True),
    Column("size", BigInteger, nullable=True),
)

# What happened to an indicator besides reports: outcomes (frozen, blocked, taken_down,
# false_positive) and dispute steps (opened, upheld, rejected). The verdict engine reads them.
indicator_events = Table(
    "indicator_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("indicator_id", ForeignKey("indicators.id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=True),
    Column("dispute_id", Uuid, nullable=True),
    Column("note", Text, nullable=True),
    Index(None, "indicator_id"),
)

# A holder's challenge of a listing. The claimant's contact details are personal data,
# sealed like a reporter's.
disputes = Table(
    "disputes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("indicator_id", ForeignKey("indicators.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("claim", Text, nullable=False),
    Column("contact_sealed", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decision_reason", Text, nullable=True),
    Index(None, "status", "created_at"),
    Index(None, "indicator_id"),
    # One pending dispute per value, even when two arrive at once.
    Index(
        "uq_disputes_pending_indicator",
        "indicator_id",
        unique=True,
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
)

# Values held for an analyst's look: bursts of reports from one source (anti-poisoning).
review_items = Table(
    "review_items",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("indicator_id", ForeignKey("indicators.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("source_key", String(80), nullable=True),
    Column("report_count", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("closed_by", String(200), nullable=True),
    Column("note", Text, nullable=True),
    UniqueConstraint("indicator_id", "kind", "source_key"),
)

# The published state of every value that is or was listed: what the range API, the bundle
# and the blocklist serve. A row changes only together with a new change_seq, so "everything
# with change_seq > N" is exactly what changed since version N. Removed listings stay as rows
# with verdict "removed" so that deltas can carry the removal.
listings = Table(
    "listings",
    metadata,
    Column("indicator_id", ForeignKey("indicators.id"), primary_key=True),
    Column("type", String(20), nullable=False),
    Column("value", String(2048), nullable=False),
    Column("value_hash", String(64), nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("score", Numeric(4, 3), nullable=False),
    Column("under_review", Boolean, nullable=False),
    Column("change_seq", BigInteger, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index(None, "value_hash"),
    Index(None, "change_seq"),
    # A partner's collection holds only its agreement's types: a page of one type reads
    # this index instead of scanning past the others.
    Index(None, "type", "change_seq"),
)

# One row: the last change_seq handed out. Writers lock it, like the audit head.
listing_head = Table(
    "listing_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    # The changed_at of the latest change: each publication is stamped later than the one
    # before it, so "changed after T" never misses a change committed after a reader saw T.
    Column("changed_at", DateTime(timezone=True), nullable=True),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("scam_type", String(40), nullable=False),
    # Comma-separated ISO codes, upper-case countries and lower-case languages.
    Column("countries", String(200), nullable=False),
    Column("languages", String(200), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("author", String(200), nullable=False),
    Index(None, "published_at"),
)

# -- federation ----------------------------------------------------------------------------------
# One row per partner: the sharing agreement in force (its canonical document, the blind-selector
# key sealed). Every change is an audit entry that names the old and new version.
agreements = Table(
    "agreements",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("partner", String(200), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("document", Text, nullable=False),
    Column("blind_key_sealed", LargeBinary, nullable=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("applied_by", String(200), nullable=False),
)

# The nodes this node pulls from, each with its saved cursor (a TAXII ``next`` token or the
# last ``date_added`` of a finished pass) so that a sync resumes where the last one stopped.
peers = Table(
    "peers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url", String(2048), nullable=False),
    Column("collection_id", String(200), nullable=True),
    Column("api_key_sealed", LargeBinary, nullable=True),
    Column("next_cursor", String(1000), nullable=True),
    Column("added_after", String(40), nullable=True),
    Column("last_sync_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# What partners shared with this node: one row per (partner, STIX id), the latest version
# kept. A blind selector has a keyed hash instead of a value.
partner_indicators = Table(
    "partner_indicators",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("partner", String(200), nullable=False),
    Column("stix_id", String(100), nullable=False),
    Column("version", DateTime(timezone=True), nullable=False),
    Column("type", String(20), nullable=False),
    Column("value", String(2048), nullable=True),
    Column("blind_hash", String(64), nullable=True),
    Column("verdict", String(20), nullable=True),
    Column("score", Numeric(4, 3), nullable=False),
    Column("report_count", Integer, nullable=False),
    Column("marking", String(20), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("valid_until", DateTime(timezone=True), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("onward", Boolean, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("partner", "stix_id"),
    Index(None, "type", "value"),
    Index(None, "blind_hash"),
    Index(None, "expires_at"),
)

# What the importer refused, and why: the log an operator reads when a partner's data is
# missing.
federation_rejections = Table(
    "federation_rejections",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("partner", String(200), nullable=False),
    Column("stix_id", String(200), nullable=True),
    Column("reason", String(300), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index(None, "partner", "at"),
)

# TAXII status resources of objects partners posted.
taxii_statuses = Table(
    "taxii_statuses",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("collection_id", String(100), nullable=False),
    Column("partner", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("total_count", Integer, nullable=False),
    Column("success_count", Integer, nullable=False),
    Column("failure_count", Integer, nullable=False),
    Column("pending_count", Integer, nullable=False),
    Column("details", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A partner's request for the raw value behind a blind selector this node shared: released
# only after two different approvers said yes.
blind_releases = Table(
    "blind_releases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("partner", String(200), nullable=False),
    Column("selector", String(64), nullable=False),
    Column("indicator_type", String(20), nullable=False),
    # The value the selector was found to name when the request came in.
    Column("indicator_id", ForeignKey("indicators.id"), nullable=True),
    Column("purpose", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("approvals", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("released_at", DateTime(timezone=True), nullable=True),
    Index(None, "partner", "status"),
)

# -- network analysis ----------------------------------------------------------------------------
# A scam operation: reports linked through the values they share (analysis/graph.py). An
# operation absorbed by a merge keeps its row with ``merged_into`` set, so links to it still
# resolve. The summary columns are what the ranking sorts and filters on; ``summary`` holds the
# whole summary as JSON (analysis/summary.py), refreshed whenever the operation changes.
operations = Table(
    "operations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("merged_into", BigInteger, nullable=True),
    Column("report_count", Integer, nullable=False),
    Column("victim_count", Integer, nullable=False),
    Column("total_loss_usd", Numeric(20, 2), nullable=False),
    Column("harm_score", Numeric(12, 4), nullable=False),
    Column("cross_border", Boolean, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=True),
    Column("last_seen", DateTime(timezone=True), nullable=True),
    Column("summary", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "harm_score"),
    Index(None, "merged_into"),
)

# Which operation each clustered report belongs to. A report without a row is not clustered
# yet: the next incremental run takes it.
report_operations = Table(
    "report_operations",
    metadata,
    Column("report_id", ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("operation_id", ForeignKey("operations.id"), nullable=False),
    Index(None, "operation_id"),
)

# -- cases and cross-border requests -------------------------------------------------------------
cases = Table(
    "cases",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("title", String(300), nullable=False),
    Column("status", String(20), nullable=False),
    Column("assignee", String(200), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Index(None, "status", "updated_at"),
)

# What a case is about: operations, reports and indicators, by kind and reference.
case_links = Table(
    "case_links",
    metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("ref", String(100), primary_key=True),
    Column("added_by", String(200), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index(None, "kind", "ref"),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("author", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    Index(None, "case_id", "at"),
)

# A request to a partner node to act (freeze an account, suspend a number, ...). The requester
# keeps an ``outgoing`` row and the partner an ``incoming`` one with the same ``request_id``;
# the status moves sent → received → accepted | rejected → in_progress → fulfilled.
cross_border_requests = Table(
    "cross_border_requests",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("request_id", Uuid, nullable=False),
    Column("direction", String(10), nullable=False),
    Column("partner", String(200), nullable=False),
    Column("case_id", ForeignKey("cases.id"), nullable=True),
    Column("kind", String(30), nullable=False),
    Column("indicator_type", String(20), nullable=False),
    Column("indicator_value", String(2048), nullable=True),
    Column("blind_selector", String(64), nullable=True),
    Column("purpose", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("outcome", String(30), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    # Delivery of an outgoing request, and of its later status reads: the partner may be offline.
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("last_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    # Set when the partner refused the request (a 4xx): the syncs stop retrying it, only
    # ``scamintel request deliver`` does; cleared by a successful delivery.
    Column("refused_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("request_id", "direction"),
    Index(None, "direction", "status"),
    Index(None, "partner"),
    Index(None, "case_id"),
)

# Every status step of a request, on both nodes: who, when, why.
cross_border_request_events = Table(
    "cross_border_request_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "request_row_id",
        ForeignKey("cross_border_requests.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("status", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", Text, nullable=True),
    Column("outcome", String(30), nullable=True),
    Index(None, "request_row_id", "at"),
)


# -- data-subject requests -------------------------------------------------------------------
# A person's request to see, correct or erase what the node holds about their phone number,
# account or e-mail. The identifier and the contact are personal data, sealed; the keyed hash
# finds a person's earlier requests without opening them.
subject_requests = Table(
    "subject_requests",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("identifier_type", String(20), nullable=False),
    Column("identifier_sealed", LargeBinary, nullable=False),
    Column("identifier_key", String(64), nullable=False),
    Column("contact_sealed", LargeBinary, nullable=True),
    Column("details", Text, nullable=True),
    Column("status", String(20), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("verified_at", DateTime(timezone=True), nullable=True),
    Column("verified_by", String(200), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("closed_by", String(200), nullable=True),
    Column("outcome", Text, nullable=True),
    Index(None, "status", "due_at"),
    Index(None, "identifier_key"),
    Index(None, "received_at"),
)

# Every step of a data-subject request: who, when, and what they wrote.
subject_request_events = Table(
    "subject_request_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("request_id", ForeignKey("subject_requests.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("note", Text, nullable=True),
    Index(None, "request_id", "at"),
)
