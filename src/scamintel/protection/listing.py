"""A listing: the published verdict on one value, as the range API, the bundle and the
blocklist serve it (docs/privacy.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from scamintel.reports.engine import LISTING_FLOOR

# A listing whose verdict is REMOVED is kept so that deltas can carry the removal.
REMOVED = "removed"
LISTED_VERDICTS = ("scam", "suspicious")
# The published score moves in steps of at least this much (or with its verdict), so that
# decay does not turn every refresh into a change every client must download.
SCORE_STEP = 0.05
# Values whose confidence has aged or been cut below this are no longer published: the check
# still explains them as suspicious, but no list for automatic blocking carries them.
PUBLISH_FLOOR = LISTING_FLOOR


def value_hash(canonical_value: str) -> str:
    """SHA-256 of the canonical value (UTF-8), lower-case hex: what private lookups send."""
    return hashlib.sha256(canonical_value.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ListingState:
    """What the verdict engine says of one value now, to be published."""

    indicator_id: int
    type: str
    value: str
    verdict: str
    score: float
    under_review: bool

    @property
    def listed(self) -> bool:
        return self.verdict in LISTED_VERDICTS and self.score >= PUBLISH_FLOOR


@dataclass(frozen=True, slots=True)
class Listing:
    """A published row; ``change_seq`` is the listing version at which it last changed."""

    indicator_id: int
    type: str
    value: str
    value_hash: str
    verdict: str
    score: float
    under_review: bool
    change_seq: int
    changed_at: datetime

    @property
    def listed(self) -> bool:
        return self.verdict in LISTED_VERDICTS


def needs_publishing(published: Listing | None, state: ListingState) -> bool:
    """Whether the published row must change to follow the engine."""
    if published is None:
        return state.listed
    if not state.listed:
        return published.verdict != REMOVED
    return (
        published.verdict != state.verdict
        or published.under_review != state.under_review
        or abs(published.score - state.score) >= SCORE_STEP
    )
