"""The period a report covers, the period before it, and its months."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core_api.errors import Invalid
from core_api.kit.fields import FIRST_DAY, LAST_DAY

DEFAULT_MONTHS = 12
MAX_MONTHS = 60
_BOUND = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
BOUND_PATTERN = r"^\d{4}-\d{2}(-\d{2})?$"
BOUND_NOTE = "`YYYY-MM` (the whole month) or `YYYY-MM-DD`."


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first of the month `count` months after `month`'s (before, if negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return add_months(month_start(day), 1) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """Days `first` … `last`, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def whole_months(self) -> bool:
        return self.first.day == 1 and self.last == month_end(self.last)

    def months(self) -> list[date]:
        """The first day of every month the period touches, in order."""
        months, month = [], month_start(self.first)
        while month <= self.last:
            months.append(month)
            month = add_months(month, 1)
        return months

    def previous(self) -> Period:
        """The period of the same length just before: as many whole months when this one
        is whole months, else as many days."""
        if self.whole_months:
            count = len(self.months())
            return Period(add_months(self.first, -count), self.first - timedelta(days=1))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))


def _parse(field: str, raw: str, *, end: bool) -> date:
    found = _BOUND.match(raw)
    if found is None:
        raise Invalid(field, f"Give `{field}` as YYYY-MM or YYYY-MM-DD.")
    year, month, day = found.groups()
    try:
        first = date(int(year), int(month), int(day or 1))
    except ValueError as exc:
        raise Invalid(field, f"`{field}` is not a real date.") from exc
    if not FIRST_DAY <= first <= LAST_DAY:
        raise Invalid(field, f"`{field}` must fall between 1900-01-01 and 2999-12-31.")
    return month_end(first) if end and day is None else first


def report_period(from_: str | None, to: str | None, today: date) -> Period:
    """`from`/`to` as given (either may be left out): by default the last twelve months,
    this one included (up to today)."""
    last = _parse("to", to, end=True) if to is not None else today
    if from_ is not None:
        first = _parse("from", from_, end=False)
    else:
        first = add_months(month_start(last), 1 - DEFAULT_MONTHS)
    if first > last:
        raise Invalid("to", "`to` comes before `from`.")
    if len(Period(first, last).months()) > MAX_MONTHS:
        raise Invalid("from", f"A report covers at most {MAX_MONTHS} months.")
    return Period(first, last)
