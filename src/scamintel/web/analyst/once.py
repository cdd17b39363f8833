"""One-time form ids: a form that publishes or stores something carries a random id, so a
double click or a reload of the answer acts once and the repeat shows the first result.

The ids of one worker process are remembered in memory (the most recent ones, per key); an
alert, which cannot be withdrawn, also takes an id derived from the form's, so the database
refuses a second copy even when the repeat reaches another worker."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID, uuid5

# The hidden field carrying the id, and the shape of an id this node hands out.
FORM_ID_FIELD = "form_id"
MAX_FORM_ID_CHARS = 64
REMEMBERED_FORMS = 4096
# Alert ids made from form ids live in their own namespace (uuid5 of the node's purpose).
_ALERT_NAMESPACE = UUID("6f1c2b1e-3c4d-5e6f-8a9b-0c1d2e3f4a5b")

ResultT = TypeVar("ResultT")


def new_form_id() -> str:
    return secrets.token_urlsafe(16)


def usable_form_id(text: str) -> str | None:
    """The submitted id, or None when there is none or it is not one of ours in shape."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_FORM_ID_CHARS:
        return None
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in cleaned):
        return None
    return cleaned


def alert_id_for(key_id: str, form_id: str) -> UUID:
    return uuid5(_ALERT_NAMESPACE, f"{key_id}:{form_id}")


@dataclass
class _Submission:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done_at: str | None = None  # where the first successful submission led


class OneTimeForms:
    """The recent form ids of this process and where each one's first success led."""

    def __init__(self, capacity: int = REMEMBERED_FORMS) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._submissions: OrderedDict[tuple[str, str], _Submission] = OrderedDict()

    def _submission(self, owner: str, form_id: str) -> _Submission:
        with self._lock:
            found = self._submissions.get((owner, form_id))
            if found is None:
                found = self._submissions[(owner, form_id)] = _Submission()
            self._submissions.move_to_end((owner, form_id))
            while len(self._submissions) > self._capacity:
                self._submissions.popitem(last=False)
            return found

    def run(
        self,
        owner: str,
        form_id: str | None,
        act: Callable[[], str | ResultT],
    ) -> str | ResultT:
        """``act()`` once per (owner, form id): it returns the URL its success leads to, or
        another answer (a form with mistakes) that does not use the id up. A repeat of a
        success returns the first URL without acting; a repeat arriving while the first
        is still running waits for it."""
        if form_id is None:
            return act()
        submission = self._submission(owner, form_id)
        with submission.lock:
            if submission.done_at is not None:
                return submission.done_at
            outcome = act()
            if isinstance(outcome, str):
                submission.done_at = outcome
            return outcome
