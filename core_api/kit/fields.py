"""Request field types more than one domain reads, and the base of every request body.

Every integer that reaches SQL is bounded to its column (`Version`, `Int32`, `EventId`), so
an out-of-range number is a 422 rather than a driver error; every amount is bounded so
that no sum a client adds up leaves the integers a browser's number holds exactly (2^53);
every body refuses NUL characters, which PostgreSQL cannot store in text or JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shared.problems import NUL_MESSAGE, field_error

INT32_MAX = 2**31 - 1  # INTEGER columns
INT64_MAX = 2**63 - 1  # BIGINT columns

# --- text ----------------------------------------------------------------------------

NUL = "\x00"


def _holds_nul(value: object) -> bool:
    """NUL in a string, or anywhere in a free-form JSON value (keys included)."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_nul(v) for v in value)
    return False  # numbers, dates, enums, UUIDs; nested bodies check themselves


def refuse_nul(value: Any) -> Any:
    if _holds_nul(value):
        raise PydanticCustomError("nul_character", NUL_MESSAGE)
    return value


class Input(BaseModel):
    """The base of every request body: no field, however deeply its JSON nests, holds a NUL
    character (PostgreSQL stores none in text or JSON); the error names the field."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class Patch(Input):
    """The base of a partial update: a field left out keeps its value, and `null` empties
    only the fields named in `clearable` (columns that may be empty); on any other field
    `null` is a 422 on that field rather than an attempt to store nothing there."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _null_only_where_clearable(self) -> Self:
        for name in sorted(self.model_fields_set - self.clearable):
            if getattr(self, name) is None:
                raise field_error(name, "This field cannot be emptied; leave it out to keep it.")
        return self


# Text for fields outside a request body (a form field): the same rule.
Text = Annotated[str, AfterValidator(refuse_nul)]

# A procedure or diagnosis code as sent (CPT, ICD-10, a tariff code).
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]

# --- integers that reach SQL -----------------------------------------------------------

Version = Annotated[
    int,
    Field(ge=1, le=INT64_MAX, description="The version read (optimistic concurrency); stale: 409."),
]
PositiveInt32 = Annotated[int, Field(ge=1, le=INT32_MAX)]
EventId = Annotated[int, Field(ge=0, le=INT64_MAX)]

# --- money -----------------------------------------------------------------------------

# Far above anything an HMO bills (10^12 kobo is ₦10 billion a line or a price, 10^13 ₦100
# billion a total: a claim's, or a payment against a remittance of many claims), and far
# enough below 2^53 that sums over many of them stay exact in a browser.
MAX_AMOUNT = 10**12
MAX_TOTAL = 10**13
MAX_QUANTITY = 10_000
_MINOR = "Minor units (kobo for NGN)"

Amount = Annotated[
    int, Field(ge=0, le=MAX_AMOUNT, description=f"{_MINOR}, 0 to 10^12 (1,000,000,000,000).")
]
PositiveAmount = Annotated[
    int, Field(gt=0, le=MAX_AMOUNT, description=f"{_MINOR}, 1 to 10^12 (1,000,000,000,000).")
]
# A total (a claim's, a payment's): at most MAX_TOTAL.
PositiveTotal = Annotated[
    int, Field(gt=0, le=MAX_TOTAL, description=f"{_MINOR}, 1 to 10^13 (10,000,000,000,000).")
]
Quantity = Annotated[int, Field(gt=0, le=MAX_QUANTITY, description="1 to 10,000.")]


def amount_note(text: str, *, positive: bool = False) -> str:
    """A field's own description with the amount bound said, for fields that describe
    themselves (their description replaces the type's)."""
    low = 1 if positive else 0
    return f"{text} {_MINOR}, {low} to 10^12 (1,000,000,000,000)."


# --- dates -----------------------------------------------------------------------------

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)

# Any day a request names (a service date, a period's ends, a filter's bounds): benefit
# periods are computed around a service date, which the years 1 and 9999 would overflow.
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
ServiceDate = Day


def _not_after_today(what: str) -> Callable[[date], date]:
    """A check that a date is not in the future; `what` names it in the error."""

    def check(value: date) -> date:
        if value > date.today():
            raise PydanticCustomError("future_date", f"The {what} is in the future.")
        return value

    return check


_UP_TO_TODAY = Field(ge=FIRST_DAY, description="From 1900-01-01 to today.")
BirthDate = Annotated[date, _UP_TO_TODAY, AfterValidator(_not_after_today("date of birth"))]
# The day a payment was made: a transfer already done, so not after today.
PaymentDate = Annotated[date, _UP_TO_TODAY, AfterValidator(_not_after_today("payment date"))]

_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def first_of_month(value: object) -> date:
    """`YYYY-MM`, or a date that is the first of its month (`YYYY-MM-01`), years 1900 to 2999."""
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        found = _MONTH.match(value) if isinstance(value, str) else None
        if found is None:
            raise PydanticCustomError("month_format", "Give the month as YYYY-MM.")
        year, month, day_of_month = found.groups()
        try:
            day = date(int(year), int(month), int(day_of_month or 1))
        except ValueError as exc:
            raise PydanticCustomError("month_format", "No such month.") from exc
    if day.day != 1:
        raise PydanticCustomError("month_format", "Give the month as YYYY-MM (or its first day).")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError("month_range", "Give a month from 1900-01 to 2999-12.")
    return day


# A month, as the first day of it.
Month = Annotated[
    date,
    BeforeValidator(first_of_month),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])(-01)?$",
            "description": "`YYYY-MM` (or its first day), 1900-01 to 2999-12.",
            "examples": ["2025-03"],
        }
    ),
]
