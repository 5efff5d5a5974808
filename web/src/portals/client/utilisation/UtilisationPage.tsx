/**
 * The client's utilisation, aggregated only: its members today, and by month and benefit
 * category the members served, claims and approved spend. A figure about fewer than
 * `threshold` members comes with no number and is shown as hidden, never as a zero.
 */
import { Alert, Badge, Group, Loader, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { IconLock } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { formatDateTime, formatMoney, formatMonth } from "../../../app/format";
import { useFilters } from "../../../app/filters";
import { DataTable, type Column } from "../../../components/DataTable";
import { KpiCard } from "../../../components/KpiCard";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { PeriodFields } from "../../../components/report/PeriodFields";
import { BreakdownChart, TrendChart } from "../../../components/report/ReportCharts";
import { StatusBadge, statusLabel } from "../../../components/StatusBadge";
import { categoryBreakdown, categoryHidden, categoryLabel, monthHidden, trendOf, type Utilisation } from "./utilisation";

const FILTERS = ["from", "to"] as const;

function Hidden({ threshold }: { threshold: number }) {
  return <Badge variant="outline" color="#495057" radius="sm" miw="max-content">Fewer than {threshold}</Badge>;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="xs" component="section" aria-label={title}>
      <Title order={2} size="h4">{title}</Title>
      {children}
    </Stack>
  );
}

function Kpis({ utilisation }: { utilisation: Utilisation }) {
  const { roster, totals, threshold } = utilisation;
  const figures = utilisation.months.length * utilisation.categories.length;
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }}>
      <KpiCard label="Members today" value={roster.members.suppressed ? <Hidden threshold={threshold} /> : roster.members.members?.toLocaleString()} />
      <KpiCard label="Claims in the period" value={totals.claims.toLocaleString()} note="Approved or settled, in the figures shown" />
      <KpiCard label="Approved spend" value={formatMoney(totals.amount, utilisation.currency)} note="In the figures shown" />
      <KpiCard label="Hidden figures" value={totals.suppressed_cells.toLocaleString()} note={`of ${figures} month-and-category figures counted fewer than ${threshold} members`} />
    </SimpleGrid>
  );
}

type Counted = Schemas["Count"] & { key: string; label: ReactNode };

function Counts({ title, rows, threshold }: { title: string; rows: Counted[]; threshold: number }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Text fw={700} mb="xs">{title}</Text>
      <Stack gap="xs">
        {rows.map((row) => (
          <Group key={row.key} justify="space-between" wrap="nowrap">
            {row.label}
            {row.suppressed ? <Hidden threshold={threshold} /> : <Text size="sm" fw={600}>{row.members?.toLocaleString()}</Text>}
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

function Members({ utilisation }: { utilisation: Utilisation }) {
  const { roster, threshold } = utilisation;
  const byStatus = roster.by_status.map((row) => ({ ...row, key: row.status, label: <StatusBadge status={row.status} /> }));
  const byRelationship = roster.by_relationship.map((row) => ({ ...row, key: row.relationship, label: <Text size="sm">{statusLabel(row.relationship)}</Text> }));
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }}>
      <Counts title="Members today by status" rows={byStatus} threshold={threshold} />
      <Counts title="Members today by relationship" rows={byRelationship} threshold={threshold} />
    </SimpleGrid>
  );
}

function monthColumns(utilisation: Utilisation): Column<Schemas["MonthRow"]>[] {
  const hidden = <Hidden threshold={utilisation.threshold} />;
  const figure = (render: (month: Schemas["MonthRow"]) => ReactNode) => (month: Schemas["MonthRow"]) => (monthHidden(month) ? hidden : render(month));
  return [
    { key: "month", label: "Month", render: (month) => formatMonth(month.month) },
    { key: "members_served", label: "Members served", align: "right", render: figure((month) => month.members_served.toLocaleString()) },
    { key: "claims", label: "Claims", align: "right", render: figure((month) => month.claims.toLocaleString()) },
    { key: "amount", label: "Approved spend", align: "right", render: figure((month) => formatMoney(month.amount, utilisation.currency)) },
    { key: "hidden", label: "Categories hidden", align: "right", render: (month) => `${month.suppressed_cells} of ${month.categories.length}` },
  ];
}

function categoryColumns(utilisation: Utilisation): Column<Schemas["CategoryTotal"]>[] {
  const months = utilisation.months.length;
  const hidden = <Hidden threshold={utilisation.threshold} />;
  const figure = (render: (total: Schemas["CategoryTotal"]) => ReactNode) => (total: Schemas["CategoryTotal"]) => (categoryHidden(total, months) ? hidden : render(total));
  return [
    { key: "category", label: "Benefit category", render: (total) => categoryLabel(total.category) },
    { key: "claims", label: "Claims", align: "right", render: figure((total) => total.claims.toLocaleString()) },
    { key: "amount", label: "Approved spend", align: "right", render: figure((total) => formatMoney(total.amount, utilisation.currency)) },
    { key: "hidden", label: "Months hidden", align: "right", render: (total) => `${total.suppressed_cells} of ${months}` },
  ];
}

function Figures({ utilisation }: { utilisation: Utilisation }) {
  const breakdown = categoryBreakdown(utilisation);
  return (
    <Stack gap="xl">
      <Kpis utilisation={utilisation} />
      <Members utilisation={utilisation} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <TrendChart trend={trendOf(utilisation)} currency={utilisation.currency} title="By month" />
        <BreakdownChart breakdown={breakdown} currency={utilisation.currency} />
      </SimpleGrid>
      <Section title="By month">
        <DataTable caption="Utilisation by month" columns={monthColumns(utilisation)} rows={utilisation.months} rowKey={(month) => month.month} />
      </Section>
      <Section title="By benefit category">
        <DataTable caption="Utilisation by benefit category" columns={categoryColumns(utilisation)} rows={utilisation.categories} rowKey={(total) => total.category} />
      </Section>
    </Stack>
  );
}

export function UtilisationPage() {
  const [filters, setFilters] = useFilters(FILTERS);
  const utilisation = useQuery({
    queryKey: ["portal", "utilisation", filters],
    queryFn: async () => dataOf(await api.GET("/api/portal/utilisation", { params: { query: { from: filters.from, to: filters.to } } })),
    placeholderData: (previous) => previous,
  });
  const data = utilisation.data;
  return (
    <>
      <PageHeader
        title="Utilisation"
        description={data ? `${data.client_name}: your members' care in totals only, as of ${formatDateTime(data.as_of)}.` : "Your members' care in totals only."}
        actions={utilisation.isFetching && data && <Loader size="sm" aria-label="Reading the figures" />}
      />
      <Stack gap="md">
        <Alert role="note" color="blue" icon={<IconLock size={18} aria-hidden />} title={`Figures about fewer than ${data?.threshold ?? 5} members are hidden`}>
          To protect your members' privacy, a figure counting fewer than {data?.threshold ?? 5} people is shown as "Fewer than {data?.threshold ?? 5}", with no
          number, and every total adds up only the figures shown. No one's treatment is ever shown here: only counts and amounts by month and benefit category.
        </Alert>
        <Group grow preventGrowOverflow={false} wrap="wrap" maw={520}>
          <PeriodFields from={filters.from} to={filters.to} onChange={setFilters} />
        </Group>
        <ProblemAlert error={utilisation.error} />
        {data ? <Figures utilisation={data} /> : !utilisation.error && <Skeleton h={400} />}
      </Stack>
    </>
  );
}
