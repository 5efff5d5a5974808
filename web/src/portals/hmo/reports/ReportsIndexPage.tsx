/** The list of reports, each with what it shows. */
import { Anchor, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { Link } from "react-router-dom";

import { PageHeader } from "../../../components/PageHeader";
import { REPORTS } from "./catalog";

export function ReportsIndexPage() {
  return (
    <Stack>
      <PageHeader title="Reports" description="Each report covers the last twelve months unless you pick a period, and compares it with the period before." />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {REPORTS.map((report) => (
          <Paper key={report.name} withBorder p="md" radius="md">
            <Anchor component={Link} to={`/hmo/reports/${report.name}`} fw={700}>{report.title}</Anchor>
            <Text size="sm" c="dimmed" mt={4}>{report.summary}</Text>
          </Paper>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
