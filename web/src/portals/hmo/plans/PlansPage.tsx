/** The plans by code, each in the version in force today. */
import { Button } from "@mantine/core";
import { Link, useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { formatDate } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import type { Plan } from "./planForm";

const COLUMNS: Column<Plan>[] = [
  { key: "code", label: "Code", render: (plan) => plan.code },
  { key: "name", label: "Name", render: (plan) => plan.name },
  { key: "version", label: "Version in force", render: (plan) => `${plan.current_version_no}, since ${formatDate(plan.effective_from)}` },
  { key: "premium", label: "Principal's premium", align: "right", render: (plan) => <Money minor={plan.premium.principal} currency={plan.currency} /> },
  { key: "benefits", label: "Benefits", align: "right", render: (plan) => plan.benefits.length },
  { key: "status", label: "Status", render: (plan) => <StatusBadge status={plan.is_active ? "ACTIVE" : "INACTIVE"} /> },
];

export function PlansPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const plans = usePages(["plans", "list"], async (cursor) => dataOf(await api.GET("/api/plans", { params: { query: { cursor } } })));
  return (
    <>
      <PageHeader
        title="Plans & benefits"
        description="Each plan in the version in force today."
        actions={can("plans:manage") && <Button component={Link} to="/hmo/plans/new">New plan</Button>}
      />
      <ProblemAlert error={plans.error} />
      <DataTable caption="Plans" columns={COLUMNS} rows={plans.items} rowKey={(plan) => plan.id} onRowClick={(plan) => navigate(`/hmo/plans/${plan.id}`)} empty="No plan yet." {...plans.tableProps} />
    </>
  );
}
