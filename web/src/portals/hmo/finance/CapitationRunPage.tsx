/** One capitation run: a line per primary provider; approve, record its payment, or cancel. */
import { Alert, Anchor, Button, Group, Paper, SimpleGrid, Skeleton, Stack, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { problemOf } from "../../../api/problem";
import type { Schemas } from "../../../api/types";
import { formatDate, formatDateTime, formatMoney, formatMonth } from "../../../app/format";
import { useSession } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { DataTable, type Column } from "../../../components/DataTable";
import { Fact } from "../../../components/Fact";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { FinanceTabs } from "./FinanceTabs";
import { aboveLimit } from "./amounts";
import { useSettlementLimit } from "./queries";

type CapitationRun = Schemas["CapitationRunDetail"];
type Line = Schemas["CapitationLineRead"];

function useCapitationRun(runId: string) {
  return useQuery({
    queryKey: ["capitation-runs", runId],
    queryFn: async () =>
      dataOf(await api.GET("/api/capitation-runs/{capitation_run_id}", { params: { path: { capitation_run_id: runId } } })),
  });
}

type Path = { capitation_run_id: string };

function useMove(run: CapitationRun, move: (path: Path) => Promise<CapitationRun>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => move({ capitation_run_id: run.id }),
    onSuccess: (updated) => {
      queryClient.setQueryData(["capitation-runs", run.id], updated);
      void queryClient.invalidateQueries({ queryKey: ["capitation-runs"] });
    },
  });
}

const approveRun = async (path: Path) => dataOf(await api.POST("/api/capitation-runs/{capitation_run_id}/approve", { params: { path } }));
const cancelRun = async (path: Path) => dataOf(await api.POST("/api/capitation-runs/{capitation_run_id}/cancel", { params: { path } }));

function lineColumns(currency: string): Column<Line>[] {
  return [
    { key: "provider", label: "Primary provider", render: (line) => line.provider_name },
    { key: "members", label: "Members", align: "right", render: (line) => line.member_count.toLocaleString() },
    { key: "days", label: "Member-days", align: "right", render: (line) => line.member_days.toLocaleString() },
    { key: "amount", label: "Amount", align: "right", render: (line) => <Money minor={line.amount} currency={currency} /> },
  ];
}

function PayForm({ run, onReload }: { run: CapitationRun; onReload: () => void }) {
  const [reference, setReference] = useState("");
  const [paidOn, setPaidOn] = useState("");
  const pay = useMove(run, async (path) =>
    dataOf(await api.POST("/api/capitation-runs/{capitation_run_id}/pay", { params: { path }, body: { reference, paid_on: paidOn } })));
  const errors = problemOf(pay.error)?.fieldErrors() ?? {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    pay.mutate();
  };
  return (
    <Group component="form" onSubmit={submit} align="flex-end" aria-label="Record the payment">
      <TextInput label="Transfer reference" required value={reference} onChange={(event) => setReference(event.currentTarget.value)} error={errors.reference} />
      <TextInput type="date" label="Paid on" required value={paidOn} onChange={(event) => setPaidOn(event.currentTarget.value)} error={errors.paid_on} />
      <Button type="submit" loading={pay.isPending}>Record the payment</Button>
      {Object.keys(errors).length === 0 && <ProblemAlert error={pay.error} onReload={onReload} />}
    </Group>
  );
}

function Actions({ run, onReload }: { run: CapitationRun; onReload: () => void }) {
  const { can } = useSession();
  const limit = useSettlementLimit();
  const approve = useMove(run, approveRun);
  const cancel = useMove(run, cancelRun);
  const money = (minor: number) => formatMoney(minor, run.currency);
  const live = run.status === "DRAFT" || run.status === "APPROVED";
  return (
    <Stack gap="sm">
      {run.status === "DRAFT" && can("capitation:run") && aboveLimit(run.total, limit) && (
        <Alert color="yellow" title="Above your approval limit">
          The total, {money(run.total)}, is above your settlement approval limit of {money(limit ?? 0)}: someone with a higher limit must approve it.
        </Alert>
      )}
      <Group>
        {run.status === "DRAFT" && can("capitation:run") && !aboveLimit(run.total, limit) && (
          <ConfirmButton label="Approve the run" title={`Approve ${run.number}?`} confirmLabel="Approve" onConfirm={() => approve.mutateAsync()} pending={approve.isPending} error={approve.error} onReload={onReload}>
            {money(run.total)} will be payable to {run.lines.length} primary providers for {formatMonth(run.month)}.
          </ConfirmButton>
        )}
        {live && can("capitation:run") && (
          <ConfirmButton label="Cancel the run" title={`Cancel ${run.number}?`} confirmLabel="Cancel the run" color="red.9" variant="outline" onConfirm={() => cancel.mutateAsync()} pending={cancel.isPending} error={cancel.error} onReload={onReload}>
            The month can then be run again. This cannot be undone.
          </ConfirmButton>
        )}
      </Group>
      {run.status === "APPROVED" && can("payments:record") && <PayForm run={run} onReload={onReload} />}
    </Stack>
  );
}

export function CapitationRunPage() {
  const { runId = "" } = useParams();
  const run = useCapitationRun(runId);
  const data = run.data;
  return (
    <Stack>
      <PageHeader
        title={data ? `Capitation ${data.number}` : "Capitation run"}
        description={<Anchor component={Link} to="/hmo/finance/capitation" size="sm">All capitation runs</Anchor>}
        actions={data && <StatusBadge status={data.status} />}
      />
      <FinanceTabs />
      <ProblemAlert error={run.error} />
      {run.isPending && <Skeleton h={160} />}
      {data && (
        <>
          <Paper withBorder p="md" radius="md">
            <SimpleGrid cols={{ base: 2, md: 4 }}>
              <Fact label="Month">{formatMonth(data.month)}</Fact>
              <Fact label="Members">{data.member_count.toLocaleString()}</Fact>
              <Fact label="Total"><Money minor={data.total} currency={data.currency} /></Fact>
              <Fact label="Created">{formatDateTime(data.created_at)}</Fact>
              {data.paid_at && <Fact label="Paid on">{formatDate(data.paid_at.slice(0, 10))}</Fact>}
              {data.payment_reference && <Fact label="Reference">{data.payment_reference}</Fact>}
            </SimpleGrid>
          </Paper>
          <Actions run={data} onReload={() => void run.refetch()} />
          <DataTable caption="Payouts by primary provider" columns={lineColumns(data.currency)} rows={data.lines} rowKey={(line) => line.id} empty="No enrollee had a primary provider in this month." />
        </>
      )}
    </Stack>
  );
}
