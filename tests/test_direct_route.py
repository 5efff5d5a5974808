"""`DirectRoute` (eligibility's route class) answers bad input as FastAPI would, after the
caller is known, and refuses, when the route is built, an endpoint it could not answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi import Body as FastApiBody
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel

from core_api.kit.direct_route import DirectRoute
from core_api.main import create_app
from tests.factories import make_tenant
from tests.test_problems import assert_problem


class Body(BaseModel):
    name: str


async def caller(request: Request) -> AsyncIterator[str]:
    yield "someone"


async def plain_caller(request: Request) -> str:
    return "someone"


Caller = Annotated[str, Depends(caller)]


async def test_malformed_json_is_400(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    response = await core.post(
        "/v1/eligibility",
        content=b'{"member_id": ',
        headers={**tenant.admin, "content-type": "application/json"},
    )
    assert str(assert_problem(response, 400)["type"]).endswith("/malformed-json")


async def test_field_errors_are_422_by_field(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    body = {"member_id": f"{tenant.code}-ACME-00001-P", "provider_id": "nope"}
    response = await core.post("/v1/eligibility", json=body, headers=tenant.admin)
    problem = assert_problem(response, 422)
    assert {e["field"] for e in problem["errors"]} == {"service_date", "provider_id"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"", "application/json", 422),  # no body: missing
        (b"[]", "application/json", 422),
        (b'"text"', "application/json; charset=utf-8", 422),
        (b'{"member_id": "X-Y-00001-P", "service_date": "2026-01-05"}', "text/plain", 415),
        (b'{"member_id": "X-Y-00001-P", "service_date": "2026-01-05"}', None, 415),
        (b"member_id=X-Y-00001-P", "application/x-www-form-urlencoded", 415),
    ],
    ids=["empty", "array", "string", "text-plain", "no-content-type", "form"],
)
async def test_a_body_that_is_not_a_json_object_is_refused(
    core: httpx.AsyncClient, content: bytes, content_type: str | None, status: int
) -> None:
    tenant = await make_tenant(core)
    headers = {**tenant.admin, **({"content-type": content_type} if content_type else {})}
    response = await core.post("/v1/eligibility", content=content, headers=headers)
    problem = assert_problem(response, status)
    assert [e["field"] for e in problem["errors"]] == ["body"]  # type: ignore[attr-defined]
    # a route FastAPI answers says the same
    answered = assert_problem(
        await core.post("/v1/clients", content=content, headers=headers), status
    )
    assert answered["type"] == problem["type"]
    assert [e["field"] for e in answered["errors"]] == ["body"]  # type: ignore[attr-defined]


async def test_a_json_media_type_with_a_suffix_is_json(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    body = b'{"member_id": "%s-ACME-99999-P", "service_date": "2026-01-05"}' % tenant.code.encode()
    headers = {**tenant.admin, "content-type": "application/vnd.vetra+json"}
    response = await core.post("/v1/eligibility", content=body, headers=headers)
    assert_problem(response, 404)  # read and checked: no such member


async def test_a_stranger_gets_401_whatever_the_body(core: httpx.AsyncClient) -> None:
    for headers in ({}, {"x-api-key": "vk_nope.nope"}):
        response = await core.post("/v1/eligibility", content=b"{", headers=headers)
        assert_problem(response, 401)


def test_the_docs_still_show_the_body_and_the_answer() -> None:
    operation = create_app().openapi()["paths"]["/v1/eligibility"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/EligibilityCheck")
    assert answer["$ref"].endswith("/EligibilityRead")


def test_an_endpoint_with_other_inputs_is_refused_at_import() -> None:
    router = APIRouter(route_class=DirectRoute)
    with pytest.raises(TypeError, match="one JSON body model"):

        @router.post("/with-query")
        async def with_query(limit: int, body: Body, who: Caller) -> Response:
            return Response()

    with pytest.raises(TypeError, match="must yield"):

        @router.post("/plain-caller")
        async def plain(body: Body, who: Annotated[str, Depends(plain_caller)]) -> Response:
            return Response()

    with pytest.raises(TypeError, match="one caller dependency"):

        @router.post("/no-caller")
        async def anyone(body: Body) -> Response:
            return Response()

    with pytest.raises(TypeError, match="not embedded"):

        @router.post("/embedded")
        async def embedded(body: Annotated[Body, FastApiBody(embed=True)], who: Caller) -> Response:
            return Response()

    with pytest.raises(TypeError, match="coroutine"):

        @router.post("/sync")
        def sync(body: Body, who: Caller) -> Response:
            return Response()


async def test_a_router_included_with_dependencies_of_its_own_is_refused() -> None:
    """They would not run: refused as the included route is built, not skipped."""
    router = APIRouter(route_class=DirectRoute)

    @router.post("/direct")
    async def direct(body: Body, who: Caller) -> Response:
        return Response()

    app = FastAPI()
    app.include_router(router, prefix="/v1", dependencies=[Depends(plain_caller)])
    with pytest.raises(TypeError, match="/v1/direct"):
        list(iter_route_contexts(app.routes))
