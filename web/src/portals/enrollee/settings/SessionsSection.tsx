/** Where the account is signed in: each session with its device and address, this one
 * marked; sign one out, every other one, or everywhere (this one too). */
import { Badge, Button, Group, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import { useForgetSession } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { RecordList } from "../RecordList";

type Session = Schemas["SessionRead"];

/** "Chrome on Android" from a user agent: enough to tell one's devices apart. */
export function deviceOf(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  const browser = [["Edg/", "Edge"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]].find(([mark]) => userAgent.includes(mark ?? ""))?.[1];
  const system = [["Android", "Android"], ["iPhone", "iPhone"], ["iPad", "iPad"], ["Windows", "Windows"], ["Mac OS", "macOS"], ["Linux", "Linux"]].find(([mark]) => userAgent.includes(mark ?? ""))?.[1];
  if (!browser && !system) return userAgent.slice(0, 60);
  return [browser ?? "A browser", system && `on ${system}`].filter(Boolean).join(" ");
}

function SessionRow({ session }: { session: Session }) {
  const queryClient = useQueryClient();
  const end = useMutation({
    mutationFn: async () => api.DELETE("/api/me/sessions/{session_id}", { params: { path: { session_id: session.id } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["sessions"] }),
  });
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text fw={700}>{deviceOf(session.user_agent)}</Text>
        {session.current && <Badge variant="light" radius="sm">This device</Badge>}
      </Group>
      <Text size="sm">Signed in {formatDateTime(session.created_at)}{session.ip ? ` from ${session.ip}` : ""}</Text>
      <Text size="xs" c="dimmed">Last active {formatDateTime(session.last_seen_at)}</Text>
      <ProblemAlert error={end.error} />
      {!session.current && (
        <Group>
          <Button size="xs" variant="default" loading={end.isPending} onClick={() => end.mutate()} aria-label={`Sign out ${deviceOf(session.user_agent)}, signed in ${formatDateTime(session.created_at)}`}>
            Sign out
          </Button>
        </Group>
      )}
    </Stack>
  );
}

export function SessionsSection() {
  const queryClient = useQueryClient();
  const forget = useForgetSession();
  const pages = usePages(["sessions"], async (cursor) => dataOf(await api.GET("/api/me/sessions", { params: { query: { cursor } } })));
  const others = useMutation({
    mutationFn: async () => api.DELETE("/api/me/sessions", { params: { query: { keep_current: true } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["sessions"] }),
  });
  const everywhere = useMutation({
    mutationFn: async () => api.DELETE("/api/me/sessions", { params: { query: { keep_current: false } } }),
    onSuccess: forget,
  });
  return (
    <Stack gap="sm">
      <ProblemAlert error={pages.error} />
      <RecordList label="Active sessions" rows={pages.items} rowKey={(s) => s.id} render={(s) => <SessionRow session={s} />} empty="No active session." {...pages.tableProps} />
      <Group gap="sm">
        <ConfirmButton label="Sign out everywhere else" title="Sign out everywhere else?" confirmLabel="Sign them out" variant="default" onConfirm={() => others.mutateAsync()} pending={others.isPending} error={others.error}>
          Every other browser and device signed in to your account is signed out at once. This one stays signed in.
        </ConfirmButton>
        <ConfirmButton label="Sign out everywhere" title="Sign out everywhere?" confirmLabel="Sign out everywhere" color="red.8" onConfirm={() => everywhere.mutateAsync()} pending={everywhere.isPending} error={everywhere.error}>
          Every browser and device signed in to your account is signed out at once, this one too: you will need your password to sign in again.
        </ConfirmButton>
      </Group>
    </Stack>
  );
}
