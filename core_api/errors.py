"""Domain errors: each carries its HTTP status and stable problem `type`."""

from __future__ import annotations

from shared.problems import ProblemError


class NotFound(ProblemError):
    status = 404
    type = "not-found"
    title = "Not found"


class Unauthorized(ProblemError):
    status = 401
    type = "unauthorized"
    title = "Unauthorized"


class Forbidden(ProblemError):
    status = 403
    type = "forbidden"
    title = "Forbidden"


class Conflict(ProblemError):
    status = 409
    type = "conflict"
    title = "Conflict"


class StaleVersion(Conflict):
    type = "stale-version"
    title = "The object was changed by someone else"


class Invalid(ProblemError):
    status = 422
    type = "validation"
    title = "Validation failed"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, errors=[{"field": field, "message": message}])
