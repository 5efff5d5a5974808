/** Claims filed for the family: status, amounts and lines (no adjudication data). */
import { Group, Stack, Table, Text } from "@mantine/core";

import { api, dataOf } from "../../api/client";
import { usePages } from "../../api/pages";
import type { Schemas } from "../../api/types";
import { formatDate } from "../../app/format";
import { Money } from "../../components/Money";
import { StatusBadge, statusLabel } from "../../components/StatusBadge";

export type MemberClaim = Schemas["MemberClaimRead"];

export function useMemberClaims(member: string | undefined, status?: string) {
  return usePages(["claims", "mine", member ?? "family", status ?? "any"], async (cursor) =>
    dataOf(await api.GET("/api/me/claims", { params: { query: { member_id: member, status: status as MemberClaim["status"] | undefined, cursor } } })),
  );
}

export function ClaimSummary({ claim, lines = false }: { claim: MemberClaim; lines?: boolean }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text fw={700}>{claim.provider_name}</Text>
        <StatusBadge status={claim.status} />
      </Group>
      <Text size="sm">{claim.number} · {claim.member_id} · {formatDate(claim.service_date)}</Text>
      <Text size="sm">
        Billed <Money minor={claim.total_billed} currency={claim.currency} />
        {["APPROVED", "SETTLED"].includes(claim.status) && <> · approved <Money minor={claim.total_approved} currency={claim.currency} /></>}
        {claim.copay_amount > 0 && <> · your copay <Money minor={claim.copay_amount} currency={claim.currency} /></>}
      </Text>
      {lines && claim.items.length > 0 && (
        <Table fz="xs" verticalSpacing={2} withRowBorders={false} aria-label={`Lines of ${claim.number}`}>
          <Table.Tbody>
            {claim.items.map((line) => (
              <Table.Tr key={line.line_no}>
                <Table.Td>{line.description} ({statusLabel(line.category)}) × {line.quantity}</Table.Td>
                <Table.Td ta="right"><Money minor={line.billed_amount} currency={claim.currency} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
