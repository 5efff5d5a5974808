/**
 * "Generate credentials": the client's portal login, created or reset; Vetra e-mails the
 * client a set-password link and the HMO a copy without the secret.
 */
import { Alert, Button, Group, Paper, Stack, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { api, dataOf } from "../../../api/client";
import { problemOf } from "../../../api/problem";
import { formatDateTime } from "../../../app/format";
import { ProblemAlert } from "../../../components/ProblemAlert";
import type { Client } from "./queries";

export function CredentialsForm({ client }: { client: Client }) {
  const [email, setEmail] = useState(client.contact_email ?? "");
  const issue = useMutation({
    mutationFn: async () =>
      dataOf(await api.POST("/api/clients/{client_id}/credentials", { params: { path: { client_id: client.id } }, body: { email } })),
  });
  const emailError = problemOf(issue.error)?.fieldErrors().email;
  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={(event) => { event.preventDefault(); issue.mutate(); }} noValidate>
        <Stack>
          <Text fw={700}>Client portal credentials</Text>
          <Text size="sm" c="dimmed">The client gets a link to set a password; you get a copy without it.</Text>
          <TextInput label="Client's e-mail" type="email" required value={email} error={emailError} onChange={(event) => setEmail(event.currentTarget.value)} />
          {!emailError && <ProblemAlert error={issue.error} />}
          {issue.data && (
            <Alert color="green" title="Credentials sent" role="status">
              Sent to {issue.data.emailed_to.join(", ")}
              {issue.data.setup_link_expires_at && `; the link works until ${formatDateTime(issue.data.setup_link_expires_at)}`}.
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={issue.isPending}>Send credentials</Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
