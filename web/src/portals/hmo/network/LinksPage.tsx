/** The HMO's network links, newest first, by status (in the URL); a manager ends an active
 * link or withdraws a request, after saying so in a dialog. */
import { Select, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { formatDate } from "../../../app/format";
import { useFilters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge, statusLabel } from "../../../components/StatusBadge";
import { NetworkTabs } from "./NetworkTabs";
import { NETWORK_KEY, providerTypeLabel, type Link, type LinkStatus } from "./networkLinks";

const STATUSES: LinkStatus[] = ["ACTIVE", "REQUESTED", "DECLINED", "ENDED"];

function EndLinkButton({ link }: { link: Link }) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: NETWORK_KEY });
  const end = useMutation({
    mutationFn: async () =>
      dataOf(await api.POST("/api/network/links/{link_id}/end", { params: { path: { link_id: link.id } }, body: { version: link.version } })),
    onSuccess: refresh,
  });
  const active = link.status === "ACTIVE";
  return (
    <ConfirmButton
      label={active ? "End link" : "Withdraw request"}
      title={active ? `End the link with ${link.provider.name}?` : `Withdraw the request to ${link.provider.name}?`}
      confirmLabel={active ? "End the link" : "Withdraw"}
      color="red.9"
      variant="default"
      onConfirm={() => end.mutateAsync()}
      pending={end.isPending}
      error={end.error}
      onReload={() => void refresh()}
    >
      {active
        ? "The provider will no longer be able to file claims or pre-authorizations with you. Claims already filed are not affected."
        : "The provider will not be able to accept this request any more."}
    </ConfirmButton>
  );
}

export function LinksPage() {
  const { can } = useSession();
  const [filters, setFilters] = useFilters(["status"]);
  const status = filters.status as LinkStatus | undefined;
  const links = usePages([...NETWORK_KEY, "links", filters], async (cursor) =>
    dataOf(await api.GET("/api/network/links", { params: { query: { status, cursor } } })),
  );
  const columns: Column<Link>[] = [
    { key: "provider", label: "Provider", render: (link) => <Text size="sm" fw={600}>{link.provider.name}</Text> },
    { key: "type", label: "Type", render: (link) => providerTypeLabel(link.provider_type) },
    { key: "state", label: "State", render: (link) => link.provider_state },
    { key: "status", label: "Status", render: (link) => <StatusBadge status={link.status} /> },
    { key: "requested", label: "Requested", render: (link) => formatDate(link.created_at) },
    { key: "answered", label: "Answered", render: (link) => formatDate(link.responded_at) },
    { key: "ended", label: "Ended", render: (link) => formatDate(link.ended_at) },
  ];
  if (can("network:manage")) {
    columns.push({ key: "action", label: "Action", render: (link) => (link.status === "ACTIVE" || link.status === "REQUESTED" ? <EndLinkButton link={link} /> : null) });
  }
  return (
    <>
      <PageHeader title="Network" description="The providers linked to you, and the requests you have sent." />
      <NetworkTabs />
      <Select
        label="Status"
        placeholder="Any status"
        data={STATUSES.map((value) => ({ value, label: statusLabel(value) }))}
        value={status ?? null}
        onChange={(value) => setFilters({ status: value })}
        clearable
        maw={240}
        mb="md"
      />
      <ProblemAlert error={links.error} />
      <DataTable columns={columns} rows={links.items} rowKey={(link) => link.id} empty="No links with this status." caption="Network links" {...links.tableProps} />
    </>
  );
}
