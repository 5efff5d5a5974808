"""`DirectRoute` (eligibility's route class) answers bad input as FastAPI would, after the
caller is known, and refuses at import an endpoint it could not answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, Request, Response
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


@pytest.mark.parametrize("content", [b"", b"[]", b'"text"'])
async def test_a_body_that_is_not_an_object_is_refused(
    core: httpx.AsyncClient, content: bytes
) -> None:
    tenant = await make_tenant(core)
    response = await core.post("/v1/eligibility", content=content, headers=tenant.admin)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"


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
