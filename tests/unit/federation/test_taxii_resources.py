"""The TAXII bodies the node builds match the resources its OpenAPI document promises
(api/taxii_schemas.py), with the lists and cursors that the fuzz test rarely reaches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from scamintel.api.taxii_schemas import (
    TaxiiApiRoot,
    TaxiiCollectionResource,
    TaxiiDiscovery,
    TaxiiEnvelope,
    TaxiiManifest,
    TaxiiStatus,
    TaxiiVersions,
)
from scamintel.federation.taxii import (
    LISTINGS_COLLECTION,
    AddStatus,
    Entry,
    Page,
    PublishedListing,
    StatusDetail,
    api_root_resource,
    discovery,
    listings_context,
)

CHANGED = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


def a_page(count: int, *, more: bool) -> Page:
    entries = []
    for seq in range(1, count + 1):
        listing = PublishedListing(
            type="phone",
            value=f"+6681234{seq:04d}",
            verdict="scam",
            score=0.9,
            change_seq=seq,
            changed_at=CHANGED + timedelta(minutes=seq),
            first_seen=CHANGED,
        )
        entries.append(Entry(listing, listing.stix(listings_context("test-node"))))
    return Page(entries, more)


def test_discovery_api_root_and_collection_match_their_resources() -> None:
    TaxiiDiscovery.model_validate(discovery("test-node", "https://node.example/taxii2/api/"))
    TaxiiApiRoot.model_validate(api_root_resource("test-node", 1_000_000))
    TaxiiCollectionResource.model_validate(LISTINGS_COLLECTION.resource())


@pytest.mark.parametrize(("count", "more"), [(0, False), (3, False), (3, True)])
def test_pages_match_envelope_manifest_and_versions(count: int, more: bool) -> None:
    page = a_page(count, more=more)
    envelope = TaxiiEnvelope.model_validate(page.envelope())
    manifest = TaxiiManifest.model_validate(page.manifest())
    versions = TaxiiVersions.model_validate(page.versions())
    assert len(envelope.objects or []) == len(manifest.objects or []) == count
    assert len(versions.versions or []) == count
    assert (envelope.next is not None, manifest.next is not None) == (more, more)


def test_a_status_with_successes_and_failures_matches_the_status_resource() -> None:
    status = AddStatus(
        id="2d086da7-4bdc-4f91-900e-d77486753710",
        collection_id="partner-mm",
        partner="mm-node",
        requested_at=CHANGED,
        successes=(StatusDetail("indicator--1", "2026-11-01T08:30:00.000Z", None),),
        failures=(StatusDetail("indicator--2", "", "not an indicator pattern we read"),),
    )
    resource = TaxiiStatus.model_validate(status.resource())
    assert (resource.total_count, resource.success_count, resource.failure_count) == (2, 1, 1)


def test_an_empty_list_or_an_undefined_property_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 1 item"):
        TaxiiEnvelope.model_validate({"more": False, "objects": []})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        TaxiiDiscovery.model_validate({"title": "node", "surprise": 1})
