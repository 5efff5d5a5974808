"""Keyset (cursor) pagination: the cursor is the opaque sort key of the last item served."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, SQLColumnExpression

from core_api.errors import Invalid

T = TypeVar("T")
SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class PageParams(BaseModel):
    limit: int = 50
    cursor: str | None = None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error) as exc:
        raise Invalid("cursor", "The cursor is not valid.") from exc
    if not isinstance(value, list):
        raise Invalid("cursor", "The cursor is not valid.")
    return value


def cursor_uuid(value: object) -> uuid.UUID:
    """An id read back from a cursor (400 if it is not one)."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Invalid("cursor", "The cursor is not valid.") from exc


def next_cursor(rows: list[T], limit: int, key: Any) -> tuple[list[T], str | None]:
    """`rows` were fetched with `limit + 1`; trims the extra row and makes the cursor."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(key(page[-1]))


def newest_first(
    query: SelectT, id_column: SQLColumnExpression[uuid.UUID], page: PageParams
) -> SelectT:
    """The page of `query` after the cursor, by time-ordered id, newest first; one row more
    than the limit, for `next_cursor` (the cursor is `[str(id)]`)."""
    after = decode_cursor(page.cursor)
    if after:
        if len(after) != 1:
            raise Invalid("cursor", "The cursor is not valid.")
        query = query.where(id_column < cursor_uuid(after[0]))
    return query.order_by(id_column.desc()).limit(page.limit + 1)
