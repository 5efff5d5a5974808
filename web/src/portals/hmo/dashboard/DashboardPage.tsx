/** The HMO's first screen: this month's figures, the queues, and the year's trends. */
import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { formatCountdown, formatDateTime, formatMoney, formatPercent } from "../../../app/format";
import { useSession } from "../../../app/session";
import { KpiCard } from "../../../components/KpiCard";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { TrendChart } from "../../../components/report/ReportCharts";
import { StatusBadge } from "../../../components/StatusBadge";

function useDashboard() {
  return useQuery({
    queryKey: ["dashboard"],
    queryFn: async () => dataOf(await api.GET("/api/dashboard")),
    refetchInterval: 60_000,
  });
}

function Figures({ board }: { board: Schemas["DashboardRead"] }) {
  const money = (minor: number) => formatMoney(minor, board.currency);
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }}>
      <KpiCard label="Claims received this month" value={board.claims_received.this_month.toLocaleString()} note={`Last month: ${board.claims_received.last_month.toLocaleString()}`} />
      <KpiCard label="Settled this month" value={money(board.settlement.amount)} />
      <KpiCard label={`Loss ratio since ${board.loss_ratio.from.slice(0, 4)}`} value={formatPercent(board.loss_ratio.loss_ratio)} />
      <KpiCard label="Open fraud flags" value={board.fraud_flags.open.toLocaleString()} />
    </SimpleGrid>
  );
}

function Queues({ board }: { board: Schemas["DashboardRead"] }) {
  const queue = board.claims_queue;
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Paper withBorder p="md" radius="md">
        <Group justify="space-between">
          <Text fw={700}>Claims queue</Text>
          <Anchor component={Link} to="/hmo/claims" size="sm">Open the queue</Anchor>
        </Group>
        <SimpleGrid cols={3} mt="sm">
          <Stat label="Waiting to vet" value={queue.depth} />
          <Stat label="Open" value={queue.open} />
          <Stat label="Past the SLA" value={queue.past_sla} alarm={queue.past_sla > 0} />
        </SimpleGrid>
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Group justify="space-between">
          <Text fw={700}>Settlement this month</Text>
          <Anchor component={Link} to="/hmo/finance" size="sm">Finance</Anchor>
        </Group>
        <SimpleGrid cols={{ base: 2, xs: 3 }} mt="sm">
          <Stat label="Runs" value={board.settlement.runs} />
          <Stat label="Amount" value={formatMoney(board.settlement.amount, board.currency)} />
          <Stat label="Paid" value={formatMoney(board.settlement.paid, board.currency)} />
        </SimpleGrid>
      </Paper>
    </SimpleGrid>
  );
}

function Stat({ label, value, alarm = false }: { label: string; value: number | string; alarm?: boolean }) {
  return (
    <Stack gap={0}>
      <Text size="xl" fw={700} c={alarm ? "red.8" : undefined}>{typeof value === "number" ? value.toLocaleString() : value}</Text>
      <Text size="xs" c="dimmed">{label}</Text>
    </Stack>
  );
}

function PendingAuthorizations({ board }: { board: Schemas["DashboardRead"] }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Group justify="space-between">
        <Text fw={700}>Pre-authorizations waiting</Text>
        <Anchor component={Link} to="/hmo/authorizations" size="sm">Open the PA queue</Anchor>
      </Group>
      <Table mt="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Urgency</Table.Th>
            <Table.Th ta="right">Pending</Table.Th>
            <Table.Th ta="right">Past SLA</Table.Th>
            <Table.Th>Next deadline</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {board.authorizations.map((row) => (
            <Table.Tr key={row.urgency}>
              <Table.Td><StatusBadge status={row.urgency} /></Table.Td>
              <Table.Td ta="right">{row.pending}</Table.Td>
              <Table.Td ta="right" c={row.past_sla ? "red.8" : undefined}>{row.past_sla}</Table.Td>
              <Table.Td>{row.next_due_at ? `${formatCountdown(row.next_due_at)} (${formatDateTime(row.next_due_at)})` : "—"}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

function Trends() {
  const { can } = useSession();
  const lossRatio = useQuery({
    queryKey: ["reports", "loss-ratio", "dashboard"],
    enabled: can("reports:read"),
    queryFn: async () =>
      dataOf(await api.GET("/api/reports/{name}", { params: { path: { name: "loss-ratio" } } })) as Schemas["ReportRead"],
    staleTime: 5 * 60_000,
  });
  if (!can("reports:read")) return null;
  if (lossRatio.isPending) return <Skeleton h={320} />;
  if (lossRatio.isError) return <ProblemAlert error={lossRatio.error} />;
  return <TrendChart trend={lossRatio.data.trend} currency={lossRatio.data.currency} title="Premium and claims, last 12 months" />;
}

export function DashboardPage() {
  const dashboard = useDashboard();
  return (
    <Stack>
      <PageHeader title="Dashboard" description={dashboard.data ? `As of ${formatDateTime(dashboard.data.as_of)}` : undefined} />
      {dashboard.isError && <ProblemAlert error={dashboard.error} />}
      {dashboard.isPending && <Skeleton h={120} />}
      {dashboard.data && (
        <>
          <Figures board={dashboard.data} />
          <Queues board={dashboard.data} />
          <PendingAuthorizations board={dashboard.data} />
        </>
      )}
      <Trends />
    </Stack>
  );
}
