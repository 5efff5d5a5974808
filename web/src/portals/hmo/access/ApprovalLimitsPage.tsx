/** Each role's ceilings: the largest claim and settlement run it may approve (0: none). */
import { Button, Group, Stack, Table, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { formatMoney, parseMoney } from "../../../app/format";
import { useSession } from "../../../app/session";
import { Money } from "../../../components/Money";
import { ProblemAlert } from "../../../components/ProblemAlert";

type Limit = Schemas["LimitRead"];
type Ceiling = "claim_limit" | "settlement_limit";
type Typed = Record<string, Partial<Record<Ceiling, string>>>;

/** The amounts as typed, in whole units (the API's minor units shown without symbol). */
function asTyped(minor: number): string {
  return formatMoney(minor).replace(/[^\d.,]/g, "");
}

function LimitsForm({ limits }: { limits: Limit[] }) {
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState<Typed>({});
  const invalid = (text: string | undefined) => text !== undefined && parseMoney(text) === null;
  const changed = limits.filter((limit) => typed[limit.role_id]);
  const save = useMutation({
    mutationFn: async () => {
      const body = changed.map((limit) => ({
        role_id: limit.role_id,
        claim_limit: parseMoney(typed[limit.role_id]?.claim_limit ?? asTyped(limit.claim_limit)) ?? limit.claim_limit,
        settlement_limit: parseMoney(typed[limit.role_id]?.settlement_limit ?? asTyped(limit.settlement_limit)) ?? limit.settlement_limit,
      }));
      return dataOf(await api.PUT("/api/approval-limits", { body: { limits: body } }));
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(["approval-limits"], saved);
      setTyped({});
      notifications.show({ color: "green", message: "Approval limits saved." });
    },
  });
  const field = (limit: Limit, ceiling: Ceiling, label: string) => {
    const value = typed[limit.role_id]?.[ceiling];
    return (
      <TextInput
        aria-label={`${label} for ${limit.role_name}`}
        value={value ?? asTyped(limit[ceiling])}
        onChange={(event) => setTyped({ ...typed, [limit.role_id]: { ...typed[limit.role_id], [ceiling]: event.currentTarget.value } })}
        error={invalid(value) ? "An amount, e.g. 250,000.00" : undefined}
        inputMode="decimal"
      />
    );
  };
  const anyInvalid = changed.some((limit) => invalid(typed[limit.role_id]?.claim_limit) || invalid(typed[limit.role_id]?.settlement_limit));
  return (
    <form onSubmit={(event) => { event.preventDefault(); save.mutate(); }}>
      <Stack>
        <LimitsTable limits={limits} field={field} />
        <ProblemAlert error={save.error} />
        <Group justify="flex-end">
          <Button type="submit" disabled={changed.length === 0 || anyInvalid} loading={save.isPending}>Save the limits</Button>
        </Group>
      </Stack>
    </form>
  );
}

function LimitsTable({ limits, field }: { limits: Limit[]; field?: (limit: Limit, ceiling: Ceiling, label: string) => ReactNode }) {
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table striped>
        <Table.Caption>Approval limits by role</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Role</Table.Th>
            <Table.Th ta="right">Claim limit</Table.Th>
            <Table.Th ta="right">Settlement run limit</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {limits.map((limit) => (
            <Table.Tr key={limit.role_id}>
              <Table.Td>{limit.role_name}</Table.Td>
              <Table.Td ta="right">{field ? field(limit, "claim_limit", "Claim limit") : <Money minor={limit.claim_limit} />}</Table.Td>
              <Table.Td ta="right">{field ? field(limit, "settlement_limit", "Settlement run limit") : <Money minor={limit.settlement_limit} />}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function ApprovalLimitsPage() {
  const { can } = useSession();
  const limits = useQuery({ queryKey: ["approval-limits"], queryFn: async () => dataOf(await api.GET("/api/approval-limits")) });
  return (
    <Stack>
      <Text size="sm" c="dimmed">The largest claim and settlement run each role may approve; 0 means it cannot approve.</Text>
      <ProblemAlert error={limits.error} />
      {limits.data && (can("approval_limits:manage") ? <LimitsForm limits={limits.data.limits} /> : <LimitsTable limits={limits.data.limits} />)}
    </Stack>
  );
}
