/** The adjudicators' work list (GET /api/claims/queue): the claim to review first on top. */
import { Text } from "@mantine/core";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { formatDate } from "../../../app/format";
import { DataTable, type Column } from "../../../components/DataTable";
import { claimColumns } from "../../../components/claims/columns";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { riskColumn } from "./riskColumn";

type Entry = Schemas["QueueEntry"];

const COLUMNS: Column<Entry>[] = [
  ...claimColumns<Entry>(),
  riskColumn<Entry>(),
  { key: "waiting", label: "Waiting", align: "right", render: (entry) => `${entry.age_days} d` },
  {
    key: "sla",
    label: "SLA due",
    render: (entry) => <Text size="sm" c={entry.overdue ? "#b3261e" : undefined} fw={entry.overdue ? 700 : undefined}>{formatDate(entry.sla_due_on)}{entry.overdue ? " (past SLA)" : ""}</Text>,
  },
];

export function ClaimQueue() {
  const navigate = useNavigate();
  const queue = usePages(["claims", "queue"], async (cursor) =>
    dataOf(await api.GET("/api/claims/queue", { params: { query: { cursor, limit: 50 } } })),
  );
  if (queue.isError) return <ProblemAlert error={queue.error} />;
  return (
    <DataTable
      caption="Open claims, the one to review first on top: held, then flagged, then by risk, waiting time and value"
      columns={COLUMNS}
      rows={queue.items}
      rowKey={(entry) => entry.id}
      onRowClick={(entry) => navigate(`/hmo/claims/${entry.id}`)}
      empty="No claim is waiting for review."
      {...queue.tableProps}
    />
  );
}
