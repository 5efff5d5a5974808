/** Every claim, newest first, filtered by status, provider, member and service dates (in the URL). */
import { SimpleGrid, Stack, TextInput } from "@mantine/core";
import { useState } from "react";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages, type Page } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { DataTable, type Column } from "../../../components/DataTable";
import { FilterSelect, statusOptions } from "../../../components/FilterSelect";
import { Money } from "../../../components/Money";
import { claimColumns } from "../../../components/claims/columns";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { CLAIM_STATUSES } from "../../../components/StatusBadge";
import { riskColumn } from "./riskColumn";
import { useProviderOptions } from "./useProviderOptions";

type Claim = Schemas["ClaimRead"];
type Status = Schemas["ClaimStatus"];

const FILTERS = ["status", "provider_id", "member_id", "from", "to"] as const;

const COLUMNS: Column<Claim>[] = [
  ...claimColumns<Claim>(),
  riskColumn<Claim>(),
  { key: "approved", label: "Approved", align: "right", render: (claim) => <Money minor={claim.total_approved} currency={claim.currency} /> },
];

export function ClaimList() {
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(FILTERS);
  const claims = usePages(["claims", "list", filters], async (cursor) => {
    const query = { ...filters, status: filters.status as Status | undefined, cursor, limit: 50 };
    return dataOf(await api.GET("/api/claims", { params: { query } })) as Page<Claim>;
  });
  return (
    <Stack>
      <ClaimFilters filters={filters} onChange={setFilters} />
      {claims.isError ? (
        <ProblemAlert error={claims.error} />
      ) : (
        <DataTable
          caption="Claims, newest first"
          columns={COLUMNS}
          rows={claims.items}
          rowKey={(claim) => claim.id}
          onRowClick={(claim) => navigate(`/hmo/claims/${claim.id}`)}
          empty="No claim matches these filters."
          {...claims.tableProps}
        />
      )}
    </Stack>
  );
}

type FilterValues = Partial<Record<(typeof FILTERS)[number], string>>;

function ClaimFilters({ filters, onChange }: { filters: FilterValues; onChange: (changes: FilterValues) => void }) {
  const providers = useProviderOptions();
  const [member, setMember] = useState(filters.member_id ?? "");
  const commitMember = () => onChange({ member_id: member.trim() || undefined });
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }}>
      <FilterSelect label="Status" placeholder="Any status" data={statusOptions(CLAIM_STATUSES)} value={filters.status} onChange={(status) => onChange({ status })} />
      <FilterSelect label="Provider" placeholder="Any provider" searchable data={providers} value={filters.provider_id} onChange={(provider_id) => onChange({ provider_id })} />
      <TextInput
        label="Member ID"
        placeholder="Press Enter to search"
        value={member}
        onChange={(event) => setMember(event.currentTarget.value)}
        onBlur={commitMember}
        onKeyDown={(event) => event.key === "Enter" && commitMember()}
      />
      <TextInput label="Service from" type="date" value={filters.from ?? ""} onChange={(event) => onChange({ from: event.currentTarget.value })} />
      <TextInput label="Service to" type="date" value={filters.to ?? ""} onChange={(event) => onChange({ to: event.currentTarget.value })} />
    </SimpleGrid>
  );
}
