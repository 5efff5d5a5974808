/** Claims: every claim filed for the family, newest first, filtered by status in the URL. */
import { Select, Stack } from "@mantine/core";

import { useFilters } from "../../app/filters";
import { PageHeader } from "../../components/PageHeader";
import { ProblemAlert } from "../../components/ProblemAlert";
import { CLAIM_STATUSES, statusLabel } from "../../components/StatusBadge";
import { ClaimSummary, useMemberClaims } from "./claims";
import { FamilySwitch, useChosenMember } from "./family";
import { RecordList } from "./RecordList";

export function ClaimsPage() {
  const [member] = useChosenMember();
  const [filters, setFilters] = useFilters(["status"] as const);
  const pages = useMemberClaims(member, filters.status);
  return (
    <Stack gap="md">
      <PageHeader title="Claims" description="Every claim a provider filed for you and your family, with what was billed and approved." />
      <FamilySwitch />
      <Select
        label="Status"
        placeholder="Any status"
        data={CLAIM_STATUSES.map((status) => ({ value: status, label: statusLabel(status) }))}
        value={filters.status ?? null}
        onChange={(status) => setFilters({ status })}
        clearable
        maw={320}
      />
      <ProblemAlert error={pages.error} />
      <RecordList
        label="Claims"
        rows={pages.items}
        rowKey={(claim) => claim.id}
        render={(claim) => <ClaimSummary claim={claim} lines />}
        empty="No claim has been filed for you."
        {...pages.tableProps}
      />
    </Stack>
  );
}
