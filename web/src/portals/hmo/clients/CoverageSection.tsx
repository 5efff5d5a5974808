/** Today's eligibility: the verdict with its reasons, and each benefit's limit, used and left. */
import { Alert, List, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { formatDate, formatMoney } from "../../../app/format";
import { DataTable, type Column } from "../../../components/DataTable";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { statusLabel } from "../../../components/StatusBadge";

type Balance = Schemas["BenefitBalanceRead"];

function columns(currency: string): Column<Balance>[] {
  const money = (minor: number) => formatMoney(minor, currency);
  return [
    { key: "category", label: "Benefit", render: (b) => statusLabel(b.category) },
    { key: "period", label: "Period", render: (b) => `${formatDate(b.period_start)} – ${formatDate(b.period_end)}` },
    { key: "limit", label: "Limit", align: "right", render: (b) => money(b.limit_amount) },
    { key: "used", label: "Used", align: "right", render: (b) => money(b.used_amount) },
    { key: "remaining", label: "Remaining", align: "right", render: (b) => money(b.remaining_amount) },
    { key: "visits", label: "Visits left", align: "right", render: (b) => (b.remaining_visits === null ? "No limit" : `${b.remaining_visits} of ${b.limit_visits}`) },
    { key: "copay", label: "Copay", align: "right", render: (b) => `${b.copay_percent}%` },
    { key: "waiting", label: "Waiting until", render: (b) => formatDate(b.waiting_until) },
  ];
}

export function CoverageSection({ memberId }: { memberId: string }) {
  const today = new Date().toISOString().slice(0, 10);
  const check = useQuery({
    queryKey: ["enrollees", memberId, "eligibility", today],
    queryFn: async () => dataOf(await api.POST("/api/eligibility", { body: { member_id: memberId, service_date: today } })),
  });
  if (check.error) return <ProblemAlert error={check.error} />;
  const answer = check.data;
  return (
    <Stack gap="sm">
      {answer && (
        <Alert color={answer.eligible ? "green" : "red"} title={answer.eligible ? "Eligible today" : "Not eligible today"}>
          <Text size="sm">{answer.plan.name} (version {answer.plan.version_no})</Text>
          {answer.reasons.length > 0 && (
            <List size="sm">
              {answer.reasons.map((reason) => <List.Item key={`${reason.code}-${reason.category ?? ""}`}>{reason.message}</List.Item>)}
            </List>
          )}
        </Alert>
      )}
      <DataTable caption="Benefits" columns={columns(answer?.plan.currency ?? "NGN")} rows={answer?.benefits ?? []} rowKey={(b) => b.category} loading={check.isPending} empty="The plan has no benefit." />
    </Stack>
  );
}
