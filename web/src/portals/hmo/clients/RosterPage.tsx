/** The roster: every enrollee by Member ID (families together), filtered from the URL. */
import { Select, SimpleGrid, TextInput } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters, type Filters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import { DataTable } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import * as col from "../../../components/enrollees/columns";
import type { Enrollee } from "../../../components/enrollees/queries";
import { statusLabel } from "../../../components/StatusBadge";
import { AddPrincipalButton } from "./AddPrincipalButton";
import { ClientsTabs } from "./ClientsTabs";
import { choicesOf, nameIn, useClientChoices, usePlanChoices } from "./queries";

const FILTERS = ["client", "plan", "status", "relationship", "q"] as const;
type RosterFilters = Filters<(typeof FILTERS)[number]>;
const STATUSES: Schemas["EnrolleeStatus"][] = ["ACTIVE", "SUSPENDED", "TERMINATED"];
const RELATIONSHIPS: Schemas["Relationship"][] = ["PRINCIPAL", "SPOUSE", "CHILD"];
const PAGE = 50;

function fetchPage(filters: RosterFilters) {
  return async (cursor: string | undefined) => {
    const query = {
      cursor,
      limit: PAGE,
      client_id: filters.client,
      plan_id: filters.plan,
      status: filters.status as Schemas["EnrolleeStatus"] | undefined,
      relationship: filters.relationship as Schemas["Relationship"] | undefined,
      q: filters.q,
    };
    return dataOf(await api.GET("/api/enrollees", { params: { query } }));
  };
}

const labelled = (values: string[]) => values.map((value) => ({ value, label: statusLabel(value) }));

export function RosterPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(FILTERS);
  const clients = useClientChoices();
  const plans = usePlanChoices();
  const roster = usePages(["enrollees", "roster", filters], fetchPage(filters));
  const search = useDebouncedCallback((q: string) => setFilters({ q: q.trim() }), 300);
  const columns = [
    col.memberId,
    col.name,
    col.relationship,
    { key: "client", label: "Client", render: (row: Enrollee) => nameIn(clients.data, row.client_id) },
    { key: "plan", label: "Plan", render: (row: Enrollee) => nameIn(plans.data, row.plan_id) },
    col.status,
    col.coverage,
  ];
  return (
    <>
      <PageHeader title="Clients & enrollees" description="Every enrollee, families together by Member ID." actions={can("enrollees:create") && <AddPrincipalButton clientId={filters.client} />} />
      <ClientsTabs />
      <SimpleGrid cols={{ base: 2, lg: 5 }} mb="md">
        <TextInput label="Search" placeholder="Member ID, name or e-mail" defaultValue={filters.q} onChange={(event) => search(event.currentTarget.value)} />
        <Select label="Client" clearable searchable data={choicesOf(clients.data)} value={filters.client ?? null} onChange={(client) => setFilters({ client })} />
        <Select label="Plan" clearable searchable data={choicesOf(plans.data)} value={filters.plan ?? null} onChange={(plan) => setFilters({ plan })} />
        <Select label="Status" clearable data={labelled(STATUSES)} value={filters.status ?? null} onChange={(status) => setFilters({ status })} />
        <Select label="Relationship" clearable data={labelled(RELATIONSHIPS)} value={filters.relationship ?? null} onChange={(relationship) => setFilters({ relationship })} />
      </SimpleGrid>
      <ProblemAlert error={roster.error} />
      <DataTable
        caption="Enrollees"
        columns={columns}
        rows={roster.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(`/hmo/enrollees/${row.id}`)}
        empty="No enrollee matches these filters."
        {...roster.tableProps}
      />
    </>
  );
}
