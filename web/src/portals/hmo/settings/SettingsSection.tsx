/** One section of the settings: its fields, its Save, its refusal in words next to it. */
import { Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { problemOf } from "../../../api/problem";
import { useSession } from "../../../app/session";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { SETTINGS_KEY, useSaveSettings, type Settings, type SettingsPatch } from "./settings";

export function SettingsSection({ title, description, settings, changes, children }: {
  title: string;
  description: string;
  settings: Settings;
  /** What Save sends: only the fields changed (none: nothing to save). */
  changes: SettingsPatch;
  children: (fieldErrors: Record<string, string>, editable: boolean) => ReactNode;
}) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const save = useSaveSettings(settings);
  const editable = can("tenant:update");
  const fieldErrors = problemOf(save.error)?.fieldErrors() ?? {};
  const submit = () =>
    save.mutate(changes, { onSuccess: () => notifications.show({ color: "green", message: `${title}: saved.` }) });
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <form onSubmit={(event) => { event.preventDefault(); submit(); }}>
        <Stack gap="sm">
          <div>
            <Title order={2} size="h4">{title}</Title>
            <Text size="sm" c="dimmed">{description}</Text>
          </div>
          {children(fieldErrors, editable)}
          {Object.keys(fieldErrors).length === 0 && (
            <ProblemAlert error={save.error} onReload={() => { save.reset(); void queryClient.invalidateQueries({ queryKey: SETTINGS_KEY }); }} />
          )}
          {editable && (
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending} disabled={Object.keys(changes).length === 0}>Save</Button>
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
