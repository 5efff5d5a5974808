/** The client's roster: its principals by Member ID, searched by name or Member ID. */
import { Select, SimpleGrid, TextInput } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { DataTable } from "../../../components/DataTable";
import * as col from "../../../components/enrollees/columns";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { statusLabel } from "../../../components/StatusBadge";

const FILTERS = ["q", "status"] as const;
const STATUSES: Schemas["EnrolleeStatus"][] = ["ACTIVE", "SUSPENDED", "TERMINATED"];
const PAGE = 50;

export function RosterPage() {
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(FILTERS);
  const status = filters.status as Schemas["EnrolleeStatus"] | undefined;
  const principals = usePages(["enrollees", "principals", filters], async (cursor) =>
    dataOf(await api.GET("/api/enrollees", { params: { query: { cursor, limit: PAGE, relationship: "PRINCIPAL", status, q: filters.q } } })),
  );
  const search = useDebouncedCallback((q: string) => setFilters({ q: q.trim() }), 300);
  return (
    <>
      <PageHeader title="Roster" description="Your principals; open one to see the family or ask the HMO for a change." />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} mb="md">
        <TextInput label="Search" placeholder="Name or Member ID" defaultValue={filters.q} onChange={(event) => search(event.currentTarget.value)} />
        <Select label="Status" clearable data={STATUSES.map((value) => ({ value, label: statusLabel(value) }))} value={filters.status ?? null} onChange={(value) => setFilters({ status: value })} />
      </SimpleGrid>
      <ProblemAlert error={principals.error} />
      <DataTable
        caption="Principals"
        columns={[col.memberId, col.name, col.status, col.coverage]}
        rows={principals.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(`/client/enrollees/${row.id}`)}
        empty="No principal matches."
        {...principals.tableProps}
      />
    </>
  );
}
