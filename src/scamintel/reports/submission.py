"""The shape of a submitted report, shared by the REST API and bulk ingest, validated strictly
so that a mistake is named back to the sender instead of being stored."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from scamintel.indicators import IndicatorType
from scamintel.reports.model import Channel, ScamType

MAX_INDICATORS = 50
MAX_EVIDENCE = 20
MAX_NARRATIVE = 10_000
MAX_VALUE = 2_048
# A report may be dated a little ahead: the sender's clock can run fast.
CLOCK_SKEW = timedelta(hours=24)

Country = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)]
ShortText = Annotated[str, StringConstraints(max_length=300, strip_whitespace=True)]
_SHA256 = re.compile(r"[0-9A-Fa-f]{64}")
# RFC 6838 type/subtype names without parameters: image/png, application/vnd.android…
_MEDIA_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}"
_MEDIA_TYPE = re.compile(rf"{_MEDIA_NAME}/{_MEDIA_NAME}")


class SubmittedIndicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: IndicatorType | None = Field(
        default=None, description="Indicator type; detected from the value when left out."
    )
    value: Annotated[str, StringConstraints(min_length=1, max_length=MAX_VALUE)]


class SubmittedEvidence(BaseModel):
    """A file the reporter keeps (screenshot, recording, app), named here by its SHA-256."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: str = Field(description="SHA-256 of the file: 64 hexadecimal characters")
    name: ShortText | None = Field(default=None, description="File name, e.g. chat.png")
    media_type: Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)] | None = (
        Field(default=None, description="Media type, e.g. image/png")
    )
    size: Annotated[int, Field(ge=0)] | None = Field(default=None, description="Size in bytes")

    @field_validator("sha256", mode="before")
    @classmethod
    def _a_sha256(cls, value: object) -> object:
        if not isinstance(value, str) or not _SHA256.fullmatch(value.strip()):
            raise ValueError(
                "sha256 must be the SHA-256 of the file: 64 hexadecimal characters "
                "(sha256sum FILE prints it)"
            )
        return value.strip().lower()

    @field_validator("media_type")
    @classmethod
    def _a_media_type(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _MEDIA_TYPE.fullmatch(value):
            raise ValueError("media_type must be a media type such as image/png or audio/mpeg")
        return value.lower()


class Reporter(BaseModel):
    """The victim's own contact details: personal data, sealed at rest, never shared."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ShortText | None = None
    phone: ShortText | None = None
    email: ShortText | None = None
    id_number: ShortText | None = None


class ReportSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    narrative: Annotated[str, StringConstraints(max_length=MAX_NARRATIVE)] | None = None
    scam_type: ScamType = ScamType.OTHER
    channel: Channel = Channel.OTHER
    victim_country: Country | None = None
    amount: Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=2)] | None = None
    currency: Currency | None = None
    occurred_at: datetime | None = None
    indicators: Annotated[list[SubmittedIndicator], Field(max_length=MAX_INDICATORS)] = Field(
        default_factory=list
    )
    reporter: Reporter | None = None
    evidence: Annotated[list[SubmittedEvidence], Field(max_length=MAX_EVIDENCE)] = Field(
        default_factory=list,
        description="Hashes of the files the reporter keeps (screenshots, recordings); "
        "the files themselves are never sent",
    )
    external_id: ShortText | None = Field(
        default=None, description="The sender's own reference; makes re-sending idempotent."
    )

    def content_json(self, *, exclude: frozenset[str] = frozenset()) -> str:
        """The submission as canonical JSON, for identities and fingerprints. Fields added
        after the first release (``evidence``) are left out while empty, so a report sent
        before they existed keeps its identity and its Idempotency-Key fingerprint."""
        left_out = set(exclude)
        if not self.evidence:
            left_out.add("evidence")
        return self.model_dump_json(exclude=left_out or None)

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if value > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("occurred_at is in the future; give the time the scam happened")
        return value

    @model_validator(mode="after")
    def _says_something(self) -> ReportSubmission:
        if not self.indicators and not (self.narrative and self.narrative.strip()):
            raise ValueError(
                "a report needs a narrative or at least one indicator (a number, link, account…)"
            )
        if self.amount is not None and self.currency is None:
            raise ValueError("amount needs a currency (ISO 4217 code such as THB)")
        return self


def field_problems(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Pydantic errors as ``{field, message, code}`` a sender can act on (API and ingest)."""
    problems = []
    for item in errors:
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        code = str(item.get("type", "invalid"))
        message = str(item.get("msg", "invalid"))
        if code == "extra_forbidden":
            message = "unknown field; remove it (the accepted fields are in /openapi.json)"
        elif code == "json_invalid":
            message = str((item.get("ctx") or {}).get("error", message))
        elif code == "value_error":
            message = message.removeprefix("Value error, ")
        elif code in ("model_attributes_type", "dict_type"):
            message = "send a JSON object"
        problems.append({"field": ".".join(location) or "body", "message": message, "code": code})
    return problems


def summarise_problems(problems: Sequence[Mapping[str, str]], limit: int = 5) -> str:
    return "; ".join(f"{p['field']}: {p['message']}" for p in problems[:limit])
