"""Token buckets for public (keyless) requests: one per client address and one for the whole
process. Plain Python, no web framework: the API's middleware asks, this answers.

A bucket holds at most ``capacity`` tokens and gains ``rate`` tokens a second; a request takes
one. An empty bucket refuses, and says how long until the next token. Each worker process
holds its own buckets (nothing is shared between processes or nodes), so with N workers
behind one address the node as a whole lets through up to N times the figures; see
docs/security.md."""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

# An IPv6 subscriber is given a whole /64, so one person can use 2**64 addresses: the
# per-client bucket is kept per /64, as for one IPv4 address.
IPV6_CLIENT_PREFIX = 64
# How many client buckets a process remembers. A full bucket is the same as a forgotten one,
# so those go first; past that the least recently seen are forgotten (the global bucket
# still bounds what a crowd of addresses can do).
MAX_TRACKED_CLIENTS = 100_000


class Refusal(StrEnum):
    CLIENT = "client"
    GLOBAL = "global"


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a request may go on; when refused, by which bucket and after how many seconds
    the caller may try again (at least 1: it goes in ``Retry-After``)."""

    allowed: bool
    refused_by: Refusal | None = None
    retry_after_s: int = 0


ALLOWED = Decision(True)


@dataclass(slots=True)
class TokenBucket:
    capacity: float
    rate: float  # tokens a second
    tokens: float
    updated: float

    @classmethod
    def full(cls, capacity: float, rate: float, now: float) -> TokenBucket:
        return cls(capacity, rate, capacity, now)

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now

    def has_token(self) -> bool:
        return self.tokens >= 1.0

    def take(self) -> None:
        self.tokens -= 1.0

    def seconds_until_token(self) -> int:
        missing = max(0.0, 1.0 - self.tokens)
        return max(1, math.ceil(missing / self.rate))

    def is_full(self) -> bool:
        return self.tokens >= self.capacity


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The figures in force; 0 turns a limit off. ``client_burst`` 0: one minute's worth."""

    client_per_minute: int
    global_per_second: int
    client_burst: int = 0

    @property
    def client_capacity(self) -> float:
        return float(self.client_burst or self.client_per_minute)

    @property
    def any(self) -> bool:
        return self.client_per_minute > 0 or self.global_per_second > 0


def client_key(address: str | None) -> str:
    """The bucket a client address goes in: the IPv4 address, or the /64 of an IPv6 one.
    Something that is not an address (a Unix socket, a test client) is kept as written."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False))
    return str(parsed)


class RateLimiter:
    """The buckets of one process. Safe to call from several threads."""

    def __init__(
        self,
        limits: RateLimits,
        clock: Callable[[], float] = time.monotonic,
        max_tracked_clients: int = MAX_TRACKED_CLIENTS,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._max_tracked = max_tracked_clients
        self._clients: OrderedDict[str, TokenBucket] = OrderedDict()
        self._global = TokenBucket.full(
            float(limits.global_per_second), float(limits.global_per_second), clock()
        )
        self._lock = threading.Lock()

    def take(self, address: str | None) -> Decision:
        """One public request from ``address``: allowed only when both its client bucket and
        the global bucket have a token; nothing is taken from either when one refuses."""
        if not self.limits.any:
            return ALLOWED
        now = self._clock()
        with self._lock:
            client = self._client_bucket(client_key(address), now) if self._per_client else None
            if client is not None and not client.has_token():
                return Decision(False, Refusal.CLIENT, client.seconds_until_token())
            if self.limits.global_per_second > 0:
                self._global.refill(now)
                if not self._global.has_token():
                    return Decision(False, Refusal.GLOBAL, self._global.seconds_until_token())
                self._global.take()
            if client is not None:
                client.take()
        return ALLOWED

    def take_client(self, address: str | None) -> bool:
        """Take a token from ``address``'s bucket alone (not the global one); True when it had
        one or when there is no per-client limit."""
        if not self._per_client:
            return True
        with self._lock:
            client = self._client_bucket(client_key(address), self._clock())
            if not client.has_token():
                return False
            client.take()
        return True

    def give_back(self, address: str | None, *, global_too: bool = True) -> None:
        """Return the token a request took: it turned out to carry a valid API key."""
        with self._lock:
            client = self._clients.get(client_key(address))
            if client is not None:
                client.tokens = min(client.capacity, client.tokens + 1.0)
            if global_too and self.limits.global_per_second > 0:
                self._global.tokens = min(self._global.capacity, self._global.tokens + 1.0)

    @property
    def _per_client(self) -> bool:
        return self.limits.client_per_minute > 0

    def _client_bucket(self, key: str, now: float) -> TokenBucket:
        bucket = self._clients.get(key)
        if bucket is None:
            if len(self._clients) >= self._max_tracked:
                self._forget_some(now)
            bucket = TokenBucket.full(
                self.limits.client_capacity, self.limits.client_per_minute / 60.0, now
            )
            self._clients[key] = bucket
        else:
            self._clients.move_to_end(key)
            bucket.refill(now)
        return bucket

    def _forget_some(self, now: float) -> None:
        for key in [key for key, bucket in self._clients.items() if _refilled(bucket, now)]:
            del self._clients[key]
        while len(self._clients) >= self._max_tracked:
            self._clients.popitem(last=False)

    @property
    def tracked_clients(self) -> int:
        return len(self._clients)


def _refilled(bucket: TokenBucket, now: float) -> bool:
    bucket.refill(now)
    return bucket.is_full()
