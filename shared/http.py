"""What both services' HTTP layers share: pure-ASGI middleware (request id + access log,
body size limit, NUL refused in paths and queries) and the FastAPI telemetry setting."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Mapping
from urllib.parse import parse_qsl

from fastapi.telemetry import TelemetryConfig
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.logging import request_id_var
from shared.problems import NUL_MESSAGE, PROBLEM_MEDIA_TYPE, TYPE_BASE
from shared.uploads import path_pattern

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

access_log = logging.getLogger("vetra.access")

# FastAPI's native OpenTelemetry, off: the services log structured JSON with request ids
# instead, and while it is on every request looks up three global providers.
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def new_request_id() -> str:
    return secrets.token_hex(12)


class RequestContextMiddleware:
    """Takes the caller's `x-request-id` (or makes one), logs the request, echoes the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else new_request_id()
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((REQUEST_ID_HEADER.encode(), request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuses request bodies larger than `max_bytes` with a 413 problem; `larger` maps a
    path ending (e.g. `/enrollees/import`, `/claims/{claim_id}/attachments`, where `{...}`
    is any one segment) to its own limit: the upload routes of shared/uploads.py."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = [(path_pattern(end), n) for end, n in (larger or {}).items()]

    def limit_for(self, path: str) -> int:
        return next((n for end, n in self.larger if end.search(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(scope, send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._too_large(scope, send, limit)

    async def _too_large(self, scope: Scope, send: Send, limit: int) -> None:
        await send_problem(
            send,
            {
                "type": TYPE_BASE + "payload-too-large",
                "title": "Payload too large",
                "status": 413,
                "detail": f"The request body exceeds {limit} bytes.",
                "instance": scope["path"],
            },
        )


class _BodyTooLarge(Exception):
    pass


class RefuseNulMiddleware:
    """Refuses a NUL character in the path or in any query parameter with a 422 naming it
    (bodies refuse it field by field, `core_api.kit.fields.Input`): PostgreSQL stores no
    NUL, and a filter holding one failed in the database, mid-stream for a CSV export."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            field = _field_with_nul(scope)
            if field is not None:
                await send_problem(
                    send,
                    {
                        "type": TYPE_BASE + "validation",
                        "title": "Validation failed",
                        "status": 422,
                        "detail": "One or more fields are invalid.",
                        "instance": scope["path"],
                        "errors": [
                            {"field": field, "message": NUL_MESSAGE, "code": "nul_character"}
                        ],
                    },
                )
                return
        await self.app(scope, receive, send)


def _field_with_nul(scope: Scope) -> str | None:
    if "\x00" in scope["path"]:
        return "path"
    query: bytes = scope.get("query_string", b"")
    if b"\x00" not in query and b"%00" not in query:  # the common case, without parsing
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or "query"
    return None


async def send_problem(send: Send, problem: Mapping[str, object]) -> None:
    """Answers with `problem` from a middleware, before the app has started an answer."""
    body = json.dumps(problem).encode()
    await send(
        {
            "type": "http.response.start",
            "status": problem["status"],
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
