/** A titled panel of a detail page, named for screen readers by its title. */
import { Paper, Title } from "@mantine/core";
import type { ReactNode } from "react";

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Title order={2} size="h4" mb="xs">{title}</Title>
      {children}
    </Paper>
  );
}
