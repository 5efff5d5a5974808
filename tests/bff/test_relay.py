"""`/api/{path}` relayed to the core's `/v1/{path}`: methods, bodies, headers, failures."""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bff.csrf import csrf_token
from bff.main import create_app
from bff.proxy import (
    WHOLE_ANSWER_BYTES,
    CoreFailed,
    NoSuchEndpoint,
    _PoolsInTurn,
    _read_whole,
    core_path,
)
from tests.bff.conftest import COOKIE, BffFactory, Browser, bff_settings, running
from tests.factories import PASSWORD, TenantCtx, make_staff


class TestRelayToTheRealCore:
    async def test_get_with_query_string(
        self, admin: Browser, core_http: httpx.AsyncClient, tenant: TenantCtx
    ) -> None:
        await make_staff(core_http, tenant, "Adjudicator")
        first = await admin.client.get("/api/users", params={"limit": 1})
        assert first.status_code == 200, first.text
        assert len(first.json()["items"]) == 1
        cursor = first.json()["next_cursor"]
        second = await admin.client.get("/api/users", params={"limit": 1, "cursor": cursor})
        assert len(second.json()["items"]) == 1
        assert second.json()["items"][0]["id"] != first.json()["items"][0]["id"]

    async def test_post_json_creates(self, admin: Browser, tenant: TenantCtx) -> None:
        roles = (await admin.client.get("/api/roles")).json()["items"]
        response = await admin.client.post(
            "/api/users",
            json={
                "email": f"new@{tenant.slug}.example.com",
                "password": PASSWORD,
                "role_id": tenant.role_id(roles, "Adjudicator"),
            },
            headers=admin.unsafe(),
        )
        assert response.status_code == 201, response.text
        assert response.json()["email"] == f"new@{tenant.slug}.example.com"

    async def test_patch_as_admin_then_a_stale_version_is_the_cores_409(
        self, admin: Browser
    ) -> None:
        url = f"/api/users/{admin.user['id']}"
        version = (await admin.client.get(url)).json()["version"]
        patched = await admin.client.patch(
            url, json={"version": version, "first_name": "Grace"}, headers=admin.unsafe()
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["first_name"] == "Grace"
        assert patched.json()["version"] == version + 1

        stale = await admin.client.patch(
            url, json={"version": version, "first_name": "Hopper"}, headers=admin.unsafe()
        )
        assert stale.status_code == 409
        assert stale.headers["content-type"] == "application/problem+json"
        assert stale.json()["type"].endswith("stale-version")

    async def test_core_problems_pass_through_with_their_status(self, admin: Browser) -> None:
        missing = await admin.client.get("/api/users/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        invalid = await admin.client.post("/api/roles", json={}, headers=admin.unsafe())
        assert invalid.status_code == 422
        assert invalid.json()["errors"]

    async def test_request_id_is_passed_to_the_core_and_back(self, admin: Browser) -> None:
        response = await admin.client.get("/api/me", headers={"x-request-id": "trace-42"})
        assert response.headers.get_list("x-request-id") == ["trace-42"]

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/api/auth/sessions"),
            ("DELETE", "/api/auth/sessions/current"),
            ("GET", "/api/users/%2e%2e/%2e%2e/healthz"),
        ],
    )
    async def test_paths_outside_the_relay_are_404(
        self, admin: Browser, method: str, path: str
    ) -> None:
        response = await admin.client.request(method, path, headers=admin.unsafe(), json={})
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


def echo_app() -> Starlette:
    """Stands in for the core where the test must see exactly what the core was sent."""

    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        response = JSONResponse(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "headers": [[k, v] for k, v in request.headers.items()],
                "body": body.decode(),
            }
        )
        hop_by_hop = [
            ("connection", "x-hop"),
            ("x-hop", "1"),
            ("keep-alive", "timeout=5"),
            ("proxy-authenticate", "Basic"),
            ("upgrade", "h2c"),
            ("set-cookie", "core=1; Path=/"),
            ("x-upstream", "yes"),
        ]
        response.raw_headers += [(k.encode(), v.encode()) for k, v in hop_by_hop]
        return response

    async def big(request: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for n in range(100):
                yield bytes([65 + n % 26]) * 10_000

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    return Starlette(
        routes=[
            Route("/v1/big", big),
            Route("/v1/{path:path}", echo, methods=["GET", "POST", "PATCH", "PUT", "DELETE"]),
        ]
    )


def sent_headers(response: httpx.Response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in response.json()["headers"]:
        found.setdefault(name, []).append(value)
    return found


class TestRelayedHeadersAndBodies:
    @pytest.fixture
    async def echo(self) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
        app = create_app(
            bff_settings("http://core.internal"), transport=httpx.ASGITransport(app=echo_app())
        )
        async with running(app) as client:
            client.cookies.set(COOKIE, "the-token")
            client.cookies.set("analytics", "abc")
            yield client, app

    async def test_the_core_gets_identity_headers_and_no_browser_secrets(
        self, echo: tuple[httpx.AsyncClient, Any]
    ) -> None:
        client, _ = echo
        response = await client.get(
            "/api/things/1?a=1&b=two%20words",
            headers={
                "connection": "keep-alive, x-private",
                "x-private": "hop",
                "keep-alive": "timeout=5",
                "te": "trailers",
                "proxy-authorization": "Basic abc",
                "authorization": "Bearer browser",
                "x-api-key": "browser-chosen",
                "x-session-token": "browser-chosen",
                "x-client-ip": "6.6.6.6",
                "accept-language": "en",
            },
        )
        assert response.status_code == 200
        sent = response.json()
        assert sent["path"] == "/v1/things/1"
        assert sent["query"] == "a=1&b=two%20words"
        headers = sent_headers(response)
        for name in (
            "cookie",
            "connection",
            "x-private",
            "keep-alive",
            "te",
            "proxy-authorization",
            "authorization",
            "x-csrf-token",
        ):
            assert name not in headers, name
        assert headers["x-session-token"] == ["the-token"]
        assert headers["x-api-key"] == [bff_settings("").bff_api_key]
        assert headers["x-client-ip"] == ["127.0.0.1"]
        assert headers["host"] == ["core.internal"]
        assert headers["accept-language"] == ["en"]
        assert headers["x-request-id"] == response.headers.get_list("x-request-id")

    async def test_hop_by_hop_and_cookies_from_the_core_are_stripped(
        self, echo: tuple[httpx.AsyncClient, Any]
    ) -> None:
        client, app = echo
        response = await client.get("/api/anything")
        for name in ("connection", "x-hop", "keep-alive", "proxy-authenticate", "upgrade"):
            assert name not in response.headers, name
        assert "set-cookie" not in response.headers
        assert response.headers["x-upstream"] == "yes"
        # The BFF's client kept nothing either: no jar shared between users.
        assert not app.state.upstream.client.cookies
        again = await client.get("/api/anything")
        assert "cookie" not in sent_headers(again)

    async def test_bodies_stream_both_ways(self, echo: tuple[httpx.AsyncClient, Any]) -> None:
        client, _ = echo

        async def upload() -> AsyncIterator[bytes]:
            for part in (b'{"a": ', b"1}"):
                yield part

        response = await client.post(
            "/api/things", content=upload(), headers={"x-csrf-token": csrf_for("the-token")}
        )
        assert response.json()["body"] == '{"a": 1}'
        assert "chunked" in sent_headers(response)["transfer-encoding"]

        sized = await client.patch(
            "/api/things/1", json={"b": 2}, headers={"x-csrf-token": csrf_for("the-token")}
        )
        assert sent_headers(sized)["content-length"] == [str(len(sized.json()["body"]))]
        assert sized.json()["method"] == "PATCH"

        big = await client.get("/api/big")
        assert len(big.content) == 1_000_000
        assert big.content.startswith(b"A" * 10_000)


def csrf_for(token: str) -> str:
    return csrf_token(bff_settings("").bff_secret, token)


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_core() -> Iterator[str]:
    """A socket that accepts connections into its backlog but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


class TestCoreFailures:
    async def test_core_down_is_a_fast_503(self, make_bff: BffFactory, closed_port: int) -> None:
        async with make_bff(core_url=f"http://127.0.0.1:{closed_port}") as client:
            client.cookies.set(COOKIE, "some-token")
            started = time.monotonic()
            response = await client.get("/api/me")
            assert time.monotonic() - started < 2
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"].endswith("core-unavailable")
            login = await client.post(
                "/api/auth/login", json={"tenant": "t", "email": "e@x.io", "password": "p"}
            )
            assert login.status_code == 503
            assert (await client.get("/readyz")).status_code == 503
            assert (await client.get("/healthz")).status_code == 200

    async def test_no_cookie_is_401_without_calling_the_core(
        self, make_bff: BffFactory, closed_port: int
    ) -> None:
        async with make_bff(core_url=f"http://127.0.0.1:{closed_port}") as client:
            response = await client.get("/api/users")
            assert response.status_code == 401

    async def test_slow_core_is_a_504(self, make_bff: BffFactory, silent_core: str) -> None:
        async with make_bff(core_url=silent_core, upstream_read_timeout=0.3) as client:
            client.cookies.set(COOKIE, "some-token")
            response = await client.get("/api/me")
            assert response.status_code == 504
            assert response.json()["type"].endswith("core-timeout")


class TestHealth:
    async def test_healthz_and_readyz(self, bff: httpx.AsyncClient) -> None:
        assert (await bff.get("/healthz")).json() == {"status": "ok"}
        assert (await bff.get("/readyz")).json() == {"status": "ok"}


class TestCorePath:
    def test_maps_api_paths_under_v1(self) -> None:
        assert core_path("users/1") == "/v1/users/1"
        assert core_path("users/a?b#c") == "/v1/users/a%3Fb%23c"

    @pytest.mark.parametrize("path", ["auth/sessions", "users/../../healthz", "./me"])
    def test_refuses_login_and_dot_segments(self, path: str) -> None:
        with pytest.raises(NoSuchEndpoint):
            core_path(path)


class TestPublicRelays:
    @pytest.mark.parametrize(
        ("path", "core"),
        [
            ("/api/invites/accept", "/v1/invites/accept"),
            ("/api/password-setup", "/v1/auth/password-setup"),
        ],
    )
    async def test_is_relayed_without_a_session(
        self, bff: httpx.AsyncClient, path: str, core: str
    ) -> None:
        response = await bff.post(path, json={"token": "not-a-token", "password": PASSWORD})
        assert response.headers["content-type"] == "application/problem+json"
        assert response.status_code not in (401, 403), response.text
        assert response.json()["instance"] == path  # what the browser called, not `core`


class TestRelayedProblemsNameTheClientsPath:
    """A problem from the core names `/v1/...` as its `instance`; the browser called
    `/api/...`, and that is what the relayed problem says. Nothing else changes."""

    async def test_a_404_and_a_422_from_the_real_core(
        self, admin: Browser, core_http: httpx.AsyncClient, tenant: TenantCtx
    ) -> None:
        path = "/users/00000000-0000-0000-0000-000000000000"
        relayed = await admin.client.get("/api" + path)
        direct = await core_http.get("/v1" + path, headers=tenant.admin)
        assert relayed.status_code == direct.status_code == 404
        assert relayed.headers["content-type"] == "application/problem+json"
        assert relayed.headers["content-length"] == str(len(relayed.content))
        assert direct.json()["instance"] == "/v1" + path
        assert relayed.json() == {**direct.json(), "instance": "/api" + path}

        invalid = await admin.client.post("/api/roles", json={"name": 5}, headers=admin.unsafe())
        assert invalid.status_code == 422
        assert invalid.json()["instance"] == "/api/roles"
        assert invalid.json()["errors"]

    async def test_a_failed_login_names_the_login_path(
        self, bff: httpx.AsyncClient, tenant: TenantCtx
    ) -> None:
        refused = await bff.post(
            "/api/auth/login",
            json={"tenant": tenant.slug, "email": tenant.admin_email, "password": "wrong"},
        )
        assert refused.status_code == 401
        assert refused.json()["instance"] == "/api/auth/login"

    @pytest.fixture
    async def fake_core(self) -> AsyncIterator[httpx.AsyncClient]:
        def problem(status: int, **extra: object) -> dict[str, object]:
            return {
                "type": "https://vetra.dev/problems/x",
                "title": "X",
                "status": status,
                "detail": "Ünïcode stays",
                "instance": "/v1/x",
                **extra,
            }

        async def answer(request: Request) -> Response:
            kind = request.path_params["kind"]
            if kind == "problem":
                body = problem(409, errors=[{"field": "version", "message": "stale"}])
                return JSONResponse(body, status_code=409, media_type="application/problem+json")
            if kind == "unauthorized":
                return JSONResponse(
                    problem(401), status_code=401, media_type="application/problem+json"
                )
            if kind == "json":  # not a problem: left alone, even with an `instance` member
                return JSONResponse({"instance": "/v1/x"}, status_code=400)
            if kind == "encoded":  # compressed bytes are passed on as they came
                return Response(
                    b"\x1f\x8b-not-json",
                    status_code=400,
                    headers={"content-encoding": "gzip"},
                    media_type="application/problem+json",
                )
            return Response(b"{not json", status_code=400, media_type="application/problem+json")

        core = Starlette(routes=[Route("/v1/{kind}", answer, methods=["GET"])])
        app = create_app(
            bff_settings("http://core.internal"), transport=httpx.ASGITransport(app=core)
        )
        async with running(app) as client:
            client.cookies.set(COOKIE, "the-token")
            yield client

    async def test_only_the_instance_of_a_problem_changes(
        self, fake_core: httpx.AsyncClient
    ) -> None:
        relayed = await fake_core.get("/api/problem")
        assert relayed.status_code == 409
        assert relayed.headers["content-type"] == "application/problem+json"
        assert relayed.headers["content-length"] == str(len(relayed.content))
        assert relayed.json() == {
            "type": "https://vetra.dev/problems/x",
            "title": "X",
            "status": 409,
            "detail": "Ünïcode stays",
            "instance": "/api/problem",
            "errors": [{"field": "version", "message": "stale"}],
        }
        unauthorized = await fake_core.get("/api/unauthorized")
        assert unauthorized.status_code == 401
        assert unauthorized.json()["instance"] == "/api/unauthorized"

    @pytest.mark.parametrize(
        ("kind", "body"),
        [
            ("json", b'{"instance":"/v1/x"}'),
            ("encoded", b"\x1f\x8b-not-json"),
            ("broken", b"{not json"),
        ],
    )
    async def test_other_answers_are_passed_on_as_they_came(
        self, fake_core: httpx.AsyncClient, kind: str, body: bytes
    ) -> None:
        async with fake_core.stream("GET", f"/api/{kind}") as relayed:
            raw = b"".join([chunk async for chunk in relayed.aiter_raw()])
        assert relayed.status_code == 400
        assert raw == body
        assert relayed.headers["content-length"] == str(len(body))


class TestBodyLimits:
    async def test_imports_may_exceed_the_default_limit_other_routes_may_not(
        self, admin: Browser
    ) -> None:
        """The BFF applies the same per-route body limits as the core."""
        roster = "relationship,first_name,last_name,date_of_birth,sex\n" + (
            "PRINCIPAL,A,B,1990-01-01,X\n" * 80_000
        )
        assert len(roster) > 1_048_576
        imported = await admin.client.post(
            "/api/enrollees/import",
            content=roster.encode(),
            headers={**admin.unsafe(), "content-type": "text/csv"},
        )
        assert imported.status_code != 413, imported.text
        too_big = await admin.client.post(
            "/api/users",
            content=b"{" + b" " * 1_100_000 + b"}",
            headers={**admin.unsafe(), "content-type": "application/json"},
        )
        assert too_big.status_code == 413


class TestAnswersReadWhole:
    """Small answers of known length are read whole (no streaming task per response);
    event streams, large and open-ended bodies are streamed."""

    @staticmethod
    def answer(body: bytes, **headers: str) -> httpx.Response:
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))

    async def test_a_small_answer_is_read_whole(self) -> None:
        relayed = await _read_whole(self.answer(b"{}", **{"content-length": "2"}))
        assert relayed is not None
        assert relayed.body == b"{}"

    @pytest.mark.parametrize(
        "headers",
        [{}, {"content-length": str(WHOLE_ANSWER_BYTES + 1)}, {"content-length": "-1"}],
        ids=["open-ended", "large", "nonsense"],
    )
    async def test_others_are_streamed(self, headers: dict[str, str]) -> None:
        assert await _read_whole(self.answer(b"{}", **headers)) is None

    async def test_a_core_gone_mid_answer_is_a_502(self) -> None:
        class Broken(httpx.AsyncByteStream):
            async def __aiter__(self) -> AsyncIterator[bytes]:
                yield b"{"
                raise httpx.ReadError("gone")

        answer = httpx.Response(200, headers={"content-length": "9"}, stream=Broken())
        with pytest.raises(CoreFailed):
            await _read_whole(answer)


async def test_connections_come_from_the_pools_in_turn() -> None:
    pools = _PoolsInTurn(max_connections=20)
    used: list[int] = []

    class Pool(httpx.AsyncBaseTransport):
        def __init__(self, number: int) -> None:
            self.number = number

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            used.append(self.number)
            return httpx.Response(204)

    await pools.aclose()
    pools._turns = itertools.cycle([Pool(n) for n in range(_PoolsInTurn.POOLS)])
    for _ in range(2 * _PoolsInTurn.POOLS):
        await pools.handle_async_request(httpx.Request("GET", "http://core.internal/"))
    assert used == list(range(_PoolsInTurn.POOLS)) * 2
