/** What the HMO pays Vetra: a fee per claim received, summed into monthly invoices. */
import { Anchor, Stack, Text, TextInput } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { formatDateTime, formatMoney, formatMonth } from "../../../app/format";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { SectionTabs, type Section } from "../../../components/SectionTabs";
import { StatusBadge } from "../../../components/StatusBadge";

type Invoice = Schemas["Invoice"];
type Fee = Schemas["FeeRead"];

const SECTIONS: Section[] = [
  { to: "/hmo/billing", label: "Invoices", permissions: ["billing:read"] },
  { to: "/hmo/billing/fees", label: "Fees", permissions: ["billing:read"] },
];

function invoiceLines(invoice: Invoice): string {
  return invoice.lines
    .map((line) => `${line.claim_count.toLocaleString()} × ${formatMoney(line.unit_amount, invoice.currency)} (${line.tier})`)
    .join(", ");
}

const INVOICE_COLUMNS: Column<Invoice>[] = [
  { key: "month", label: "Month", render: (invoice) => formatMonth(invoice.month) },
  { key: "status", label: "Status", render: (invoice) => <StatusBadge status={invoice.status} /> },
  { key: "claims", label: "Claims received", align: "right", render: (invoice) => invoice.claim_count.toLocaleString() },
  { key: "lines", label: "Fees by tier", render: invoiceLines },
  { key: "total", label: "Total", align: "right", render: (invoice) => <Money minor={invoice.total_amount} currency={invoice.currency} /> },
];

const FEE_COLUMNS: Column<Fee>[] = [
  { key: "claim", label: "Claim", render: (fee) => <Anchor component={Link} to={`/hmo/claims/${fee.claim_id}`}>{fee.claim_number}</Anchor> },
  { key: "tier", label: "Tier", render: (fee) => fee.tier },
  { key: "charged", label: "Charged", render: (fee) => formatDateTime(fee.charged_at) },
  { key: "invoice", label: "Invoice", render: (fee) => formatMonth(fee.invoice_month) },
  { key: "amount", label: "Fee", align: "right", render: (fee) => <Money minor={fee.amount} currency={fee.currency} /> },
];

function BillingFrame({ children }: { children: ReactNode }) {
  return (
    <Stack>
      <PageHeader title="Billing" description="Vetra charges a fee for each claim when it is received; each month's fees make its invoice." />
      <SectionTabs label="Billing" sections={SECTIONS} />
      {children}
    </Stack>
  );
}

/** The month filter, kept in the URL as YYYY-MM. */
function MonthFilter({ value, onChange }: { value: string | undefined; onChange: (month: string | null) => void }) {
  return <TextInput type="month" label="Month" value={value ?? ""} onChange={(event) => onChange(event.currentTarget.value || null)} maw={240} />;
}

export function InvoicesPage() {
  const [filters, setFilters] = useFilters(["month"] as const);
  const invoices = usePages(["billing", "invoices", filters.month], async (cursor) =>
    dataOf(await api.GET("/api/billing/invoices", { params: { query: { month: filters.month, cursor } } })),
  );
  return (
    <BillingFrame>
      <MonthFilter value={filters.month} onChange={(month) => setFilters({ month })} />
      <ProblemAlert error={invoices.error} />
      <DataTable caption="Invoices, newest month first" columns={INVOICE_COLUMNS} rows={invoices.items} rowKey={(invoice) => `${invoice.month}-${invoice.currency}`} empty="No invoice yet." {...invoices.tableProps} />
      <Text size="sm" c="dimmed">The current month's invoice stays open while claims are received; past months are issued.</Text>
    </BillingFrame>
  );
}

export function FeesPage() {
  const [filters, setFilters] = useFilters(["month"] as const);
  const fees = usePages(["billing", "fees", filters.month], async (cursor) =>
    dataOf(await api.GET("/api/billing/fees", { params: { query: { month: filters.month, cursor } } })),
  );
  return (
    <BillingFrame>
      <MonthFilter value={filters.month} onChange={(month) => setFilters({ month })} />
      <ProblemAlert error={fees.error} />
      <DataTable caption="Fees charged, newest first" columns={FEE_COLUMNS} rows={fees.items} rowKey={(fee) => fee.id} empty="No fee charged." {...fees.tableProps} />
    </BillingFrame>
  );
}
