/**
 * Capitation: each month's per-enrollee payouts to primary providers. Running a month that
 * already has a run creates nothing new; the screen says so and names that run.
 */
import { Alert, Button, Group, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { problemOf } from "../../../api/problem";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { formatMonth } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { StatusFilter } from "../../../components/StatusFilter";
import { FinanceTabs } from "./FinanceTabs";

type CapitationRun = Schemas["CapitationRunRead"];
type RunStatus = Schemas["RunStatus"];
const STATUSES: RunStatus[] = ["DRAFT", "APPROVED", "PAID", "CANCELLED"];

const COLUMNS: Column<CapitationRun>[] = [
  { key: "number", label: "Run", render: (run) => run.number },
  { key: "month", label: "Month", render: (run) => formatMonth(run.month) },
  { key: "status", label: "Status", render: (run) => <StatusBadge status={run.status} /> },
  { key: "members", label: "Members", align: "right", render: (run) => run.member_count.toLocaleString() },
  { key: "total", label: "Total", align: "right", render: (run) => <Money minor={run.total} currency={run.currency} /> },
];

function RunMonthForm() {
  const queryClient = useQueryClient();
  const [month, setMonth] = useState("");
  const runMonth = useMutation({
    mutationFn: async () => {
      const { data, response } = await api.POST("/api/capitation-runs", { body: { month } });
      return { run: data as Schemas["CapitationRunDetail"], created: response.status === 201 };
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["capitation-runs"] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    runMonth.mutate();
  };
  const answer = runMonth.data;
  const monthError = problemOf(runMonth.error)?.fieldErrors().month;
  return (
    <Paper withBorder p="md" radius="md" component="form" onSubmit={submit} aria-labelledby="capitation-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="capitation-title">Run a month</Title>
        <Text size="sm" c="dimmed">Pays each primary provider for its enrollees active in the month, pro-rated by day.</Text>
        <Group align="flex-end">
          <TextInput type="month" label="Month" required value={month} onChange={(event) => setMonth(event.currentTarget.value)} error={monthError} />
          <Button type="submit" loading={runMonth.isPending}>Run capitation</Button>
        </Group>
        {!monthError && <ProblemAlert error={runMonth.error} />}
        {answer && (
          <Alert color={answer.created ? "green" : "blue"} role="status" title={answer.created ? "Run created" : "Nothing new created"}>
            {answer.created
              ? `${answer.run.number} for ${formatMonth(answer.run.month)}: ${answer.run.member_count.toLocaleString()} members, ${answer.run.lines.length} providers.`
              : `${formatMonth(answer.run.month)} already has run ${answer.run.number} (${answer.run.status.toLowerCase()}): running it again creates nothing new.`}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

export function CapitationPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(["status"] as const);
  const status = filters.status as RunStatus | undefined;
  const runs = usePages(["capitation-runs", "list", status], async (cursor) =>
    dataOf(await api.GET("/api/capitation-runs", { params: { query: { status, cursor } } })),
  );
  return (
    <Stack>
      <PageHeader title="Finance" description="Monthly per-enrollee payouts to primary providers." />
      <FinanceTabs />
      {can("capitation:run") && <RunMonthForm />}
      <StatusFilter statuses={STATUSES} value={status} onChange={(value) => setFilters({ status: value })} />
      <ProblemAlert error={runs.error} />
      <DataTable
        caption="Capitation runs"
        columns={COLUMNS}
        rows={runs.items}
        rowKey={(run) => run.id}
        onRowClick={(run) => navigate(`/hmo/finance/capitation/${run.id}`)}
        empty="No capitation run yet."
        {...runs.tableProps}
      />
    </Stack>
  );
}
