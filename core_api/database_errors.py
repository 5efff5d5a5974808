"""How database failures reach the caller: as problem+json, never a bare 500 for a cause
that is not a bug (a concurrent duplicate, an outage, text PostgreSQL cannot store)."""

from __future__ import annotations

import logging

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as SQLAlchemyPoolTimeout

from shared.problems import on_unexpected, problem_response

log = logging.getLogger("vetra.core")

# The database is down, restarting, or out of connections, or every pooled connection is
# busy: the caller may retry. Listed
# one by one: their parent classes also hold a cancelled statement or a protocol error,
# which are bugs to log as such.
UNREACHABLE: tuple[type[Exception], ...] = (
    ConnectionError,  # refused or reset while connecting
    asyncpg.exceptions.ConnectionDoesNotExistError,  # the connection died under a query
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.ClientCannotConnectError,
    asyncpg.exceptions.ConnectionRejectionError,
    asyncpg.exceptions.CannotConnectNowError,  # starting up
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    SQLAlchemyPoolTimeout,  # every pooled connection busy for the pool's whole timeout
    TimeoutError,  # the same, from the driver pool
)
# Text PostgreSQL cannot store: NUL in a text column, or \u0000 in JSON(B). Request bodies
# refuse NUL before it gets here (kit/fields.Input); query strings and headers may not.
NOT_STORABLE_TEXT: tuple[type[Exception], ...] = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)


def install_database_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    handled: tuple[type[Exception], ...] = (DBAPIError, *NOT_STORABLE_TEXT, *UNREACHABLE)
    for error in handled:
        app.add_exception_handler(error, _on_database_error)


async def _on_integrity_error(request: Request, exc: Exception) -> JSONResponse:
    """A constraint refused the write (usually a concurrent duplicate): nothing was saved."""
    return problem_response(
        409,
        "conflict",
        "Conflict",
        "The change conflicts with existing data (it may have been made concurrently).",
        request=request,
    )


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    """The session path reports the driver's error wrapped by SQLAlchemy (an outage as an
    invalidated connection); the driver pool raises it as is."""
    cause = exc.orig.__cause__ if isinstance(exc, DBAPIError) and exc.orig else exc
    if isinstance(cause, NOT_STORABLE_TEXT):
        return problem_response(
            422,
            "invalid-text",
            "Unprocessable content",
            "The request holds text that cannot be stored, such as a NUL character.",
            request=request,
        )
    if isinstance(cause, UNREACHABLE) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        log.warning("database unreachable", extra={"fields": {"error": repr(cause)}})
        return problem_response(
            503,
            "database-unavailable",
            "Service unavailable",
            "The database cannot be reached just now, and the change may not have been "
            "saved. Try again shortly; a retry with the same Idempotency-Key cannot apply "
            "it twice.",
            request=request,
            headers={"Retry-After": "2"},
        )
    return await on_unexpected(request, exc)
