/** The provider's pre-authorizations, newest first, with their SLA clock while they wait;
 * filtered by status and urgency (in the URL). */
import { Button, SimpleGrid, Stack } from "@mantine/core";
import { Link, useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import * as col from "../../../components/authorizations/columns";
import { DataTable } from "../../../components/DataTable";
import { FilterSelect, statusOptions } from "../../../components/FilterSelect";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";

type Status = Schemas["AuthorizationStatus"];
type Urgency = Schemas["Urgency"];

const FILTERS = ["status", "urgency"] as const;
const STATUSES: Status[] = ["SUBMITTED", "IN_REVIEW", "APPEALED", "APPROVED", "REJECTED", "USED", "EXPIRED", "CANCELLED"];
export const URGENCIES: Urgency[] = ["ROUTINE", "URGENT", "EMERGENCY"];
const COLUMNS = [col.number, col.urgency, col.status, col.sla, col.member, col.procedure, col.estimate, col.filed];

export function AuthorizationsPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(FILTERS);
  const pages = usePages(["authorizations", "list", filters], async (cursor) => {
    const query = { status: filters.status as Status | undefined, urgency: filters.urgency as Urgency | undefined, cursor, limit: 50 };
    return dataOf(await api.GET("/api/authorizations", { params: { query } })) as { items: col.Pa[]; next_cursor?: string | null };
  }, true, true);
  return (
    <Stack>
      <PageHeader
        title="Pre-authorizations"
        description="Ask the HMO before the care; each request is decided within its SLA."
        actions={can("authorizations:create") && <Button component={Link} to="/provider/authorizations/new">Request a PA</Button>}
      />
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        <FilterSelect label="Status" placeholder="Any status" data={statusOptions(STATUSES)} value={filters.status} onChange={(status) => setFilters({ status })} />
        <FilterSelect label="Urgency" placeholder="Any urgency" data={statusOptions(URGENCIES)} value={filters.urgency} onChange={(urgency) => setFilters({ urgency })} />
      </SimpleGrid>
      {pages.isError ? (
        <ProblemAlert error={pages.error} />
      ) : (
        <DataTable
          caption="Your pre-authorizations, newest first"
          columns={COLUMNS}
          rows={pages.items}
          rowKey={(pa) => pa.id}
          onRowClick={(pa) => navigate(`/provider/authorizations/${pa.id}`)}
          empty="No pre-authorization matches these filters."
          {...pages.tableProps}
        />
      )}
    </Stack>
  );
}
