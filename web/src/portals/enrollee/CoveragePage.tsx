/** Coverage: the plan, the period, and each benefit's limit, used and left, per member. */
import { Stack } from "@mantine/core";

import { PageHeader } from "../../components/PageHeader";
import { ProblemAlert } from "../../components/ProblemAlert";
import { MemberCoverageSection, useCoverage } from "./coverage";
import { FamilySwitch, useChosenMember } from "./family";
import { Loading } from "./RecordList";

export function CoveragePage() {
  const [member] = useChosenMember();
  const coverage = useCoverage(member);
  return (
    <Stack gap="md">
      <PageHeader title="Coverage" description="What your plan covers, what is used (approved claims only) and what is left." />
      <FamilySwitch />
      <ProblemAlert error={coverage.error} />
      {coverage.isPending ? (
        <Loading />
      ) : (
        coverage.data?.members.map((one) => <MemberCoverageSection key={one.member.member_id} coverage={one} />)
      )}
    </Stack>
  );
}
