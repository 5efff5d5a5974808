/** Coverage as a member reads it: each benefit's limit, used and left this period. "Used"
 * counts approved claims only; a `claim.approved` event refreshes it (live.ts). */
import { Alert, Group, List, Paper, Progress, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";
import type { Schemas } from "../../api/types";
import { formatDate, formatMoney } from "../../app/format";
import { statusLabel } from "../../components/StatusBadge";
import type { MemberCoverage } from "./family";

type Balance = Schemas["BenefitBalanceRead"];

/** The coverage of the member chosen, or of the whole family. */
export function useCoverage(member: string | undefined) {
  return useQuery({
    queryKey: ["coverage", member ?? "family"],
    queryFn: async () => dataOf(await api.GET("/api/me/coverage", { params: { query: { member_id: member } } })),
  });
}

function share(used: number, limit: number): number {
  return limit > 0 ? Math.min(100, (used / limit) * 100) : 0;
}

function visitsText(balance: Balance): string {
  if (balance.limit_visits === null || balance.limit_visits === undefined) return `${balance.used_visits} visits, no visit limit`;
  return `${balance.remaining_visits ?? 0} of ${balance.limit_visits} visits left`;
}

export function BenefitMeter({ balance, currency }: { balance: Balance; currency: string }) {
  const used = share(balance.used_amount, balance.limit_amount);
  const name = statusLabel(balance.category);
  return (
    <Paper withBorder radius="md" p="sm" component="section" aria-label={name}>
      <Group justify="space-between" wrap="nowrap" align="baseline">
        <Text fw={700}>{name}</Text>
        <Text size="sm" fw={700} data-testid="remaining">{formatMoney(balance.remaining_amount, currency)} left</Text>
      </Group>
      <Progress value={used} color={used >= 90 ? "red.8" : "brand"} size="lg" radius="xl" my={6} aria-label={`${name}: ${Math.round(used)}% used`} />
      <Group justify="space-between" gap={4}>
        <Text size="xs" data-testid="used">Used {formatMoney(balance.used_amount, currency)} of {formatMoney(balance.limit_amount, currency)}</Text>
        <Text size="xs">{visitsText(balance)}</Text>
      </Group>
      <Text size="xs" c="dimmed">
        {statusLabel(balance.period)} period {formatDate(balance.period_start)} – {formatDate(balance.period_end)}
        {balance.copay_percent > 0 && ` · you pay ${balance.copay_percent}%`}
        {balance.waiting_until && ` · waiting until ${formatDate(balance.waiting_until)}`}
      </Text>
    </Paper>
  );
}

/** One member's plan, period, verdict and benefit meters. */
export function MemberCoverageSection({ coverage, limit }: { coverage: MemberCoverage; limit?: number }) {
  const { member, plan, policy_year: year } = coverage;
  const benefits = limit ? coverage.benefits.slice(0, limit) : coverage.benefits;
  return (
    <Stack gap="sm" component="section" aria-label={`Coverage of ${member.first_name} ${member.last_name}`}>
      <div>
        <Title order={2} size="h4">{member.first_name} {member.last_name}</Title>
        <Text size="sm" c="dimmed">{plan.name} · policy year {formatDate(year.start)} – {formatDate(year.end)}</Text>
      </div>
      {!coverage.eligible && (
        <Alert color="red" title="Not covered today">
          <List size="sm">
            {coverage.reasons.map((reason) => <List.Item key={`${reason.code}-${reason.category ?? ""}`}>{reason.message}</List.Item>)}
          </List>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
        {benefits.map((balance) => <BenefitMeter key={balance.category} balance={balance} currency={plan.currency} />)}
      </SimpleGrid>
    </Stack>
  );
}
