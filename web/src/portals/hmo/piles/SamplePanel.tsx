/** Sampled vetting of a pile: draw a random share of its low-risk open claims, vet them as
 * usual, then decide the rest at the sample's approved ÷ billed ratio. */
import { Button, Group, List, Paper, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { problemOf } from "../../../api/problem";
import type { Schemas } from "../../../api/types";
import { formatPercent } from "../../../app/format";
import { useSession } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { claimInPilePath, PILES_KEY } from "./piles";

type Sample = Schemas["SampleRead"];
type SampledClaim = Schemas["QueueEntry"];

const COLUMNS: Column<SampledClaim>[] = [
  { key: "number", label: "Claim", render: (claim) => claim.number },
  { key: "member", label: "Member", render: (claim) => claim.member_id },
  { key: "billed", label: "Billed", align: "right", render: (claim) => <Money minor={claim.total_billed} currency={claim.currency} /> },
  { key: "risk", label: "Risk", align: "right", render: (claim) => claim.risk_score },
  { key: "status", label: "Status", render: (claim) => <StatusBadge status={claim.status} /> },
];

/** The pile's latest sample; null when none was ever drawn (the API's 404). */
function useSample(pileId: string) {
  return useQuery({
    queryKey: [...PILES_KEY, pileId, "sample"],
    queryFn: async () => {
      try {
        return dataOf(await api.GET("/api/piles/{pile_id}/sample", { params: { path: { pile_id: pileId } } }));
      } catch (error) {
        if (problemOf(error)?.status === 404) return null;
        throw error;
      }
    },
  });
}

function useSampleActions(pileId: string) {
  const queryClient = useQueryClient();
  const path = { params: { path: { pile_id: pileId } } };
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: PILES_KEY });
  const draw = useMutation({ mutationFn: async () => dataOf(await api.POST("/api/piles/{pile_id}/sample", path)), onSuccess });
  const apply = useMutation({ mutationFn: async () => dataOf(await api.POST("/api/piles/{pile_id}/apply-sample", path)), onSuccess });
  return { draw, apply };
}

function SampleSummary({ sample }: { sample: Sample }) {
  const drawn = `${sample.claims.length} of ${sample.population} low-risk open claims (risk ${sample.max_risk} or less), ${sample.percent}%`;
  if (sample.status === "APPLIED") {
    const ratio = sample.ratio_bp == null ? "—" : formatPercent(sample.ratio_bp / 10_000);
    return <Text size="sm">Applied: the sample of {drawn} decided the rest at {ratio} of what was billed.</Text>;
  }
  const pending = sample.pending ? `${sample.pending} still to decide.` : "Every sampled claim is decided: the ratio can be applied.";
  return <Text size="sm">Sample drawn: {drawn}. {pending}</Text>;
}

function Applied({ result }: { result: Schemas["SampleApplied"] }) {
  return (
    <Stack gap={4}>
      <Text size="sm" role="status">
        {result.approved.length} approved and {result.rejected.length} rejected at {formatPercent(result.ratio_bp / 10_000)} of what was billed; {result.skipped.length} left for a person.
      </Text>
      {result.skipped.length > 0 && (
        <List size="sm">
          {result.skipped.map((skipped) => <List.Item key={skipped.claim_id}>{skipped.number}: {skipped.reason}</List.Item>)}
        </List>
      )}
    </Stack>
  );
}

export function SamplePanel({ pileId }: { pileId: string }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const sample = useSample(pileId);
  const { draw, apply } = useSampleActions(pileId);
  const current = sample.data;
  const canDraw = can("piles:vet") && current?.status !== "OPEN";
  const canApply = can("piles:vet") && can("claims:approve") && current?.status === "OPEN" && current.pending === 0;
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4">Sampled vetting</Title>
          <Group gap="xs">
            {canDraw && <Button variant="default" loading={draw.isPending} onClick={() => draw.mutate()}>Draw a sample</Button>}
            {canApply && (
              <ConfirmButton label="Apply the sample's ratio" title="Decide the rest of the pile?" confirmLabel="Apply" onConfirm={() => apply.mutateAsync()} pending={apply.isPending} error={apply.error}>
                Every other low-risk open claim of this pile is approved at the sample's approved ÷ billed ratio, within your approval limit. High-risk claims stay for a person.
              </ConfirmButton>
            )}
          </Group>
        </Group>
        <ProblemAlert error={draw.error ?? sample.error} />
        {current === null && <Text size="sm" c="dimmed">No sample has been drawn from this pile.</Text>}
        {current && <SampleSummary sample={current} />}
        {apply.data && <Applied result={apply.data} />}
        {current && current.claims.length > 0 && (
          <DataTable columns={COLUMNS} rows={current.claims} rowKey={(claim) => claim.id} onRowClick={(claim) => void navigate(claimInPilePath(claim.id, pileId))} caption="The sampled claims" />
        )}
      </Stack>
    </Paper>
  );
}
