"""RFC 9457 problem details: one exception type and the handlers that render it.

Both services install `install_problem_handlers`, so every error either answers is
`application/problem+json` with a stable `type`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
NUL_MESSAGE = "Text cannot hold a NUL character (\\u0000)."  # PostgreSQL stores none
TYPE_BASE = "https://vetra.dev/problems/"

log = logging.getLogger("vetra.problems")


class ProblemError(Exception):
    """An error the client caused or must know about; rendered as problem+json."""

    status: int = 400
    type: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        status: int | None = None,
        type: str | None = None,
        title: str | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title or self.title)
        self.detail = detail
        if status is not None:
            self.status = status
        if type is not None:
            self.type = type
        if title is not None:
            self.title = title
        self.errors = list(errors) if errors else None
        self.headers = dict(headers or {})
        self.extensions = extensions


def problem_response(
    status: int,
    type_: str,
    title: str,
    detail: str | None = None,
    *,
    request: Request | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": TYPE_BASE + type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.url.path
    if errors:
        body["errors"] = list(errors)
    if extensions:
        body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _slug(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")
    except ValueError:
        return "http-error"


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"


def field_error(field: str, message: str) -> PydanticCustomError:
    """A cross-field check's error, raised from a model validator, reported on `field` (the
    field it concerns) rather than on the whole body."""
    return PydanticCustomError("cross_field", message, {FIELD_CONTEXT: field})


FIELD_CONTEXT = "field"


def is_json(content_type: str | None) -> bool:
    """`application/json` or `application/<anything>+json`, parameters aside."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    main, _, sub = kind.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


def _field_name(err: Mapping[str, Any]) -> str:
    """The dotted path of the field (list positions included: `items.2.unit_price`), never
    a character position in a malformed body; a cross-field error names its field."""
    if err.get("type") == "json_invalid":
        return "body"
    loc = [str(part) for part in err.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
        loc = loc[1:]  # where it was sent: the name says enough
    if err.get("type") == "cross_field":
        loc.append(str((err.get("ctx") or {}).get(FIELD_CONTEXT, "")))
    return ".".join(part for part in loc if part) or "body"


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": _field_name(err), "message": err.get("msg", ""), "code": err.get("type")}
        for err in exc.errors()
    ]


class UnsupportedMediaType(ProblemError):
    status = 415
    type = "unsupported-media-type"
    title = "Unsupported media type"

    def __init__(self) -> None:
        super().__init__(
            "The body must be JSON, sent with `Content-Type: application/json`.",
            errors=[{"field": "body", "message": "Send the body as application/json."}],
        )


def _takes_json_but_got_other(request: Request) -> bool:
    """A body was sent to a route that reads a JSON body, without a JSON content type
    (FastAPI then validates the raw bytes, and would answer a confusing 'field required')."""
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if body_field is None or isinstance(body_field.field_info, params.Form):
        return False
    sent = request.headers.get("content-length") not in (None, "0") or (
        "transfer-encoding" in request.headers
    )
    return sent and not is_json(request.headers.get("content-type"))


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.type,
        exc.title,
        exc.detail,
        request=request,
        errors=exc.errors,
        headers=exc.headers,
        extensions=exc.extensions,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if _takes_json_but_got_other(request):
        return await _on_problem(request, UnsupportedMediaType())
    errors = _field_errors(exc)
    if any(e["code"] == "json_invalid" for e in errors):
        return problem_response(
            400,
            "malformed-json",
            "Malformed JSON",
            "The request body is not valid JSON.",
            request=request,
            errors=errors,
        )
    return problem_response(
        422,
        "validation",
        "Validation failed",
        "One or more fields are invalid.",
        request=request,
        errors=errors,
    )


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem_response(
        exc.status_code,
        _slug(exc.status_code),
        _title(exc.status_code),
        detail,
        request=request,
        headers=exc.headers,
    )


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem_response(
        500, "internal", "Internal server error", "An unexpected error occurred.", request=request
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, on_unexpected)
