/** One auto-approval rule, created or changed (a change names the version it read). */
import { Button, Group, NumberInput, Select, Stack, Switch, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, dataOf } from "../../../api/client";
import { problemOf } from "../../../api/problem";
import type { Schemas } from "../../../api/types";
import { formatMoney, parseMoney } from "../../../app/format";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { statusLabel } from "../../../components/StatusBadge";

type Rule = Schemas["RuleRead"];
type Plan = Schemas["PlanRead"];
type Urgency = Schemas["Urgency"];
const URGENCIES: Urgency[] = ["ROUTINE", "URGENT", "EMERGENCY"];

interface Draft {
  planId: string | null;
  procedure: string;
  amountText: string;
  maxUrgency: Urgency;
  validDays: number | string;
  active: boolean;
  description: string;
}

function draftOf(rule: Rule | null, currency: string): Draft {
  return {
    planId: rule?.plan_id ?? null,
    procedure: rule?.procedure_code ?? "",
    amountText: rule ? formatMoney(rule.max_amount, currency, "en").replace(/[^\d.,]/g, "") : "",
    maxUrgency: rule?.max_urgency ?? "ROUTINE",
    validDays: rule?.valid_days ?? 30,
    active: rule?.is_active ?? true,
    description: rule?.description ?? "",
  };
}

function useSaveRule(rule: Rule | null) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ draft, amount }: { draft: Draft; amount: number }) => {
      const common = {
        max_amount: amount,
        max_urgency: draft.maxUrgency,
        valid_days: Number(draft.validDays),
        is_active: draft.active,
        description: draft.description.trim(),
      };
      if (rule) {
        const path = { rule_id: rule.id };
        return dataOf(await api.PATCH("/api/pa-rules/{rule_id}", { params: { path }, body: { ...common, version: rule.version } }));
      }
      const body = { ...common, plan_id: draft.planId ?? "", procedure_code: draft.procedure };
      return dataOf(await api.POST("/api/pa-rules", { body }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["pa-rules"] }),
  });
}

export function RuleForm({ rule, plans, onDone }: { rule: Rule | null; plans: Plan[]; onDone: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule, plans.find((p) => p.id === rule?.plan_id)?.currency ?? "NGN"));
  const currency = plans.find((plan) => plan.id === draft.planId)?.currency ?? "NGN";
  const amount = parseMoney(draft.amountText, currency);
  const save = useSaveRule(rule);
  const errors = problemOf(save.error)?.fieldErrors() ?? {};
  const change = (changes: Partial<Draft>) => setDraft((current) => ({ ...current, ...changes }));
  const submit = () => {
    if (amount !== null) save.mutate({ draft, amount }, { onSuccess: onDone });
  };

  return (
    <Stack gap="sm">
      <Select
        label="Plan"
        required
        disabled={Boolean(rule)}
        searchable
        value={draft.planId}
        onChange={(planId) => change({ planId })}
        data={plans.map((plan) => ({ value: plan.id, label: `${plan.name} (${plan.code})` }))}
        error={errors.plan_id}
      />
      <TextInput
        label="Procedure code"
        required
        disabled={Boolean(rule)}
        value={draft.procedure}
        onChange={(event) => change({ procedure: event.currentTarget.value })}
        error={errors.procedure_code}
      />
      <TextInput
        label={`Up to the amount (${currency})`}
        description="PAs estimated at most this much are approved at once."
        required
        inputMode="decimal"
        value={draft.amountText}
        onChange={(event) => change({ amountText: event.currentTarget.value })}
        error={draft.amountText && amount === null ? "Type an amount, e.g. 60,000.00" : errors.max_amount}
      />
      <Select
        label="Up to the urgency"
        description="This tier and the ones below it (Routine < Urgent < Emergency)."
        required
        allowDeselect={false}
        value={draft.maxUrgency}
        onChange={(value) => value && change({ maxUrgency: value as Urgency })}
        data={URGENCIES.map((value) => ({ value, label: statusLabel(value) }))}
        error={errors.max_urgency}
      />
      <NumberInput label="Auth code valid for (days)" min={1} max={365} value={draft.validDays} onChange={(validDays) => change({ validDays })} error={errors.valid_days} />
      <TextInput label="Description" maxLength={300} value={draft.description} onChange={(event) => change({ description: event.currentTarget.value })} error={errors.description} />
      <Switch label="Active" checked={draft.active} onChange={(event) => change({ active: event.currentTarget.checked })} />
      <ProblemAlert error={Object.keys(errors).length ? null : save.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>Cancel</Button>
        <Button onClick={submit} loading={save.isPending} disabled={amount === null || !draft.planId || !draft.procedure.trim()}>
          {rule ? `Save as version ${rule.version + 1}` : "Create the rule"}
        </Button>
      </Group>
    </Stack>
  );
}
