"""Response bodies of the blocklist (the range API and the bundle answer text and bytes)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scamintel.indicators import IndicatorType


class BlocklistEntryOut(BaseModel):
    type: IndicatorType
    value: str = Field(description="Canonical value (docs/indicators.md)")
    verdict: str = Field(description="scam or suspicious")
    score: float = Field(ge=0, le=1, description="The node's confidence (docs/verdicts.md)")
    under_review: bool = Field(description="An analyst is looking at this listing")


class RemovedEntryOut(BaseModel):
    type: IndicatorType
    value: str = Field(description="No longer listed, or now below min_score: drop it")


class BlocklistOut(BaseModel):
    cursor: int = Field(description="Send as `since` next time (or for the next page)")
    since: int = Field(description="The cursor this page starts after (0: the full list)")
    complete: bool = Field(description="False: more changes wait; ask again from `cursor`")
    added: list[BlocklistEntryOut] = Field(description="Listed now: add, or update in place")
    removed: list[RemovedEntryOut] = Field(
        description="Remove (a value you never had can be ignored); empty from cursor 0"
    )
