/** Pre-authorizations filed for the family, and the ghost-patient alerts among them: an
 * EMERGENCY PA on the card arrives live (`authorization.emergency_alert` refreshes every
 * "authorizations" query), with "Not me" one tap away. */
import { Alert, Badge, Group, Stack, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";
import { usePages } from "../../api/pages";
import type { Schemas } from "../../api/types";
import { formatDateTime } from "../../app/format";
import { ConfirmButton } from "../../components/ConfirmButton";
import { Money } from "../../components/Money";
import { StatusBadge } from "../../components/StatusBadge";

export type MemberPa = Schemas["MemberAuthorizationRead"];
/** How long an unanswered emergency PA stays an alert on the dashboard. */
const ALERT_DAYS = 30;

export function useMemberAuthorizations(member: string | undefined) {
  return usePages(["authorizations", "mine", member ?? "family"], async (cursor) =>
    dataOf(await api.GET("/api/me/authorizations", { params: { query: { member_id: member, cursor } } })),
  );
}

/** Emergency PAs of the last days that nobody in the family has answered "Not me" yet. */
export function ghostAlerts(pas: MemberPa[], now: number = Date.now()): MemberPa[] {
  const since = now - ALERT_DAYS * 86_400_000;
  return pas.filter((pa) => pa.urgency === "EMERGENCY" && !pa.suspicious && new Date(pa.created_at).getTime() >= since);
}

export function NotMeButton({ pa }: { pa: MemberPa }) {
  const queryClient = useQueryClient();
  const report = useMutation({
    mutationFn: async () =>
      dataOf(await api.POST("/api/authorizations/{authorization_id}/not-me", { params: { path: { authorization_id: pa.id } }, body: {} })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["authorizations"] }),
  });
  return (
    <ConfirmButton
      label="Not me"
      title={`Report ${pa.number} as not you?`}
      confirmLabel="Yes, report it"
      color="red.8"
      onConfirm={() => report.mutateAsync()}
      pending={report.isPending}
      error={report.error}
    >
      {`You are telling your HMO that nobody in your family had this visit at ${pa.provider_name} on ${formatDateTime(pa.created_at)}. `}
      {"Your HMO is alerted at once, any claim citing this pre-authorization is held, and the visit is investigated. "}
      {"Your cover is not charged for a claim while it is held."}
    </ConfirmButton>
  );
}

export function PaSummary({ pa }: { pa: MemberPa }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text fw={700}>{pa.provider_name}</Text>
        <StatusBadge status={pa.status} />
      </Group>
      <Group gap="xs">
        <StatusBadge status={pa.urgency} />
        <Text size="sm">{pa.number} · {pa.procedure_code} · {pa.member_id}</Text>
      </Group>
      <Text size="sm">
        Estimated <Money minor={pa.estimated_amount} currency={pa.currency} />
        {pa.approved_amount !== null && pa.approved_amount !== undefined && <> · approved <Money minor={pa.approved_amount} currency={pa.currency} /></>}
      </Text>
      <Text size="xs" c="dimmed">Filed {formatDateTime(pa.created_at)}</Text>
      {pa.suspicious ? (
        <Badge color="#b3261e" variant="light" radius="sm">{`Reported \u201cNot me\u201d ${formatDateTime(pa.reported_at)}`}</Badge>
      ) : (
        <Group><NotMeButton pa={pa} /></Group>
      )}
    </Stack>
  );
}

/** The alerts, each with "Not me" beside it. */
export function GhostAlerts({ pas }: { pas: MemberPa[] }) {
  const alerts = ghostAlerts(pas);
  if (alerts.length === 0) return null;
  return (
    <Stack gap="sm" aria-label="Alerts" component="section">
      {alerts.map((pa) => (
        <Alert key={pa.id} color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title={`Emergency pre-authorization at ${pa.provider_name}`}>
          <Stack gap="xs">
            <Text size="sm">
              {`${pa.number} for ${pa.member_id}, filed ${formatDateTime(pa.created_at)}. If this visit was not yours, tap \u201cNot me\u201d and your HMO will investigate.`}
            </Text>
            <Group><NotMeButton pa={pa} /></Group>
          </Stack>
        </Alert>
      ))}
    </Stack>
  );
}
