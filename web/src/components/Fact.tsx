import { Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";

/** One labelled value of a record's summary. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={600} component="div">{children}</Text>
    </Stack>
  );
}
