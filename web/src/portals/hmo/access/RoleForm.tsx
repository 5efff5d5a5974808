/** A custom role's name, description and permissions, picked from the catalog. */
import { Button, Checkbox, Fieldset, Group, Modal, SimpleGrid, Stack, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, dataOf } from "../../../api/client";
import { problemOf } from "../../../api/problem";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { byResource, usePermissionCatalog, type Role } from "../../../components/access/roles";

function PermissionPicker({ value, onChange, error }: { value: string[]; onChange: (value: string[]) => void; error?: string }) {
  const catalog = usePermissionCatalog();
  return (
    <Checkbox.Group label="Permissions" value={value} onChange={onChange} error={error}>
      <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
        {byResource(catalog.data ?? []).map(([resource, permissions]) => (
          <Fieldset key={resource} legend={resource.replace(/_/g, " ")} p="xs">
            <Stack gap={4}>
              {permissions.map((permission) => (
                <Checkbox key={permission.name} value={permission.name} label={permission.description} size="xs" />
              ))}
            </Stack>
          </Fieldset>
        ))}
      </SimpleGrid>
    </Checkbox.Group>
  );
}

/** `role` given: edits it (its version sent back); none: creates one. */
export function RoleForm({ role, opened, onClose }: { role?: Role; opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  const [permissions, setPermissions] = useState<string[]>(role?.permissions ?? []);
  const save = useMutation({
    mutationFn: async () => {
      const body = { name, description, permissions };
      if (!role) return dataOf(await api.POST("/api/roles", { body }));
      return dataOf(await api.PATCH("/api/roles/{role_id}", { params: { path: { role_id: role.id } }, body: { ...body, version: role.version } }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["roles"] });
      onClose();
    },
  });
  const fieldErrors = problemOf(save.error)?.fieldErrors() ?? {};
  const reload = async () => {
    await queryClient.invalidateQueries({ queryKey: ["roles"] });
    onClose();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={role ? `Edit ${role.name}` : "New role"} size="xl" closeButtonProps={{ "aria-label": "Close" }}>
      <form onSubmit={(event) => { event.preventDefault(); save.mutate(); }}>
        <Stack>
          <TextInput label="Name" required value={name} onChange={(event) => setName(event.currentTarget.value)} error={fieldErrors.name} />
          <Textarea label="Description" value={description} onChange={(event) => setDescription(event.currentTarget.value)} error={fieldErrors.description} />
          <PermissionPicker value={permissions} onChange={setPermissions} error={fieldErrors.permissions} />
          {!fieldErrors.name && !fieldErrors.permissions && <ProblemAlert error={save.error} onReload={() => void reload()} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending}>{role ? "Save the role" : "Create the role"}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
