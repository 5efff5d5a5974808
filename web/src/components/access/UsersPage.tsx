/** An organisation's users (an HMO's staff, a provider's desk): who they are, their role
 * where the organisation has roles, whether they can sign in; invite, deactivate. */
import { Badge, Button, Group, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
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
import { statusLabel } from "../StatusBadge";
import { useRoles, type Role } from "./roles";

type User = Schemas["UserRead"];

/** `roles` when the organisation has them (an HMO); a provider's users have none. */
function InviteButton({ roles }: { roles: Role[] | null }) {
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [email, setEmail] = useState("");
  const [roleId, setRoleId] = useState<string | null>(null);
  const invite = useMutation({
    mutationFn: async () => dataOf(await api.POST("/api/invites", { body: { email, role_id: roleId } })),
    onSuccess: (sent) => {
      notifications.show({ color: "green", message: `Invitation sent to ${sent.email}.` });
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      setOpened(false);
      setEmail("");
      setRoleId(null);
    },
  });
  const fieldErrors = problemOf(invite.error)?.fieldErrors() ?? {};
  return (
    <>
      <Button onClick={() => setOpened(true)}>Invite a user</Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Invite a user" closeButtonProps={{ "aria-label": "Close" }}>
        <form onSubmit={(event) => { event.preventDefault(); invite.mutate(); }}>
          <Stack>
            <Text size="sm">They get an e-mail with a one-time link to set their password.</Text>
            <TextInput label="E-mail" type="email" required value={email} onChange={(event) => setEmail(event.currentTarget.value)} error={fieldErrors.email} />
            {roles && <Select label="Role" required data={roles.map((role) => ({ value: role.id, label: role.name }))} value={roleId} onChange={setRoleId} error={fieldErrors.role_id} />}
            {Object.keys(fieldErrors).length === 0 && <ProblemAlert error={invite.error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>Cancel</Button>
              <Button type="submit" loading={invite.isPending} disabled={roles !== null && !roleId}>Send the invitation</Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function ActiveToggle({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: async () =>
      dataOf(await api.PATCH("/api/users/{user_id}", { params: { path: { user_id: user.id } }, body: { version: user.version, is_active: !user.is_active } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["users"] }),
  });
  const name = `${user.first_name} ${user.last_name}`.trim() || user.email;
  return (
    <ConfirmButton
      label={user.is_active ? "Deactivate" : "Reactivate"}
      title={user.is_active ? `Deactivate ${name}?` : `Reactivate ${name}?`}
      confirmLabel={user.is_active ? "Deactivate" : "Reactivate"}
      color={user.is_active ? "red" : undefined}
      variant="default"
      onConfirm={() => change.mutateAsync()}
      pending={change.isPending}
      error={change.error}
      onReload={() => void queryClient.invalidateQueries({ queryKey: ["users"] })}
    >
      {user.is_active ? `${user.email} will be signed out and cannot sign in until reactivated.` : `${user.email} will be able to sign in again.`}
    </ConfirmButton>
  );
}

export function UsersPage() {
  const { can, me } = useSession();
  const hasRoles = me?.tenant?.kind !== "PROVIDER";
  const roles = useRoles(hasRoles && can("roles:read"));
  const roleName = new Map((roles.data ?? []).map((role) => [role.id, role.name]));
  const users = usePages<User>(["users"], async (cursor) => dataOf(await api.GET("/api/users", { params: { query: { cursor } } })));
  const columns: Column<User>[] = [
    { key: "name", label: "Name", render: (user) => `${user.first_name} ${user.last_name}`.trim() || "—" },
    { key: "email", label: "E-mail", render: (user) => user.email },
    { key: "role", label: "Role", render: (user) => (user.role_id ? roleName.get(user.role_id) ?? "—" : statusLabel(user.kind)) },
    { key: "status", label: "Status", render: (user) => <Badge variant="outline" color={user.is_active ? "#25713a" : "#495057"}>{user.is_active ? "Active" : "Deactivated"}</Badge> },
    { key: "last_login", label: "Last signed in", render: (user) => formatDateTime(user.last_login_at) },
    ...(can("users:update")
      ? [{ key: "actions", label: "Actions", render: (user: User) => (user.id === me?.user?.id ? null : <ActiveToggle user={user} />) }]
      : []),
  ];
  return (
    <Stack>
      {can("users:invite") && (!hasRoles || roles.data) && (
        <Group justify="flex-end">
          <InviteButton roles={hasRoles ? roles.data ?? [] : null} />
        </Group>
      )}
      <ProblemAlert error={users.error} />
      <DataTable columns={columns} rows={users.items} rowKey={(user) => user.id} caption="Users" empty="No users yet." {...users.tableProps} />
    </Stack>
  );
}
