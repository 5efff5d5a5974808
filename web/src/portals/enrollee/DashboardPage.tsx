/** Home: the family's alerts first, then what is on, used and left this period for the
 * member chosen (the caller at first), and the latest claims. */
import { Anchor, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router-dom";

import { formatDate, formatMoney } from "../../app/format";
import { useSession } from "../../app/session";
import { KpiCard } from "../../components/KpiCard";
import { ProblemAlert } from "../../components/ProblemAlert";
import { GhostAlerts, useMemberAuthorizations } from "./authorizations";
import { ClaimSummary, useMemberClaims } from "./claims";
import { MemberCoverageSection, useCoverage } from "./coverage";
import { FamilySwitch, useChosenMember, useFamilyCoverage, useWithMember, type MemberCoverage } from "./family";
import { Loading, RecordList } from "./RecordList";

const BENEFITS_SHOWN = 4;
const CLAIMS_SHOWN = 3;

function PeriodKpis({ coverage }: { coverage: MemberCoverage }) {
  const sum = (pick: (b: MemberCoverage["benefits"][number]) => number) => coverage.benefits.reduce((total, b) => total + pick(b), 0);
  const money = (minor: number) => formatMoney(minor, coverage.plan.currency);
  return (
    <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
      <KpiCard label="Covered today" value={coverage.eligible ? "Yes" : "No"} note={`${coverage.plan.name}, to ${formatDate(coverage.policy_year.end)}`} />
      <KpiCard label="Used this period" value={money(sum((b) => b.used_amount))} note="Approved claims" />
      <KpiCard label="Left this period" value={money(sum((b) => b.remaining_amount))} note={`Of ${money(sum((b) => b.limit_amount))}`} />
    </SimpleGrid>
  );
}

export function DashboardPage() {
  const { me } = useSession();
  const withMember = useWithMember();
  const [chosen] = useChosenMember();
  const family = useFamilyCoverage();
  const member = chosen ?? family.data?.members[0]?.member.member_id;
  const coverage = useCoverage(member);
  const alerts = useMemberAuthorizations(undefined);
  const claims = useMemberClaims(member);
  const shown = coverage.data?.members[0];
  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">Hello, {me?.user?.first_name || "there"}</Title>
        <Text c="dimmed" size="sm">Your health plan at a glance.</Text>
      </div>
      <ProblemAlert error={family.error ?? coverage.error ?? alerts.error ?? claims.error} />
      <GhostAlerts pas={alerts.items} />
      <FamilySwitch everyone={false} />
      {shown ? (
        <>
          <PeriodKpis coverage={shown} />
          <MemberCoverageSection coverage={shown} limit={BENEFITS_SHOWN} />
          <Anchor component={Link} to={withMember("/me/coverage")} size="sm">All coverage</Anchor>
        </>
      ) : (
        coverage.isPending && <Loading />
      )}
      <Title order={2} size="h4">Latest claims</Title>
      <RecordList
        label="Latest claims"
        rows={claims.items.slice(0, CLAIMS_SHOWN)}
        rowKey={(claim) => claim.id}
        render={(claim) => <ClaimSummary claim={claim} />}
        empty="No claim has been filed for you."
        loading={claims.tableProps.loading}
      />
      <Anchor component={Link} to={withMember("/me/claims")} size="sm">All claims</Anchor>
    </Stack>
  );
}
