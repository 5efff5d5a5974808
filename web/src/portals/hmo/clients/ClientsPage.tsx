/** The HMO's corporate clients by name; each opens its detail. */
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { formatDate } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { AddPrincipalButton } from "./AddPrincipalButton";
import { ClientsTabs } from "./ClientsTabs";
import type { Client } from "./queries";

const COLUMNS: Column<Client>[] = [
  { key: "code", label: "Code", render: (client) => client.code },
  { key: "name", label: "Name", render: (client) => client.name },
  { key: "contact", label: "Contact", render: (client) => client.contact_email ?? "—" },
  { key: "phone", label: "Phone", render: (client) => client.phone ?? "—" },
  { key: "since", label: "Covered since", render: (client) => formatDate(client.covered_since) },
];

export function ClientsPage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const clients = usePages(["clients", "list"], async (cursor) => dataOf(await api.GET("/api/clients", { params: { query: { cursor } } })));
  return (
    <>
      <PageHeader title="Clients & enrollees" description="Corporate clients, their enrollees and their requests." actions={can("enrollees:create") && <AddPrincipalButton />} />
      <ClientsTabs />
      <ProblemAlert error={clients.error} />
      <DataTable
        caption="Clients"
        columns={COLUMNS}
        rows={clients.items}
        rowKey={(client) => client.id}
        onRowClick={(client) => navigate(`/hmo/clients/${client.id}`)}
        empty="No client yet."
        {...clients.tableProps}
      />
    </>
  );
}
