"""A route class for the hottest endpoints, answered without FastAPI's per-request machinery.

`APIRouter(route_class=DirectRoute)`: each endpoint is declared like any other, so its
body and answer are in /docs and its access mark is where the route-access test looks,
but it must take exactly a JSON body model and one caller dependency that needs only the
request (`require_on_connection`), and return a `Response`. Per request the route enters
the caller's dependency itself, validates the body straight from its bytes and calls the
endpoint. FastAPI's dependency solver, exit stack and body parsing cost about a
third of eligibility's CPU (bench/bench_eligibility.py).

The router must be included without dependencies of its own: the route would not run them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextlib import asynccontextmanager
from inspect import isasyncgenfunction
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class DirectRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        body_name, body_model = _json_body(self.dependant, self.path)
        caller_name, open_caller = _caller(self.dependant, self.path)
        endpoint = self.endpoint

        async def handle(request: Request) -> Response:
            raw = await request.body()
            async with open_caller(request) as caller:  # a stranger learns nothing of the body
                body = _validated(body_model, raw)
                response = await endpoint(**{body_name: body, caller_name: caller})
            if not isinstance(response, Response):
                raise TypeError(f"{self.path} must return a Response")
            return response

        return handle


def _json_body(dependant: Dependant, path: str) -> tuple[str, type[BaseModel]]:
    plain = (dependant.path_params, dependant.query_params, dependant.header_params)
    if any(plain) or dependant.cookie_params or len(dependant.body_params) != 1:
        raise TypeError(f"{path}: a DirectRoute endpoint takes one JSON body model")
    field = dependant.body_params[0]
    model = field.field_info.annotation
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{path}: the body must be a pydantic model")
    return field.name, model


def _caller(dependant: Dependant, path: str) -> tuple[str, Callable[[Request], Any]]:
    """The one dependency, as an async context manager of the request."""
    if len(dependant.dependencies) != 1 or dependant.request_param_name:
        raise TypeError(f"{path}: a DirectRoute endpoint takes one caller dependency")
    caller = dependant.dependencies[0]
    inputs = (caller.body_params, caller.dependencies, caller.query_params, caller.header_params)
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


def _validated(model: type[BaseModel], raw: bytes) -> BaseModel:
    """As FastAPI would answer it: errors located under `body`."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors, body=raw) from None
