/** The disputes a portal sees, newest first, by status (in the URL): the HMO's list of
 * providers' disputes and the provider's list of its own share it. */
import { Stack } from "@mantine/core";
import type { ReactNode } from "react";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../api/client";
import { usePages } from "../../api/pages";
import type { Schemas } from "../../api/types";
import { useFilters } from "../../app/filters";
import { DataTable, type Column } from "../DataTable";
import { PageHeader } from "../PageHeader";
import { ProblemAlert } from "../ProblemAlert";
import { StatusFilter } from "../StatusFilter";

type DisputeStatus = Schemas["DisputeStatus"];
const STATUSES: DisputeStatus[] = ["OPEN", "UNDER_REVIEW", "RESOLVED_ACCEPTED", "RESOLVED_REJECTED"];

/** `tabs` are the portal's finance tabs; `disputePath` opens one dispute in that portal. */
export function DisputeList({ description, tabs, columns, disputePath }: {
  description: string;
  tabs: ReactNode;
  columns: Column<Schemas["DisputeRead"]>[];
  disputePath: (disputeId: string) => string;
}) {
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(["status"] as const);
  const status = filters.status as DisputeStatus | undefined;
  const disputes = usePages(["disputes", "list", status], async (cursor) =>
    dataOf(await api.GET("/api/disputes", { params: { query: { status, cursor } } })),
  );
  return (
    <Stack>
      <PageHeader title="Finance" description={description} />
      {tabs}
      <StatusFilter statuses={STATUSES} value={status} onChange={(value) => setFilters({ status: value })} />
      <ProblemAlert error={disputes.error} />
      <DataTable
        caption="Disputes"
        columns={columns}
        rows={disputes.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(disputePath(row.id))}
        empty="No dispute."
        {...disputes.tableProps}
      />
    </Stack>
  );
}
