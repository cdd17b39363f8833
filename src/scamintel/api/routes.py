"""REST routes under /api/v1 and the operator endpoints. Each parses, authorises, calls a
service and serialises; nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from scamintel import __version__
from scamintel.access.keys import Principal
from scamintel.access.roles import PERSONAL_DATA_READERS, REPORT_READERS
from scamintel.api.auth import optional_principal, require_role
from scamintel.api.schemas import (
    CheckOut,
    ClassifyIn,
    ClassifyOut,
    ExtractedIndicatorOut,
    ExtractIn,
    ExtractOut,
    Health,
    ReportAccepted,
    ReportOut,
    message_check_out,
    reference_of,
)
from scamintel.api.state import NodeState, node_state
from scamintel.classify.service import MessageAssessment, assess_message, is_message
from scamintel.indicators import IndicatorType, InvalidIndicatorError, ParseContext
from scamintel.indicators.phone import known_region
from scamintel.reports.service import Reader, check_value, read_report, reporter_reader
from scamintel.reports.submission import MAX_VALUE, ReportSubmission
from scamintel.reports.verdict import CheckResult
from scamintel.storage.releases_repo import partner_knowledge
from scamintel.storage.submissions import submit_and_cluster

Node = Annotated[NodeState, Depends(node_state)]
PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
COMMON_PROBLEMS: dict[int | str, dict[str, object]] = {
    400: {"description": "Malformed request", **PROBLEM},
    422: {"description": "Invalid input", **PROBLEM},
}

api = APIRouter(prefix="/api/v1", responses=COMMON_PROBLEMS)
operator = APIRouter()
READERS_OF_REPORTS = REPORT_READERS
READERS_OF_PERSONAL_DATA = PERSONAL_DATA_READERS


def reader_of(principal: Principal | None) -> Reader:
    if principal is None:
        return Reader(actor="public")
    return Reader(actor=principal.actor, organisation_id=principal.organisation_id)


def reporter_of(
    principal: Principal | None, request: Request, node: NodeState, submission: ReportSubmission
) -> Reader:
    """The sender of a report, with the trust and source the verdict engine weighs."""
    address = request.client.host if request.client else None
    return reporter_reader(node.settings.secret_key, principal, address, submission)


@api.get("/check", response_model=CheckOut, summary="Verdict for one value of any type")
async def check(
    request: Request,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_VALUE,
            description="A phone number, link, domain, e-mail, account, wallet or handle",
        ),
    ],
    type: Annotated[IndicatorType | None, Query(description="Skip type detection")] = None,
    region: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=2,
            description="Country whose local formats and short codes apply (ISO 3166 alpha-2); "
            "the node's country when left out",
        ),
    ] = None,
) -> Response:
    # The public check is the hottest path of a node. On SQLite its one indexed read takes
    # microseconds, so it runs on the event loop; a PostgreSQL round trip would stall the
    # loop, so there it goes to the thread pool. It reads the app state without the
    # dependency machinery and serialises its own model instead of validating it twice.
    node: NodeState = request.app.state.node
    # Partner records above TLP:CLEAR are for this node's own staff only. Verifying a key
    # may hash it (argon2, slow on purpose), so that is done off the event loop.
    principal = None
    if "authorization" in request.headers or "x-api-key" in request.headers:
        principal = await run_in_threadpool(optional_principal, request, node)
    restricted = principal is not None and principal.role in READERS_OF_REPORTS
    context = node.context if region is None else _context_for(region)
    try:
        if node.database.dialect == "sqlite":
            result = _check(node, q, type, context)
        else:
            result = await run_in_threadpool(_check, node, q, type, context)
    except InvalidIndicatorError:
        if type is not None or not is_message(q):
            raise
        # Not one value but a pasted message: its label, red flags and what the node knows
        # of the indicators in it.
        body = await run_in_threadpool(_check_message, node, q, region)
        return Response(body.model_dump_json(), media_type="application/json")
    body = CheckOut.of(result, restricted=restricted)
    return Response(body.model_dump_json(), media_type="application/json")


def _check_message(node: NodeState, query: str, region: str | None) -> CheckOut:
    return message_check_out(query, _assess(node, query, region and region.upper(), None))


def _assess(
    node: NodeState, text: str, region: str | None, reader_language: str | None
) -> MessageAssessment:
    if region is not None:
        _context_for(region)
    with node.database.committed_reads() as connection:
        return assess_message(
            node.database.reader(connection),
            text,
            node.messages,
            region=region,
            reader_language=reader_language,
        )


@api.post(
    "/classify",
    response_model=ClassifyOut,
    summary="Is this message a scam, and which red flags show it",
    description=(
        "The classifier's label (scam, spam or ham) with a calibrated score, the likely scam "
        "type, the detected language, the red flags with their spans and explanations in "
        "`lang`, and every indicator in the message with this node's verdict on it."
    ),
)
def classify(node: Node, body: ClassifyIn) -> ClassifyOut:
    return ClassifyOut.of(_assess(node, body.text, body.region, body.lang))


def _context_for(region: str) -> ParseContext:
    region = region.upper()
    if not known_region(region):
        raise HTTPException(
            422, f"region: {region} is not a country code this node knows (ISO 3166 alpha-2)"
        )
    return ParseContext(region)


def _check(
    node: NodeState, query: str, indicator_type: IndicatorType | None, context: ParseContext
) -> CheckResult:
    with node.database.committed_reads() as connection:
        return check_value(
            node.database.reader(connection),
            query,
            registry=node.registry,
            context=context,
            warninglist=node.warninglist,
            lookalikes=node.lookalikes,
            indicator_type=indicator_type,
            partners=lambda indicator: partner_knowledge(
                connection, node.database.sealer, indicator, datetime.now(UTC)
            ),
        )


@api.post(
    "/reports",
    response_model=ReportAccepted,
    status_code=201,
    summary="Submit a scam report (anonymous or with a key)",
    responses={
        200: {"description": "Repeat of an earlier Idempotency-Key", "model": ReportAccepted}
    },
)
def create_report(
    node: Node,
    submission: ReportSubmission,
    request: Request,
    response: Response,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=200, description="Resending with the same key stores once"),
    ] = None,
) -> ReportAccepted:
    submitted = submit_and_cluster(
        node.database,
        submission,
        registry=node.registry,
        context=node.context,
        reader=reporter_of(principal, request, node, submission),
        idempotency_key=idempotency_key,
        warninglist=node.warninglist,
        fanout_cap=node.settings.cluster_fanout_cap,
    )
    if not submitted.created:
        response.status_code = 200
    response.headers["Location"] = str(request.url_for("get_report", report_id=submitted.report_id))
    return ReportAccepted(
        id=submitted.report_id,
        reference=reference_of(submitted.report_id),
        created=submitted.created,
        indicator_count=submitted.indicator_count,
    )


@api.get(
    "/reports/{report_id}",
    response_model=ReportOut,
    summary="Read one report (analyst, investigator, admin); every read is audited",
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
)
def get_report(
    node: Node,
    report_id: UUID,
    principal: Annotated[Principal, Depends(require_role(*READERS_OF_REPORTS))],
    include_reporter: Annotated[
        bool, Query(description="Include the victim's contact details (investigator, admin)")
    ] = False,
    purpose: Annotated[
        str | None, Query(max_length=60, description="Why the personal data is needed")
    ] = None,
) -> ReportOut:
    if include_reporter and principal.role not in READERS_OF_PERSONAL_DATA:
        raise HTTPException(403, "Only investigator and admin keys may read reporter contacts.")
    if include_reporter and not purpose:
        raise HTTPException(422, "State a purpose (?purpose=...) to read reporter contacts.")
    with node.database.transaction() as store:
        found = read_report(
            store,
            report_id,
            reader=reader_of(principal),
            with_reporter=include_reporter,
            purpose=purpose,
        )
    if found is None:
        raise HTTPException(404, f"No report {report_id} on this node.")
    return ReportOut.of(found)


@api.post(
    "/extract",
    response_model=ExtractOut,
    summary="Indicators found in free text",
    description=(
        "Every phone number, link, domain, e-mail address, bank account, e-wallet, crypto "
        "wallet, messaging handle, IP address and IMEI in the text, each with its canonical "
        "value (docs/indicators.md), the text as written (`raw`) and its offsets in Unicode "
        "code points (`raw == text[start:end]`). Local digits, defanged links, hidden "
        "characters and homoglyphs are read; dates, amounts, OTPs and codes are not "
        "indicators. Numbers without a country code are read in `region`."
    ),
)
def extract(node: Node, body: ExtractIn) -> ExtractOut:
    context = ParseContext(body.region) if body.region else node.context
    found = node.registry.extract(body.text, context)
    return ExtractOut(
        region=context.default_region,
        indicators=[ExtractedIndicatorOut.of_found(item) for item in found],
    )


@operator.get("/healthz", response_model=Health, summary="Liveness")
async def healthz(node: Node) -> Health:
    return Health(status="ok", node=node.settings.node_name, version=__version__)


@operator.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics")
def metrics(request: Request) -> Response:
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
