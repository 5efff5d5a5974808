/** Card: the digital health card of the member chosen (the caller's own at first). */
import { Stack, Text } from "@mantine/core";

import { HealthCard } from "../../components/HealthCard";
import { PageHeader } from "../../components/PageHeader";
import { ProblemAlert } from "../../components/ProblemAlert";
import { FamilySwitch, useChosenMember, useFamilyCoverage } from "./family";
import { Loading } from "./RecordList";

export function CardPage() {
  const [member] = useChosenMember();
  const family = useFamilyCoverage();
  const memberId = member ?? family.data?.members[0]?.member.member_id;
  return (
    <Stack gap="md">
      <PageHeader title="Health card" description="Show it at the front desk: they scan the QR code or type the Member ID." />
      <FamilySwitch everyone={false} />
      <ProblemAlert error={family.error} />
      {memberId ? <HealthCard memberId={memberId} /> : family.isPending ? <Loading /> : <Text c="dimmed">You have no health card.</Text>}
    </Stack>
  );
}
