/** The HMOs the provider works with: their requests to add it to their networks (accept,
 * or decline after saying so in a dialog), and the active links. */
import { Button, Group, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { formatDate } from "../../../app/format";
import { useSession } from "../../../app/session";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { NETWORK_KEY, type Link } from "./hmos";

function useAnswer(link: Link, answer: "accept" | "decline") {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () =>
      dataOf(await api.POST(`/api/network/links/{link_id}/${answer}`, { params: { path: { link_id: link.id } }, body: { version: link.version } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: NETWORK_KEY }),
  });
}

function AnswerButtons({ link }: { link: Link }) {
  const queryClient = useQueryClient();
  const accept = useAnswer(link, "accept");
  const decline = useAnswer(link, "decline");
  return (
    <Stack gap={4}>
      <Group gap="xs" wrap="nowrap">
        <Button onClick={() => accept.mutate()} loading={accept.isPending} aria-label={`Accept ${link.hmo.name}'s request`}>
          Accept
        </Button>
        <ConfirmButton
          label="Decline"
          title={`Decline ${link.hmo.name}'s request?`}
          confirmLabel="Decline the request"
          color="red.9"
          variant="default"
          onConfirm={() => decline.mutateAsync()}
          pending={decline.isPending}
          error={decline.error}
          onReload={() => void queryClient.invalidateQueries({ queryKey: NETWORK_KEY })}
        >
          {`${link.hmo.name} will not add you to its network, and its members will not be able to use their cover here. It can send a new request later.`}
        </ConfirmButton>
      </Group>
      <ProblemAlert error={accept.error} onReload={() => void queryClient.invalidateQueries({ queryKey: NETWORK_KEY })} />
    </Stack>
  );
}

function useLinks(status: "REQUESTED" | "ACTIVE") {
  return usePages([...NETWORK_KEY, "links", status], async (cursor) =>
    dataOf(await api.GET("/api/network/links", { params: { query: { status, cursor } } })),
  );
}

export function NetworkPage() {
  const { can } = useSession();
  const requests = useLinks("REQUESTED");
  const active = useLinks("ACTIVE");
  const requestColumns: Column<Link>[] = [
    { key: "hmo", label: "HMO", render: (link) => <Text size="sm" fw={600}>{link.hmo.name}</Text> },
    { key: "requested", label: "Requested", render: (link) => formatDate(link.created_at) },
    ...(can("network:manage") ? [{ key: "answer", label: "Answer", render: (link: Link) => <AnswerButtons link={link} /> }] : []),
  ];
  const activeColumns: Column<Link>[] = [
    { key: "hmo", label: "HMO", render: (link) => <Text size="sm" fw={600}>{link.hmo.name}</Text> },
    { key: "since", label: "In its network since", render: (link) => formatDate(link.responded_at ?? link.created_at) },
  ];
  return (
    <Stack>
      <PageHeader title="Network" description="The HMOs whose members you serve, and their requests to add you to their networks." />
      <Title order={2} size="h4">Requests waiting for your answer</Title>
      <ProblemAlert error={requests.error} />
      <DataTable caption="Requests waiting for your answer" columns={requestColumns} rows={requests.items} rowKey={(link) => link.id} empty="No request is waiting." {...requests.tableProps} />
      <Title order={2} size="h4">Active links</Title>
      <ProblemAlert error={active.error} />
      <DataTable caption="Active links" columns={activeColumns} rows={active.items} rowKey={(link) => link.id} empty="No HMO has you in its network yet." {...active.tableProps} />
    </Stack>
  );
}
