"""Which settings the audit log records, so that a change of one (a retention period, the
node's name or country, a sync or purge interval) is on the record like any other change.

Settings come from the environment, so the node notices a change when it starts: ``init`` and
``serve`` compare what is in force with the last ``setting.changed`` entry and write a new one
naming the settings that differ. Secrets and the database address are never recorded; the
audit signing key's id stands for the secret key, so a rotation is on the record too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scamintel.governance.signing import AuditSigner
from scamintel.settings import Settings

RECORDED = (
    "node_name",
    "node_country",
    "environment",
    "retention_days",
    "purge_interval_seconds",
    "audit_sign_interval_seconds",
    "sync_interval_seconds",
    "request_sla_hours",
    "max_body_bytes",
    "max_query_bytes",
    "max_header_bytes",
    "rate_limit_client_per_minute",
    "rate_limit_client_burst",
    "rate_limit_global_per_second",
    "cluster_fanout_cap",
)


def recorded_settings(settings: Settings) -> dict[str, Any]:
    """The settings in force as the audit log records them (JSON values)."""
    recorded: dict[str, Any] = {name: getattr(settings, name) for name in RECORDED}
    recorded["audit_key_id"] = AuditSigner(settings.secret_key).key_id
    return recorded


def changed_settings(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[str]:
    """The names whose value differs from the last record (every name when there is none)."""
    if previous is None:
        return sorted(current)
    return sorted(name for name in current if previous.get(name) != current[name])
