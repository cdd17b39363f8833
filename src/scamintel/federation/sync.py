"""Pulling from TAXII 2.1 peers: discovery, collection choice, paging with a saved cursor,
retries with backoff, and the background loop a server runs.

Each page is handed to a ``SyncStore`` that checks it against this node's agreement with the
peer and commits it together with the new cursor, in one transaction: a crash between pages
loses nothing, and a page read twice doubles nothing (received indicators are upserted by
STIX id and version). The store is the storage layer's adapter; this module has no SQL.

HTTP is the standard library's ``urllib.request``: sync makes a handful of sequential GETs
per peer, so a client library would add a runtime dependency for nothing the standard
library lacks here (proxies from the environment and TLS verification come with it).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog

from scamintel.federation.agreement import Agreement
from scamintel.federation.intake import Canonicaliser, Intake, take_objects

# Re-exported: the CLI and the benchmark build the sync's reader from here.
from scamintel.federation.intake import canonicaliser as canonicaliser
from scamintel.federation.taxii import LISTINGS_COLLECTION_ID, TAXII_MEDIA_TYPE

TAXII_VERSION = "application/taxii+json;version=2.1"
# A page of 10,000 indicators is about 10 MB; anything far larger is not a TAXII page.
MAX_RESPONSE_BYTES = 256 * 1024 * 1024
MAX_REDIRECTS = 5
# How a peer's key is presented: scamintel nodes take a bearer API key; medallion and many
# other TAXII servers take HTTP Basic with ``user:password``.
AUTH_BEARER = "bearer"
AUTH_BASIC = "basic"
AUTH_SCHEMES = (AUTH_BEARER, AUTH_BASIC)


# A run stops after this many pages (10,000,000 objects at the default page size), so a peer
# that always answers "more" cannot hold the sync of the other peers for ever.
MAX_PAGES_PER_RUN = 10_000
# Longest ``next`` token and date-added header kept (the peers table's columns).
MAX_TOKEN_CHARS = 1_000
TAXII_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")


class SyncError(Exception):
    """Why a peer's sync stopped; the message is what ``last_error`` records."""


class HttpStatusError(SyncError):
    """The peer answered with an error status."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500


class TransportError(SyncError):
    """The peer could not be reached, or the connection broke; worth retrying."""


class ConcurrentSyncError(Exception):
    """Another sync of the same peer moved its cursor first; this one yields to it."""


class PeerGoneError(Exception):
    """The peer was removed while it was being synced."""


# -- what sync needs from its surroundings ---------------------------------------------------------
class PeerLink(Protocol):
    """A stored peer, as sync reads it (``storage.peers_repo.Peer`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def collection_id(self) -> str | None: ...
    @property
    def api_key(self) -> str | None: ...
    @property
    def auth(self) -> str: ...
    @property
    def next_cursor(self) -> str | None: ...
    @property
    def added_after(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a peer's reading stands: the ``next`` of an unfinished paging, and the
    ``added_after`` filter that paging started from (sent with every page: some servers,
    medallion among them, refuse a ``next`` whose filters changed)."""

    next: str | None = None
    added_after: str | None = None


class SyncStore(Protocol):
    """The storage side of sync: peers, agreements and the page transaction."""

    def peers(self, name: str | None = None) -> Sequence[PeerLink]: ...

    def agreement(self, partner: str) -> Agreement | None: ...

    def save_collection(self, peer: str, collection_id: str) -> None: ...

    def commit_page(
        self, peer: str, expected: Cursor, new: Cursor, intake: Intake, now: datetime
    ) -> int:
        """In one transaction: claim the peer (raise ``ConcurrentSyncError`` if its cursor is
        no longer ``expected``, ``PeerGoneError`` if it is gone), store the accepted
        indicators, log the refusals and save ``new``. Returns how many rows were written."""
        ...

    def reset_cursor(self, peer: str, expected: Cursor, new: Cursor) -> None: ...

    def finish(self, result: PeerSyncResult, actor: str, at: datetime) -> None:
        """Record the outcome on the peer (last sync, last error) and audit it."""
        ...

    def purge_expired(self, now: datetime) -> int: ...


class SyncSettings(Protocol):
    """The node settings sync reads (``scamintel.settings.Settings`` has them)."""

    @property
    def sync_page_size(self) -> int: ...
    @property
    def sync_retries(self) -> int: ...
    @property
    def sync_backoff_base_seconds(self) -> float: ...
    @property
    def sync_backoff_cap_seconds(self) -> float: ...
    @property
    def sync_timeout_seconds(self) -> float: ...


@dataclass(frozen=True, slots=True)
class SyncOptions:
    page_size: int = 1000
    retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    timeout: float = 30.0

    @classmethod
    def of(cls, settings: SyncSettings, page_size: int | None = None) -> SyncOptions:
        return cls(
            page_size=page_size or settings.sync_page_size,
            retries=settings.sync_retries,
            backoff_base=settings.sync_backoff_base_seconds,
            backoff_cap=settings.sync_backoff_cap_seconds,
            timeout=settings.sync_timeout_seconds,
        )


@dataclass(slots=True)
class PeerSyncResult:
    """What one peer's sync did; ``error`` is None when it completed."""

    peer: str
    collection_id: str | None = None
    pages: int = 0
    received: int = 0
    stored: int = 0
    refused: int = 0
    skipped: int = 0
    cursor: Cursor = field(default_factory=Cursor)
    error: str | None = None
    yielded: bool = False

    @property
    def failed(self) -> bool:
        return self.error is not None

    def details(self) -> dict[str, Any]:
        """The audit entry's and ``--json`` output's form."""
        return {
            "peer": self.peer,
            "collection": self.collection_id,
            "pages": self.pages,
            "received": self.received,
            "stored": self.stored,
            "refused": self.refused,
            "skipped": self.skipped,
            "next": self.cursor.next,
            "added_after": self.cursor.added_after,
            "error": self.error,
            "yielded": self.yielded,
        }


# -- HTTP -----------------------------------------------------------------------------------------
class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the peer's origin: the key must never leave it."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if _origin(newurl) != _origin(req.full_url):
            raise HttpStatusError(code, f"the peer redirected to another site ({newurl})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


@dataclass(frozen=True, slots=True)
class Response:
    body: dict[str, Any]
    headers: Mapping[str, str]


class TaxiiClient:
    """GETs of TAXII resources with the peer's credentials, retried with backoff."""

    def __init__(
        self,
        api_key: str | None,
        auth: str,
        options: SyncOptions,
        wait: Callable[[float], bool],
    ) -> None:
        self._headers = {"Accept": TAXII_VERSION, "User-Agent": "scamintel-sync"}
        if api_key is not None:
            self._headers["Authorization"] = authorization_header(api_key, auth)
        self._options = options
        self._wait = wait
        self._opener = urllib.request.build_opener(_SameOriginRedirects())

    def get(self, url: str, params: Mapping[str, str] | None = None) -> Response:
        if params:
            url = f"{url}?{urllib.parse.urlencode(params)}"
        attempt = 0
        while True:
            try:
                return self._get_once(url)
            except (TransportError, HttpStatusError) as error:
                retryable = isinstance(error, TransportError) or (
                    isinstance(error, HttpStatusError) and error.retryable
                )
                if not retryable or attempt >= self._options.retries:
                    raise
                delay = self._delay(attempt, error)
                attempt += 1
                # ``wait`` returns True when the node is shutting down: stop retrying.
                if self._wait(delay):
                    raise

    def _delay(self, attempt: int, error: SyncError) -> float:
        cap = self._options.backoff_cap
        backoff: float = min(cap, self._options.backoff_base * 2.0**attempt)
        retry_after = error.retry_after if isinstance(error, HttpStatusError) else None
        return min(cap, max(backoff, retry_after)) if retry_after is not None else backoff

    def _get_once(self, url: str) -> Response:
        request = urllib.request.Request(url, headers=self._headers, method="GET")  # noqa: S310 - the operator configures http(s) peers
        try:
            with self._opener.open(request, timeout=self._options.timeout) as answer:
                raw = answer.read(MAX_RESPONSE_BYTES + 1)
                headers = {k.lower(): v for k, v in answer.headers.items()}
        except urllib.error.HTTPError as error:
            raise _status_error(error) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = getattr(error, "reason", error)
            raise TransportError(f"cannot reach {_safe(url)}: {reason}") from None
        if len(raw) > MAX_RESPONSE_BYTES:
            raise SyncError(f"{_safe(url)} answered more than {MAX_RESPONSE_BYTES} bytes")
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise SyncError(f"{_safe(url)} did not answer TAXII JSON") from None
        if not isinstance(body, dict):
            raise SyncError(f"{_safe(url)} did not answer a TAXII resource")
        return Response(body, headers)


class StopSync(Exception):  # noqa: N818 - a signal, not an error
    """The node is shutting down: stop between pages."""


def authorization_header(api_key: str, auth: str) -> str:
    """The Authorization value for a peer added with ``auth`` (Bearer key, or Basic
    ``user:password``)."""
    if auth == AUTH_BASIC:
        return "Basic " + base64.b64encode(api_key.encode()).decode()
    return f"Bearer {api_key}"


def _safe(url: str) -> str:
    """The URL without its query (a ``next`` token says nothing useful in an error)."""
    return urllib.parse.urlsplit(url)._replace(query="").geturl()


def _status_error(error: urllib.error.HTTPError) -> HttpStatusError:
    """The TAXII error message's title and description when the peer sent one."""
    text = ""
    with contextlib.suppress(OSError, http.client.HTTPException):
        text = error.read(64 * 1024).decode("utf-8", "replace")
    error.close()
    message = f"{error.code} {error.reason}"
    with contextlib.suppress(json.JSONDecodeError):
        body = json.loads(text)
        if isinstance(body, dict) and body.get("title"):
            message = f"{error.code} {body['title']}"
            if body.get("description"):
                message += f": {body['description']}"
    retry_after = _retry_after(error.headers.get("Retry-After") if error.headers else None)
    return HttpStatusError(error.code, message, retry_after)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, or an HTTP date (RFC 9110, section 10.2.3)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


# -- discovery ------------------------------------------------------------------------------------
def resolve_api_root(client: TaxiiClient, url: str) -> str:
    """The API root ``url`` names: itself when it is one, else the discovery's default (or its
    only API root)."""
    url = _with_slash(url)
    body = client.get(url).body
    if "versions" in body:
        _check_versions(body, url)
        return url
    if "api_roots" not in body and "default" not in body:
        raise SyncError(f"{url} is neither a TAXII discovery resource nor an API root")
    roots = [str(r) for r in body.get("api_roots") or []]
    chosen = body.get("default") or (roots[0] if len(roots) == 1 else None)
    if chosen is None:
        listed = ", ".join(roots) or "none"
        raise SyncError(
            f"{url} lists several API roots and no default ({listed}); add the peer "
            "with the API root's URL"
        )
    root = _with_slash(urllib.parse.urljoin(url, str(chosen)))
    if _origin(root) != _origin(url):
        # The key goes with every request: a discovery answer must not send it elsewhere.
        raise SyncError(
            f"the discovery at {_safe(url)} names an API root on another site ({_safe(root)}); "
            "if you trust that site, add the peer with the API root's URL"
        )
    _check_versions(client.get(root).body, root)
    return root


def _check_versions(body: Mapping[str, Any], url: str) -> None:
    versions = [str(v).replace(" ", "") for v in body.get("versions") or []]
    if versions and TAXII_MEDIA_TYPE not in versions:
        raise SyncError(f"the API root {url} does not speak TAXII 2.1 ({', '.join(versions)})")


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def choose_collection(collections: Sequence[Mapping[str, Any]]) -> str:
    """The one readable collection that is not a scamintel node's public ``listings`` (which
    is not governed by an agreement, so it is read only when named with ``--collection``)."""
    readable = [c for c in collections if c.get("can_read") is True and c.get("id")]
    others = [c for c in readable if not _is_listings(c)]
    if len(others) == 1:
        return str(others[0]["id"])
    if not others:
        raise SyncError(
            "the peer offers this key no collection under an agreement: ask the partner to "
            "apply its agreement with this node, naming this node's organisation exactly as "
            "on the key it issued (or name a collection with `scamintel peer add --collection`)"
        )
    choices = "; ".join(f"{c['id']} ({c.get('title', 'untitled')})" for c in readable)
    raise SyncError(
        f"the peer offers several readable collections, pick one with "
        f"`scamintel peer add --collection`: {choices}"
    )


def _is_listings(collection: Mapping[str, Any]) -> bool:
    return collection.get("id") == LISTINGS_COLLECTION_ID or collection.get("title") == "listings"


def resolve_collection(client: TaxiiClient, api_root: str) -> str:
    body = client.get(api_root + "collections/").body
    collections = body.get("collections") or []
    if not isinstance(collections, list):
        raise SyncError(f"{api_root}collections/ did not list collections")
    return choose_collection([c for c in collections if isinstance(c, dict)])


# -- paging ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PageRead:
    objects: list[Any]
    more: bool
    next: str | None
    added_last: str | None


def read_page(client: TaxiiClient, objects_url: str, cursor: Cursor, limit: int) -> PageRead:
    params = {"limit": str(limit)}
    if cursor.added_after:
        params["added_after"] = cursor.added_after
    if cursor.next:
        params["next"] = cursor.next
    answer = client.get(objects_url, params)
    objects = answer.body.get("objects") or []
    if not isinstance(objects, list):
        raise SyncError(f"{objects_url} answered an envelope without a list of objects")
    more = answer.body.get("more") is True
    token = answer.body.get("next")
    if more and not token:
        raise SyncError(f"{objects_url} said more objects follow but gave no next")
    if more and (not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS):
        raise SyncError(
            f"{objects_url} gave a next that is not a string of at most "
            f"{MAX_TOKEN_CHARS} characters"
        )
    last = answer.headers.get("x-taxii-date-added-last") or answer.headers.get(
        "x-taxii-date-added-first"
    )
    if last is not None and not TAXII_TIMESTAMP.fullmatch(last):
        raise SyncError(f"{objects_url} gave a date added that is not a timestamp: {last[:60]!r}")
    return PageRead(objects, more, token if more else None, last)


class PageReader:
    """Reads a collection's pages, the next one ahead in a worker thread while the current
    one is checked and stored, so the peer serves page n+1 while this node works on page n
    (each side would otherwise wait for the other). At most one request is in flight; the
    pages are the same, read in the same order, and none is read past a failure the caller
    sees. Closing abandons a read ahead (its backoff waits end at once) and waits for it,
    so no request outlives the sync."""

    def __init__(
        self, client: TaxiiClient, objects_url: str, limit: int, cancel: threading.Event
    ) -> None:
        self._client = client
        self._url = objects_url
        self._limit = limit
        self._cancel = cancel
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="taxii-read-ahead")
        self._ahead: tuple[Cursor, Future[PageRead]] | None = None

    def __enter__(self) -> PageReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def read(self, cursor: Cursor) -> PageRead:
        """The page at ``cursor``: the one read ahead when it was for this cursor."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            if ahead[0] == cursor:
                return ahead[1].result()
            _settle(ahead[1])
        return read_page(self._client, self._url, cursor, self._limit)

    def read_ahead(self, cursor: Cursor) -> None:
        if self._ahead is not None:
            _settle(self._ahead[1])
        future = self._worker.submit(read_page, self._client, self._url, cursor, self._limit)
        self._ahead = (cursor, future)

    def close(self) -> None:
        self._cancel.set()
        self._ahead = None
        self._worker.shutdown(wait=True, cancel_futures=True)


def _settle(future: Future[PageRead]) -> None:
    """Wait for a read nobody will use; its outcome, failure included, is of no interest."""
    with contextlib.suppress(Exception):
        future.result()


def _wait_unless(stop: threading.Event, cancel: threading.Event) -> Callable[[float], bool]:
    """A backoff wait that ends early, returning True, once the node stops or the read is
    abandoned (``TaxiiClient``'s ``wait``)."""

    def wait(delay: float) -> bool:
        deadline = time.monotonic() + delay
        while not (stop.is_set() or cancel.is_set()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            # Two events cannot be waited on at once; a tenth of a second is soon enough.
            cancel.wait(min(remaining, 0.1))
        return True

    return wait


def _cursor_after(page: PageRead, cursor: Cursor) -> Cursor:
    """More pages: keep the filter, move ``next``. Done: the next paging starts after the
    last object's date added (the previous filter when the peer did not say)."""
    if page.more:
        return Cursor(page.next, cursor.added_after)
    return Cursor(None, page.added_last or cursor.added_after)


@dataclass(slots=True)
class PeerSync:
    """One run over one peer."""

    store: SyncStore
    canonicalise: Canonicaliser
    options: SyncOptions
    stop: threading.Event

    def run(self, peer: PeerLink) -> PeerSyncResult:
        result = PeerSyncResult(peer.name, peer.collection_id)
        result.cursor = Cursor(peer.next_cursor, peer.added_after)
        try:
            self._pull(peer, result)
        except ConcurrentSyncError:
            result.yielded = True
        except PeerGoneError:
            result.error = "the peer was removed during the sync"
        except StopSync:
            result.error = "stopped: the node is shutting down"
        except SyncError as error:
            result.error = str(error)
        except Exception as error:  # one peer's fault (or data) must not stop the others
            result.error = f"unexpected {type(error).__name__}: {error}"[:1000]
        return result

    def _pull(self, peer: PeerLink, result: PeerSyncResult) -> None:
        agreement = self.store.agreement(peer.name)
        if agreement is None:
            raise SyncError(
                f"no agreement with {peer.name}: apply one (`scamintel agreement apply`) so "
                "that what it sends can be checked"
            )
        cancel = threading.Event()
        client = TaxiiClient(peer.api_key, peer.auth, self.options, _wait_unless(self.stop, cancel))
        api_root = resolve_api_root(client, peer.url)
        collection = peer.collection_id
        if collection is None:
            # Kept once chosen: the saved cursor belongs to this collection.
            collection = resolve_collection(client, api_root)
            self.store.save_collection(peer.name, collection)
        result.collection_id = collection
        objects_url = f"{api_root}collections/{urllib.parse.quote(collection, safe='')}/objects/"
        with PageReader(client, objects_url, self.options.page_size, cancel) as pages:
            self._page_through(peer, agreement, pages, result)

    def _page_through(
        self, peer: PeerLink, agreement: Agreement, pages: PageReader, result: PeerSyncResult
    ) -> None:
        restarted = False
        while True:
            if self.stop.is_set():
                raise StopSync
            cursor = result.cursor
            try:
                page = pages.read(cursor)
            except HttpStatusError as error:
                if cursor.next is None or restarted or error.status not in (400, 404):
                    raise
                # The peer forgot or refuses the saved ``next`` (expired paging session):
                # start again from the filter; pages read twice change nothing.
                restarted = True
                fresh = Cursor(None, cursor.added_after)
                self.store.reset_cursor(peer.name, cursor, fresh)
                result.cursor = fresh
                continue
            if page.more and page.objects:
                pages.read_ahead(_cursor_after(page, cursor))
            self._commit(peer.name, agreement, cursor, page, result)
            if not page.more:
                return

    def _commit(
        self,
        peer: str,
        agreement: Agreement,
        cursor: Cursor,
        page: PageRead,
        result: PeerSyncResult,
    ) -> None:
        now = datetime.now(UTC)
        # A ``next`` may repeat (medallion's names its paging session, not a position), so
        # only a page that promises more and brings nothing is taken as a loop.
        if page.more and not page.objects:
            raise SyncError("the peer said more objects follow but sent none; stopping")
        if len(page.objects) > self.options.page_size:
            raise SyncError(
                f"the peer sent {len(page.objects)} objects for a page of "
                f"{self.options.page_size}; stopping"
            )
        if result.pages >= MAX_PAGES_PER_RUN:
            # The cursor is saved: the next run goes on from here.
            raise SyncError(f"stopped after {MAX_PAGES_PER_RUN} pages; the next sync goes on")
        intake = take_objects(page.objects, agreement, self.canonicalise, now)
        new = _cursor_after(page, cursor)
        stored = self.store.commit_page(peer, cursor, new, intake, now)
        result.pages += 1
        result.received += len(page.objects)
        result.stored += stored
        result.refused += len(intake.refused)
        result.skipped += intake.skipped
        result.cursor = new


def sync_peers(
    store: SyncStore,
    canonicalise: Canonicaliser,
    options: SyncOptions,
    *,
    actor: str,
    peer: str | None = None,
    stop: threading.Event | None = None,
) -> list[PeerSyncResult]:
    """Sync every peer (or the one named), each recorded and audited, then purge what
    partners shared once its retention ran out. A failing peer never stops the others;
    setting ``stop`` ends the run between pages and cuts backoff waits short."""
    stop = stop or threading.Event()
    runner = PeerSync(store, canonicalise, options, stop)
    results = []
    for link in store.peers(peer):
        if stop.is_set():
            break
        result = runner.run(link)
        store.finish(result, actor, datetime.now(UTC))
        results.append(result)
    store.purge_expired(datetime.now(UTC))
    return results


# -- the background loop --------------------------------------------------------------------------
class BackgroundSync:
    """Syncs all peers every ``interval`` seconds in a worker thread, for as long as the
    server runs. A failure is logged, never raised: the server must outlive its peers."""

    def __init__(
        self,
        interval: float,
        run_once: Callable[[threading.Event], Sequence[PeerSyncResult]],
        *,
        shutdown_timeout: float = 60.0,
    ) -> None:
        self._interval = interval
        self._run_once = run_once
        self._shutdown_timeout = shutdown_timeout
        # Read by the worker thread between pages and during backoff waits.
        self._stopping = threading.Event()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._loop(self._wake))

    async def _loop(self, wake: asyncio.Event) -> None:
        log = structlog.get_logger("scamintel.sync")
        # The first run comes one interval after start: a server (or a test's app) that
        # stops sooner never writes, and restarts in a loop cannot hammer the peers.
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self._interval)
            if self._stopping.is_set():
                return
            try:
                results = await asyncio.to_thread(self._run_once, self._stopping)
            except Exception:  # a locked database, a bug: log it, try again next time
                log.exception("federation.sync.crashed")
                continue
            for result in results:
                event = "federation.sync.failed" if result.failed else "federation.sync"
                (log.warning if result.failed else log.info)(event, **result.details())

    async def stop(self) -> None:
        """Ask the running sync to stop between pages, and wait for it (bounded: a peer
        that hangs must not hold the shutdown)."""
        self._stopping.set()
        if self._wake is not None:
            self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self._shutdown_timeout)
            except TimeoutError:
                structlog.get_logger("scamintel.sync").warning("federation.sync.stop_timeout")
