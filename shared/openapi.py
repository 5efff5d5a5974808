"""The error answers in both services' OpenAPI specs, derived from each route's shape.

Every error either service gives is RFC 9457 `application/problem+json`
(shared/problems.py), but FastAPI's spec knows none of them: it declares only a 422 with
its own `HTTPValidationError`, which is not what the API answers. `declare_problems`
post-processes an app's spec once, when it is first asked for: each operation gets the
problem answers it can give, all with the one `Problem` schema. What an operation can
answer follows from what it takes (`shape_answers`: path parameters → 404, a body →
400/413/415/422, a `version` or an `Idempotency-Key` → 409) and from each service's own
rules over the route's access mark (401/403) and what it depends on (503).

A route may declare further error statuses itself (`responses={415: {...}}`); they get
the Problem schema too, unless the route gave them a schema of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from shared.problems import PROBLEM_MEDIA_TYPE

PROBLEM_REF = "#/components/schemas/Problem"
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemFieldError",
    "type": "object",
    "description": "One field's error. `field` is the dotted name of the field "
    "(`items.2.unit_price`, `body` for the body as a whole).",
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string"},
        "message": {"type": "string"},
        "code": {"type": "string", "description": "A machine-readable error kind."},
    },
    "additionalProperties": True,
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details. `type` is stable (a URI ending in a slug, "
    "e.g. `https://vetra.dev/problems/stale-version`); other members are extensions.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The path that was called."},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"}},
    },
    "additionalProperties": True,
}

DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request: the body cannot be read (e.g. it is not valid JSON).",
    401: "Not authenticated: the credentials (API key, session) are missing, unknown, "
    "revoked or expired.",
    403: "Not allowed: the caller lacks the permission, or uses the wrong kind of key.",
    404: "Not found: no such resource, or one the caller may not see (another tenant's "
    "object is 404).",
    405: "The path exists, but not with this method.",
    409: "Conflict: a stale `version`, a transition the state machine does not allow, a "
    "duplicate, or a concurrent change.",
    413: "The request body is larger than this route accepts.",
    415: "The body's content type is not one this route reads.",
    422: "Validation failed: `errors` names each field and what is wrong with it.",
    429: "Too many attempts: try again after `Retry-After` seconds.",
    502: "The upstream service failed mid-answer.",
    503: "Service unavailable (a dependency cannot be reached just now): retry after "
    "`Retry-After` seconds.",
    504: "The upstream service did not answer in time.",
}

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_json(media_type: str) -> bool:
    main, _, sub = media_type.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, as the rules see it."""

    method: str  # upper case
    path: str  # as in the spec: `/v1/claims/{claim_id}`
    tags: frozenset[str]
    access: frozenset[str]  # the route's access marks (`public`, `permission:…`, `session`)
    path_params: frozenset[str]
    query_params: frozenset[str]
    header_params: frozenset[str]
    body_types: frozenset[str]  # the request body's media types
    body_fields: frozenset[str]  # the top-level properties of a JSON body

    @property
    def json_body(self) -> bool:
        return any(_is_json(media_type) for media_type in self.body_types)

    @property
    def writes(self) -> bool:
        return self.method in _WRITES

    @property
    def takes_input(self) -> bool:
        return bool(self.path_params or self.query_params or self.header_params or self.body_types)

    @property
    def names_a_resource(self) -> bool:
        """A path parameter, or a body field or query parameter naming another resource
        (`provider_id`, `?tenant_id=`), which may not exist or not be the caller's to see."""
        return bool(self.path_params) or any(
            name == "id" or name.endswith("_id") for name in self.body_fields | self.query_params
        )


def shape_answers(op: Operation) -> set[int]:
    """The problems an operation can answer by its shape alone."""
    answers: set[int] = set()
    if op.names_a_resource:
        answers.add(404)
    if op.body_types:
        answers |= {400, 413}  # an unreadable body; one over the size limit
    if op.json_body:
        answers.add(415)  # a body sent without a JSON content type
    if op.takes_input:
        answers.add(422)
    if "version" in op.body_fields or "idempotency-key" in op.header_params:
        answers.add(409)  # a stale version; a retry while the first is still running
    return answers


Rules = Callable[[Operation], Iterable[int]]


def declare_problems(app: FastAPI, rules: Rules, *, access_mark: str) -> None:
    """Makes `app.openapi()` declare each operation's problem answers, as `rules` gives
    them; `access_mark` is the attribute that marks a route's access dependency."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = original()
            _declare(spec, _access_of(app, access_mark), rules)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def _declare(
    spec: dict[str, Any], access: dict[tuple[str, str], frozenset[str]], rules: Rules
) -> None:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemFieldError"] = FIELD_ERROR_SCHEMA
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            op = _operation(spec, path, method.upper(), operation, access)
            responses = operation.setdefault("responses", {})
            declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
            for status in sorted(set(rules(op)) | declared):
                responses[str(status)] = _problem_answer(status, responses.get(str(status), {}))
            operation["responses"] = dict(
                sorted(responses.items(), key=lambda entry: (not entry[0].isdigit(), entry[0]))
            )
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)


def _problem_answer(status: int, declared: dict[str, Any]) -> dict[str, Any]:
    """The Problem answer for `status`, or what the route declared, if it gave a schema
    of its own (FastAPI's `HTTPValidationError` is not one)."""
    fastapi_default = _is_fastapi_validation(declared)
    if "content" in declared and not fastapi_default:
        return declared
    description = declared.get("description", "")
    if not description or fastapi_default:
        description = DESCRIPTIONS.get(status, "An error.")
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
    }


def _is_fastapi_validation(answer: dict[str, Any]) -> bool:
    return any(
        media.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError")
        for media in answer.get("content", {}).values()
    )


def _operation(
    spec: dict[str, Any],
    path: str,
    method: str,
    operation: dict[str, Any],
    access: dict[tuple[str, str], frozenset[str]],
) -> Operation:
    params: dict[str, set[str]] = {"path": set(), "query": set(), "header": set()}
    for param in operation.get("parameters", []):
        params.setdefault(param["in"], set()).add(param["name"].lower())
    content = operation.get("requestBody", {}).get("content", {})
    fields: set[str] = set()
    for media_type, media in content.items():
        if _is_json(media_type):
            fields |= _properties(spec, media.get("schema", {}))
    return Operation(
        method=method,
        path=path,
        tags=frozenset(operation.get("tags", ())),
        access=access.get((method, path), frozenset()),
        path_params=frozenset(params["path"]),
        query_params=frozenset(params["query"]),
        header_params=frozenset(params["header"]),
        body_types=frozenset(content),
        body_fields=frozenset(fields),
    )


def _properties(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """The top-level property names of `schema`, in any variant of a union."""
    schema = _resolved(spec, schema)
    names = set(schema.get("properties", {}))
    for variants in ("oneOf", "anyOf", "allOf"):
        for variant in schema.get(variants, []):
            names |= _properties(spec, variant)
    return names


def _resolved(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if not ref.startswith("#/"):
        return schema
    found: Any = spec
    for part in ref[2:].split("/"):
        found = found.get(part, {})
    return found if isinstance(found, dict) else {}


def _access_of(app: FastAPI, mark: str) -> dict[tuple[str, str], frozenset[str]]:
    """Each (method, spec path) of `app`, with the access marks of its dependencies."""
    access: dict[tuple[str, str], frozenset[str]] = {}
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        path = getattr(route, "path_format", None)
        if not isinstance(dependant, Dependant) or path is None or not route.methods:
            continue
        marks = frozenset(str(getattr(call, mark)) for call in _calls(dependant, mark))
        for method in route.methods:
            access[(method, path)] = marks
    return access


def _calls(dependant: Dependant, mark: str) -> Iterator[Callable[..., Any]]:
    """The dependencies (at any depth) that carry `mark`."""
    for sub in dependant.dependencies:
        if sub.call is not None and hasattr(sub.call, mark):
            yield sub.call
        yield from _calls(sub, mark)
