/** The changes the client asked for, newest first: awaiting the HMO, approved, or declined
 * with the HMO's reason. Decisions arrive live (the bell's event reloads this list). */
import { Anchor, Select, SimpleGrid, Stack, Text } from "@mantine/core";
import { Link } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { formatDateTime } from "../../../app/format";
import { useFilters } from "../../../app/filters";
import { DataTable, type Column } from "../../../components/DataTable";
import { CHANGE_KINDS, describeChange } from "../../../components/enrollees/changeRequests";
import { EnrolleeLink } from "../../../components/enrollees/EnrolleeLink";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { REQUEST_STATUS, type Request } from "./requests";

const FILTERS = ["status"] as const;
const ALL = "ALL";
const SHOWN = [ALL, "PENDING", "APPROVED", "DECLINED"] as const;
const SHOWN_LABELS: Record<(typeof SHOWN)[number], string> = { ALL: "All", PENDING: "Awaiting the HMO", APPROVED: "Approved", DECLINED: "Declined" };

export function RequestChange({ request }: { request: Request }) {
  return (
    <Text size="sm">
      {CHANGE_KINDS[request.kind]} {request.enrollee_id && <EnrolleeLink enrolleeId={request.enrollee_id} base="/client/enrollees" />}
      <br />
      {describeChange(request)}
    </Text>
  );
}

/** The HMO's answer: its reason for a decline, the new member for an approved addition. */
export function HmoAnswer({ request }: { request: Request }) {
  if (request.status === "PENDING") return <Text size="sm" c="dimmed">Not decided yet</Text>;
  return (
    <Stack gap={2}>
      <Text size="sm">{formatDateTime(request.decided_at)}</Text>
      {request.decision_reason && <Text size="sm">Reason: {request.decision_reason}</Text>}
      {request.kind === "ADD_DEPENDANT" && request.result_enrollee_id && (
        <Anchor component={Link} to={`/client/enrollees/${request.result_enrollee_id}`} size="sm">Open the new dependant</Anchor>
      )}
    </Stack>
  );
}

export const REQUEST_COLUMNS: Column<Request>[] = [
  { key: "asked", label: "Asked", render: (request) => formatDateTime(request.created_at) },
  { key: "change", label: "Change", render: (request) => <RequestChange request={request} /> },
  { key: "status", label: "Status", render: (request) => <StatusBadge status={request.status} label={REQUEST_STATUS[request.status]} /> },
  { key: "answer", label: "HMO's answer", render: (request) => <HmoAnswer request={request} /> },
];

export function RequestsPage() {
  const [filters, setFilters] = useFilters(FILTERS);
  const shown = (SHOWN as readonly string[]).includes(filters.status ?? "") ? (filters.status as (typeof SHOWN)[number]) : ALL;
  const status = shown === ALL ? undefined : shown;
  const requests = usePages(["change-requests", { status }], async (cursor) =>
    dataOf(await api.GET("/api/change-requests", { params: { query: { status, cursor } } })),
  );
  return (
    <>
      <PageHeader title="Change requests" description="What you asked the HMO to change. The roster changes only once the HMO approves." />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} mb="md">
        <Select
          label="Status"
          data={SHOWN.map((value) => ({ value, label: SHOWN_LABELS[value] }))}
          value={shown}
          onChange={(value) => setFilters({ status: value === ALL ? null : value })}
          allowDeselect={false}
        />
      </SimpleGrid>
      <ProblemAlert error={requests.error} />
      <DataTable caption="Change requests" columns={REQUEST_COLUMNS} rows={requests.items} rowKey={(request) => request.id} empty="No request here." {...requests.tableProps} />
    </>
  );
}
