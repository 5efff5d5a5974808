"""The one shape every report answers, made to be drawn as it comes.

- `kpis`: headline figures, each with its value for the period before (`previous`);
- `trend`: one point per month of the period, each series a key of the point (a line or
  bar chart's `data` and `series` as they are);
- `breakdown`: one or more groupings (by client, by rule …), each a list of items with a
  `label` and a value per series (a bar or pie chart);
- `rows`: the report's table, keyset-paged and sortable by any column, and streamed whole
  as CSV with `?format=csv`.

Money is in minor units of `currency`; `ratio` values are fractions (0.72 is 72 %);
`rate` values are decimal figures per a base their label names (claims per 1,000 members
per month); `days` values are decimal days.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from pydantic import BaseModel, Field

Value = int | float | str | date | None


class Unit(enum.StrEnum):
    COUNT = "count"
    MONEY = "money"
    RATIO = "ratio"
    RATE = "rate"
    DAYS = "days"
    TEXT = "text"
    MONTH = "month"
    DATE = "date"


class Kpi(BaseModel):
    key: str
    label: str
    unit: Unit
    value: int | float | None = Field(description="null when it cannot be computed (÷ 0).")
    previous: int | float | None = Field(description="The same figure for the period before.")


class Series(BaseModel):
    key: str = Field(description="The key each point or item carries this series' value under.")
    label: str
    unit: Unit


class Trend(BaseModel):
    series: list[Series]
    points: list[dict[str, Value]] = Field(
        description="One per month of the period, oldest first: `month` (YYYY-MM) and a "
        "value per series."
    )


class Breakdown(BaseModel):
    key: str
    label: str
    series: list[Series]
    items: list[dict[str, Value]] = Field(
        description="`key` (an id or a code), `label`, and a value per series."
    )


class Column(BaseModel):
    key: str
    label: str
    unit: Unit


class Rows(BaseModel):
    columns: list[Column]
    sort: str = Field(description="The order served: a column key, `-` first when descending.")
    items: list[dict[str, Value]]
    next_cursor: str | None


class PeriodRead(BaseModel):
    from_: date = Field(alias="from")
    to: date

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class ReportRead(BaseModel):
    name: str
    title: str
    period: PeriodRead
    previous_period: PeriodRead
    currency: str
    filters: dict[str, str] = Field(description="The filters applied, as given.")
    as_of: datetime = Field(description="When the figures were read.")
    kpis: list[Kpi]
    trend: Trend
    breakdown: list[Breakdown]
    rows: Rows


class ReportFilterRead(BaseModel):
    name: str
    values: list[str] | None = Field(description="The values it takes, when only some; else any.")


class ReportEntryRead(BaseModel):
    name: str
    title: str
    summary: str
    filters: list[ReportFilterRead] = Field(description="The filters this report takes")
