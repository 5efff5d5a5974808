"""Answers serialized once, for the hot read routes, and what a route answers besides JSON."""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import BaseModel


def serialized(answer: BaseModel) -> Response:
    """`answer` as JSON, as it stands. A route returning a model has FastAPI validate it
    again against `response_model` before serializing, which on a page of fifty entries
    costs more than building them; the route keeps `response_model` for its docs."""
    return Response(answer.model_dump_json(), media_type="application/json")


def also_as(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route whose `?format=` also answers as text (`text/csv`,
    `text/html`): its 200 declares each beside the JSON of its `response_model`, so clients
    and the fuzzing stage expect them."""
    return {200: {"content": {media: {"schema": {"type": "string"}} for media in media_types}}}


def a_file(media_types: frozenset[str]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route answering a stored file: its 200 is one of
    `media_types`, as bytes (the route also sets `response_class=Response`, so no JSON is
    declared)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"content": {media: binary for media in sorted(media_types)}}}
