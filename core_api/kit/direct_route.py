"""A route class for the hottest endpoints, answered without FastAPI's dependency solver.

`APIRouter(route_class=DirectRoute)`: each endpoint is declared like any other, so its
body and answer are in /docs and its access mark is where the route-access test looks,
but it must be a coroutine taking exactly a JSON body model and one caller dependency
that needs only the request (`require_on_connection`), and return a `Response`. Per
request the route enters the caller's dependency itself, validates the body straight
from its bytes and calls the endpoint. FastAPI's dependency solving and body parsing
cost about a third of eligibility's CPU (bench/bench_eligibility.py).

Bad bodies get the answers of FastAPI's routes (400 for malformed JSON, 422 by field, 422
for a missing body or one that is not an object, 415 for a body not sent as JSON). An
endpoint of any other shape, or a router included with dependencies of its own, is refused
with TypeError when the route is built. `app.dependency_overrides` does not reach these routes.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextlib import asynccontextmanager
from inspect import isasyncgenfunction, iscoroutinefunction
from typing import Any

from fastapi import Request, Response, params
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from shared.problems import UnsupportedMediaType, is_json

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class DirectRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        dependant, path = _as_included(self)
        if not iscoroutinefunction(self.endpoint):
            raise TypeError(f"{path}: a DirectRoute endpoint is a coroutine function")
        body_name, body_model = _json_body(dependant, path)
        caller_name, open_caller = _caller(dependant, path)
        endpoint = self.endpoint

        async def handle(request: Request) -> Response:
            raw = await request.body()
            async with open_caller(request) as caller:  # a stranger learns nothing of the body
                body = _validated(body_model, raw, request.headers.get("content-type"))
                response = await endpoint(**{body_name: body, caller_name: caller})
                if not isinstance(response, Response):  # before the transaction commits
                    raise TypeError(f"{path} must return a Response")
            return response

        return handle


def _as_included(route: APIRoute) -> tuple[Dependant, str]:
    """The route's dependant and path as its router was included (prefix and included
    dependencies), which FastAPI puts in force while it builds an included route."""
    context = fastapi_routing._effective_route_context_var.get()
    if context is not None and context.original_route is route:
        return context.dependant, context.path
    return route.dependant, route.path


def _json_body(dependant: Dependant, path: str) -> tuple[str, type[BaseModel]]:
    plain = (dependant.path_params, dependant.query_params, dependant.header_params)
    if any(plain) or dependant.cookie_params or len(dependant.body_params) != 1:
        raise TypeError(f"{path}: a DirectRoute endpoint takes one JSON body model")
    field = dependant.body_params[0]
    info, model = field.field_info, field.field_info.annotation
    if type(info) is not params.Body or getattr(info, "embed", False):
        raise TypeError(f"{path}: the body must be a plain JSON body, not embedded or a form")
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{path}: the body must be a pydantic model")
    return field.name, model


def _caller(dependant: Dependant, path: str) -> tuple[str, Callable[[Request], Any]]:
    """The one dependency, as an async context manager of the request."""
    others = (dependant.request_param_name, dependant.response_param_name)
    if len(dependant.dependencies) != 1 or any(others) or dependant.background_tasks_param_name:
        raise TypeError(f"{path}: a DirectRoute endpoint takes one caller dependency")
    caller = dependant.dependencies[0]
    inputs = (
        caller.body_params,
        caller.dependencies,
        caller.path_params,
        caller.query_params,
        caller.header_params,
        caller.cookie_params,
    )
    if (
        caller.name is None
        or not isasyncgenfunction(caller.call)
        or caller.request_param_name is None
        or any(inputs)
    ):
        raise TypeError(f"{path}: the caller dependency must yield, taking only the request")
    opened = asynccontextmanager(caller.call)
    request_name = caller.request_param_name
    return caller.name, lambda request: opened(**{request_name: request})


def _validated(model: type[BaseModel], raw: bytes, content_type: str | None) -> BaseModel:
    """As FastAPI would answer it (errors located under `body`), and a body sent without a
    JSON content type as the problem handler answers it for FastAPI's routes: 415."""
    if not raw:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing], body=None)
    if not is_json(content_type):
        raise UnsupportedMediaType()
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors, body=raw) from None
