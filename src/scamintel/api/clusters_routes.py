"""Scam operations under /api/v1/clusters: ranked list, one operation, and its dossier
(docs/dossiers.md). Analysts, investigators and admins only; dossier exports are audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from scamintel.access.keys import Principal
from scamintel.access.roles import OPERATION_READERS as READERS
from scamintel.analysis.dossier import MEDIA_TYPES, export_event, file_name, render_dossier
from scamintel.api.alerts_schemas import CountryCode
from scamintel.api.auth import require_role
from scamintel.api.clusters_schemas import (
    ClusterDetailOut,
    ClusterIndicatorOut,
    ClusterListOut,
    ClusterOut,
    ClusterReportOut,
)
from scamintel.api.routes import PROBLEM, Node
from scamintel.storage.operation_summaries_repo import (
    current_operation,
    list_operations,
    load_dossier,
    operation_indicators,
    operation_reports,
    survivor_of,
)
from scamintel.storage.store import append_audit

# The detail view lists the most named indicators; the dossier has them all.
DETAIL_INDICATORS = 500
Reader = Annotated[Principal, Depends(require_role(*READERS))]
# Ids are 64-bit: a larger number is a 422, not a database overflow.
OperationId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The operation's id")]

clusters_api = APIRouter(
    prefix="/api/v1",
    tags=["operations"],
    responses={
        401: PROBLEM,
        403: PROBLEM,
        422: {"description": "Invalid input", **PROBLEM},
    },
)


@clusters_api.get(
    "/clusters",
    response_model=ClusterListOut,
    summary="Scam operations ranked by harm (analyst, investigator, admin)",
    description=(
        "Ranked by harm score (victims, partner reports, loss, cross-border; no recency), or "
        "with `sort=last_seen` by the latest report first."
    ),
)
def list_clusters(
    node: Node,
    _principal: Reader,
    country: Annotated[
        CountryCode | None, Query(description="A victim or infrastructure country")
    ] = None,
    cross_border: bool | None = None,
    scam_type: Annotated[str | None, Query(max_length=40)] = None,
    min_reports: Annotated[int, Query(ge=0)] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    sort: Annotated[
        Literal["harm", "last_seen"], Query(description="harm (default) or last_seen")
    ] = "harm",
) -> ClusterListOut:
    with node.database.engine.connect() as connection:
        rows = list_operations(
            connection,
            limit=limit,
            offset=offset,
            country=country,
            cross_border=cross_border,
            scam_type=scam_type,
            min_reports=min_reports,
            order=sort,
        )
    return ClusterListOut(items=[ClusterOut.of(row) for row in rows], limit=limit, offset=offset)


def _moved(node: Node, request: Request, operation_id: int) -> RedirectResponse:
    """308 to the operation ``operation_id`` was merged into, or a 404 problem."""
    with node.database.engine.connect() as connection:
        survivor = survivor_of(connection, operation_id)
    if survivor is None or survivor == operation_id:
        raise HTTPException(404, f"No scam operation {operation_id} on this node.")
    path = request.url.path.replace(f"/clusters/{operation_id}", f"/clusters/{survivor}", 1)
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(path + query, status_code=308)


@clusters_api.get(
    "/clusters/{operation_id}",
    response_model=ClusterDetailOut,
    summary="One scam operation: summary, indicators and reports (analyst, investigator, admin)",
    description=(
        "Reports show their facts only: no narrative and no reporter contact (the dossier "
        "holds the narratives). An operation merged into another answers 308 to the survivor."
    ),
    responses={308: {"description": "Merged into another operation"}, 404: PROBLEM},
)
def get_cluster(
    node: Node,
    request: Request,
    operation_id: OperationId,
    _principal: Reader,
    reports_limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    reports_offset: Annotated[int, Query(ge=0)] = 0,
) -> ClusterDetailOut | RedirectResponse:
    with node.database.engine.connect() as connection:
        # An operation no clustering run has summarised yet is summarised on the fly.
        row = current_operation(connection, operation_id, datetime.now(UTC))
        if row is None:
            return _moved(node, request, operation_id)
        named = operation_indicators(connection, operation_id, limit=DETAIL_INDICATORS + 1)
        listed = operation_reports(
            connection, operation_id, limit=reports_limit, offset=reports_offset
        )
    base = ClusterOut.of(row)
    return ClusterDetailOut(
        **base.model_dump(),
        indicators=[ClusterIndicatorOut.of(item) for item in named[:DETAIL_INDICATORS]],
        indicators_truncated=len(named) > DETAIL_INDICATORS,
        reports=[ClusterReportOut.of(report) for report in listed],
        reports_offset=reports_offset,
        reports_limit=reports_limit,
    )


@clusters_api.get(
    "/clusters/{operation_id}/dossier",
    summary="Download an operation's dossier: STIX 2.1, JSON or printable HTML (audited)",
    description=(
        "The JSON and HTML dossiers hold the victims' report narratives (personal data, for "
        "the investigation only) and never reporter contacts; every export is written to the "
        "audit log with the caller's key."
    ),
    responses={
        200: {"content": {media: {} for media in MEDIA_TYPES.values()}},
        308: {"description": "Merged into another operation"},
        404: PROBLEM,
    },
    response_class=Response,
)
def get_dossier(
    node: Node,
    request: Request,
    operation_id: OperationId,
    principal: Reader,
    format: Literal["stix", "json", "html"] = "json",
) -> Response:
    now = datetime.now(UTC)
    with node.database.engine.begin() as connection:
        dossier = load_dossier(connection, operation_id, node.settings.node_name, now)
        if dossier is None:
            return _moved(node, request, operation_id)
        try:
            body = render_dossier(dossier, format)
        except ValueError as error:  # an operation without a STIX-renderable indicator
            raise HTTPException(422, str(error)) from error
        append_audit(connection, export_event(dossier, format, principal.actor))
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="{file_name(operation_id, format)}"'
        },
    )
