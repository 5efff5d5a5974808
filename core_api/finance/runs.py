"""A run's life, settlement and capitation runs alike: DRAFT → APPROVED → PAID, or
CANCELLED before it is paid. A move is a compare-and-set on the run's version (every move
bumps it), audited as `settlement_run.<status>` or `capitation_run.<status>`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.errors import Conflict
from core_api.kit.versioning import compare_and_set
from core_api.models.finance import CapitationRun, RunStatus, SettlementRun

R = RunStatus
ALLOWED: dict[RunStatus, frozenset[RunStatus]] = {
    R.DRAFT: frozenset({R.APPROVED, R.CANCELLED}),
    R.APPROVED: frozenset({R.PAID, R.CANCELLED}),
    R.PAID: frozenset(),
    R.CANCELLED: frozenset(),
}

Run = SettlementRun | CapitationRun


class IllegalRunTransition(Conflict):
    type = "illegal-transition"
    title = "Illegal transition"


def _kind(run: Run) -> str:
    """`settlement_run` or `capitation_run`: the audit's object type and action prefix."""
    return type(run).__tablename__.removesuffix("s")


def check_move(run: Run, to: RunStatus) -> None:
    """409 unless the table allows the run to go to `to` from where it is."""
    if to not in ALLOWED[run.status]:
        raise IllegalRunTransition(
            f"A {_kind(run).replace('_', ' ')} cannot go from {run.status} to {to}.",
            current_status=run.status.value,
        )


async def move(
    db: AsyncSession,
    actor: Actor,
    run: Run,
    to: RunStatus,
    details: dict[str, Any] | None = None,
    **values: Any,
) -> None:
    """Moves the run to `to`, setting `values` too: of two concurrent moves one wins, the
    other gets 409 and changes nothing. The audit entry carries the run's number, the
    status it left and its total, plus `details`. `run` is refreshed."""
    check_move(run, to)
    left = run.status
    await compare_and_set(db, type(run), run.id, run.version, {"status": to, **values})
    kind = _kind(run)
    await audit.record(
        db,
        actor,
        f"{kind}.{to.value.lower()}",
        kind,
        run.id,
        details={"number": run.number, "from": left.value, "total": run.total, **(details or {})},
    )
