"""A remittance as a statement: one row per line, as CSV or as a printable HTML page.

Both renderings are built from `statement_rows`, so they always list the same lines with
the same amounts. A line is a claim, or an accepted dispute's adjustment (`dispute_id`
set, no claim): an adjustment names its dispute and the claim the disputed line paid.
"`paid`" is the line's amount once the remittance is fully paid, else 0.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core_api.db import as_tenant
from core_api.models import Provider, Tenant
from core_api.models.base import utcnow
from core_api.models.claim import Claim
from core_api.models.finance import (
    Dispute,
    PaymentProof,
    Remittance,
    RemittanceLine,
    RemittanceStatus,
    SettlementRun,
)
from shared.money import Money

CSV_HEADER = [
    "claim_number",
    "member_id",
    "service_date",
    "billed",
    "approved",
    "paid",
    "dispute_number",
]


@dataclass(frozen=True, slots=True)
class StatementRow:
    claim_number: str | None
    member_id: str | None
    service_date: date | None
    billed: int
    approved: int
    paid: int
    dispute_number: str | None  # set on an adjustment line

    @property
    def is_adjustment(self) -> bool:
        return self.dispute_number is not None


@dataclass(frozen=True, slots=True)
class Payment:
    reference: str
    paid_on: date
    amount: int


@dataclass(frozen=True, slots=True)
class Statement:
    remittance_id: uuid.UUID
    hmo_name: str
    provider_name: str
    run_number: str
    period_from: date
    period_to: date
    currency: str
    status: RemittanceStatus
    total: int
    paid_amount: int
    rows: list[StatementRow]
    payments: list[Payment]
    generated_at: datetime

    def money(self, amount: int) -> str:
        return Money(amount, self.currency).format()


async def statement_rows(db: AsyncSession, remittance: Remittance) -> list[StatementRow]:
    """Claims by number, then adjustments by dispute number. Claims, lines and disputes are
    shared with the provider's organisation, so this reads the same for both sides."""
    disputed = aliased(RemittanceLine)
    disputed_claim = aliased(Claim)
    result = await db.execute(
        select(
            func.coalesce(Claim.number, disputed_claim.number),
            func.coalesce(Claim.member_id, disputed_claim.member_id),
            func.coalesce(Claim.service_date, disputed_claim.service_date),
            RemittanceLine.billed,
            RemittanceLine.approved,
            RemittanceLine.amount,
            Dispute.number,
        )
        .select_from(RemittanceLine)
        .outerjoin(Claim, Claim.id == RemittanceLine.claim_id)
        .outerjoin(Dispute, Dispute.id == RemittanceLine.dispute_id)
        .outerjoin(disputed, disputed.id == Dispute.remittance_line_id)
        .outerjoin(disputed_claim, disputed_claim.id == disputed.claim_id)
        .where(RemittanceLine.remittance_id == remittance.id)
        .order_by(
            RemittanceLine.dispute_id.is_not(None),
            Claim.number,
            Dispute.number,
            RemittanceLine.id,
        )
    )
    paid = remittance.status is RemittanceStatus.PAID
    return [
        StatementRow(number, member, served, billed, approved, amount if paid else 0, dispute)
        for number, member, served, billed, approved, amount, dispute in result.all()
    ]


def render_csv(rows: list[StatementRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.claim_number or "",
                row.member_id or "",
                row.service_date.isoformat() if row.service_date else "",
                row.billed,
                row.approved,
                row.paid,
                row.dispute_number or "",
            ]
        )
    return out.getvalue()


async def statement(db: AsyncSession, remittance: Remittance) -> Statement:
    """Everything the printable page shows. The run is the HMO's row (a provider's
    transaction cannot see it), so it is read in the HMO's scope; access to the remittance
    was checked by the caller."""
    async with as_tenant(db, remittance.tenant_id):
        run = await db.get(SettlementRun, remittance.run_id)
    assert run is not None
    hmo_name = await db.scalar(select(Tenant.name).where(Tenant.id == remittance.tenant_id))
    provider_name = await db.scalar(
        select(Provider.name).where(Provider.id == remittance.provider_id)
    )
    proofs = await db.scalars(
        select(PaymentProof)
        .where(PaymentProof.remittance_id == remittance.id)
        .order_by(PaymentProof.created_at)
    )
    return Statement(
        remittance_id=remittance.id,
        hmo_name=hmo_name or "",
        provider_name=provider_name or "",
        run_number=run.number,
        period_from=run.period_from,
        period_to=run.period_to,
        currency=run.currency,
        status=remittance.status,
        total=remittance.total,
        paid_amount=remittance.paid_amount,
        rows=await statement_rows(db, remittance),
        payments=[Payment(p.reference, p.paid_on, p.amount) for p in proofs],
        generated_at=utcnow(),
    )


PRINT_CSS = """
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #111; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
header { display: flex; justify-content: space-between; align-items: flex-start;
  border-bottom: 2px solid #111; padding-bottom: .75rem; margin-bottom: 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: .15rem 1rem; margin: 0; }
dt { color: #555; } dd { margin: 0; font-weight: 600; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid #ccc; text-align: left; }
th { background: #f2f2f2; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.adjustment td { font-style: italic; }
tfoot td { font-weight: 700; border-top: 2px solid #111; border-bottom: none; }
footer { margin-top: 2rem; color: #555; font-size: 9pt; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr { page-break-inside: avoid; }
}
"""


def _cell(value: object, numeric: bool = False) -> str:
    css = ' class="num"' if numeric else ""
    return f"<td{css}>{escape(str(value))}</td>"


def _row_html(s: Statement, row: StatementRow) -> str:
    if row.is_adjustment:
        label = f"Adjustment: dispute {row.dispute_number}"
        if row.claim_number:
            label += f" (claim {row.claim_number})"
        css = ' class="adjustment"'
    else:
        label, css = row.claim_number or "", ""
    return (
        f"<tr{css}>"
        + _cell(label)
        + _cell(row.member_id or "")
        + _cell(row.service_date.isoformat() if row.service_date else "")
        + _cell(s.money(row.billed), True)
        + _cell(s.money(row.approved), True)
        + _cell(s.money(row.paid), True)
        + "</tr>"
    )


def render_html(s: Statement) -> str:
    """A self-contained page (inline CSS, no scripts or external resources); every value
    from the database is HTML-escaped."""
    title = f"Remittance advice {s.run_number}: {s.provider_name}"
    lines = "\n".join(_row_html(s, row) for row in s.rows) or (
        '<tr><td colspan="6">No lines.</td></tr>'
    )
    totals = (
        '<tr><td colspan="3">Total</td>'
        + _cell(s.money(sum(r.billed for r in s.rows)), True)
        + _cell(s.money(sum(r.approved for r in s.rows)), True)
        + _cell(s.money(sum(r.paid for r in s.rows)), True)
        + "</tr>"
    )
    payments = "\n".join(
        "<tr>"
        + _cell(p.reference)
        + _cell(p.paid_on.isoformat())
        + _cell(s.money(p.amount), True)
        + "</tr>"
        for p in s.payments
    )
    payment_table = (
        "<table><thead><tr><th>Reference</th><th>Paid on</th>"
        f'<th class="num">Amount</th></tr></thead><tbody>{payments}</tbody></table>'
        if s.payments
        else "<p>No payment recorded yet.</p>"
    )
    facts = [
        ("Payer", s.hmo_name),
        ("Provider", s.provider_name),
        ("Settlement run", s.run_number),
        ("Period", f"{s.period_from.isoformat()} to {s.period_to.isoformat()}"),
        ("Status", s.status.value),
        ("Remittance total", s.money(s.total)),
        ("Paid so far", s.money(s.paid_amount)),
    ]
    details = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    generated = escape(s.generated_at.strftime("%Y-%m-%d %H:%M UTC"))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{PRINT_CSS}</style>
</head>
<body>
<header>
<div><h1>Remittance advice</h1><div>{escape(s.hmo_name)}</div></div>
<dl>{details}</dl>
</header>
<h2>Lines</h2>
<table>
<thead><tr><th>Claim</th><th>Member</th><th>Service date</th>
<th class="num">Billed</th><th class="num">Approved</th><th class="num">Paid</th></tr></thead>
<tbody>
{lines}
</tbody>
<tfoot>{totals}</tfoot>
</table>
<h2>Payments</h2>
{payment_table}
<footer>Remittance {escape(str(s.remittance_id))}, generated {generated} by Vetra.</footer>
</body>
</html>
"""
