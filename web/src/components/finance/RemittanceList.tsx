/** The remittances a portal sees, newest first, by status (in the URL), and by HMO where
 * the portal offers that filter (the provider's, paid by several HMOs). */
import { Group, Stack } from "@mantine/core";
import type { ComponentType, ReactNode } from "react";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../api/client";
import { usePages } from "../../api/pages";
import type { Schemas } from "../../api/types";
import { useFilters } from "../../app/filters";
import { formatDateTime } from "../../app/format";
import { DataTable, type Column } from "../DataTable";
import { Money } from "../Money";
import { PageHeader } from "../PageHeader";
import { ProblemAlert } from "../ProblemAlert";
import { StatusBadge } from "../StatusBadge";
import { StatusFilter } from "../StatusFilter";

type RemittanceStatus = Schemas["RemittanceStatus"];
const STATUSES: RemittanceStatus[] = ["PENDING", "PAID", "CANCELLED"];

type Row = Schemas["RemittanceSummary"];

/** The other side (the HMO that pays, the provider paid) first, then the run and the money. */
function columnsWith(party: Column<Row>, runLabel: string): Column<Row>[] {
  return [
    party,
    { key: "run", label: runLabel, render: (row) => row.run_number },
    { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
    { key: "total", label: "Total", align: "right", render: (row) => <Money minor={row.total} currency={row.currency} /> },
    { key: "paid", label: "Paid", align: "right", render: (row) => <Money minor={row.paid_amount} currency={row.currency} /> },
    { key: "created", label: "Created", render: (row) => formatDateTime(row.created_at) },
  ];
}

type FilterProps = { value: string | undefined; onChange: (value: string | undefined) => void };

/** `party` is the column naming the other side, `runLabel` the run's; `HmoFilter`, when
 * given, adds the `hmo` filter (in the URL) beside the status. */
export function RemittanceList({ description, tabs, party, runLabel, empty, remittancePath, HmoFilter }: {
  description: string;
  tabs: ReactNode;
  party: Column<Row>;
  runLabel: string;
  empty: string;
  remittancePath: (remittanceId: string) => string;
  HmoFilter?: ComponentType<FilterProps>;
}) {
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(["status", "hmo"] as const);
  const status = filters.status as RemittanceStatus | undefined;
  const hmo = HmoFilter ? filters.hmo : undefined;
  const remittances = usePages(["remittances", "list", status, hmo], async (cursor) =>
    dataOf(await api.GET("/api/remittances", { params: { query: { status, hmo_id: hmo, cursor } } })),
  );
  const statusFilter = <StatusFilter statuses={STATUSES} value={status} onChange={(value) => setFilters({ status: value })} />;
  return (
    <Stack>
      <PageHeader title="Finance" description={description} />
      {tabs}
      {HmoFilter ? (
        <Group align="flex-end">
          <HmoFilter value={hmo} onChange={(value) => setFilters({ hmo: value })} />
          {statusFilter}
        </Group>
      ) : (
        statusFilter
      )}
      <ProblemAlert error={remittances.error} />
      <DataTable
        caption="Remittances"
        columns={columnsWith(party, runLabel)}
        rows={remittances.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(remittancePath(row.id))}
        empty={empty}
        {...remittances.tableProps}
      />
    </Stack>
  );
}
