/** One PA: its facts and SLA clock, the decision, the auth code, appeals, the "Not me"
 * hold, attachments and history. */
import { Alert, Anchor, Badge, Group, Paper, SimpleGrid, Skeleton, Stack, Table, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router-dom";

import type { Schemas } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { AuthCode, AuthorizationAttachments, AuthorizationFacts, AuthorizationHistory } from "../../../components/authorizations/AuthorizationSections";
import { useAuthorization } from "../../../components/authorizations/queries";
import { awaitsDecision } from "../../../components/authorizations/sla";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { Signals } from "./columns";
import { DecisionForm } from "./DecisionForm";
import { CancelApproval, HoldPanel } from "./HoldPanel";

type Detail = Schemas["AuthorizationDetail"];

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

export function AuthorizationPage() {
  const { authorizationId = "" } = useParams();
  const { can } = useSession();
  const query = useAuthorization<Detail>(authorizationId);
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
      <AuthCode pa={pa} claimsPath="/hmo/claims" />
      <Appeal pa={pa} />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Stack gap="md">
          <AuthorizationFacts pa={pa} />
          <AuthorizationAttachments pa={pa} />
        </Stack>
        <Stack gap="md">
          {awaitsDecision(pa.status) && can("authorizations:decide") && <DecisionForm key={pa.version} pa={pa} onReload={reload} />}
          <RiskEvents pa={pa} />
          <AuthorizationHistory pa={pa} />
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}
