/** One PA: its facts and SLA clock, the decision, the auth code, appeals, the "Not me"
 * hold, attachments and history. */
import { Alert, Anchor, Badge, Code, Group, Paper, SimpleGrid, Skeleton, Stack, Table, Text, Timeline, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { formatDate, formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge, statusLabel } from "../../../components/StatusBadge";
import { Signals } from "./columns";
import { DecisionForm } from "./DecisionForm";
import { CancelApproval, HoldPanel } from "./HoldPanel";
import { awaitsDecision, SlaCountdown } from "./sla";

type Detail = Schemas["AuthorizationDetail"];

function useAuthorization(id: string) {
  return useQuery({
    queryKey: ["authorizations", id],
    queryFn: async () =>
      dataOf(await api.GET("/api/authorizations/{authorization_id}", { params: { path: { authorization_id: id } } })) as Detail,
  });
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" fw={700} tt="uppercase">{label}</Text>
      <Text size="sm" component="div">{children}</Text>
    </Stack>
  );
}

function Facts({ pa }: { pa: Detail }) {
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
function AuthCode({ pa }: { pa: Detail }) {
  if (!pa.auth_code) return null;
  return (
    <Alert color="#25713a" variant="light" title="Auth code" role="status">
      <Stack gap={4}>
        <Code fz="xl" fw={700} data-testid="auth-code">{pa.auth_code}</Code>
        <Text size="sm">Valid {formatDate(pa.valid_from)} to {formatDate(pa.valid_to)}{pa.matched_rule_id ? ", approved by an auto-approval rule" : ""}.</Text>
        {pa.used_at && (
          <Text size="sm">
            Used {formatDateTime(pa.used_at)}
            {pa.used_by_claim_id && <> by <Anchor component={Link} to={`/hmo/claims/${pa.used_by_claim_id}`}>its claim</Anchor></>}.
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

/** The provider's latest appeal, while it waits for the new decision. */
function Appeal({ pa }: { pa: Detail }) {
  const appeal = pa.history.filter((event) => event.action === "appealed").at(-1);
  if (!appeal || !awaitsDecision(pa.status)) return null;
  return (
    <Alert color="#862e9c" variant="light" title={`Appealed ${formatDateTime(appeal.created_at)} by ${appeal.actor_label}`}>
      <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{appeal.note ?? "No evidence given."}</Text>
      <Text size="xs" mt={4}>Rejected before for: {pa.history.filter((e) => e.to_status === "REJECTED").at(-1)?.reason ?? "—"}</Text>
    </Alert>
  );
}

function Attachments({ pa }: { pa: Detail }) {
  const pages = usePages(["authorizations", pa.id, "attachments"], async (cursor) =>
    dataOf(await api.GET("/api/authorizations/{authorization_id}/attachments", { params: { path: { authorization_id: pa.id }, query: { cursor } } })),
  );
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="pa-attachments">
      <Title order={2} size="h4" id="pa-attachments" mb="sm">Attachments</Title>
      <ProblemAlert error={pages.error} />
      {pages.isPending ? <Skeleton h={40} /> : pages.items.length === 0 ? (
        <Text size="sm" c="dimmed">The provider attached no document.</Text>
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

function RiskEvents({ pa }: { pa: Detail }) {
  if (pa.risk_events.length === 0) return null;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="pa-risk">
      <Title order={2} size="h4" id="pa-risk" mb="sm">Fraud flags</Title>
      <Table.ScrollContainer minWidth={420}>
        <Table>
          <Table.Thead>
            <Table.Tr><Table.Th>Rule</Table.Th><Table.Th ta="right">Weight</Table.Th><Table.Th>Raised</Table.Th><Table.Th>Cleared</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {pa.risk_events.map((flag) => (
              <Table.Tr key={String(flag.id)}>
                <Table.Td>{String(flag.rule)}</Table.Td>
                <Table.Td ta="right">{String(flag.weight)}</Table.Td>
                <Table.Td>{formatDateTime(flag.created_at as string)}</Table.Td>
                <Table.Td>{formatDateTime(flag.cleared_at as string | null)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function History({ pa }: { pa: Detail }) {
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

export function AuthorizationPage() {
  const { authorizationId = "" } = useParams();
  const { can } = useSession();
  const query = useAuthorization(authorizationId);
  const reload = () => void query.refetch();
  if (query.isPending) return <Skeleton h={320} />;
  if (query.isError) return <ProblemAlert error={query.error} />;
  const pa = query.data;
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/hmo/authorizations" size="sm">Back to the queue</Anchor>
      <PageHeader
        title={pa.number}
        description={
          <Group gap="xs" component="span">
            <StatusBadge status={pa.status} />
            <StatusBadge status={pa.urgency} />
            <Signals pa={pa} />
            {pa.escalated_at && <Badge variant="outline" color="#a13f00" radius="sm">Escalated</Badge>}
          </Group>
        }
        actions={pa.status === "APPROVED" && !pa.used_at && can("authorizations:decide") && <CancelApproval pa={pa} />}
      />
      <HoldPanel pa={pa} />
      <AuthCode pa={pa} />
      <Appeal pa={pa} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Stack gap="md">
          <Facts pa={pa} />
          <Attachments pa={pa} />
        </Stack>
        <Stack gap="md">
          {awaitsDecision(pa.status) && can("authorizations:decide") && <DecisionForm key={pa.version} pa={pa} onReload={reload} />}
          <RiskEvents pa={pa} />
          <History pa={pa} />
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}
