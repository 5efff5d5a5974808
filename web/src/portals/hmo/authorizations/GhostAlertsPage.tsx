/** Ghost-patient alerts: the PAs their enrollee reported "Not me", newest first, with the
 * hold each put on the claims citing its code. */
import { Badge, Stack } from "@mantine/core";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { formatDateTime } from "../../../app/format";
import * as col from "../../../components/authorizations/columns";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { AuthorizationTabs } from "./AuthorizationTabs";
import type { Pa } from "./columns";

const reported: Column<Pa> = { key: "reported", label: "Reported", render: (pa) => formatDateTime(pa.reported_at) };
const code: Column<Pa> = { key: "code", label: "Auth code", render: (pa) => pa.auth_code ?? "—" };
const hold: Column<Pa> = {
  key: "hold",
  label: "Hold",
  render: (pa) => (
    <col.Whole>
      {pa.hold_cleared_at
        ? <Badge color="#495057" variant="outline" radius="sm" title={`Cleared ${formatDateTime(pa.hold_cleared_at)}`}>Cleared</Badge>
        : <Badge color="#b3261e" variant="filled" radius="sm">Claims held</Badge>}
    </col.Whole>
  ),
};
const COLUMNS: Column<Pa>[] = [col.number, reported, hold, code, col.status, col.member, col.provider, col.procedure, col.estimate];

export function GhostAlertsPage() {
  const navigate = useNavigate();
  const pages = usePages(["authorizations", "alerts"], async (cursor) =>
    dataOf(await api.GET("/api/authorizations", { params: { query: { suspicious: true, cursor } } })) as { items: Pa[]; next_cursor?: string | null },
  );
  return (
    <Stack gap="md">
      <PageHeader
        title="Authorizations"
        description={"Ghost-patient alerts: PAs the enrollee reported \u201cNot me\u201d. Claims citing their codes stay on hold until cleared."}
      />
      <AuthorizationTabs />
      <ProblemAlert error={pages.error} />
      <DataTable
        caption={"PAs reported \u201cNot me\u201d"}
        columns={COLUMNS}
        rows={pages.items}
        rowKey={(pa) => pa.id}
        onRowClick={(pa) => navigate(`/hmo/authorizations/${pa.id}`)}
        empty={"No enrollee has reported a PA \u201cNot me\u201d."}
        {...pages.tableProps}
      />
    </Stack>
  );
}
