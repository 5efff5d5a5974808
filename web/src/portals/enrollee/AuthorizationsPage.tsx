/** Authorizations: every PA filed for the family, newest first, "Not me" on each. */
import { Stack } from "@mantine/core";

import { PageHeader } from "../../components/PageHeader";
import { ProblemAlert } from "../../components/ProblemAlert";
import { GhostAlerts, PaSummary, useMemberAuthorizations } from "./authorizations";
import { FamilySwitch, useChosenMember } from "./family";
import { RecordList } from "./RecordList";

export function AuthorizationsPage() {
  const [member] = useChosenMember();
  const pages = useMemberAuthorizations(member);
  return (
    <Stack gap="md">
      <PageHeader title="Authorizations" description="Pre-authorizations providers asked your HMO for, for you and your family." />
      <FamilySwitch />
      <ProblemAlert error={pages.error} />
      <GhostAlerts pas={pages.items} />
      <RecordList
        label="Pre-authorizations"
        rows={pages.items}
        rowKey={(pa) => pa.id}
        render={(pa) => <PaSummary pa={pa} />}
        empty="No pre-authorization has been filed for you."
        {...pages.tableProps}
      />
    </Stack>
  );
}
