/** The visits recorded at this desk today, newest first, each with the verdict it got. */
import { Badge, Paper, Stack, Title } from "@mantine/core";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { todayIso } from "../../../app/format";
import { DataTable, type Column } from "../../../components/DataTable";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { statusLabel } from "../../../components/StatusBadge";

type CheckIn = Schemas["CheckInRead"];

const COLUMNS: Column<CheckIn>[] = [
  { key: "time", label: "Time", render: (visit) => new Date(visit.created_at).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" }) },
  { key: "member", label: "Member", render: (visit) => visit.member_id },
  { key: "benefit", label: "Benefit", render: (visit) => (visit.benefit_category ? statusLabel(visit.benefit_category) : "Any") },
  {
    key: "verdict",
    label: "Verdict",
    render: (visit) => (
      <Badge color={visit.eligible ? "#25713a" : "#b3261e"} variant="outline" radius="sm" miw="max-content">
        {visit.eligible ? "Eligible" : "Not eligible"}
      </Badge>
    ),
  },
  { key: "reasons", label: "Reasons", render: (visit) => visit.reasons.map((reason) => reason.message).join(" ") || "—" },
];

export function TodaysCheckIns() {
  const today = todayIso();
  const visits = usePages(["check-ins", today], async (cursor) =>
    dataOf(await api.GET("/api/check-ins", { params: { query: { from: today, to: today, cursor, limit: 50 } } })),
  );
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="check-ins-title">
      <Stack gap="xs">
        <Title order={2} size="h4" id="check-ins-title">Today's check-ins</Title>
        <ProblemAlert error={visits.error} />
        <DataTable caption="Today's check-ins, newest first" columns={COLUMNS} rows={visits.items} rowKey={(visit) => visit.id} empty="No check-in recorded today." {...visits.tableProps} />
      </Stack>
    </Paper>
  );
}
