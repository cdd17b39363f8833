"""The TAXII 2.1 resources this node answers with (OASIS TAXII 2.1, sections 4 and 5), for
the OpenAPI document: the routes build their bodies as the specification words them, and
these models say what those bodies hold, so that a client generator or a fuzzer
(schemathesis, tests/e2e/test_api_schemathesis.py) checks every answer against them.
Optional properties and empty lists are left out of a body, never sent as null or ``[]``.
One addition to the specification: ``next`` on a manifest and a versions page, the same
cursor as an envelope's (docs/federation.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema


class TaxiiResource(BaseModel):
    # A property the specification does not define is a defect of this node: forbid it, so
    # that the schema catches it.
    model_config = ConfigDict(extra="forbid")


class TaxiiDiscovery(TaxiiResource):
    title: str
    description: str | SkipJsonSchema[None] = None
    contact: str | SkipJsonSchema[None] = None
    default: str | SkipJsonSchema[None] = None
    api_roots: list[str] | SkipJsonSchema[None] = Field(default=None, min_length=1)


class TaxiiApiRoot(TaxiiResource):
    title: str
    description: str | SkipJsonSchema[None] = None
    versions: list[str] = Field(min_length=1)
    max_content_length: int = Field(ge=0)


class TaxiiCollectionResource(TaxiiResource):
    id: str
    title: str
    description: str | SkipJsonSchema[None] = None
    alias: str | SkipJsonSchema[None] = None
    can_read: bool
    can_write: bool
    media_types: list[str] | SkipJsonSchema[None] = Field(default=None, min_length=1)


class TaxiiCollections(TaxiiResource):
    collections: list[TaxiiCollectionResource] | SkipJsonSchema[None] = Field(
        default=None, min_length=1
    )


class TaxiiPage(TaxiiResource):
    """What every paged answer (envelope, manifest, versions) holds beside its list."""

    more: bool | SkipJsonSchema[None] = None
    next: str | SkipJsonSchema[None] = None


class TaxiiEnvelope(TaxiiPage):
    objects: list[dict[str, Any]] | SkipJsonSchema[None] = Field(default=None, min_length=1)


class TaxiiManifestRecord(TaxiiResource):
    id: str
    date_added: str
    version: str
    media_type: str | SkipJsonSchema[None] = None


class TaxiiManifest(TaxiiPage):
    objects: list[TaxiiManifestRecord] | SkipJsonSchema[None] = Field(default=None, min_length=1)


class TaxiiVersions(TaxiiPage):
    versions: list[str] | SkipJsonSchema[None] = Field(default=None, min_length=1)


class TaxiiStatusDetails(TaxiiResource):
    id: str
    version: str
    message: str | SkipJsonSchema[None] = None


class TaxiiStatus(TaxiiResource):
    id: str
    status: Literal["complete", "pending"]
    request_timestamp: str | SkipJsonSchema[None] = None
    total_count: int = Field(ge=0)
    success_count: int = Field(ge=0)
    successes: list[TaxiiStatusDetails] | SkipJsonSchema[None] = Field(default=None, min_length=1)
    failure_count: int = Field(ge=0)
    failures: list[TaxiiStatusDetails] | SkipJsonSchema[None] = Field(default=None, min_length=1)
    pending_count: int = Field(ge=0)
    pendings: list[TaxiiStatusDetails] | SkipJsonSchema[None] = Field(default=None, min_length=1)
