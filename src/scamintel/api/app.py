"""Builds the ASGI application of a node from its settings; nothing is created at import."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from scamintel import __version__
from scamintel.access.rate_limits import RateLimiter, RateLimits
from scamintel.api.alerts_routes import alerts_api
from scamintel.api.audit_routes import audit_api
from scamintel.api.cases_routes import cases_api
from scamintel.api.clusters_routes import clusters_api
from scamintel.api.error_docs import install_error_docs
from scamintel.api.federation_routes import federation_api
from scamintel.api.housekeeping import Chore, Housekeeping
from scamintel.api.middleware import BodyLimitMiddleware, Metrics, MetricsAndHeadersMiddleware
from scamintel.api.problems import install_problem_handlers
from scamintel.api.protection_routes import protection
from scamintel.api.rate_limits import RequestLimitsMiddleware, install_refusal_docs
from scamintel.api.requests_routes import federation_requests_api, requests_api
from scamintel.api.review_routes import review_api
from scamintel.api.routes import api, operator
from scamintel.api.state import KeyVerifier, NodeState
from scamintel.api.subject_requests_routes import subject_requests_api
from scamintel.api.taxii_routes import taxii
from scamintel.api.transparency_routes import transparency_api
from scamintel.cases.requests import sla_hours
from scamintel.federation.intake import canonicaliser
from scamintel.federation.request_transport import deliver_and_log
from scamintel.federation.sync import BackgroundSync, PeerSyncResult, SyncOptions, sync_peers
from scamintel.governance.signing import AuditSigner
from scamintel.indicators import ParseContext, default_registry
from scamintel.indicators.lookalike import default_lookalikes
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.reading import Reading
from scamintel.settings import Settings
from scamintel.storage.audit_repo import sign_head
from scamintel.storage.migrate import schema_is_current
from scamintel.storage.node import NodeDatabase
from scamintel.storage.peers_repo import PeerSyncStore
from scamintel.storage.transparency_repo import ReportCache

DESCRIPTION = """Check a phone number, link, account or wallet before you act; report a scam.

A `no_reports` verdict means no report is known: it never means the value is safe.
Errors are RFC 9457 problem details (`application/problem+json`)."""


class SchemaNotReadyError(RuntimeError):
    pass


def create_app(settings: Settings, *, database: NodeDatabase | None = None) -> FastAPI:
    """The app for one node. Pass ``database`` to share an engine (tests, embedding)."""
    database = database or NodeDatabase.connect(
        settings.database_url, settings.secret_key, pool_size=settings.database_pool_size
    )
    if not schema_is_current(database.engine):
        raise SchemaNotReadyError(
            "The database schema is missing or out of date; run `scamintel init` first."
        )
    sla_hours(settings.request_sla_hours)  # an unknown request kind stops the start, named
    metrics = Metrics.create()

    background = _background_sync(settings, database)
    housekeeping = _housekeeping(settings, database)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if background is not None:
            background.start()
        housekeeping.start()
        yield
        await housekeeping.stop()
        if background is not None:
            await background.stop()
        database.dispose()

    app = FastAPI(
        title="scamintel",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.node = NodeState(
        settings=settings,
        database=database,
        registry=default_registry(),
        warninglist=Warninglist(),
        lookalikes=default_lookalikes(),
        keys=KeyVerifier(database),
    )
    app.state.metrics = metrics
    # The public transparency report's recent periods (api/transparency_routes.py, the page).
    app.state.transparency = ReportCache(database.engine, settings.node_name)
    install_problem_handlers(app)
    app.include_router(api)
    app.include_router(alerts_api)
    app.include_router(clusters_api)
    app.include_router(protection)
    app.include_router(review_api)
    app.include_router(cases_api)
    app.include_router(federation_api)
    app.include_router(requests_api)
    app.include_router(subject_requests_api)
    app.include_router(federation_requests_api)
    app.include_router(taxii)
    app.include_router(audit_api)
    app.include_router(transparency_api)
    app.include_router(operator)
    # Imported here: the pages reuse the API's schemas, so the web package may be imported
    # first (tests, tools) without a circular import through this module.
    from scamintel.web.setup import install_web

    install_web(app, settings)
    install_refusal_docs(app)
    # After the refusals' docs, so that their 413 and 429 get the error schemas too.
    install_error_docs(app)
    # The last added runs first: metrics and security headers wrap every answer, the
    # refusals of the limits included (docs/security.md).
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RequestLimitsMiddleware,
        limiter=RateLimiter(
            RateLimits(
                settings.rate_limit_client_per_minute,
                settings.rate_limit_global_per_second,
                settings.rate_limit_client_burst,
            )
        ),
        keys=app.state.node.keys,
        max_query_bytes=settings.max_query_bytes,
        max_header_bytes=settings.max_header_bytes,
    )
    app.add_middleware(
        MetricsAndHeadersMiddleware,
        metrics=metrics,
        always_https=settings.environment == "production",
    )
    return app


def _housekeeping(settings: Settings, database: NodeDatabase) -> Housekeeping:
    """Sign the audit log's head every ``audit_sign_interval_seconds`` and purge what expired
    every ``purge_interval_seconds`` (0 turns either off). Every worker runs them: signing
    builds the tree without holding the log's lock, and writes nothing when another worker
    signed the same size (or nothing was written since)."""
    signer = AuditSigner(settings.secret_key)

    def sign() -> dict[str, object]:
        with database.engine.begin() as connection:
            head = sign_head(connection, signer, settings.node_name, datetime.now(UTC))
        return {"size": head.size, "root": head.root_hash} if head else {"size": None}

    def purge() -> dict[str, object]:
        # Imported when it runs: the purge lives with the retention policy's storage.
        from scamintel.governance.retention import retention_policy
        from scamintel.storage.retention_repo import purge_expired_data

        policy = retention_policy(settings.retention_days)
        summary = purge_expired_data(
            database, policy, datetime.now(UTC), actor="purge", signer=signer
        )
        return {"counts": summary.counts}

    return Housekeeping(
        [
            Chore("audit_sign", settings.audit_sign_interval_seconds, sign),
            Chore("purge", settings.purge_interval_seconds, purge),
        ]
    )


def _background_sync(settings: Settings, database: NodeDatabase) -> BackgroundSync | None:
    """Pull from the node's peers every ``sync_interval_seconds`` (0: never)."""
    if settings.sync_interval_seconds <= 0:
        return None
    store = PeerSyncStore(database)
    reader = canonicaliser(default_registry(), ParseContext(settings.node_country))
    options = SyncOptions.of(settings)
    reading = Reading(default_registry(), ParseContext(settings.node_country), Warninglist())

    def run_once(stop: threading.Event) -> Sequence[PeerSyncResult]:
        results = sync_peers(store, reader, options, actor="sync", stop=stop)
        # Cross-border requests ride on the same link: deliver new ones, read statuses.
        deliver_and_log(
            database, reading, actor="sync", timeout=settings.sync_timeout_seconds, stop=stop
        )
        return results

    return BackgroundSync(
        settings.sync_interval_seconds, run_once, shutdown_timeout=settings.sync_timeout_seconds + 5
    )
