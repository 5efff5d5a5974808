"""Keyset (cursor) pagination: the cursor is the opaque sort key of the last item served.

One `Keyset` serves every list. It names the sort key, column by column, each with the
type its cursor part must have and its direction. It reads a cursor back (checking its
shape and the type of each part: anything malformed is a 422 on `cursor`, never a
query), orders the query, adds the row comparison "after the cursor", and makes the next
cursor from the last row served. `newest_first(Model.id)` is the common one: by
time-ordered id, descending.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_, tuple_

from core_api.errors import Invalid

T = TypeVar("T")
SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])
MAX_LIMIT = 200
INT64 = 2**63

#: What one part of a cursor may be.
CursorPart = uuid.UUID | datetime | date | int | float | str
PartKind = type[uuid.UUID] | type[datetime] | type[date] | type[int] | type[float] | type[str]


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
    cursor: Annotated[
        str | None,
        Query(max_length=512, description="`next_cursor` of the previous page, as given."),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


class InvalidCursor(Invalid):
    def __init__(self) -> None:
        super().__init__("cursor", "The cursor is not valid: pass `next_cursor` as given.")


# --- one part of a cursor --------------------------------------------------------------------


def _encode_part(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise TypeError(f"a cursor part cannot be a {type(value).__name__}")


def _decode_part(raw: object, kind: PartKind) -> CursorPart:
    """`raw` as read from the cursor's JSON, checked to be a `kind` (InvalidCursor if not)."""
    if kind is int:
        if type(raw) is int and -INT64 <= raw < INT64:
            return raw
        raise InvalidCursor()
    if kind is float:
        if isinstance(raw, float) and math.isfinite(raw):
            return raw
        if type(raw) is int and -INT64 <= raw < INT64:
            return float(raw)
        raise InvalidCursor()
    if not isinstance(raw, str):
        raise InvalidCursor()
    try:
        if kind is str:
            if "\x00" in raw:
                raise ValueError("NUL")
            raw.encode()  # a lone surrogate cannot reach the database
            return raw
        if kind is uuid.UUID:
            return uuid.UUID(raw)
        if kind is datetime:
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                raise ValueError("naive")
            return moment.astimezone(UTC)
        if kind is date:
            return date.fromisoformat(raw)
    except (ValueError, OverflowError, UnicodeError) as exc:
        raise InvalidCursor() from exc
    raise TypeError(f"no cursor part of kind {kind!r}")


def encode_cursor(key: Sequence[object]) -> str:
    """The opaque cursor of a sort key (ids and times as strings, integers as numbers)."""
    text = json.dumps([_encode_part(value) for value in key], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode_list(cursor: str) -> list[Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, binascii.Error, RecursionError) as exc:  # UnicodeError is a ValueError
        raise InvalidCursor() from exc
    if not isinstance(value, list):
        raise InvalidCursor()
    return value


# --- the sort key --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class By:
    """One column of a sort key: the type its cursor part has, and its direction.

    `attr` is where a served row carries the value (the column's own name by default).
    """

    column: ColumnElement[Any] | Any  # a mapped attribute or a column expression
    kind: PartKind
    descending: bool = False
    attr: str | None = None

    @property
    def name(self) -> str:
        return self.attr or str(self.column.key)


class Keyset:
    """A sort key for keyset pages: `Keyset(By(Claim.queue_score, int, descending=True),
    By(Claim.id, uuid.UUID, descending=True))`. The last part should be unique."""

    def __init__(self, *by: By) -> None:
        if not by:
            raise ValueError("a keyset needs at least one column")
        self.by = by

    def decode(self, cursor: str | None) -> tuple[CursorPart, ...] | None:
        """The sort key a cursor names, each part of its declared type; None without one."""
        if cursor is None:
            return None
        parts = _decode_list(cursor)
        if len(parts) != len(self.by):
            raise InvalidCursor()
        return tuple(_decode_part(raw, by.kind) for raw, by in zip(parts, self.by, strict=True))

    def after(self, key: Sequence[CursorPart]) -> ColumnElement[bool]:
        """Rows that come after `key` in this order: one row comparison when every
        column runs the same way (it uses a matching index), else the expanded form."""
        columns = [by.column for by in self.by]
        if len({by.descending for by in self.by}) == 1:
            descending = self.by[0].descending
            if len(columns) == 1:
                return columns[0] < key[0] if descending else columns[0] > key[0]
            row, bound = tuple_(*columns), tuple_(*key)
            return row < bound if descending else row > bound
        alternatives = []
        for i, by in enumerate(self.by):
            beyond = by.column < key[i] if by.descending else by.column > key[i]
            alternatives.append(and_(*(self.by[j].column == key[j] for j in range(i)), beyond))
        return or_(*alternatives)

    def order_by(self) -> list[ColumnElement[Any]]:
        return [by.column.desc() if by.descending else by.column.asc() for by in self.by]

    def apply(self, query: SelectT, page: PageParams) -> SelectT:
        """The page of `query` after the cursor, in this order, with one row more than
        the limit (for `page()` to tell whether another page follows)."""
        key = self.decode(page.cursor)
        if key is not None:
            query = query.where(self.after(key))
        return query.order_by(*self.order_by()).limit(page.limit + 1)

    def key_of(self, row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, by.name) for by in self.by)

    def page(
        self, rows: Sequence[T], limit: int, key: Callable[[T], Sequence[object]] | None = None
    ) -> tuple[list[T], str | None]:
        """`rows` were fetched by `apply` (limit + 1): the page and its `next_cursor`."""
        return next_cursor(list(rows), limit, key or self.key_of)


def next_cursor(
    rows: list[T], limit: int, key: Callable[[T], Sequence[object]]
) -> tuple[list[T], str | None]:
    """`rows` were fetched with `limit + 1`; trims the extra row and makes the cursor."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(key(page[-1]))


def newest_first(id_column: Any) -> Keyset:
    """The common order: by time-ordered id, newest first (the cursor is `[id]`)."""
    return Keyset(By(id_column, uuid.UUID, descending=True))


def single_page(items: Sequence[T]) -> Page[T]:
    """A list that is whole by nature (a fixed catalog): every item, and no next page."""
    return Page(items=list(items), next_cursor=None)
