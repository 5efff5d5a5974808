/** The remittances a portal sees, newest first, by status (in the URL), and by HMO where
 * the portal offers that filter (the provider's, paid by several HMOs). */
import { Group, Stack } from "@mantine/core";
import type { ComponentType, ReactNode } from "react";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../api/client";
import { usePages } from "../../api/pages";
import type { Schemas } from "../../api/types";
import { useFilters } from "../../app/filters";
import { DataTable, type Column } from "../DataTable";
import { PageHeader } from "../PageHeader";
import { ProblemAlert } from "../ProblemAlert";
import { StatusFilter } from "../StatusFilter";

type RemittanceStatus = Schemas["RemittanceStatus"];
const STATUSES: RemittanceStatus[] = ["PENDING", "PAID", "CANCELLED"];

type FilterProps = { value: string | undefined; onChange: (value: string | undefined) => void };

/** `HmoFilter`, when given, adds the `hmo` filter (in the URL) beside the status. */
export function RemittanceList({ description, tabs, columns, empty, remittancePath, HmoFilter }: {
  description: string;
  tabs: ReactNode;
  columns: Column<Schemas["RemittanceSummary"]>[];
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
        columns={columns}
        rows={remittances.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(remittancePath(row.id))}
        empty={empty}
        {...remittances.tableProps}
      />
    </Stack>
  );
}
