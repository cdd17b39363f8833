"""The shape of a submitted report, shared by the REST API and bulk ingest, validated strictly
so that a mistake is named back to the sender instead of being stored."""

from __future__ import annotations

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
MAX_NARRATIVE = 10_000
MAX_VALUE = 2_048
# A report may be dated a little ahead: the sender's clock can run fast.
CLOCK_SKEW = timedelta(hours=24)

Country = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)]
ShortText = Annotated[str, StringConstraints(max_length=300, strip_whitespace=True)]


class SubmittedIndicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: IndicatorType | None = Field(
        default=None, description="Indicator type; detected from the value when left out."
    )
    value: Annotated[str, StringConstraints(min_length=1, max_length=MAX_VALUE)]


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
    external_id: ShortText | None = Field(
        default=None, description="The sender's own reference; makes re-sending idempotent."
    )

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
