"""Relaying browser requests to the core API.

The browser's cookie never reaches the core: the BFF sends its own `x-api-key`, the
user's session token as `x-session-token`, the browser's IP as `x-client-ip` and the
request id as `x-request-id`. Bodies stream both ways. The httpx client stores no
cookies, so nothing one user's response sets can leak into another user's request.
"""

from __future__ import annotations

import itertools
import json
import logging
import urllib.request
from collections.abc import AsyncIterator, Iterable
from http.cookiejar import Cookie, CookieJar, CookiePolicy
from urllib.parse import quote

import anyio
import httpx
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from bff.config import Settings
from shared.logging import request_id_var
from shared.problems import PROBLEM_MEDIA_TYPE, ProblemError

CORE_PREFIX = "/v1/"
KEEPALIVE_CONNECTIONS = 100  # idle connections to the core kept open, in all
WHOLE_ANSWER_BYTES = 256 * 1024  # answers up to this size are read whole, larger ones streamed
log = logging.getLogger("vetra.bff.proxy")

# RFC 9110 section 7.6.1, plus the pre-standard names still seen in the wild.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# The BFF sets these itself; a browser must not be able to choose them.
_REQUEST_DROP = HOP_BY_HOP | {
    "host",
    "cookie",
    "authorization",
    "x-api-key",
    "x-session-token",
    "x-client-ip",
    "x-request-id",
    "x-csrf-token",
}
# The BFF's own server answers with its own date, server and request id; cookies are
# the BFF's business alone.
RESPONSE_DROP = HOP_BY_HOP | {"set-cookie", "date", "server", "x-request-id"}
# An answer read whole is sent with the length of what is passed on (a problem's
# `instance` is rewritten).
WHOLE_RESPONSE_DROP = RESPONSE_DROP | {"content-length"}


class CoreUnavailable(ProblemError):
    status = 503
    type = "core-unavailable"
    title = "Service unavailable"


class CoreTimeout(ProblemError):
    status = 504
    type = "core-timeout"
    title = "Gateway timeout"


class CoreFailed(ProblemError):
    status = 502
    type = "bad-gateway"
    title = "Bad gateway"


class SessionExpired(ProblemError):
    """The core no longer accepts the session; the handler also clears the cookie."""

    status = 401
    type = "session-expired"
    title = "Unauthorized"


class NoSuchEndpoint(ProblemError):
    status = 404
    type = "not-found"
    title = "Not found"


class _RefuseAllCookies(CookiePolicy):
    """A jar under this policy never stores or sends a cookie."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = True

    def set_ok(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: urllib.request.Request) -> bool:
        return False

    def path_return_ok(self, path: str, request: urllib.request.Request) -> bool:
        return False


def filter_headers(
    headers: Iterable[tuple[str, str]], drop: frozenset[str]
) -> list[tuple[str, str]]:
    """Removes `drop` and every header the `Connection` header names as hop-by-hop."""
    pairs = [(name.lower(), value) for name, value in headers]
    named = {
        token.strip().lower()
        for name, value in pairs
        if name == "connection"
        for token in value.split(",")
    }
    return [(name, value) for name, value in pairs if name not in drop and name not in named]


class _PoolsInTurn(httpx.AsyncBaseTransport):
    """Connections to the core in several small pools, taken in turn.

    On every request and every response httpcore's pool walks all its connections, asks
    the socket of each idle one whether the core has closed it, and for each idle one
    counts all of them again: with a few dozen connections that was a third of the BFF's
    CPU. Pools of a few connections keep each walk short; together they allow as many."""

    POOLS = 8

    def __init__(self, max_connections: int) -> None:
        each = httpx.Limits(
            max_connections=-(-max_connections // self.POOLS),
            max_keepalive_connections=-(-KEEPALIVE_CONNECTIONS // self.POOLS),
        )
        tls = httpx.create_ssl_context()  # one for all: each costs a read of the CA bundle
        self._pools = [httpx.AsyncHTTPTransport(verify=tls, limits=each) for _ in range(self.POOLS)]
        self._turns = itertools.cycle(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await next(self._turns).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


class Upstream:
    """The one httpx client a BFF process uses to reach the core."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self.base_url = settings.core_url.rstrip("/")
        self.client = httpx.AsyncClient(
            transport=transport or _PoolsInTurn(settings.upstream_max_connections),
            cookies=CookieJar(policy=_RefuseAllCookies()),
            follow_redirects=False,
            trust_env=False,
            timeout=self.timeout(settings.upstream_read_timeout),
        )

    def timeout(self, read: float) -> httpx.Timeout:
        connect = self.settings.upstream_connect_timeout
        return httpx.Timeout(read, connect=connect, pool=connect)

    async def aclose(self) -> None:
        await self.client.aclose()

    def identity(self, request: Request, session_token: str | None) -> dict[str, str]:
        """The headers that tell the core who is asking, on whose behalf."""
        headers = {"x-api-key": self.settings.bff_api_key, "x-client-ip": client_ip(request)}
        request_id = request_id_var.get()
        if request_id:
            headers["x-request-id"] = request_id
        if session_token:
            headers["x-session-token"] = session_token
        return headers

    async def send(
        self, request: httpx.Request, *, stream: bool = False, read_timeout: float | None = None
    ) -> httpx.Response:
        """Sends to the core; a core that can't be reached or is too slow becomes a problem."""
        if read_timeout is not None:
            request.extensions = {
                **request.extensions,
                "timeout": self.timeout(read_timeout).as_dict(),
            }
        try:
            return await self.client.send(request, stream=stream)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise CoreUnavailable("The core API cannot be reached; try again shortly.") from exc
        except httpx.TimeoutException as exc:
            raise CoreTimeout("The core API did not answer in time.") from exc
        except httpx.TransportError as exc:
            raise CoreFailed("The core API connection failed.") from exc

    async def call(
        self,
        request: Request,
        method: str,
        core_path: str,
        *,
        session_token: str | None = None,
        json_body: bytes | None = None,
    ) -> httpx.Response:
        """A small call the BFF makes on its own account (login, logout), fully read."""
        headers = self.identity(request, session_token)
        if json_body is not None:
            headers["content-type"] = "application/json"
        if user_agent := request.headers.get("user-agent"):
            headers["user-agent"] = user_agent
        url = self.base_url + core_path
        return await self.send(httpx.Request(method, url, headers=headers, content=json_body))

    async def relay(
        self,
        request: Request,
        core_path: str,
        session_token: str | None,
        *,
        query: str | None = None,
        extra_headers: dict[str, str] | None = None,
        read_timeout: float | None = None,
    ) -> Response:
        """Streams `request` to the core at `core_path` and the core's answer back.

        `query` replaces the browser's query string; `extra_headers` replace its headers.
        """
        extra = {**(extra_headers or {}), **self.identity(request, session_token)}
        headers = filter_headers(request.headers.items(), _REQUEST_DROP.union(extra))
        headers += extra.items()
        url = self.base_url + core_path
        query = request.url.query if query is None else query
        if query:
            url += "?" + query
        upstream = await self.send(
            httpx.Request(request.method, url, headers=headers, content=_body(request)),
            stream=True,
            read_timeout=read_timeout,
        )
        if upstream.status_code == 401:
            return await _unauthorized(upstream, request.url.path)
        whole = await _read_whole(upstream)
        if whole is None:
            response: Response = _RelayedResponse(upstream)
            headers = filter_headers(upstream.headers.multi_items(), RESPONSE_DROP)
        else:
            whole.body = as_called(bytes(whole.body), upstream.headers, request.url.path)
            response = whole
            headers = filter_headers(upstream.headers.multi_items(), WHOLE_RESPONSE_DROP)
            headers.append(("content-length", str(len(whole.body))))
        response.raw_headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers
        ]
        return response


def client_ip(request: Request) -> str:
    """The browser's address (behind a load balancer, uvicorn's proxy headers set it)."""
    return request.client.host if request.client else "unknown"


def core_path(path: str) -> str:
    """Maps `/api/{path}` to the core's `/v1/{path}`, refusing what the relay must not reach.

    `auth/...` stays the BFF's own: a relayed `POST /v1/auth/sessions` would skip the
    login throttle. Dot segments could climb out of `/v1/`.
    """
    segments = path.split("/")
    if segments[0] == "auth" or any(segment in (".", "..") for segment in segments):
        raise NoSuchEndpoint("No such endpoint.")
    return CORE_PREFIX + quote(path, safe="/:@!$&'()*+,;=-._~")


def problem_type(body: bytes) -> str:
    """The `type` of a problem+json body, or "" when the body is something else."""
    try:
        problem = json.loads(body)
    except ValueError:
        return ""
    return str(problem.get("type", "")) if isinstance(problem, dict) else ""


def as_called(body: bytes, headers: httpx.Headers, client_path: str) -> bytes:
    """A problem from the core, naming as its `instance` the path the client called
    (`/api/...`) rather than the core's (`/v1/...`); any other answer as it is."""
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    encoded = headers.get("content-encoding", "identity") != "identity"
    if media_type != PROBLEM_MEDIA_TYPE or encoded:
        return body
    try:
        problem = json.loads(body)
    except ValueError:
        return body
    if not isinstance(problem, dict) or "instance" not in problem:
        return body
    problem["instance"] = client_path
    # As the core wrote it (Starlette's JSONResponse), so only the instance differs.
    return json.dumps(problem, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


async def _unauthorized(upstream: httpx.Response, client_path: str) -> Response:
    """Passes a (small) 401 through; a dead session raises so the cookie gets cleared."""
    try:
        body = await upstream.aread()
    finally:
        await upstream.aclose()
    return unauthorized(body, upstream.headers, client_path)


def unauthorized(body: bytes, headers: httpx.Headers, client_path: str) -> Response:
    """The core's 401 for the browser; `session-expired` raises, to clear the cookie."""
    if problem_type(body).endswith("session-expired"):
        detail = json.loads(body).get("detail")
        raise SessionExpired(detail if isinstance(detail, str) else None)
    return Response(
        as_called(body, headers, client_path),
        status_code=401,
        media_type=headers.get("content-type"),
    )


async def _stream_body(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


def _body(request: Request) -> AsyncIterator[bytes] | None:
    """The browser's body as a stream, or none at all for a request that has no body."""
    if "content-length" in request.headers or "transfer-encoding" in request.headers:
        return _stream_body(request)
    return None


async def _raw(upstream: httpx.Response) -> AsyncIterator[bytes]:
    """The core's bytes as they come (compressed or not, they are passed on unchanged).

    If the core goes away mid-answer the relay just ends, as the core's stream did: an
    event stream then reconnects with its last id, and anything else fails visibly.
    """
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    except httpx.TransportError as exc:
        log.warning("core answer interrupted", extra={"fields": {"error": repr(exc)}})


async def _read_whole(upstream: httpx.Response) -> Response | None:
    """A small answer of known length, read in full and passed on as it is; None for an
    event stream or a large or open-ended body, which are streamed. Streaming costs a task
    group per response, more than relaying a page of JSON."""
    length = upstream.headers.get("content-length", "")
    if not length.isdigit() or int(length) > WHOLE_ANSWER_BYTES:
        return None
    try:
        body = b"".join([chunk async for chunk in upstream.aiter_raw()])
    except httpx.TransportError as exc:
        raise CoreFailed("The core API connection failed.") from exc
    finally:
        await upstream.aclose()
    return Response(body, status_code=upstream.status_code)


class _RelayedResponse(StreamingResponse):
    """Streams the core's answer and closes the upstream response however it ends."""

    def __init__(self, upstream: httpx.Response) -> None:
        super().__init__(_raw(upstream), status_code=upstream.status_code)
        self.upstream = upstream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self.upstream.aclose()
