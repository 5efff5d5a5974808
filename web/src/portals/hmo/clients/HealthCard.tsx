/** The digital health card as the member carries it. */
import { Group, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { formatDate } from "../../../app/format";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge, statusLabel } from "../../../components/StatusBadge";

export function HealthCard({ memberId }: { memberId: string }) {
  const card = useQuery({
    queryKey: ["enrollees", memberId, "card"],
    queryFn: async () => dataOf(await api.GET("/api/enrollees/{member_id}/card", { params: { path: { member_id: memberId } } })),
  });
  if (card.error) return <ProblemAlert error={card.error} />;
  if (!card.data) return null;
  const shown = card.data;
  const fields = [
    ["Plan", shown.plan],
    ["Client", shown.client],
    ["Relationship", statusLabel(shown.relationship)],
    ["Born", formatDate(shown.date_of_birth)],
    ["Valid", `${formatDate(shown.valid_from)} – ${shown.valid_to ? formatDate(shown.valid_to) : "open"}`],
    ["Primary provider", shown.primary_provider ?? "—"],
  ];
  return (
    <Paper withBorder p="md" radius="md" aria-label="Health card" component="section" maw={560}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={700}>{shown.hmo_name}</Text>
          <StatusBadge status={shown.status} />
        </Group>
        <Text size="xl" fw={700} ff="monospace">{shown.member_id}</Text>
        <Text fw={500}>{shown.name}</Text>
        <SimpleGrid cols={2} spacing="xs">
          {fields.map(([label, value]) => (
            <div key={label}>
              <Text size="xs" c="dimmed">{label}</Text>
              <Text size="sm">{value}</Text>
            </div>
          ))}
        </SimpleGrid>
        {(shown.hmo_phone || shown.hmo_email) && <Text size="xs" c="dimmed">{[shown.hmo_phone, shown.hmo_email].filter(Boolean).join(" · ")}</Text>}
      </Stack>
    </Paper>
  );
}
