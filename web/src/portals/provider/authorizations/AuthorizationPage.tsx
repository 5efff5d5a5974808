/** One of the provider's PAs: its SLA clock while it waits, the decision with the auth code,
 * and, once rejected, an appeal with new evidence. */
import { Alert, Anchor, Button, Group, SimpleGrid, Skeleton, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { useSession } from "../../../app/session";
import { AuthCode, AuthorizationAttachments, AuthorizationFacts, AuthorizationHistory } from "../../../components/authorizations/AuthorizationSections";
import { useAuthorization } from "../../../components/authorizations/queries";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { Section } from "../../../components/Section";
import { StatusBadge } from "../../../components/StatusBadge";
import { AttachmentsInput, useAttachments } from "../attachments";

type Detail = Schemas["ProviderAuthorizationDetail"];

export function AuthorizationPage() {
  const { authorizationId = "" } = useParams();
  const { can } = useSession();
  const query = useAuthorization<Detail>(authorizationId);
  if (query.isPending) return <Skeleton h={320} />;
  if (query.isError) return <ProblemAlert error={query.error} />;
  const pa = query.data;
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/provider/authorizations" size="sm">Back to pre-authorizations</Anchor>
      <PageHeader
        title={pa.number}
        description={
          <Group gap="xs" component="span">
            <StatusBadge status={pa.status} />
            <StatusBadge status={pa.urgency} />
          </Group>
        }
      />
      <AuthCode pa={pa} claimsPath="/provider/claims" />
      {pa.status === "REJECTED" && (
        <Alert color="#b3261e" variant="light" title="Rejected">
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{pa.decision_reason ?? "No reason given."}</Text>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Stack gap="md">
          <AuthorizationFacts pa={pa} />
          <AuthorizationAttachments pa={pa} />
        </Stack>
        <Stack gap="md">
          {pa.status === "REJECTED" && can("authorizations:appeal") && <AppealForm key={pa.version} pa={pa} />}
          <AuthorizationHistory pa={pa} />
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}

/** The evidence the first decision lacked, with its documents: the PA returns to review
 * with a fresh SLA. */
function AppealForm({ pa }: { pa: Detail }) {
  const queryClient = useQueryClient();
  const attachments = useAttachments();
  const [evidence, setEvidence] = useState("");
  const appeal = useMutation({
    mutationFn: async () => {
      await attachments.sendTo(`/api/authorizations/${pa.id}/attachments`);
      const path = { path: { authorization_id: pa.id } };
      return dataOf(await api.POST("/api/authorizations/{authorization_id}/appeals", { params: path, body: { evidence: evidence.trim(), version: pa.version } }));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["authorizations"] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    appeal.mutate();
  };
  return (
    <Section title="Appeal the rejection">
      <Stack gap="sm" component="form" onSubmit={submit}>
        <Textarea label="New evidence" description="What answers the reason for the rejection" required autosize minRows={3} value={evidence} onChange={(event) => setEvidence(event.currentTarget.value)} />
        <AttachmentsInput attachments={attachments} label="Documents" />
        <ProblemAlert error={appeal.error} onReload={() => void queryClient.invalidateQueries({ queryKey: ["authorizations", pa.id] })} />
        <Group>
          <Button type="submit" loading={appeal.isPending} disabled={!evidence.trim()}>Send the appeal</Button>
        </Group>
      </Stack>
    </Section>
  );
}
