/** The auto-approval rules: which PAs (plan, procedure, amount, urgency) are approved at
 * once; created and changed here, each change a new version. */
import { Badge, Button, Group, Modal, Select, Stack, Switch } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { AuthorizationTabs } from "./AuthorizationTabs";
import { Whole } from "../../../components/authorizations/columns";
import { RuleForm } from "./RuleForm";

type Rule = Schemas["RuleRead"];
type Plan = Schemas["PlanRead"];
const MOST_PLANS = 200;

function usePlans() {
  return useQuery({
    queryKey: ["plans", "all"],
    staleTime: 5 * 60_000,
    queryFn: async () => dataOf(await api.GET("/api/plans", { params: { query: { limit: MOST_PLANS } } })).items,
  });
}

function columnsFor(plans: Plan[]): Column<Rule>[] {
  const planOf = (rule: Rule) => plans.find((plan) => plan.id === rule.plan_id);
  return [
    { key: "plan", label: "Plan", render: (rule) => planOf(rule)?.name ?? "—" },
    { key: "procedure", label: "Procedure", render: (rule) => rule.procedure_code },
    { key: "amount", label: "Up to", align: "right", render: (rule) => <Money minor={rule.max_amount} currency={planOf(rule)?.currency} /> },
    { key: "urgency", label: "Up to urgency", render: (rule) => <Whole><StatusBadge status={rule.max_urgency} /></Whole> },
    { key: "valid", label: "Valid days", align: "right", render: (rule) => rule.valid_days },
    { key: "active", label: "State", render: (rule) => <Whole><Badge color={rule.is_active ? "#25713a" : "#495057"} variant="outline" radius="sm">{rule.is_active ? "Active" : "Off"}</Badge></Whole> },
    { key: "version", label: "Version", align: "right", render: (rule) => rule.version },
    { key: "description", label: "Description", render: (rule) => rule.description || "—" },
    { key: "created", label: "Created", render: (rule) => formatDateTime(rule.created_at) },
  ];
}

export function RulesPage() {
  const { can } = useSession();
  const [filters, setFilters] = useFilters(["plan", "active"] as const);
  const plans = usePlans();
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const query = { plan_id: filters.plan, active: filters.active ? true : undefined };
  const pages = usePages(["pa-rules", query], async (cursor) =>
    dataOf(await api.GET("/api/pa-rules", { params: { query: { ...query, cursor } } })),
  );
  const planList = plans.data ?? [];
  const manage = can("pa_rules:manage");
  return (
    <Stack gap="md">
      <PageHeader
        title="Authorizations"
        description="Auto-approval rules: a PA within a rule's amount and urgency, for an eligible member and a covered service, is approved at once."
        actions={manage && <Button onClick={() => setEditing("new")} disabled={!plans.data}>New rule</Button>}
      />
      <AuthorizationTabs />
      <Group align="flex-end" gap="md">
        <Select
          label="Plan"
          placeholder="Every plan"
          clearable
          w={240}
          value={filters.plan ?? null}
          onChange={(plan) => setFilters({ plan })}
          data={planList.map((plan) => ({ value: plan.id, label: plan.name }))}
        />
        <Switch label="Active only" checked={Boolean(filters.active)} onChange={(event) => setFilters({ active: event.currentTarget.checked ? "true" : null })} />
      </Group>
      <ProblemAlert error={pages.error ?? plans.error} />
      <DataTable
        caption="Auto-approval rules"
        columns={columnsFor(planList)}
        rows={pages.items}
        rowKey={(rule) => rule.id}
        onRowClick={manage ? (rule) => setEditing(rule) : undefined}
        empty="No auto-approval rule: every PA waits for a person."
        {...pages.tableProps}
      />
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        closeButtonProps={{ "aria-label": "Close" }}
        title={editing === "new" ? "New auto-approval rule" : `Change the rule (version ${editing?.version ?? ""})`}
      >
        {editing !== null && <RuleForm rule={editing === "new" ? null : editing} plans={planList} onDone={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}
