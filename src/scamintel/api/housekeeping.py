"""The node's periodic governance chores while ``serve`` runs: signing the audit log's head
and purging what the retention policy says has expired (docs/governance.md). One asyncio
task runs each chore in a worker thread when it is due; a failure is logged, never raised,
and the chore is tried again one interval later."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog


@dataclass(frozen=True, slots=True)
class Chore:
    name: str
    interval: float
    # Returns what to log about the run (counts, sizes), or None when there is nothing to say.
    run: Callable[[], Mapping[str, Any] | None]


class Housekeeping:
    """Runs each chore every ``interval`` seconds, the first time one interval after start (a
    test's app or a server restarting in a loop never writes)."""

    def __init__(self, chores: Sequence[Chore], *, shutdown_timeout: float = 60.0) -> None:
        self._chores = [chore for chore in chores if chore.interval > 0]
        self._shutdown_timeout = shutdown_timeout
        self._stopping = False
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def chores(self) -> list[str]:
        return [chore.name for chore in self._chores]

    def start(self) -> None:
        if not self._chores:
            return
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._loop(self._wake))

    async def _loop(self, wake: asyncio.Event) -> None:
        log = structlog.get_logger("scamintel.governance")
        due = {chore.name: time.monotonic() + chore.interval for chore in self._chores}
        while not self._stopping:
            wait = max(0.0, min(due.values()) - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), wait)
            if self._stopping:
                return
            for chore in self._chores:
                if due[chore.name] > time.monotonic():
                    continue
                try:
                    result = await asyncio.to_thread(chore.run)
                except Exception:  # a locked database, a bug: log it, try again next time
                    log.exception(f"governance.{chore.name}.crashed")
                else:
                    log.info(f"governance.{chore.name}", **dict(result or {}))
                due[chore.name] = time.monotonic() + chore.interval
                if self._stopping:
                    return

    async def stop(self) -> None:
        """Stop between chores and wait for the one running (bounded)."""
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self._shutdown_timeout)
            except TimeoutError:
                structlog.get_logger("scamintel.governance").warning("governance.stop_timeout")
