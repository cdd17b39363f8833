"""TAXII 2.1, read-only, at ``/taxii2/``: discovery, one API root, the ``listings``
collection, its objects, manifest and versions (docs/federation.md). Each route negotiates,
authorises, reads one snapshot of the listings and serialises; paging and the STIX form live
in ``scamintel.federation.taxii``. Failures are TAXII error messages, not problem details."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from scamintel.access.keys import Principal, Role
from scamintel.api.auth import require_role
from scamintel.api.routes import Node
from scamintel.federation.taxii import (
    LISTINGS_COLLECTION_ID,
    TAXII_MEDIA_TYPE,
    ObjectQuery,
    Page,
    TaxiiError,
    accepts_taxii,
    api_root_resource,
    discovery,
    listings_collection,
    listings_context,
    read_page,
)
from scamintel.storage.listings_repo import snapshot_reads
from scamintel.storage.taxii_repo import listings_after

TAXII_READERS = (Role.PARTNER, Role.ANALYST, Role.ADMIN)
API_ROOT = "/taxii2/api"


def taxii_response(
    body: dict[str, Any], status: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        body, status_code=status, media_type=TAXII_MEDIA_TYPE, headers=dict(headers or {})
    )


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
    dependencies=[Depends(negotiate)],
    tags=["taxii"],
)


def _collection(collection_id: str) -> None:
    if collection_id != LISTINGS_COLLECTION_ID:
        raise TaxiiError(404, "Unknown collection", f"No collection {collection_id!r} here.")


def _page(node: Node, request: Request, object_id: str | None = None) -> Page:
    query = ObjectQuery.parse(dict(request.query_params), object_id=object_id)
    context = listings_context(node.settings.node_name)
    with snapshot_reads(node.database.engine) as connection:
        page = read_page(
            lambda after, added, count: listings_after(connection, after, added, count),
            query,
            context,
        )
    if object_id is not None and not page.entries and query.after_seq == 0:
        raise TaxiiError(404, "Unknown object", f"No object {object_id!r} in this collection.")
    return page


@taxii.get("/", summary="TAXII discovery")
def get_discovery(request: Request, node: Node, _reader: Reader) -> Response:
    root = str(request.base_url).rstrip("/") + API_ROOT + "/"
    return taxii_response(discovery(node.settings.node_name, root))


@taxii.get("/api/", summary="TAXII API root")
def get_api_root(node: Node, _reader: Reader) -> Response:
    settings = node.settings
    return taxii_response(api_root_resource(settings.node_name, settings.max_body_bytes))


@taxii.get("/api/collections/", summary="TAXII collections")
def get_collections(_reader: Reader) -> Response:
    return taxii_response({"collections": [listings_collection()]})


@taxii.get("/api/collections/{collection_id}/", summary="TAXII collection")
def get_collection(collection_id: str, _reader: Reader) -> Response:
    _collection(collection_id)
    return taxii_response(listings_collection())


@taxii.get("/api/collections/{collection_id}/objects/", summary="TAXII get objects")
def get_objects(collection_id: str, request: Request, node: Node, _reader: Reader) -> Response:
    _collection(collection_id)
    page = _page(node, request)
    return taxii_response(page.envelope(), headers=page.headers())


@taxii.get("/api/collections/{collection_id}/manifest/", summary="TAXII manifest")
def get_manifest(collection_id: str, request: Request, node: Node, _reader: Reader) -> Response:
    _collection(collection_id)
    page = _page(node, request)
    return taxii_response(page.manifest(), headers=page.headers())


@taxii.get("/api/collections/{collection_id}/objects/{object_id}/", summary="TAXII get object")
def get_object(
    collection_id: str, object_id: str, request: Request, node: Node, _reader: Reader
) -> Response:
    _collection(collection_id)
    page = _page(node, request, object_id)
    return taxii_response(page.envelope(), headers=page.headers())


@taxii.get(
    "/api/collections/{collection_id}/objects/{object_id}/versions/",
    summary="TAXII object versions",
)
def get_versions(
    collection_id: str, object_id: str, request: Request, node: Node, _reader: Reader
) -> Response:
    _collection(collection_id)
    page = _page(node, request, object_id)
    return taxii_response(page.versions(), headers=page.headers())
