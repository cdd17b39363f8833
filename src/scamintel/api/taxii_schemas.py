"""The TAXII 2.1 resources this node answers with (OASIS TAXII 2.1, section 4), for the
OpenAPI document: the routes build their bodies as the specification words them, and these
models say what those bodies hold, so that a client generator or a fuzzer (schemathesis,
tests/e2e/test_api_schemathesis.py) checks every answer against the specification's fields.
Properties the specification leaves optional are left out of a body rather than sent empty."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TaxiiResource(BaseModel):
    # A property the specification does not define is a defect of this node: forbid it, so
    # that the schema catches it.
    model_config = ConfigDict(extra="forbid")


class TaxiiDiscovery(TaxiiResource):
    title: str
    description: str | None = None
    contact: str | None = None
    default: str | None = None
    api_roots: list[str] | None = None


class TaxiiApiRoot(TaxiiResource):
    title: str
    description: str | None = None
    versions: list[str]
    max_content_length: int = Field(ge=0)


class TaxiiCollectionResource(TaxiiResource):
    id: str
    title: str
    description: str | None = None
    alias: str | None = None
    can_read: bool
    can_write: bool
    media_types: list[str] | None = None


class TaxiiCollections(TaxiiResource):
    collections: list[TaxiiCollectionResource] | None = None


class TaxiiEnvelope(TaxiiResource):
    more: bool | None = None
    next: str | None = None
    objects: list[dict[str, Any]] | None = None


class TaxiiManifestRecord(TaxiiResource):
    id: str
    date_added: str
    version: str
    media_type: str | None = None


class TaxiiManifest(TaxiiResource):
    more: bool | None = None
    next: str | None = None
    objects: list[TaxiiManifestRecord] | None = None


class TaxiiVersions(TaxiiResource):
    more: bool | None = None
    next: str | None = None
    versions: list[str] | None = None


class TaxiiStatusDetails(TaxiiResource):
    id: str
    version: str
    message: str | None = None


class TaxiiStatus(TaxiiResource):
    id: str
    status: str
    request_timestamp: str | None = None
    total_count: int = Field(ge=0)
    success_count: int = Field(ge=0)
    successes: list[TaxiiStatusDetails] | None = None
    failure_count: int = Field(ge=0)
    failures: list[TaxiiStatusDetails] | None = None
    pending_count: int = Field(ge=0)
    pendings: list[TaxiiStatusDetails] | None = None
