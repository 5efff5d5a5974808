/** The list of reports, each with what it shows. */
import { Anchor, Paper, SimpleGrid, Skeleton, Stack, Text } from "@mantine/core";
import { Link } from "react-router-dom";

import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { useReportCatalog } from "./catalog";

export function ReportsIndexPage() {
  const catalog = useReportCatalog();
  return (
    <Stack>
      <PageHeader title="Reports" description="Each report covers the last twelve months unless you pick a period, and compares it with the period before." />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {(catalog.data ?? []).map((report) => (
          <Paper key={report.name} withBorder p="md" radius="md">
            <Anchor component={Link} to={`/hmo/reports/${report.name}`} fw={700}>{report.title}</Anchor>
            <Text size="sm" c="dimmed" mt={4}>{report.summary}</Text>
          </Paper>
        ))}
      </SimpleGrid>
      {catalog.isPending && <Skeleton h={200} />}
      <ProblemAlert error={catalog.error} />
    </Stack>
  );
}
