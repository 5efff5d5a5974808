"""Request field types more than one domain reads."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

# A procedure or diagnosis code as sent (CPT, ICD-10, a tariff code).
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]

# A day care could have been given on: benefit periods are computed around it, which the
# years 1 and 9999 would overflow.
ServiceDate = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]
