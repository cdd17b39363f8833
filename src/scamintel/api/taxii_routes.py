"""TAXII 2.1 at ``/taxii2/``: discovery, one API root, the ``listings`` collection and one
collection per sharing agreement, their objects, manifest and versions, Add Objects for partners
whose agreement allows pushes, and status resources (docs/federation.md). Each route
negotiates, authorises, reads or writes in one transaction and serialises; collections,
paging and the STIX form live in ``scamintel.federation``. Failures are TAXII error
messages, not problem details."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import Connection
from starlette.exceptions import HTTPException as StarletteHTTPException

from scamintel.access.keys import Principal, Role
from scamintel.access.roles import TAXII_READERS
from scamintel.api.auth import require_role
from scamintel.api.routes import Node
from scamintel.api.state import NodeState
from scamintel.api.taxii_schemas import (
    TaxiiApiRoot,
    TaxiiCollectionResource,
    TaxiiCollections,
    TaxiiDiscovery,
    TaxiiEnvelope,
    TaxiiManifest,
    TaxiiStatus,
    TaxiiVersions,
)
from scamintel.federation.agreement import Agreement
from scamintel.federation.export import export_id, export_objects, exports_listings
from scamintel.federation.intake import canonicaliser
from scamintel.federation.taxii import (
    TAXII_MEDIA_TYPE,
    AddStatus,
    CollectionView,
    ObjectQuery,
    Page,
    PublishedListing,
    TaxiiCollection,
    TaxiiError,
    accepts_taxii,
    api_root_resource,
    discovery,
    envelope_objects,
    find_collection,
    is_taxii_content,
    listings_view,
    read_page,
    receive_objects,
    require_read,
    visible_collections,
    writable_agreement,
)
from scamintel.governance.audit import AuditEvent
from scamintel.governance.legal_basis import LegalBasis
from scamintel.indicators import IndicatorType
from scamintel.storage.listings_repo import snapshot_reads
from scamintel.storage.partner_repo import (
    all_agreements,
    find_agreement,
    record_refusals,
    store_received,
)
from scamintel.storage.store import append_audit
from scamintel.storage.taxii_repo import (
    find_status,
    listings_after,
    report_counts,
    save_status,
)

API_ROOT = "/taxii2/api"


class TaxiiJSONResponse(JSONResponse):
    """A TAXII 2.1 answer; as the routers' response class it also documents the media type."""

    media_type = TAXII_MEDIA_TYPE


def taxii_response(
    body: dict[str, Any], status: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return TaxiiJSONResponse(body, status_code=status, headers=dict(headers or {}))


def _error_response(error: Exception) -> JSONResponse:
    if isinstance(error, TaxiiError):
        return taxii_response(error.body(), error.status)
    if isinstance(error, RequestValidationError):
        return taxii_response(TaxiiError(400, "Invalid request", str(error)).body(), 400)
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail if isinstance(error.detail, str) else ""
    title = {401: "Unauthorized", 403: "Forbidden", 404: "Not found"}.get(error.status_code)
    body = TaxiiError(error.status_code, title or "Error", detail).body()
    return taxii_response(body, error.status_code, error.headers)


class TaxiiRoute(APIRoute):
    """Turns failures of its routes, their dependencies included, into TAXII errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def taxii_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (TaxiiError, RequestValidationError, StarletteHTTPException) as error:
                return _error_response(error)

        return taxii_handler


def negotiate(request: Request) -> None:
    if not accepts_taxii(request.headers.get("accept")):
        raise TaxiiError(406, "Not acceptable", f"Accept {TAXII_MEDIA_TYPE}.")


Reader = Annotated[Principal, Depends(require_role(*TAXII_READERS))]

taxii = APIRouter(
    prefix="/taxii2",
    route_class=TaxiiRoute,
    default_response_class=TaxiiJSONResponse,
    dependencies=[Depends(negotiate)],
    tags=["taxii"],
)


def _agreements(connection: Connection, node: NodeState, principal: Principal) -> list[Agreement]:
    """The agreements whose collections ``principal`` may see, read per request: agreements
    change while the server runs. A partner's is found by its organisation's name."""
    sealer = node.database.sealer
    if principal.role is Role.PARTNER:
        found = find_agreement(connection, principal.organisation_name, sealer)
        return [found] if found is not None else []
    return all_agreements(connection, sealer)


def _resolve(
    connection: Connection, node: NodeState, principal: Principal, collection_id: str
) -> TaxiiCollection:
    return find_collection(collection_id, principal, _agreements(connection, node, principal))


def _agreement_view(connection: Connection, agreement: Agreement, node_name: str) -> CollectionView:
    def render(rows: Sequence[PublishedListing]) -> list[dict[str, Any]]:
        counts = report_counts(connection, [row.indicator_id for row in rows])
        return export_objects(rows, agreement, node_name, counts)

    return CollectionView(object_id=lambda row: export_id(row, agreement), render=render)


def _read(
    connection: Connection, collection: TaxiiCollection, node: NodeState, query: ObjectQuery
) -> Page:
    node_name = node.settings.node_name
    agreement = collection.agreement
    if agreement is None:
        return read_page(
            lambda after, added, count: listings_after(connection, after, added, count),
            query,
            listings_view(node_name),
        )
    if not exports_listings(agreement):
        return Page((), False)
    # No type filter when the agreement names every type: the plain read is cheapest.
    every = agreement.types == frozenset(IndicatorType)
    types = None if every else [indicator_type.value for indicator_type in agreement.types]
    return read_page(
        lambda after, added, count: listings_after(connection, after, added, count, types),
        query,
        _agreement_view(connection, agreement, node_name),
    )


def _page(
    node: NodeState,
    principal: Principal,
    collection_id: str,
    request: Request,
    endpoint: str,
    object_id: str | None = None,
) -> Page:
    query = ObjectQuery.parse(dict(request.query_params), object_id=object_id)
    with snapshot_reads(node.database.engine) as connection:
        collection = _resolve(connection, node, principal, collection_id)
        require_read(collection)
        page = _read(connection, collection, node, query)
    if object_id is not None and not page.entries and query.after_seq == 0:
        raise TaxiiError(404, "Unknown object", f"No object {object_id!r} in this collection.")
    _record_served(node, principal, collection, page, endpoint, object_id)
    return page


def _record_served(
    node: NodeState,
    principal: Principal,
    collection: TaxiiCollection,
    page: Page,
    endpoint: str,
    object_id: str | None,
) -> None:
    """A page served is a disclosure: one audit entry per page, naming the values on it
    (docs/governance.md, section audit). To a partner node it is ``federation.page_served``
    (the transparency report counts those); read by this node's own staff (an analyst's or
    admin's key) it is ``taxii.page_read``, so the values' trail shows it but no partner is
    counted. An empty page discloses nothing, and a caller polling for news must not grow
    the log."""
    if not page.entries:
        return
    partner = principal.role is Role.PARTNER
    details: dict[str, Any] = {"partner": principal.organisation_name} if partner else {}
    details |= {
        "endpoint": endpoint,
        "count": len(page.entries),
        "more": page.more,
    }
    if page.more:
        details["next"] = page.next
    if object_id is not None:
        details["object"] = object_id
        details["version"] = page.entries[-1].stix.get("modified")
    agreement = collection.agreement
    if agreement is not None:
        details["agreement_version"] = agreement.version
        details["agreement_legal_basis"] = agreement.legal_basis
    subjects = tuple({e.listing.indicator_id for e in page.entries if e.listing.indicator_id})
    with node.database.engine.begin() as connection:
        append_audit(
            connection,
            AuditEvent(
                actor=principal.actor,
                action="federation.page_served" if partner else "taxii.page_read",
                object_type="collection",
                object_id=collection.id,
                details=details,
                legal_basis=(
                    LegalBasis.PARTNER_AGREEMENT if partner else LegalBasis.PUBLIC_TASK
                ).value,
                subjects=subjects,
            ),
        )


@taxii.get("/", summary="TAXII discovery", response_model=TaxiiDiscovery)
def get_discovery(request: Request, node: Node, _reader: Reader) -> Response:
    root = str(request.base_url).rstrip("/") + API_ROOT + "/"
    return taxii_response(discovery(node.settings.node_name, root))


@taxii.get("/api/", summary="TAXII API root", response_model=TaxiiApiRoot)
def get_api_root(node: Node, _reader: Reader) -> Response:
    settings = node.settings
    return taxii_response(api_root_resource(settings.node_name, settings.max_body_bytes))


@taxii.get("/api/collections/", summary="TAXII collections", response_model=TaxiiCollections)
def get_collections(node: Node, reader: Reader) -> Response:
    with node.database.engine.connect() as connection:
        collections = visible_collections(reader, _agreements(connection, node, reader))
    # TAXII 2.1, 5.1.1: with no collection to show, the body is an empty object.
    body = {"collections": [c.resource() for c in collections]} if collections else {}
    return taxii_response(body)


@taxii.get(
    "/api/collections/{collection_id}/",
    summary="TAXII collection",
    response_model=TaxiiCollectionResource,
)
def get_collection(collection_id: str, node: Node, reader: Reader) -> Response:
    with node.database.engine.connect() as connection:
        collection = _resolve(connection, node, reader, collection_id)
    return taxii_response(collection.resource())


@taxii.get(
    "/api/collections/{collection_id}/objects/",
    summary="TAXII get objects",
    response_model=TaxiiEnvelope,
)
def get_objects(collection_id: str, request: Request, node: Node, reader: Reader) -> Response:
    page = _page(node, reader, collection_id, request, "objects")
    return taxii_response(page.envelope(), headers=page.headers())


async def request_body(request: Request) -> bytes:
    # Read here, on the event loop, so that the route itself can be a plain (threaded) one.
    return await request.body()


@taxii.post(
    "/api/collections/{collection_id}/objects/",
    summary="TAXII add objects",
    status_code=202,
    response_model=TaxiiStatus,
)
def add_objects(
    collection_id: str,
    request: Request,
    node: Node,
    writer: Reader,
    body: Annotated[bytes, Depends(request_body)],
) -> Response:
    # Authorise before looking at the body, so a caller without rights learns nothing more.
    with node.database.engine.connect() as connection:
        collection = _resolve(connection, node, writer, collection_id)
    agreement = writable_agreement(collection)
    if not is_taxii_content(request.headers.get("content-type")):
        raise TaxiiError(415, "Unsupported media type", f"Send {TAXII_MEDIA_TYPE}.")
    if len(body) > node.settings.max_body_bytes:
        detail = f"At most {node.settings.max_body_bytes} bytes a request."
        raise TaxiiError(413, "Too large", detail)
    objects = envelope_objects(body)
    now = datetime.now(UTC)
    # Values partners send are read as this node reads a check: its own region's rules.
    reader = canonicaliser(node.registry, node.context)
    received = receive_objects(objects, agreement, reader, now)
    status = AddStatus.create(collection.id, agreement.partner, now, received)
    with node.database.engine.begin() as connection:
        stored = store_received(connection, received.intake.accepted)
        record_refusals(connection, received.intake.refused, now)
        save_status(connection, status)
        append_audit(
            connection,
            AuditEvent(
                actor=writer.actor,
                action="federation.push",
                object_type="collection",
                object_id=collection.id,
                details={
                    "partner": agreement.partner,
                    "status": str(status.id),
                    "received": len(objects),
                    "stored": stored,
                    "refused": len(received.intake.refused),
                },
            ),
        )
    return taxii_response(status.resource(), 202)


@taxii.get(
    "/api/collections/{collection_id}/manifest/",
    summary="TAXII manifest",
    response_model=TaxiiManifest,
)
def get_manifest(collection_id: str, request: Request, node: Node, reader: Reader) -> Response:
    page = _page(node, reader, collection_id, request, "manifest")
    return taxii_response(page.manifest(), headers=page.headers())


@taxii.get(
    "/api/collections/{collection_id}/objects/{object_id}/",
    summary="TAXII get object",
    response_model=TaxiiEnvelope,
)
def get_object(
    collection_id: str, object_id: str, request: Request, node: Node, reader: Reader
) -> Response:
    page = _page(node, reader, collection_id, request, "object", object_id)
    return taxii_response(page.envelope(), headers=page.headers())


@taxii.get(
    "/api/collections/{collection_id}/objects/{object_id}/versions/",
    summary="TAXII object versions",
    response_model=TaxiiVersions,
)
def get_versions(
    collection_id: str, object_id: str, request: Request, node: Node, reader: Reader
) -> Response:
    page = _page(node, reader, collection_id, request, "versions", object_id)
    return taxii_response(page.versions(), headers=page.headers())


# taxii2-client's Add Objects names the status without the trailing slash.
@taxii.get("/api/status/{status_id}", summary="TAXII status", include_in_schema=False)
@taxii.get("/api/status/{status_id}/", summary="TAXII status", response_model=TaxiiStatus)
def get_status(status_id: str, node: Node, reader: Reader) -> Response:
    with node.database.engine.connect() as connection:
        status = find_status(connection, status_id)
    if status is None or not status.visible_to(reader):
        raise TaxiiError(404, "Unknown status", f"No status {status_id!r} here.")
    return taxii_response(status.resource())
