"""Money: integer minor units with a currency, formatted for people (problem details)."""

from __future__ import annotations

import pytest

from shared.money import Money


def test_formats_minor_units() -> None:
    assert Money(50_000_000).format() == "NGN 500,000.00"
    assert Money(-5, "USD").format() == "-USD 0.05"


def test_adds_within_one_currency_only() -> None:
    assert Money(150) + Money(50) == Money(200)
    with pytest.raises(ValueError, match="cannot combine"):
        Money(1) + Money(1, "USD")


@pytest.mark.parametrize(("amount", "currency"), [(1.5, "NGN"), (True, "NGN"), (1, "ngn")])
def test_refuses_floats_and_bad_codes(amount: object, currency: str) -> None:
    with pytest.raises((TypeError, ValueError)):
        Money(amount, currency)  # type: ignore[arg-type]
