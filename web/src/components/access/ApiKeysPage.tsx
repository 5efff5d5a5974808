/** An organisation's integration keys (an HMO's or a provider's, each of its own scope):
 * create one (the key shown once), revoke one. */
import { Alert, Badge, Button, Code, CopyButton, Group, Modal, MultiSelect, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, dataOf } from "../../api/client";
import { usePages } from "../../api/pages";
import { problemOf } from "../../api/problem";
import type { Schemas } from "../../api/types";
import { formatDateTime } from "../../app/format";
import { useSession } from "../../app/session";
import { ConfirmButton } from "../ConfirmButton";
import { DataTable, type Column } from "../DataTable";
import { ProblemAlert } from "../ProblemAlert";

type ApiKey = Schemas["ApiKeyRead"];

function TheKeyOnce({ created, onDone }: { created: Schemas["ApiKeyCreated"]; onDone: () => void }) {
  return (
    <Stack>
      <Alert color="yellow" title="Copy the key now">This is the only time Vetra shows it. Store it where your integration reads its secrets.</Alert>
      <Code block aria-label="The new API key">{created.key}</Code>
      <Group justify="flex-end">
        <CopyButton value={created.key}>
          {({ copied, copy }) => <Button variant="default" onClick={copy}>{copied ? "Copied" : "Copy the key"}</Button>}
        </CopyButton>
        <Button onClick={onDone}>I have stored it</Button>
      </Group>
    </Stack>
  );
}

function CreateKeyButton() {
  const { me } = useSession();
  const scope = me?.tenant?.kind === "PROVIDER" ? "provider_integration" : "tenant_integration";
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [name, setName] = useState("");
  const [permissions, setPermissions] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: async () =>
      dataOf(await api.POST("/api/api-keys", { body: { name, scope, permissions: permissions.length ? permissions : null } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["api-keys"] }),
  });
  const close = () => {
    setOpened(false);
    setName("");
    setPermissions([]);
    create.reset();
  };
  const fieldErrors = problemOf(create.error)?.fieldErrors() ?? {};
  return (
    <>
      <Button onClick={() => setOpened(true)}>Create an API key</Button>
      <Modal opened={opened} onClose={close} title="Create an API key" size="lg" closeButtonProps={{ "aria-label": "Close" }}>
        {create.data ? (
          <TheKeyOnce created={create.data} onDone={close} />
        ) : (
          <form onSubmit={(event) => { event.preventDefault(); create.mutate(); }}>
            <Stack>
              <TextInput label="Name" description="What uses it, e.g. the billing system's claim upload" required value={name} onChange={(event) => setName(event.currentTarget.value)} error={fieldErrors.name} />
              <MultiSelect
                label="Permissions"
                description="None picked: every permission you hold. A key never holds more than you do."
                data={me?.permissions ?? []}
                value={permissions}
                onChange={setPermissions}
                searchable
                error={fieldErrors.permissions}
              />
              {!fieldErrors.name && !fieldErrors.permissions && <ProblemAlert error={create.error} />}
              <Group justify="flex-end">
                <Button variant="default" onClick={close}>Cancel</Button>
                <Button type="submit" loading={create.isPending}>Create the key</Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}

function RevokeButton({ apiKey }: { apiKey: ApiKey }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: async () => api.DELETE("/api/api-keys/{key_id}", { params: { path: { key_id: apiKey.id } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["api-keys"] }),
  });
  return (
    <ConfirmButton label="Revoke" title={`Revoke ${apiKey.name}?`} confirmLabel="Revoke the key" color="red" variant="default" onConfirm={() => revoke.mutateAsync()} pending={revoke.isPending} error={revoke.error}>
      Every call made with it is refused from now on. This cannot be undone.
    </ConfirmButton>
  );
}

export function ApiKeysPage() {
  const { can } = useSession();
  const keys = usePages<ApiKey>(["api-keys"], async (cursor) => dataOf(await api.GET("/api/api-keys", { params: { query: { cursor } } })));
  const manage = can("api_keys:manage");
  const columns: Column<ApiKey>[] = [
    { key: "name", label: "Name", render: (key) => key.name },
    { key: "prefix", label: "Starts with", render: (key) => <Code>{key.prefix}</Code> },
    { key: "permissions", label: "Permissions", align: "right", render: (key) => key.permissions.length },
    { key: "created", label: "Created", render: (key) => formatDateTime(key.created_at) },
    { key: "used", label: "Last used", render: (key) => formatDateTime(key.last_used_at) },
    { key: "state", label: "State", render: (key) => <Badge variant="outline" color={key.revoked_at ? "#b3261e" : "#25713a"}>{key.revoked_at ? `Revoked ${formatDateTime(key.revoked_at)}` : "Active"}</Badge> },
    ...(manage ? [{ key: "actions", label: "Actions", render: (key: ApiKey) => (key.revoked_at ? null : <RevokeButton apiKey={key} />) }] : []),
  ];
  return (
    <Stack>
      {manage && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">Keys let your organisation's own systems call the API. A key is shown once, when created.</Text>
          <CreateKeyButton />
        </Group>
      )}
      <ProblemAlert error={keys.error} />
      <DataTable columns={columns} rows={keys.items} rowKey={(key) => key.id} caption="API keys" empty="No API keys yet." {...keys.tableProps} />
    </Stack>
  );
}
