"""Answers serialized once, for the hot read routes."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def serialized(answer: BaseModel) -> Response:
    """`answer` as JSON, as it stands. A route returning a model has FastAPI validate it
    again against `response_model` before serializing, which on a page of fifty entries
    costs more than building them; the route keeps `response_model` for its docs."""
    return Response(answer.model_dump_json(), media_type="application/json")
