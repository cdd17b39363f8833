"""One error shape for every failure: RFC 9457 problem details, with a message a person can
act on. Nothing else in the API builds error bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from structlog import get_logger

from scamintel.indicators import InvalidIndicatorError
from scamintel.reports.intake import ReportRejectedError
from scamintel.reports.service import IdempotencyKeyReusedError
from scamintel.reports.submission import field_problems, summarise_problems

PROBLEM_MEDIA_TYPE = "application/problem+json"
# FastAPI's wording when a body cannot be decoded at all (for example, not UTF-8).
FASTAPI_BODY_PARSE_ERROR = "There was an error parsing the body"
PROBLEM_BASE = "https://scamintel.org/problems/"
DATABASE_RETRY_AFTER_SECONDS = 5

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind if kind else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers) if headers else None,
    )


def _validation_problem(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    items = field_problems(error.errors())
    if any(item["code"] == "json_invalid" for item in items):
        return problem(
            400, "The request body is not valid JSON: " + items[0]["message"], kind="invalid-json"
        )
    return problem(
        422,
        f"Fix these fields and send again: {summarise_problems(items)}",
        kind="validation",
        errors=items,
    )


def _http_problem(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    detail = error.detail if isinstance(error.detail, str) else TITLES.get(error.status_code, "")
    if detail == FASTAPI_BODY_PARSE_ERROR:
        detail = "The request body could not be read: send a UTF-8 encoded JSON object."
    return problem(error.status_code, detail, headers=error.headers)


def _invalid_indicator(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InvalidIndicatorError)
    return problem(422, f"{error.raw!r} cannot be read: {error.reason}", kind="invalid-indicator")


def _report_rejected(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ReportRejectedError)
    errors = [
        {
            "field": f"indicators.{p.position}.value",
            "message": p.reason,
            "code": "invalid_indicator",
        }
        for p in error.problems
    ]
    return problem(
        422,
        f"Some indicators cannot be read; correct or remove them: {error}",
        kind="invalid-indicator",
        errors=errors,
    )


def _idempotency_reused(_request: Request, error: Exception) -> JSONResponse:
    return problem(422, str(error), kind="idempotency-key-reused")


def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """The database went away (restart, failover, network), is busy (a locked SQLite file)
    or no pooled connection came free. The pool reconnects on its own (pre-ping), so the
    client is told to send the request again shortly, not that the node is broken; the
    driver's operational and interface errors are the ones that mean "cannot reach or busy",
    not "this statement is wrong"."""
    transient = isinstance(error, PoolTimeoutError | OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )
    if not transient:
        return _unexpected(request, error)
    get_logger().warning(
        "database_unavailable", path=request.url.path, error_type=type(error).__name__
    )
    return problem(
        503,
        "The node's database is not reachable just now. Send the same request again in "
        f"{DATABASE_RETRY_AFTER_SECONDS} seconds; a report sent again with the same "
        "Idempotency-Key is stored once even if this attempt reached the database.",
        kind="database-unavailable",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    get_logger().error("unhandled_error", path=request.url.path, error_type=type(error).__name__)
    return problem(500, "Something went wrong on this node; the operator has been told.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(InvalidIndicatorError, _invalid_indicator)
    app.add_exception_handler(ReportRejectedError, _report_rejected)
    app.add_exception_handler(IdempotencyKeyReusedError, _idempotency_reused)
    app.add_exception_handler(DBAPIError, _database_unavailable)
    app.add_exception_handler(PoolTimeoutError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
