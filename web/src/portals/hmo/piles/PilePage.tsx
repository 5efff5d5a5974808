/** One pile: its totals by status, "Vet next" (the pile's next claim, opened in the claims
 * screen with `?pile=`), and sampled vetting. */
import { Anchor, SimpleGrid, Skeleton, Stack, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { formatMonth } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { KpiCard } from "../../../components/KpiCard";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { PILES_KEY, type Pile } from "./piles";
import { SamplePanel } from "./SamplePanel";
import { VetNextButton } from "./VetNextButton";

type StatusRow = Schemas["StatusTotals"] & { status: string };

function usePile(pileId: string) {
  return useQuery({
    queryKey: [...PILES_KEY, pileId],
    queryFn: async () => dataOf(await api.GET("/api/piles/{pile_id}", { params: { path: { pile_id: pileId } } })),
  });
}

function Totals({ pile }: { pile: Pile }) {
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, lg: 5 }} mb="lg">
      <KpiCard label="Claims" value={pile.claim_count.toLocaleString()} />
      <KpiCard label="To vet" value={pile.to_vet.toLocaleString()} />
      <KpiCard label="Billed" value={<Money minor={pile.total_billed} currency={pile.currency} />} />
      <KpiCard label="Approved" value={<Money minor={pile.total_approved} currency={pile.currency} />} />
      <KpiCard label="Decided by sampling" value={pile.decided_by_sampling.toLocaleString()} />
    </SimpleGrid>
  );
}

function ByStatus({ pile }: { pile: Pile }) {
  const rows: StatusRow[] = Object.entries(pile.by_status).map(([status, totals]) => ({ status, ...totals }));
  const columns: Column<StatusRow>[] = [
    { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> },
    { key: "count", label: "Claims", align: "right", render: (row) => row.count.toLocaleString() },
    { key: "billed", label: "Billed", align: "right", render: (row) => <Money minor={row.total_billed} currency={pile.currency} /> },
    { key: "approved", label: "Approved", align: "right", render: (row) => <Money minor={row.total_approved} currency={pile.currency} /> },
  ];
  return (
    <Stack gap="xs" mb="lg">
      <Title order={2} size="h4">By status</Title>
      <DataTable columns={columns} rows={rows} rowKey={(row) => row.status} caption="The pile's claims by status" />
    </Stack>
  );
}

export function PilePage() {
  const { pileId = "" } = useParams();
  const { can } = useSession();
  const pile = usePile(pileId);
  const back = <Anchor component={Link} to="/hmo/piles" size="sm">All piles</Anchor>;
  if (pile.isPending) return <Skeleton height={240} />;
  if (pile.isError) {
    return (
      <>
        <PageHeader title="Pile" description={back} />
        <ProblemAlert error={pile.error} />
      </>
    );
  }
  const title = `${pile.data.provider_name} · ${formatMonth(pile.data.month)}`;
  return (
    <>
      <PageHeader title={title} description={back} actions={can("piles:vet") ? <VetNextButton pileId={pileId} /> : undefined} />
      <Totals pile={pile.data} />
      <ByStatus pile={pile.data} />
      <SamplePanel pileId={pileId} />
    </>
  );
}
