/** One client: its details, its principals, its portal credentials. */
import { Anchor, Paper, SimpleGrid, Skeleton, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { formatDate } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable } from "../../../components/DataTable";
import * as col from "../../../components/enrollees/columns";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { AddPrincipalButton } from "./AddPrincipalButton";
import { ClientsTabs } from "./ClientsTabs";
import { CredentialsForm } from "./CredentialsForm";
import type { Client } from "./queries";

function Details({ client }: { client: Client }) {
  const rows = [
    ["Code", client.code],
    ["Contact e-mail", client.contact_email ?? "—"],
    ["Phone", client.phone ?? "—"],
    ["Address", client.address ?? "—"],
    ["Covered since", formatDate(client.covered_since)],
  ];
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="xs">
        {rows.map(([label, value]) => (
          <div key={label}>
            <Text size="xs" c="dimmed">{label}</Text>
            <Text>{value}</Text>
          </div>
        ))}
      </Stack>
    </Paper>
  );
}

function Principals({ clientId }: { clientId: string }) {
  const navigate = useNavigate();
  const principals = usePages(["enrollees", "client", clientId], async (cursor) =>
    dataOf(await api.GET("/api/enrollees", { params: { query: { client_id: clientId, relationship: "PRINCIPAL", cursor } } })),
  );
  return (
    <Stack gap="xs">
      <Text fw={700} component="h2">Principals</Text>
      <ProblemAlert error={principals.error} />
      <DataTable
        caption="Principals"
        columns={[col.memberId, col.name, col.status, col.coverage]}
        rows={principals.items}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(`/hmo/enrollees/${row.id}`)}
        empty="No principal enrolled yet."
        {...principals.tableProps}
      />
      <Anchor component={Link} to={`/hmo/clients/roster?client=${clientId}`} size="sm">The whole roster, with dependants</Anchor>
    </Stack>
  );
}

export function ClientPage() {
  const { clientId = "" } = useParams();
  const { can } = useSession();
  const client = useQuery({
    queryKey: ["clients", clientId],
    queryFn: async () => dataOf(await api.GET("/api/clients/{client_id}", { params: { path: { client_id: clientId } } })),
  });
  if (client.error) return <ProblemAlert error={client.error} />;
  if (!client.data) return <Skeleton h={300} />;
  return (
    <>
      <PageHeader title={client.data.name} description="Client" actions={can("enrollees:create") && <AddPrincipalButton clientId={clientId} />} />
      <ClientsTabs />
      <SimpleGrid cols={{ base: 1, md: 2 }} mb="lg">
        <Details client={client.data} />
        {can("clients:credentials") && <CredentialsForm client={client.data} />}
      </SimpleGrid>
      <Principals clientId={clientId} />
    </>
  );
}
