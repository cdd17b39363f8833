"""The one settings object of a node, read from the environment (prefix ``SCAMINTEL_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# PostgreSQL connections a process keeps in its pool, and as many more it may open under
# load (SCAMINTEL_DATABASE_POOL_SIZE, docs/operations.md).
DEFAULT_POOL_SIZE = 20
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"  # noqa: S105 - refused in production


def _default_home() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "scamintel"


class Settings(BaseSettings):
    """Everything a node needs to know about itself; built once per process by its entry point."""

    model_config = SettingsConfigDict(env_prefix="SCAMINTEL_", extra="ignore")

    home: Path = Field(default_factory=_default_home)
    database_url: str = ""
    # PostgreSQL connections each process keeps in its pool, and as many more under load:
    # workers x hosts x twice this must stay under the server's max_connections.
    database_pool_size: int = Field(default=DEFAULT_POOL_SIZE, ge=1, le=500)
    node_name: str = "scamintel-dev"
    node_country: str = "TH"
    # How a citizen reaches the node's data-protection officer: an e-mail or a postal address,
    # shown as written on the public page /privacy; unset, the page has no such line.
    dpo_contact: str = Field(default="", max_length=300)
    secret_key: str = DEVELOPMENT_SECRET_KEY
    environment: Literal["development", "test", "production"] = "development"
    max_body_bytes: int = 1_000_000
    # Abuse controls (docs/security.md). A query string or a set of request headers over these
    # sizes is refused (414, 431) before any work. The check box sends a pasted message in the
    # query (5,000 Thai characters are 45 KB encoded); keep the limit under the server's own
    # (uvicorn refuses request lines over 64 KiB with a bare 400).
    max_query_bytes: int = Field(default=61_440, ge=1_024)
    max_header_bytes: int = Field(default=32_768, ge=4_096)
    # Requests without a valid API key, per client address (an IPv6 /64 counts as one) and
    # for the whole worker process; 0 turns either off. The burst is how many a client may
    # send at once after a quiet spell (0: one minute's worth).
    rate_limit_client_per_minute: int = Field(default=120, ge=0)
    rate_limit_client_burst: int = Field(default=0, ge=0)
    rate_limit_global_per_second: int = Field(default=500, ge=0)
    ingest_batch_size: int = 2_000
    # Federation pull (docs/federation.md): how often `serve` syncs its peers (0 turns the
    # background sync off), the TAXII page size asked for, and how transient failures
    # (transport errors, 5xx, 429) are retried: exponential backoff from the base delay,
    # capped, at most `sync_retries` times per request.
    sync_interval_seconds: float = Field(default=900, ge=0)
    sync_page_size: int = Field(default=1000, ge=1, le=10_000)
    sync_retries: int = Field(default=5, ge=0, le=20)
    sync_backoff_base_seconds: float = Field(default=0.5, gt=0)
    sync_backoff_cap_seconds: float = Field(default=30.0, gt=0)
    sync_timeout_seconds: float = Field(default=30.0, gt=0)
    # Network analysis (docs/network-analysis.md): a value named in more reports than this links
    # none of them (one bank hotline or a victim's own number must not glue operations).
    cluster_fanout_cap: int = Field(default=200, ge=2)
    # Cross-border requests (docs/cross-border-requests.md): hours each request kind may take
    # before it is overdue, over the defaults in cases/requests.py; JSON in the environment,
    # e.g. SCAMINTEL_REQUEST_SLA_HOURS='{"freeze_account": 12}'.
    request_sla_hours: dict[str, float] = Field(default_factory=dict)
    # The "spot the scam" exercise of /learn: a folder of `<dataset>/train.csv`
    # files (columns text,label,lang) whose messages are shown anonymised. Unset, the page
    # uses a few messages written for it.
    learn_messages_dir: Path | None = None
    # Data governance (docs/governance.md): retention periods in days over the defaults in
    # governance/retention.py (JSON, e.g. '{"victim_contact": 180, "report:ingest": 1095}');
    # how often `serve` purges what expired and signs the audit log's head (0 turns either off).
    retention_days: dict[str, int] = Field(default_factory=dict)
    purge_interval_seconds: float = Field(default=3600, ge=0)
    audit_sign_interval_seconds: float = Field(default=3600, ge=0)
    # The audit-signing public keys this node used before its secret key changed (base64, as
    # `scamintel audit key` printed them; JSON list): heads signed with them still verify.
    # A head under any other key fails `audit verify`, so a re-signed rewrite cannot pass.
    audit_retired_keys: list[str] = Field(default_factory=list)

    @field_validator("node_country")
    @classmethod
    def _country_is_alpha2(cls, value: str) -> str:
        value = value.strip().upper()
        if len(value) != 2 or not value.isalpha():
            raise ValueError(
                "SCAMINTEL_NODE_COUNTRY must be an ISO 3166 alpha-2 code such as TH, MM or PH"
            )
        return value

    @field_validator("request_sla_hours")
    @classmethod
    def _sla_kinds_are_known(cls, value: dict[str, float]) -> dict[str, float]:
        # The kinds live with the requests (cases/requests.py), imported only when a value is
        # checked: the settings module stays importable by everything, the domain included.
        from scamintel.cases.requests import SlaSettingsError, sla_hours

        try:
            sla_hours(value)
        except SlaSettingsError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("retention_days")
    @classmethod
    def _retention_kinds_are_known(cls, value: dict[str, int]) -> dict[str, int]:
        from scamintel.governance.retention import RetentionSettingsError, retention_policy

        try:
            retention_policy(value)
        except RetentionSettingsError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("audit_retired_keys")
    @classmethod
    def _retired_keys_are_keys(cls, value: list[str]) -> list[str]:
        from scamintel.governance.signing import parse_public_key

        for text in value:
            try:
                parse_public_key(text)
            except ValueError as error:
                raise ValueError(f"SCAMINTEL_AUDIT_RETIRED_KEYS: {error}") from None
        return value

    @model_validator(mode="after")
    def _fill_defaults_and_refuse_weak_secret(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'scamintel.db'}"
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise ValueError(
                "SCAMINTEL_SECRET_KEY is still the development default; set a long random "
                "value before running in production"
            )
        if self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError("SCAMINTEL_SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
