"""Documents, in one place, the error answers every operation can give, so that the OpenAPI
document promises what the node really sends: RFC 9457 problem details
(``application/problem+json``) under ``/api``, TAXII error messages under ``/taxii2``.

Which statuses an operation documents follows from what the route is made of, not from a
list kept by hand: a body can be unreadable (400) or too large (413), a presented key can be
wrong (401), a role check can refuse (403), parameters can be invalid (422). Statuses a route
declares itself (404, 409, ...) keep their descriptions and get the error schema."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.routing import BaseRoute

from scamintel.api.auth import optional_principal
from scamintel.api.problems import PROBLEM_MEDIA_TYPE
from scamintel.federation.taxii import TAXII_MEDIA_TYPE

TAXII_PREFIX = "/taxii2/"
PROBLEM_REF = "#/components/schemas/Problem"
TAXII_ERROR_REF = "#/components/schemas/TaxiiErrorMessage"

DESCRIPTIONS = {
    400: "The body or a parameter cannot be read",
    401: "No API key where one is needed, or a key that is not valid",
    403: "The key's role may not do this",
    404: "Not found",
    406: "The Accept header does not allow a TAXII 2.1 answer",
    409: "Conflicts with the current state",
    413: "The body is over the node's size limit",
    415: "The body is not of a media type this operation reads",
    422: "Invalid input: the problem names each field to fix",
    503: "The node's database is not reachable just now; send the same request again after "
    "`Retry-After` seconds (docs/operations.md)",
}
# Every REST operation reads or writes the database, so any of them may meet an outage.
API_PREFIX = "/api/"


class FieldProblem(BaseModel):
    field: str = Field(description="Where the problem is, e.g. body.indicators.0.value")
    message: str = Field(description="What is wrong and how to fix it")
    code: str = Field(description="A stable code for programs, e.g. missing, extra_forbidden")


class Problem(BaseModel):
    """RFC 9457 problem details: every error of the REST API has this shape."""

    type: str = Field(description="A URI naming the kind of problem, or about:blank")
    title: str = Field(description="A short summary of the status")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What went wrong and what to do about it, in words")
    errors: list[FieldProblem] | None = Field(
        default=None, description="One entry per field to fix (invalid input only)"
    )


class TaxiiErrorMessage(BaseModel):
    """A TAXII 2.1 error message (section 3.6.1)."""

    title: str
    http_status: str = Field(description="The HTTP status code, as a string")
    description: str | None = None


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _dependency_calls(dependency)


def _has_parameters(dependant: Dependant) -> bool:
    own = (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
    )
    return bool(own) or any(_has_parameters(child) for child in dependant.dependencies)


def _derived_statuses(route: APIRoute) -> set[int]:
    """The error statuses that follow from the route's body, parameters and key checks."""
    calls = list(_dependency_calls(route.dependant))
    statuses: set[int] = set()
    if route.body_field is not None:
        statuses |= {400, 413}
    if any(call is optional_principal for call in calls):
        statuses.add(401)
    if any(hasattr(call, "roles") for call in calls):  # require_role(...) marks its check
        statuses |= {401, 403}
    if _has_parameters(route.dependant):
        statuses.add(422)
    if route.path_format.startswith(API_PREFIX):
        statuses.add(503)
    return statuses


def _taxii_statuses(route: APIRoute) -> set[int]:
    # TaxiiRoute answers invalid parameters with 400, never 422 (api/taxii_routes.py).
    statuses = {400, 401, 403, 406}
    if route.param_convertors:
        statuses.add(404)
    if "POST" in (route.methods or set()):
        statuses |= {413, 415}
    return statuses


def _error_response(
    existing: dict[str, Any] | None, status: int, media_type: str, ref: str
) -> dict[str, Any]:
    described = (existing or {}).get("description")
    if described in (None, "", "Validation Error", "Successful Response"):
        described = DESCRIPTIONS.get(status, "Error")
    response: dict[str, Any] = dict(existing or {})
    response["description"] = described
    response["content"] = {media_type: {"schema": {"$ref": ref}}}
    return response


def _document_operation(route: APIRoute, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    declared = {int(code) for code in responses if code.isdigit() and 400 <= int(code) < 500}
    if route.path_format.startswith(TAXII_PREFIX):
        responses.pop("422", None)
        statuses = (declared - {422}) | _taxii_statuses(route)
        media_type, ref = TAXII_MEDIA_TYPE, TAXII_ERROR_REF
    else:
        statuses = declared | _derived_statuses(route)
        media_type, ref = PROBLEM_MEDIA_TYPE, PROBLEM_REF
    for status in sorted(statuses):
        key = str(status)
        responses[key] = _error_response(responses.get(key), status, media_type, ref)


def _add_components(schema: dict[str, Any]) -> None:
    schemas: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, TaxiiErrorMessage):
        generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(generated.pop("$defs", {}))
        schemas[model.__name__] = generated
    # FastAPI's own error models describe bodies this node never sends.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        # Some FastAPI versions keep an included router as one entry that holds the router.
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _api_routes(inner.routes)
        else:
            yield route


def document_errors(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (the app's OpenAPI document) with every operation's errors documented."""
    paths: dict[str, Any] = schema.get("paths", {})
    for route in _api_routes(app.routes):
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        operations = paths.get(route.path_format, {})
        for method in sorted(route.methods or ()):
            operation = operations.get(method.lower())
            if operation is not None:
                _document_operation(route, operation)
    _add_components(schema)
    return schema


def install_error_docs(app: FastAPI) -> None:
    """The app's OpenAPI document, built once, with :func:`document_errors` applied."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(app, build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
