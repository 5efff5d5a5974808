/** The provider's own claims, newest first, filtered by HMO, status and service dates (in the URL). */
import { Button, SimpleGrid, Stack, TextInput } from "@mantine/core";
import { Link, useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters, type Filters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import { claimColumns } from "../../../components/claims/columns";
import { DataTable, type Column } from "../../../components/DataTable";
import { FilterSelect, statusOptions } from "../../../components/FilterSelect";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { HmoFilter } from "../HmoFilter";
import { useLinkedHmos, type Hmo } from "../hmos";

type Claim = Schemas["ProviderClaimRead"];
type Status = Schemas["ClaimStatus"];

const FILTERS = ["hmo_id", "status", "from", "to"] as const;
const STATUSES: Status[] = ["SUBMITTED", "RECEIVED", "IN_REVIEW", "QUERIED", "RESUBMITTED", "APPROVED", "REJECTED", "SETTLED"];

const COLUMNS: Column<Claim>[] = [
  ...claimColumns<Claim>(false),
  { key: "approved", label: "Approved", align: "right", render: (claim) => <Money minor={claim.total_approved} currency={claim.currency} /> },
];

/** Working with several HMOs, the desk sees whose each claim is (a Member ID starts with
 * its HMO's code). */
function columnsFor(hmos: Hmo[]): Column<Claim>[] {
  if (hmos.length < 2) return COLUMNS;
  const names = new Map(hmos.map((hmo) => [hmo.code, hmo.name]));
  const hmo: Column<Claim> = { key: "hmo", label: "HMO", render: (claim) => names.get(claim.member_id.split("-")[0] ?? "") ?? "—" };
  return [...COLUMNS.slice(0, 1), hmo, ...COLUMNS.slice(1)];
}

export function ClaimsPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(FILTERS);
  const hmos = useLinkedHmos();
  const claims = usePages(["claims", "list", filters], async (cursor) => {
    const query = { ...filters, status: filters.status as Status | undefined, cursor, limit: 50 };
    return dataOf(await api.GET("/api/claims", { params: { query } })) as { items: Claim[]; next_cursor?: string | null };
  }, true, true);
  return (
    <Stack>
      <PageHeader
        title="Claims"
        description="Your claims with each HMO: their status, what was approved, and the queries to answer."
        actions={can("claims:create") && <Button component={Link} to="/provider/claims/new">File a claim</Button>}
      />
      <ClaimFilters filters={filters} onChange={setFilters} />
      {claims.isError ? (
        <ProblemAlert error={claims.error} />
      ) : (
        <DataTable
          caption="Your claims, newest first"
          columns={columnsFor(hmos)}
          rows={claims.items}
          rowKey={(claim) => claim.id}
          onRowClick={(claim) => navigate(`/provider/claims/${claim.id}`)}
          empty="No claim matches these filters."
          {...claims.tableProps}
        />
      )}
    </Stack>
  );
}

type FilterValues = Filters<(typeof FILTERS)[number]>;

function ClaimFilters({ filters, onChange }: { filters: FilterValues; onChange: (changes: FilterValues) => void }) {
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
      <HmoFilter value={filters.hmo_id} onChange={(hmo_id) => onChange({ hmo_id })} />
      <FilterSelect label="Status" placeholder="Any status" data={statusOptions(STATUSES)} value={filters.status} onChange={(status) => onChange({ status })} />
      <TextInput label="Service from" type="date" value={filters.from ?? ""} onChange={(event) => onChange({ from: event.currentTarget.value })} />
      <TextInput label="Service to" type="date" value={filters.to ?? ""} onChange={(event) => onChange({ to: event.currentTarget.value })} />
    </SimpleGrid>
  );
}
