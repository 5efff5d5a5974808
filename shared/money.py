"""Money is an integer of minor units plus an ISO 4217 currency code. Never a float."""

from __future__ import annotations

from dataclasses import dataclass

MINOR_UNITS_PER_MAJOR = 100


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str = "NGN"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError("currency must be a 3-letter ISO 4217 code")

    def __add__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _check_same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def format(self) -> str:
        major, minor = divmod(abs(self.amount), MINOR_UNITS_PER_MAJOR)
        sign = "-" if self.amount < 0 else ""
        return f"{sign}{self.currency} {major:,}.{minor:02d}"
