/** The parts of a PA's page both sides show: the request with its SLA, the auth code, the
 * attachments and the history (the HMO's page adds its decision, flags and hold). */
import { Alert, Anchor, Code, Paper, SimpleGrid, Skeleton, Stack, Text, Timeline, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router-dom";

import { api, dataOf } from "../../api/client";
import { usePages } from "../../api/pages";
import type { Schemas } from "../../api/types";
import { formatDate, formatDateTime } from "../../app/format";
import { Money } from "../Money";
import { ProblemAlert } from "../ProblemAlert";
import { ProviderName } from "../ProviderName";
import { statusLabel } from "../StatusBadge";
import { awaitsDecision, SlaCountdown } from "./sla";

type Detail = Schemas["ProviderAuthorizationDetail"];

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" fw={700} tt="uppercase">{label}</Text>
      <Text size="sm" component="div">{children}</Text>
    </Stack>
  );
}

export function AuthorizationFacts({ pa }: { pa: Detail }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="pa-facts">
      <Title order={2} size="h4" id="pa-facts" mb="sm">Request</Title>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
        <Fact label="Member">{pa.member_id}</Fact>
        <Fact label="Provider"><ProviderName providerId={pa.provider_id} /></Fact>
        <Fact label="Procedure">{pa.procedure_code}</Fact>
        <Fact label="Diagnoses">{pa.diagnosis_codes.join(", ") || "—"}</Fact>
        <Fact label="Estimate"><Money minor={pa.estimated_amount} currency={pa.currency} /></Fact>
        <Fact label="Approved"><Money minor={pa.approved_amount} currency={pa.currency} /></Fact>
        <Fact label="Filed">{formatDateTime(pa.created_at)}</Fact>
        <Fact label={awaitsDecision(pa.status) ? "SLA" : "SLA due"}>
          {awaitsDecision(pa.status) ? <SlaCountdown pa={pa} seconds /> : formatDateTime(pa.sla_due_at)}
        </Fact>
        {pa.decided_at && <Fact label="Decided">{formatDateTime(pa.decided_at)}</Fact>}
        {pa.decision_reason && <Fact label="Reason">{pa.decision_reason}</Fact>}
      </SimpleGrid>
      {pa.notes && (
        <Stack gap={0} mt="sm">
          <Text size="xs" c="dimmed" fw={700} tt="uppercase">Clinical notes</Text>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{pa.notes}</Text>
        </Stack>
      )}
    </Paper>
  );
}

/** The auth code an approval issued, with its validity and use. */
export function AuthCode({ pa, claimsPath }: { pa: Detail; claimsPath: string }) {
  if (!pa.auth_code) return null;
  return (
    <Alert color="#25713a" variant="light" title="Auth code" role="status">
      <Stack gap={4}>
        <Code fz="xl" fw={700} data-testid="auth-code">{pa.auth_code}</Code>
        <Text size="sm">Valid {formatDate(pa.valid_from)} to {formatDate(pa.valid_to)}{pa.matched_rule_id ? ", approved by an auto-approval rule" : ""}.</Text>
        {pa.used_at && (
          <Text size="sm">
            Used {formatDateTime(pa.used_at)}
            {pa.used_by_claim_id && <> by <Anchor component={Link} to={`${claimsPath}/${pa.used_by_claim_id}`}>its claim</Anchor></>}.
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

export function AuthorizationAttachments({ pa }: { pa: Detail }) {
  const pages = usePages(["authorizations", pa.id, "attachments"], async (cursor) =>
    dataOf(await api.GET("/api/authorizations/{authorization_id}/attachments", { params: { path: { authorization_id: pa.id }, query: { cursor } } })),
  );
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="pa-attachments">
      <Title order={2} size="h4" id="pa-attachments" mb="sm">Attachments</Title>
      <ProblemAlert error={pages.error} />
      {pages.isPending ? <Skeleton h={40} /> : pages.items.length === 0 ? (
        <Text size="sm" c="dimmed">No document attached.</Text>
      ) : (
        <Stack gap={4}>
          {pages.items.map((file) => (
            <Anchor key={file.id} href={`/api/authorizations/${pa.id}/attachments/${file.id}`} target="_blank" rel="noopener" size="sm">
              {file.filename} ({Math.max(1, Math.round(file.size / 1024))} KB, {formatDateTime(file.created_at)})
            </Anchor>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

export function AuthorizationHistory({ pa }: { pa: Detail }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="pa-history">
      <Title order={2} size="h4" id="pa-history" mb="sm">History</Title>
      <Timeline bulletSize={12} lineWidth={2}>
        {pa.history.map((event, index) => (
          <Timeline.Item key={index} title={<Text size="sm" fw={600}>{statusLabel(event.action)}</Text>}>
            <Text size="xs" c="dimmed">{formatDateTime(event.created_at)}, {event.actor_label}</Text>
            {event.reason && <Text size="sm">{event.reason}</Text>}
            {event.note && <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{event.note}</Text>}
          </Timeline.Item>
        ))}
      </Timeline>
    </Paper>
  );
}
