/**
 * Clients' change requests (add or remove a dependant, edit an enrollee's details), newest
 * first. Approving applies the change, declining cancels it; each asks to confirm first.
 */
import { Group, Select, SimpleGrid, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import { useFilters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { CHANGE_KINDS, describeChange } from "../../../components/enrollees/changeRequests";
import { EnrolleeLink } from "../../../components/enrollees/EnrolleeLink";
import { StatusBadge, statusLabel } from "../../../components/StatusBadge";
import { ClientsTabs } from "./ClientsTabs";
import { choicesOf, nameIn, useClientChoices } from "./queries";

type Request = Schemas["ChangeRequestRead"];
const FILTERS = ["status", "client"] as const;
const STATUSES: Schemas["ChangeRequestStatus"][] = ["PENDING", "APPROVED", "DECLINED"];

function Decision({ request }: { request: Request }) {
  const queryClient = useQueryClient();
  const path = { params: { path: { request_id: request.id } } };
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["change-requests"] });
  const approve = useMutation({
    mutationFn: async () => dataOf(await api.POST("/api/change-requests/{request_id}/approve", path)),
    onSuccess: () => Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: ["enrollees"] })]),
  });
  const decline = useMutation({
    mutationFn: async (reason: string) => dataOf(await api.POST("/api/change-requests/{request_id}/decline", { ...path, body: { reason } })),
    onSuccess: refresh,
  });
  return (
    <Group gap="xs" wrap="nowrap">
      <ConfirmButton label="Approve" title="Approve this request?" confirmLabel="Confirm" onConfirm={() => approve.mutateAsync()} pending={approve.isPending} error={approve.error} onReload={() => void refresh()}>
        {describeChange(request)}. The change is applied to the enrollee's record at once.
      </ConfirmButton>
      <ConfirmButton
        label="Decline"
        title="Decline this request?"
        confirmLabel="Decline"
        reason="required"
        color="red"
        variant="default"
        onConfirm={(reason) => decline.mutateAsync(reason ?? "")}
        pending={decline.isPending}
        error={decline.error}
      >
        {`${describeChange(request)}. Nothing changes; the client sees your reason.`}
      </ConfirmButton>
    </Group>
  );
}

export function ChangeRequestsPage() {
  const { can } = useSession();
  const clients = useClientChoices();
  const [filters, setFilters] = useFilters(FILTERS);
  const status = (filters.status ?? "PENDING") as Schemas["ChangeRequestStatus"];
  const requests = usePages(["change-requests", { status, client: filters.client }], async (cursor) =>
    dataOf(await api.GET("/api/change-requests", { params: { query: { status, client_id: filters.client, cursor } } })),
  );
  const columns: Column<Request>[] = [
    { key: "when", label: "Asked", render: (request) => formatDateTime(request.created_at) },
    { key: "client", label: "Client", render: (request) => nameIn(clients.data, request.client_id) },
    {
      key: "what",
      label: "Change",
      render: (request) => (
        <Text size="sm">
          {CHANGE_KINDS[request.kind]} {request.enrollee_id && <EnrolleeLink enrolleeId={request.enrollee_id} base="/hmo/enrollees" />}
          <br />
          {describeChange(request)}
        </Text>
      ),
    },
    { key: "status", label: "Status", render: (request) => <StatusBadge status={request.status} /> },
    {
      key: "decision",
      label: "Decision",
      render: (request) => (request.status === "PENDING" && can("change_requests:decide") ? <Decision request={request} /> : request.decision_reason ?? "—"),
    },
  ];
  return (
    <>
      <PageHeader title="Clients & enrollees" description="Changes clients ask for on their portal; nothing changes until you approve." />
      <ClientsTabs />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} mb="md">
        <Select label="Status" data={STATUSES.map((value) => ({ value, label: statusLabel(value) }))} value={status} onChange={(value) => setFilters({ status: value })} allowDeselect={false} />
        <Select label="Client" clearable searchable data={choicesOf(clients.data)} value={filters.client ?? null} onChange={(client) => setFilters({ client })} />
      </SimpleGrid>
      <ProblemAlert error={requests.error} />
      <DataTable caption="Change requests" columns={columns} rows={requests.items} rowKey={(request) => request.id} empty="No request here." {...requests.tableProps} />
    </>
  );
}
