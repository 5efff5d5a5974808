/** The bell: unread count, the latest notifications, mark read; live over `/api/events`. */
import { ActionIcon, Badge, Button, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from "@mantine/core";
import { notifications as toasts } from "@mantine/notifications";
import { IconBell } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { api, dataOf } from "../api/client";
import type { Notification } from "../api/types";
import { formatDateTime } from "./format";
import { openLiveEvents, refreshFor } from "./live";

const LATEST = 20;
const UNREAD_SHOWN_AT_MOST = 99;

/** Once the newest notification is known, a toast for each one after it. */
function useLiveToasts(newestSeq: number | undefined): void {
  const queryClient = useQueryClient();
  const [start, setStart] = useState<number | null>(null);
  if (start === null && newestSeq !== undefined) setStart(newestSeq); // once: later ones arrive live
  useEffect(() => {
    if (start === null) return undefined;
    return openLiveEvents(start, (notification) => {
      toasts.show({
        title: notification.title,
        message: notification.body || notification.title,
        autoClose: 6000,
        closeButtonProps: { "aria-label": "Dismiss" },
      });
      refreshFor(queryClient, notification);
    });
  }, [queryClient, start]);
}

function Item({ notification, onRead }: { notification: Notification; onRead: (id: string) => void }) {
  const unread = !notification.read_at;
  return (
    <UnstyledButton
      onClick={() => unread && onRead(notification.id)}
      p="xs"
      style={{ borderRadius: 8, background: unread ? "var(--mantine-color-brand-0)" : undefined }}
      aria-label={`${notification.title}${unread ? " (unread, mark as read)" : ""}`}
    >
      <Text size="sm" fw={unread ? 700 : 400}>{notification.title}</Text>
      {notification.body && <Text size="xs" c="dimmed" lineClamp={2}>{notification.body}</Text>}
      <Text size="xs" c="dimmed">{formatDateTime(notification.created_at)}</Text>
    </UnstyledButton>
  );
}

export function Bell() {
  const queryClient = useQueryClient();
  const latest = useQuery({
    queryKey: ["notifications", "latest"],
    queryFn: async () => dataOf(await api.GET("/api/notifications", { params: { query: { limit: LATEST } } })),
  });
  useLiveToasts(latest.isSuccess ? (latest.data.items[0]?.seq ?? 0) : undefined);
  const unread = useQuery({
    queryKey: ["notifications", "unread"],
    queryFn: async () =>
      dataOf(await api.GET("/api/notifications", { params: { query: { unread: true, limit: UNREAD_SHOWN_AT_MOST } } })),
  });
  const markRead = useMutation({
    mutationFn: async (id: string) => api.POST("/api/notifications/{notification_id}/read", { params: { path: { notification_id: id } } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["notifications"] }),
  });
  const unreadItems = unread.data?.items ?? [];
  const count = unreadItems.length;
  const countText = unread.data?.next_cursor ? `${UNREAD_SHOWN_AT_MOST}+` : String(count);
  const markAll = () => unreadItems.forEach((item) => markRead.mutate(item.id));

  return (
    <Popover width={340} position="bottom-end" shadow="md">
      <Indicator label={countText} size={18} disabled={count === 0} offset={4} color="red.8">
        <Popover.Target>
          <ActionIcon variant="subtle" size="lg" aria-label={`Notifications, ${countText} unread`}>
            <IconBell size={20} />
          </ActionIcon>
        </Popover.Target>
      </Indicator>
      <Popover.Dropdown>
        <Group justify="space-between" mb="xs">
          <Text fw={700}>Notifications</Text>
          {count > 0 ? (
            <Button size="compact-xs" variant="subtle" onClick={markAll}>Mark all read</Button>
          ) : (
            <Badge variant="light" color="gray">All read</Badge>
          )}
        </Group>
        <ScrollArea.Autosize mah={360}>
          <Stack gap={4}>
            {(latest.data?.items ?? []).map((item) => (
              <Item key={item.id} notification={item} onRead={(id) => markRead.mutate(id)} />
            ))}
            {latest.data?.items.length === 0 && <Text size="sm" c="dimmed">Nothing yet.</Text>}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
