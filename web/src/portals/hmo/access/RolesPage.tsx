/** The roles: the system ones (fixed) and the HMO's own, made from the permission catalog. */
import { Badge, Button, Group, Stack, Text } from "@mantine/core";
import { useState } from "react";

import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { useRoles, type Role } from "../../../components/access/roles";
import { RoleForm } from "./RoleForm";

export function RolesPage() {
  const { can } = useSession();
  const roles = useRoles();
  const [editing, setEditing] = useState<Role | "new" | null>(null);
  const manage = can("roles:manage");
  const columns: Column<Role>[] = [
    { key: "name", label: "Role", render: (role) => <Text fw={600} size="sm">{role.name}</Text> },
    { key: "description", label: "Description", render: (role) => role.description || "—" },
    { key: "permissions", label: "Permissions", align: "right", render: (role) => role.permissions.length },
    { key: "kind", label: "Kind", render: (role) => <Badge variant="outline" color={role.is_system ? "#495057" : "#1c5fb0"}>{role.is_system ? "System" : "Custom"}</Badge> },
  ];
  return (
    <Stack>
      {manage && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">System roles are fixed; open a custom role to change it.</Text>
          <Button onClick={() => setEditing("new")}>New role</Button>
        </Group>
      )}
      <ProblemAlert error={roles.error} />
      <DataTable
        columns={columns}
        rows={roles.data ?? []}
        rowKey={(role) => role.id}
        loading={roles.isPending}
        caption="Roles"
        onRowClick={manage ? (role) => !role.is_system && setEditing(role) : undefined}
      />
      {editing && <RoleForm key={editing === "new" ? "new" : editing.id} role={editing === "new" ? undefined : editing} opened onClose={() => setEditing(null)} />}
    </Stack>
  );
}
