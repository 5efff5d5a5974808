/** The SLA clock of a PA awaiting a decision: it ticks while watched, red once overdue. */
import { Text } from "@mantine/core";
import { useEffect, useState } from "react";

import type { Schemas } from "../../api/types";
import { formatCountdown, formatDateTime } from "../../app/format";

const AWAITING = new Set<Schemas["AuthorizationStatus"]>(["SUBMITTED", "IN_REVIEW", "APPEALED"]);

export function awaitsDecision(status: Schemas["AuthorizationStatus"]): boolean {
  return AWAITING.has(status);
}

/** The current time, refreshed every `everyMs`. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Time left before `sla_due_at` (to the second with `seconds`); the deadline once decided. */
export function SlaCountdown({ pa, seconds = false }: { pa: Pick<Schemas["ProviderAuthorizationRead"], "status" | "sla_due_at" | "breached_at">; seconds?: boolean }) {
  const now = useNow(1000);
  if (!awaitsDecision(pa.status)) {
    return <Text size="sm" c="dimmed" span>{pa.breached_at ? "Decided after its SLA" : "—"}</Text>;
  }
  const overdue = new Date(pa.sla_due_at).getTime() < now;
  return (
    <Text
      size="sm"
      span
      fw={overdue ? 700 : 400}
      c={overdue ? "red.9" : undefined}
      title={`Due ${formatDateTime(pa.sla_due_at)}`}
      data-testid="sla-countdown"
      style={{ whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" }}
    >
      {formatCountdown(pa.sla_due_at, now, seconds)}
    </Text>
  );
}
