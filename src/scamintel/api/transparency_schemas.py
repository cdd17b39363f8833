"""The response body of ``GET /api/v1/transparency``: the report's numbers, the same JSON as
``scamintel transparency --json`` (governance/transparency.py ``report_document``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class PeriodOut(_Out):
    start: date = Field(alias="from", description="First day counted (UTC)")
    end: date = Field(alias="to", description="First day no longer counted (UTC)")
    days: int


class ReportsOut(_Out):
    total: int = Field(description="Reports received in the period")
    by_scam_type: dict[str, int]
    by_channel: dict[str, int]


class ListingsOut(_Out):
    listed: int = Field(description="Moves of a value onto the published list")
    delisted: int = Field(description="Moves of a value off the published list")
    values_listed: int = Field(description="Distinct values moved onto the list")
    values_delisted: int = Field(description="Distinct values moved off the list")


class DisputesOut(_Out):
    opened: int = Field(description="Disputes opened in the period")
    upheld: int
    rejected: int
    pending: int


class SubjectRequestsOut(_Out):
    kind: str = Field(description="access, correction or erasure")
    received: int
    by_status: dict[str, int] = Field(description="Where the requests received stand now")


class PartnerRequestsOut(_Out):
    country: str | None = Field(description="The partner's country (ISO 3166 alpha-2)")
    partner: str | None = Field(description="The partner's name, when its country is unknown")
    sent: int
    sent_fulfilled: int
    received: int
    received_fulfilled: int


class PurgesOut(_Out):
    runs: int = Field(
        description="Purges that deleted something, those that failed part-way included"
    )
    deleted: dict[str, int] = Field(description="Rows or fields deleted, per kind of data")


class DisclosuresOut(_Out):
    partner: str
    pages: int = Field(description="Pages of shared objects the partner fetched")
    objects: int = Field(description="Objects on those pages")


class TransparencyOut(_Out):
    node: str
    period: PeriodOut
    generated_at: datetime
    reports: ReportsOut
    listings: ListingsOut
    disputes: DisputesOut
    subject_requests: list[SubjectRequestsOut]
    cross_border_requests: list[PartnerRequestsOut]
    purges: PurgesOut
    disclosures: list[DisclosuresOut]
