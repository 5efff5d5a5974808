/**
 * One plan in one version (the one in force unless `?version=` names another): its
 * premium, limits, benefits and exclusions, and the history of its versions.
 */
import { Button, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { formatDate, formatMoney } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { statusLabel } from "../../../components/StatusBadge";
import { RELATIONSHIPS, type Plan } from "./planForm";
import { usePlan } from "./queries";

function benefitColumns(currency: string): Column<Schemas["BenefitRead"]>[] {
  return [
    { key: "category", label: "Benefit", render: (b) => statusLabel(b.category) },
    { key: "limit", label: "Limit", align: "right", render: (b) => formatMoney(b.limit_amount, currency) },
    { key: "visits", label: "Visits", align: "right", render: (b) => b.limit_visits ?? "No limit" },
    { key: "period", label: "Per", render: (b) => statusLabel(b.period ?? "POLICY_YEAR") },
    { key: "copay", label: "Copay", align: "right", render: (b) => `${b.copay_percent ?? 0}%` },
    { key: "waiting", label: "Waiting", align: "right", render: (b) => `${b.waiting_period_days ?? 0} days` },
  ];
}

const EXCLUSION_COLUMNS: Column<Schemas["ExclusionRead"]>[] = [
  { key: "code", label: "Code", render: (e) => e.code },
  { key: "kind", label: "Kind", render: (e) => statusLabel(e.kind ?? "PROCEDURE") },
  { key: "description", label: "Description", render: (e) => e.description || "—" },
];

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <div>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={600}>{value}</Text>
    </div>
  );
}

function Terms({ plan }: { plan: Plan }) {
  const money = (minor: number) => formatMoney(minor, plan.currency);
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
        {RELATIONSHIPS.map((who) => <Figure key={who} label={`${statusLabel(who)}'s premium / month`} value={money(plan.premium[who])} />)}
        <Figure label="Capitation / member / month" value={money(plan.capitation_rate)} />
        <Figure label="Most dependants" value={plan.max_dependants} />
        <Figure label="Most children" value={plan.max_children} />
      </SimpleGrid>
    </Paper>
  );
}

/** Every version, newest first, each with the day it came into force. */
function Versions({ plan, shown }: { plan: Plan; shown: number }) {
  const numbers = Array.from({ length: plan.current_version_no }, (_, index) => plan.current_version_no - index);
  const versions = useQueries({
    queries: numbers.map((versionNo) => ({
      queryKey: ["plans", plan.id, versionNo],
      staleTime: Infinity, // a past version never changes
      queryFn: async () => dataOf(await api.GET("/api/plans/{plan_id}", { params: { path: { plan_id: plan.id }, query: { version_no: versionNo } } })),
    })),
  });
  const rows = versions.flatMap((query) => (query.data ? [query.data] : []));
  const columns: Column<Plan>[] = [
    { key: "version", label: "Version", render: (v) => (v.version_no === plan.current_version_no ? `${v.version_no} (in force)` : v.version_no) },
    { key: "from", label: "In force from", render: (v) => formatDate(v.effective_from) },
    { key: "premium", label: "Principal's premium", align: "right", render: (v) => formatMoney(v.premium.principal, v.currency) },
    { key: "benefits", label: "Benefits", align: "right", render: (v) => v.benefits.length },
    { key: "exclusions", label: "Exclusions", align: "right", render: (v) => v.exclusions.length },
    { key: "open", label: "", render: (v) => (v.version_no === shown ? "Shown" : <Link to={`?version=${v.version_no}`}>Show</Link>) },
  ];
  return <DataTable caption="Versions" columns={columns} rows={rows} rowKey={(v) => String(v.version_no)} loading={rows.length === 0} />;
}

export function PlanPage() {
  const { planId = "" } = useParams();
  const [search] = useSearchParams();
  const asked = Number(search.get("version")) || undefined;
  const { can } = useSession();
  const found = usePlan(planId, asked);
  if (found.error) return <ProblemAlert error={found.error} />;
  if (!found.data) return <Skeleton h={400} />;
  const plan = found.data;
  const inForce = plan.version_no === plan.current_version_no;
  return (
    <>
      <PageHeader
        title={`${plan.name} (${plan.code})`}
        description={inForce ? `Version ${plan.version_no}, in force since ${formatDate(plan.effective_from)}` : `Version ${plan.version_no}, from ${formatDate(plan.effective_from)}; version ${plan.current_version_no} is in force`}
        actions={can("plans:manage") && <Button component={Link} to={`/hmo/plans/${plan.id}/edit`}>Edit as a new version</Button>}
      />
      <Stack gap="lg">
        {!plan.is_active && <Text c="red.9" fw={600}>Not open to new members</Text>}
        <Terms plan={plan} />
        <Stack gap="xs" component="section">
          <Title order={2} size="h4">Benefits</Title>
          <DataTable caption="Benefits" columns={benefitColumns(plan.currency)} rows={plan.benefits} rowKey={(b) => b.category} empty="No benefit." />
        </Stack>
        <Stack gap="xs" component="section">
          <Title order={2} size="h4">Exclusions</Title>
          <DataTable caption="Exclusions" columns={EXCLUSION_COLUMNS} rows={plan.exclusions} rowKey={(e) => `${e.kind ?? ""}-${e.code}`} empty="No exclusion." />
        </Stack>
        <Stack gap="xs" component="section">
          <Title order={2} size="h4">Versions</Title>
          <Versions plan={plan} shown={plan.version_no} />
        </Stack>
      </Stack>
    </>
  );
}
