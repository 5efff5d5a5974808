"""A report's table: sorted by any column, keyset-paged, or streamed whole as CSV.

The report's SELECT becomes a subquery; the order is the chosen column (nulls first
ascending, last descending: they sort as the lowest value) and then `row_key`, and the
cursor is the last row's pair, so pages neither skip nor repeat a row."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

from sqlalchemy import Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.errors import Invalid
from core_api.kit.pagination import By, Keyset, PageParams, PartKind
from core_api.kit.spreadsheet import inert
from core_api.reports.base import Report, ReportQuery, plain
from core_api.reports.schemas import Column, Rows, Unit, Value

CSV_BATCH = 2000
_KIND: dict[Unit, PartKind] = {
    Unit.COUNT: int,
    Unit.MONEY: int,
    Unit.RATIO: float,
    Unit.RATE: float,
    Unit.DAYS: float,
    Unit.TEXT: str,
    Unit.MONTH: date,
    Unit.DATE: date,
}
# What a null sorts as: below every value the column can hold.
_LOWEST: dict[Unit, Any] = {
    Unit.COUNT: -(2**62),
    Unit.MONEY: -(2**62),
    Unit.RATIO: float("-1e300"),
    Unit.RATE: float("-1e300"),
    Unit.DAYS: float("-1e300"),
    Unit.TEXT: "",
    Unit.MONTH: date(1, 1, 1),
    Unit.DATE: date(1, 1, 1),
}


class Ordered:
    """A report's rows in the order `sort` names (`-column` for descending)."""

    def __init__(self, report: Report, query: ReportQuery, sort: str | None) -> None:
        sort = sort or report.default_sort
        key = sort.removeprefix("-")
        column = next((c for c in report.columns if c.key == key), None)
        if column is None:
            keys = ", ".join(c.key for c in report.columns)
            raise Invalid("sort", f"`{key}` is not a column of this report (columns: {keys}).")
        self.sort = sort
        self.columns = report.columns
        rows = report.table(query).subquery("report_rows")
        sort_value = func.coalesce(rows.c[key], literal(_LOWEST[column.unit]))
        descending = sort.startswith("-")
        self.keyset = Keyset(
            By(sort_value, _KIND[column.unit], descending, attr="sort_value"),
            By(rows.c.row_key, str, descending, attr="row_key"),
        )
        self.select: Select[Any] = select(rows, sort_value.label("sort_value"))

    def page_query(self, page: PageParams) -> Select[Any]:
        return self.keyset.apply(self.select, page)

    def served(self, row: Any) -> dict[str, Value]:
        return {c.key: _cell(c, getattr(row, c.key)) for c in self.columns}


async def rows_page(db: AsyncSession, ordered: Ordered, page: PageParams) -> Rows:
    fetched = (await db.execute(ordered.page_query(page))).all()
    served, cursor = ordered.keyset.page(fetched, page.limit)
    return Rows(
        columns=list(ordered.columns),
        sort=ordered.sort,
        items=[ordered.served(row) for row in served],
        next_cursor=cursor,
    )


async def csv_lines(transaction: Callable[[], Any], ordered: Ordered) -> AsyncIterator[str]:
    """Every row, a header line first, read in batches each in a transaction of its own
    (`transaction()` opens one in the report's tenant)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.key for c in ordered.columns])
    page = PageParams(limit=CSV_BATCH)
    while True:
        async with transaction() as db:
            fetched = (await db.execute(ordered.page_query(page))).all()
        served, page.cursor = ordered.keyset.page(fetched, CSV_BATCH)
        for row in served:
            writer.writerow([_csv_cell(value) for value in ordered.served(row).values()])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if page.cursor is None:
            return


def _cell(column: Column, value: Any) -> Value:
    if column.unit is Unit.MONTH and isinstance(value, date):
        return value.strftime("%Y-%m")
    return plain(value)


def _csv_cell(value: Value) -> Value:
    return value.isoformat() if isinstance(value, date) else inert(value)
