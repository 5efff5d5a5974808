import { Group, Paper, Text } from "@mantine/core";
import { IconArrowDownRight, IconArrowUpRight } from "@tabler/icons-react";
import type { ReactNode } from "react";

/** Green and red of at least 4.5:1 on white (Mantine's green.8 is not). */
const GOOD = "#25713a";
const BAD = "#b3261e";

/** A figure with the change from the period before (`previous` null: no comparison). */
export function KpiCard({ label, value, note, current, previous, upIsGood = true }: {
  label: string;
  value: ReactNode;
  /** Said under the value instead of a change (e.g. when the periods are not alike). */
  note?: ReactNode;
  current?: number | null;
  previous?: number | null;
  upIsGood?: boolean;
}) {
  const change = current != null && previous ? (current - previous) / Math.abs(previous) : null;
  const good = change !== null && (change >= 0) === upIsGood;
  const tone = good ? GOOD : BAD;
  return (
    <Paper withBorder p="md" radius="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>{label}</Text>
      <Text fw={700} size="xl" mt={4}>{value}</Text>
      {note && <Text size="xs" c="dimmed" mt={4}>{note}</Text>}
      {change !== null && (
        <Group gap={4} mt={4}>
          {change >= 0 ? <IconArrowUpRight size={16} color={tone} aria-hidden /> : <IconArrowDownRight size={16} color={tone} aria-hidden />}
          <Text size="xs" c={tone}>
            {(change * 100).toFixed(1)}% vs the period before
          </Text>
        </Group>
      )}
    </Paper>
  );
}
