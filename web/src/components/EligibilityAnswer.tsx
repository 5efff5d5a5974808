/** An eligibility answer (POST /api/eligibility): the verdict with every reason in words,
 * the plan, and each benefit's limit, used and remaining. */
import { Alert, List, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";

import type { Schemas } from "../api/types";
import { formatDate, formatMoney } from "../app/format";
import { DataTable, type Column } from "./DataTable";
import { statusLabel } from "./StatusBadge";

type Answer = Schemas["EligibilityRead"];
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

/** The verdict with every reason in words; `children` sits under it (the front desk's
 * "Record check-in"). */
export function EligibilityVerdict({ answer, title, children }: { answer: Answer; title: string; children?: ReactNode }) {
  return (
    <Alert color={answer.eligible ? "green" : "red"} title={title}>
      <Text size="sm">{answer.plan.name} (version {answer.plan.version_no})</Text>
      {answer.reasons.length > 0 && (
        <List size="sm">
          {answer.reasons.map((reason) => <List.Item key={`${reason.code}-${reason.category ?? ""}`}>{reason.message}</List.Item>)}
        </List>
      )}
      {children}
    </Alert>
  );
}

/** The verdict and the balances; `verdict` names the day ("today", "on 3 Dec 2026"). */
export function EligibilityAnswer({ answer, verdict, loading = false, children }: {
  answer: Answer | undefined;
  verdict: string;
  loading?: boolean;
  children?: ReactNode;
}) {
  return (
    <Stack gap="sm">
      {answer && (
        <EligibilityVerdict answer={answer} title={answer.eligible ? `Eligible ${verdict}` : `Not eligible ${verdict}`}>
          {children}
        </EligibilityVerdict>
      )}
      <DataTable caption="Benefits" columns={columns(answer?.plan.currency ?? "NGN")} rows={answer?.benefits ?? []} rowKey={(b) => b.category} loading={loading} empty="The plan has no benefit." />
    </Stack>
  );
}
