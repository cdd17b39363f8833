"""A change of a setting goes on the audit record when the node starts (init, serve)."""

from __future__ import annotations

from sqlalchemy import select

from scamintel.governance.settings_record import recorded_settings
from scamintel.settings import Settings
from scamintel.storage.node import NodeDatabase
from scamintel.storage.store import record_settings_if_changed
from scamintel.storage.tables import audit_log


def setting_entries(node_database: NodeDatabase) -> list[str]:
    with node_database.engine.connect() as connection:
        return list(
            connection.scalars(
                select(audit_log.c.details)
                .where(audit_log.c.action == "setting.changed")
                .order_by(audit_log.c.seq)
            )
        )


def record(node_database: NodeDatabase, settings: Settings) -> list[str]:
    with node_database.engine.begin() as connection:
        return record_settings_if_changed(connection, recorded_settings(settings), "cli:operator")


def test_the_first_start_records_every_setting_and_an_unchanged_restart_nothing(
    node_database: NodeDatabase, settings: Settings
) -> None:
    first = record(node_database, settings)
    again = record(node_database, settings)

    assert {"retention_days", "node_country", "audit_key_id"} <= set(first)
    assert again == []
    assert len(setting_entries(node_database)) == 1


def test_a_changed_retention_period_and_a_rotated_key_are_named(
    node_database: NodeDatabase, settings: Settings
) -> None:
    record(node_database, settings)
    changed = settings.model_copy(
        update={"retention_days": {"victim_contact": 90}, "secret_key": "another-" + "k" * 40}
    )

    assert record(node_database, changed) == ["audit_key_id", "retention_days"]
    entries = setting_entries(node_database)
    assert len(entries) == 2
    assert '"victim_contact":90' in entries[1]
    assert "k" * 40 not in entries[1]  # the secret itself is never recorded
    assert "database_url" not in entries[1]
