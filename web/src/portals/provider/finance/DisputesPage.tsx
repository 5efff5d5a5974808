/** The provider's disputes against its remittances, newest first, by status (in the URL). */
import { Stack } from "@mantine/core";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { useFilters } from "../../../app/filters";
import { DataTable } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusFilter } from "../../../components/StatusFilter";
import { DISPUTE_COLUMNS, type DisputeRow } from "./DisputeColumns";
import { FinanceTabs } from "./FinanceTabs";

type DisputeStatus = DisputeRow["status"];
const STATUSES: DisputeStatus[] = ["OPEN", "UNDER_REVIEW", "RESOLVED_ACCEPTED", "RESOLVED_REJECTED"];

export function DisputesPage() {
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(["status"] as const);
  const status = filters.status as DisputeStatus | undefined;
  const disputes = usePages(["disputes", "list", status], async (cursor) =>
    dataOf(await api.GET("/api/disputes", { params: { query: { status, cursor } } })),
  );
  return (
    <Stack>
      <PageHeader title="Finance" description="Your disputes against remittances, and how each HMO answered them. Raise one from its remittance." />
      <FinanceTabs />
      <StatusFilter statuses={STATUSES} value={status} onChange={(value) => setFilters({ status: value })} />
      <ProblemAlert error={disputes.error} />
      <DataTable
        caption="Disputes"
        columns={DISPUTE_COLUMNS}
        rows={disputes.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(`/provider/finance/disputes/${row.id}`)}
        empty="No dispute."
        {...disputes.tableProps}
      />
    </Stack>
  );
}
