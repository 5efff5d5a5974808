/** Every pile (provider × billing month), newest month first, with its totals by status;
 * filtered by provider and month in the URL. */
import { Group, Select, Text, TextInput } from "@mantine/core";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { formatMonth } from "../../../app/format";
import { useFilters } from "../../../app/filters";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { statusLabel } from "../../../components/StatusBadge";
import { useNewestLinks } from "../network/networkLinks";
import { PILES_KEY, pilePath, type Pile } from "./piles";

const MONTH = /^\d{4}-\d{2}$/;

function useNetworkProviderOptions() {
  const links = useNewestLinks().data ?? [];
  const names = new Map(links.map((link) => [link.provider.id, link.provider.name]));
  return [...names].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
}

function statusCounts(pile: Pile): string {
  return Object.entries(pile.by_status)
    .map(([status, totals]) => `${statusLabel(status)} ${totals.count}`)
    .join(" · ");
}

const COLUMNS: Column<Pile>[] = [
  { key: "provider", label: "Provider", render: (pile) => <Text size="sm" fw={600}>{pile.provider_name}</Text> },
  { key: "month", label: "Month", render: (pile) => formatMonth(pile.month) },
  { key: "claims", label: "Claims", align: "right", render: (pile) => pile.claim_count.toLocaleString() },
  { key: "to_vet", label: "To vet", align: "right", render: (pile) => <Text size="sm" fw={pile.to_vet ? 700 : undefined}>{pile.to_vet.toLocaleString()}</Text> },
  { key: "billed", label: "Billed", align: "right", render: (pile) => <Money minor={pile.total_billed} currency={pile.currency} /> },
  { key: "approved", label: "Approved", align: "right", render: (pile) => <Money minor={pile.total_approved} currency={pile.currency} /> },
  { key: "statuses", label: "By status", render: (pile) => <Text size="xs" c="dimmed">{statusCounts(pile)}</Text> },
];

export function PilesPage() {
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(["provider", "month"]);
  const month = filters.month && MONTH.test(filters.month) ? filters.month : undefined;
  const piles = usePages([...PILES_KEY, "list", filters.provider, month], async (cursor) =>
    dataOf(await api.GET("/api/piles", { params: { query: { provider_id: filters.provider, month, cursor } } })),
  );
  return (
    <>
      <PageHeader title="Piles" description="Each provider's claims for a billing month, vetted as a batch." />
      <Group align="flex-end" gap="sm" mb="md">
        <Select label="Provider" placeholder="Any provider" data={useNetworkProviderOptions()} value={filters.provider ?? null} onChange={(provider) => setFilters({ provider })} searchable clearable />
        <TextInput label="Billing month" type="month" value={filters.month ?? ""} onChange={(event) => setFilters({ month: event.currentTarget.value })} />
      </Group>
      <ProblemAlert error={piles.error} />
      <DataTable columns={COLUMNS} rows={piles.items} rowKey={(pile) => pile.id} onRowClick={(pile) => navigate(pilePath(pile.id))} empty="No pile matches these filters." caption="Piles, newest month first" {...piles.tableProps} />
    </>
  );
}
