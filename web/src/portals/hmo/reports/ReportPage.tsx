/** One report: KPI cards with their change, the trend and breakdowns, the rows (sortable,
 * a page at a time) and the CSV of every row, for the period and filters in the URL. */
import { Alert, Group, Loader, Paper, SimpleGrid, Skeleton, Stack, Text } from "@mantine/core";
import { useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { formatDate, formatDateTime } from "../../../app/format";
import { useFilters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import { CsvDownloadButton } from "../../../components/CsvDownloadButton";
import { DataTable, type Column } from "../../../components/DataTable";
import { KpiCard } from "../../../components/KpiCard";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { BreakdownChart, TrendChart } from "../../../components/report/ReportCharts";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatValue, type Cell } from "../../../components/report/units";
import { filterNames, LOWER_IS_BETTER, useReportCatalog, type ReportEntry, type ReportName } from "./catalog";
import { ReportFilterFields } from "./ReportFilterFields";

type Report = Schemas["ReportRead"];
type Row = Report["rows"]["items"][number];
const NUMERIC = new Set(["count", "money", "ratio", "rate", "days"]);
/** Columns holding a state machine's state, shown as its badge. */
const STATES = new Set(["status", "urgency"]);

function Kpis({ report }: { report: Report }) {
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }}>
      {report.kpis.map((kpi) => (
        <KpiCard
          key={kpi.key}
          label={kpi.label}
          value={formatValue(kpi.value, kpi.unit, report.currency)}
          current={kpi.value}
          previous={kpi.previous}
          upIsGood={!LOWER_IS_BETTER.has(kpi.key)}
        />
      ))}
    </SimpleGrid>
  );
}

function Charts({ report }: { report: Report }) {
  return (
    <>
      <TrendChart trend={report.trend} currency={report.currency} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {report.breakdown.map((breakdown) => (
          <BreakdownChart key={breakdown.key} breakdown={breakdown} currency={report.currency} />
        ))}
      </SimpleGrid>
    </>
  );
}

function columnsOf(report: Report): Column<Row>[] {
  return report.rows.columns.map((column) => ({
    key: column.key,
    label: column.label,
    align: NUMERIC.has(column.unit) ? "right" : "left",
    render: (row) => {
      const value = row[column.key] as Cell;
      if (STATES.has(column.key) && typeof value === "string") return <StatusBadge status={value} />;
      return formatValue(value, column.unit, report.currency);
    },
  }));
}

function Known({ entry }: { entry: ReportEntry }) {
  const { can } = useSession();
  const [filters, setFilters] = useFilters(["from", "to", "sort", ...filterNames(entry)]);
  const query = { ...filters };
  const pages = usePages<Row>(["reports", entry.name, query], async (cursor) => {
    const answer = await api.GET("/api/reports/{name}", { params: { path: { name: entry.name as ReportName }, query: { ...query, cursor } } });
    const report = dataOf(answer) as Report;
    return { items: report.rows.items, next_cursor: report.rows.next_cursor, report };
  }, true, true);
  const report = (pages.data?.pages[0] as { report?: Report } | undefined)?.report;
  const csvQuery = new URLSearchParams(query as Record<string, string>).toString();

  return (
    <Stack>
      <PageHeader
        title={entry.title}
        description={report ? `${formatDate(report.period.from)} – ${formatDate(report.period.to)}, compared with ${formatDate(report.previous_period.from)} – ${formatDate(report.previous_period.to)}. As of ${formatDateTime(report.as_of)}.` : entry.summary}
        actions={can("reports:export") && <CsvDownloadButton path={`/api/reports/${entry.name}${csvQuery ? `?${csvQuery}` : ""}`} fileName={`${entry.name}.csv`} />}
      />
      <ReportFilterFields entry={entry} filters={filters} onChange={setFilters} breakdowns={report?.breakdown ?? []} />
      {pages.isError && <ProblemAlert error={pages.error} />}
      {pages.isPending && <Skeleton h={320} />}
      {report && (
        <>
          <Kpis report={report} />
          <Charts report={report} />
          <Paper withBorder p="md" radius="md">
            <Group gap="xs" mb="xs">
              <Text fw={700}>Rows</Text>
              {pages.isPlaceholderData && <Loader size="xs" aria-label="Reading the report again" />}
            </Group>
            <DataTable
              columns={columnsOf(report)}
              rows={pages.items}
              rowKey={(row) => String(row.row_key ?? JSON.stringify(row))}
              empty="No rows in this period."
              sorting={{ sort: report.rows.sort, onSort: (sort) => setFilters({ sort }) }}
              caption={`${report.title}, ${pages.items.length} rows shown`}
              {...pages.tableProps}
              loading={false}
            />
          </Paper>
        </>
      )}
    </Stack>
  );
}

export function ReportPage() {
  const name = useParams().name;
  const catalog = useReportCatalog();
  if (catalog.isPending) return <Skeleton h={320} />;
  if (catalog.isError) return <ProblemAlert error={catalog.error} />;
  const entry = catalog.data.find((report) => report.name === name);
  if (!entry) {
    return (
      <>
        <PageHeader title="Reports" />
        <Alert color="red" role="alert" title="No such report">There is no report by that name. Pick one from the reports list.</Alert>
      </>
    );
  }
  return <Known key={entry.name} entry={entry} />;
}
