"""Private lookups and blocklists over HTTP (docs/privacy.md): the hash-prefix range API, the
blocklist bundle with its deltas, and the blocklist for telcos and banks. Each route parses,
authorises, calls the protection package and serialises."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi import Path as PathParameter
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from scamintel.access.keys import Principal
from scamintel.access.roles import BLOCKLIST_READERS
from scamintel.api.auth import require_role
from scamintel.api.caching import NOT_MODIFIED, cacheable
from scamintel.api.protection_schemas import BlocklistOut
from scamintel.api.routes import COMMON_PROBLEMS, PROBLEM, Node
from scamintel.api.state import NodeState
from scamintel.indicators import IndicatorType
from scamintel.protection.blocklist import (
    DEFAULT_MIN_SCORE,
    DEFAULT_PAGE_SIZE,
    MAX_CURSOR,
    MAX_PAGE_SIZE,
    BlocklistQuery,
    CursorAheadError,
    download_blocklist,
)
from scamintel.protection.bundle import BundleAheadError, build_bundle, build_delta
from scamintel.protection.range import InvalidPrefixError, RangeAnswer, range_lookup
from scamintel.storage.listings_repo import listing_version, snapshot_reads
from scamintel.storage.protection_store import SqlListings

RANGE_MAX_AGE_S = 300
# A full bundle reads every listing, and the endpoint is public: it is rebuilt at most this
# often, and clients bring it up to date with a delta from its version.
BUNDLE_REBUILD_S = 60.0
BUNDLE_MAX_AGE_S = 60
# Deltas are cached by (since, listing version); these bound the cache of one process.
DELTA_CACHE_ENTRIES = 64
DELTA_CACHE_BYTES = 32 * 1024 * 1024
BUNDLE_MEDIA_TYPE = "application/octet-stream"
VERSION_HEADER = "Scamintel-Listing-Version"
CURSOR_HEADER = "Scamintel-Cursor"
COMPLETE_HEADER = "Scamintel-Complete"
RANGE_EXAMPLE = (
    "0a3c6f1e2d4b5a69788796a5b4c3d2e1f00112233445566778899aabbc:padding   :0.00:0\n"
    "0b6e1c2f3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c:scam      :0.92:0\n"
)

protection = APIRouter(prefix="/api/v1", responses=COMMON_PROBLEMS, tags=["protection"])


class BlocklistFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


# -- range ---------------------------------------------------------------------------------------
@protection.get(
    "/range/{prefix}",
    summary="Hash-prefix range lookup (k-anonymity): the listed values sharing a prefix",
    description=(
        "Send the first 5 hexadecimal characters of the SHA-256 of the canonical value "
        "(docs/indicators.md); the answer lists, one per line, the other 59 characters of "
        "every listed value with that prefix as `suffix:verdict:score:under_review`, padded "
        "with decoy lines (verdict `padding`) to 128 lines of 78 bytes, so every answer has "
        "the same length. Find your own suffix: not finding it means the node lists no such "
        "value, never that the value is safe. Answers change only with the listing version "
        "(the ETag) and may be cached."
    ),
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"example": RANGE_EXAMPLE}}},
        **NOT_MODIFIED,
    },
)
async def hash_range(
    request: Request,
    prefix: Annotated[
        str, PathParameter(description="First 5 hex characters of the SHA-256 (any case)")
    ],
) -> Response:
    # The range lookup is as hot as the public check and, like it, reads one index range:
    # on the event loop for SQLite, in the thread pool for a PostgreSQL round trip.
    node: NodeState = request.app.state.node
    try:
        if node.database.dialect == "sqlite":
            answer = _range_answer(node, prefix)
        else:
            answer = await run_in_threadpool(_range_answer, node, prefix)
    except InvalidPrefixError as error:
        raise HTTPException(422, str(error)) from error
    return cacheable(
        request,
        answer.body,
        "text/plain; charset=utf-8",
        answer.etag,
        RANGE_MAX_AGE_S,
        {VERSION_HEADER: str(answer.version)},
    )


def _range_answer(node: NodeState, prefix: str) -> RangeAnswer:
    with node.database.committed_reads() as connection:
        return range_lookup(SqlListings(connection), prefix, node.settings.secret_key)


# -- bundle --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EncodedBundle:
    version: int
    body: bytes


@dataclass(frozen=True, slots=True)
class EncodedDelta:
    """What a client at version ``since`` gets at listing ``version``: the delta's bytes, or
    None when the full bundle is the better download (too much changed)."""

    since: int
    version: int
    body: bytes | None

    @property
    def etag(self) -> str:
        return f'"delta-{self.since}-{self.version}"'


class FullBundleCache:
    """The latest full bundle of one app, rebuilt when the listing has changed and the
    cached one is older than ``rebuild_after_s``; concurrent requests share one build."""

    def __init__(self, rebuild_after_s: float = BUNDLE_REBUILD_S) -> None:
        self.rebuild_after_s = rebuild_after_s
        self._lock = threading.Lock()
        self._latest: EncodedBundle | None = None
        self._checked_at = 0.0

    def latest(self, engine: Engine) -> EncodedBundle:
        with self._lock:
            now = time.monotonic()
            if self._latest is None or now - self._checked_at >= self.rebuild_after_s:
                self._latest = self._current(engine)
                self._checked_at = now
            return self._latest

    def _current(self, engine: Engine) -> EncodedBundle:
        with snapshot_reads(engine) as connection:
            if self._latest is not None and listing_version(connection) == self._latest.version:
                return self._latest
            bundle = build_bundle(SqlListings(connection))
        return EncodedBundle(bundle.version, bundle.encode())


class DeltaCache:
    """Deltas of one app by (since, listing version), the ``max_entries`` most recently
    used within ``max_bytes``. Clients hold few distinct versions (those of the full bundles
    served, rebuilt once a minute at most, and of the deltas since), so nearly every request
    is a hit. Builds run one at a time: a flood of distinct ``since`` values costs the
    database one delta build at a time, and requests waiting for the same delta share it.
    Only deltas to the current version are kept, since no request asks for an older one."""

    def __init__(
        self, max_entries: int = DELTA_CACHE_ENTRIES, max_bytes: int = DELTA_CACHE_BYTES
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[int, int], EncodedDelta] = OrderedDict()
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()

    def delta(self, engine: Engine, since: int) -> EncodedDelta:
        """From ``since`` to the current version; raises :class:`BundleAheadError` when
        ``since`` is ahead of this node."""
        with engine.connect() as connection:
            version = listing_version(connection)
        if since > version:
            raise BundleAheadError(since, version)
        cached = self._get((since, version))
        if cached is not None:
            return cached
        with self._build_lock:
            cached = self._get((since, version))
            if cached is None:
                cached = _encoded_delta(engine, since)
                self._put(cached)
            return cached

    def __len__(self) -> int:
        return len(self._entries)

    def _get(self, key: tuple[int, int]) -> EncodedDelta | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def _put(self, delta: EncodedDelta) -> None:
        with self._lock:
            for key in [key for key in self._entries if key[1] < delta.version]:
                del self._entries[key]
            self._entries[(delta.since, delta.version)] = delta
            while len(self._entries) > self.max_entries or self._bytes() > self.max_bytes:
                self._entries.popitem(last=False)

    def _bytes(self) -> int:
        return sum(len(delta.body or b"") for delta in self._entries.values())


def _encoded_delta(engine: Engine, since: int) -> EncodedDelta:
    with snapshot_reads(engine) as connection:
        version = listing_version(connection)
        delta = build_delta(SqlListings(connection), since)
    return EncodedDelta(since, version, delta.encode() if delta is not None else None)


def full_bundle_cache(request: Request) -> FullBundleCache:
    """The app's full-bundle cache, made on first use (the app factory knows nothing of it)."""
    state = request.app.state
    cache: FullBundleCache | None = getattr(state, "full_bundle_cache", None)
    if cache is None:
        cache = state.full_bundle_cache = FullBundleCache()
    return cache


def delta_cache(request: Request) -> DeltaCache:
    """The app's delta cache, made on first use."""
    state = request.app.state
    cache: DeltaCache | None = getattr(state, "delta_cache", None)
    if cache is None:
        cache = state.delta_cache = DeltaCache()
    return cache


@protection.get(
    "/bundle",
    summary="The blocklist bundle (every listed value as a hashed set), or a delta",
    description=(
        "Without `since` (or with 0): the full bundle, 32 bytes of header then 9 bytes per "
        "listed value (the first 8 bytes of the SHA-256 of the canonical value and a verdict "
        "byte), sorted; a value not listed matches with probability n / 2^64. With `since` "
        "(the version of the bundle you hold): a delta to the current version, or the full "
        "bundle when that is the smaller download; the header's kind byte says which. The "
        "full bundle is rebuilt at most once a minute; bring it up to date with a delta. "
        "Both carry an ETag for If-None-Match. Format: docs/privacy.md."
    ),
    response_class=Response,
    responses={
        200: {"content": {BUNDLE_MEDIA_TYPE: {}}},
        **NOT_MODIFIED,
        409: {"description": "`since` is ahead of this node", **PROBLEM},
    },
)
def bundle(
    request: Request,
    node: Node,
    full_bundles: Annotated[FullBundleCache, Depends(full_bundle_cache)],
    deltas: Annotated[DeltaCache, Depends(delta_cache)],
    since: Annotated[
        int | None,
        Query(ge=0, le=MAX_CURSOR, description="Listing version of the bundle you hold"),
    ] = None,
) -> Response:
    delta = _delta(node, deltas, since) if since else None
    if delta is not None and delta.body is not None:
        return cacheable(
            request,
            delta.body,
            BUNDLE_MEDIA_TYPE,
            delta.etag,
            BUNDLE_MAX_AGE_S,
            _bundle_headers(delta.version, f"scamintel-delta-{delta.since}-{delta.version}"),
        )
    latest = full_bundles.latest(node.database.engine)
    return cacheable(
        request,
        latest.body,
        BUNDLE_MEDIA_TYPE,
        f'"full-{latest.version}"',
        BUNDLE_MAX_AGE_S,
        _bundle_headers(latest.version, f"scamintel-bundle-{latest.version}"),
    )


def _delta(node: NodeState, deltas: DeltaCache, since: int) -> EncodedDelta:
    try:
        return deltas.delta(node.database.engine, since)
    except BundleAheadError as error:
        raise HTTPException(409, str(error)) from error


def _bundle_headers(version: int, name: str) -> dict[str, str]:
    return {
        VERSION_HEADER: str(version),
        "Content-Disposition": f'attachment; filename="{name}.bin"',
    }


# -- blocklist -----------------------------------------------------------------------------------
@protection.get(
    "/blocklist",
    summary="Listed values by type above a confidence, with what changed since a cursor",
    description=(
        "For telcos and banks (a key with role reporter, analyst, investigator or admin). "
        "From `since=0` the full list; from a cursor, the values added (or changed) and "
        "removed since. Page with `limit`: while `complete` is false, ask again with "
        "`since=cursor`. CSV has one row per change (`change` is added or removed) and the "
        "cursor in the Scamintel-Cursor header. Every download is audited."
    ),
    response_class=Response,
    responses={
        200: {"model": BlocklistOut, "content": {"text/csv": {}}},
        401: PROBLEM,
        403: PROBLEM,
        409: {"description": "`since` is ahead of this node", **PROBLEM},
    },
)
def blocklist(
    node: Node,
    principal: Annotated[Principal, Depends(require_role(*BLOCKLIST_READERS))],
    types: Annotated[
        list[IndicatorType] | None,
        Query(alias="type", description="Only these types (repeat the parameter); all if none"),
    ] = None,
    min_score: Annotated[
        float, Query(ge=0, le=1, description="Only values with at least this score")
    ] = DEFAULT_MIN_SCORE,
    since: Annotated[
        int, Query(ge=0, le=MAX_CURSOR, description="Cursor of your last download; 0: all")
    ] = 0,
    output: Annotated[BlocklistFormat, Query(alias="format")] = BlocklistFormat.JSON,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Most changes in one page")
    ] = DEFAULT_PAGE_SIZE,
) -> Response:
    query = BlocklistQuery(
        types=tuple(sorted({kind.value for kind in types or ()})),
        min_score=min_score,
        since=since,
        limit=limit,
    )
    try:
        with snapshot_reads(node.database.engine) as connection:
            page = download_blocklist(
                SqlListings(connection), query, actor=principal.actor, form=output.value
            )
    except CursorAheadError as error:
        raise HTTPException(409, str(error)) from error
    headers = {
        CURSOR_HEADER: str(page.cursor),
        COMPLETE_HEADER: "true" if page.complete else "false",
        "Cache-Control": "no-store",
    }
    if output is BlocklistFormat.CSV:
        return Response(page.as_csv(), media_type="text/csv; charset=utf-8", headers=headers)
    body: dict[str, Any] = page.as_dict()
    return Response(
        json.dumps(body, ensure_ascii=False), media_type="application/json", headers=headers
    )
