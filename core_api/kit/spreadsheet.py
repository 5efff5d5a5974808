"""The cells of the CSV files Vetra writes, safe to open in a spreadsheet."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: T) -> T | str:
    """Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` … first), quoted with
    `'` so it shows as text; anything else as it is. Someone outside the HMO (a provider,
    a member) wrote some of what Vetra exports."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
