/** Check-ins: the visit history of the family, newest first (desk check-ins with their
 * verdict, and the service dates of claims). */
import { Badge, Group, Stack, Text } from "@mantine/core";

import { api, dataOf } from "../../api/client";
import { usePages } from "../../api/pages";
import type { Schemas } from "../../api/types";
import { formatDate } from "../../app/format";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { ProblemAlert } from "../../components/ProblemAlert";
import { StatusBadge, statusLabel } from "../../components/StatusBadge";
import { FamilySwitch, useChosenMember } from "./family";
import { RecordList } from "./RecordList";

type Visit = Schemas["VisitRead"];

function VisitSummary({ visit }: { visit: Visit }) {
  const checkIn = visit.kind === "check_in";
  return (
    <Stack gap={2}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text fw={700}>{visit.provider_name}</Text>
        {checkIn ? (
          <Badge color={visit.eligible ? "#25713a" : "#b3261e"} variant="outline" radius="sm">{visit.eligible ? "Covered" : "Not covered"}</Badge>
        ) : (
          visit.claim_status && <StatusBadge status={visit.claim_status} />
        )}
      </Group>
      <Text size="sm">
        {formatDate(visit.visit_date)} · {visit.member_id} · {checkIn ? `Check-in${visit.benefit_category ? ` for ${statusLabel(visit.benefit_category)}` : ""}` : `Claim ${visit.claim_number ?? ""}`}
      </Text>
      {checkIn && !visit.eligible && (visit.reasons ?? []).map((reason) => <Text key={reason.code} size="xs" c="red.8">{reason.message}</Text>)}
      {!checkIn && visit.total_billed !== null && <Text size="sm">Billed <Money minor={visit.total_billed} currency={visit.currency ?? "NGN"} /></Text>}
    </Stack>
  );
}

export function VisitsPage() {
  const [member] = useChosenMember();
  const pages = usePages(["visits", "mine", member ?? "family"], async (cursor) =>
    dataOf(await api.GET("/api/me/visits", { params: { query: { member_id: member, cursor } } })),
  );
  return (
    <Stack gap="md">
      <PageHeader title="Check-ins" description="Your visits: the check-ins at a provider's front desk and the days of your claims." />
      <FamilySwitch />
      <ProblemAlert error={pages.error} />
      <RecordList label="Visits" rows={pages.items} rowKey={(visit) => `${visit.kind}-${visit.id}`} render={(visit) => <VisitSummary visit={visit} />} empty="No visit yet." {...pages.tableProps} />
    </Stack>
  );
}
