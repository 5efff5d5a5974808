/** Who did what, when: the tenant's audit log, filtered, exported, its chain verified. */
import { Code, Modal, Stack, Text } from "@mantine/core";
import { useState } from "react";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { formatDateTime } from "../../../app/format";
import { useFilters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import { CsvDownloadButton } from "../../../components/CsvDownloadButton";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { AUDIT_FILTERS, AuditFilterFields, auditQuery } from "./AuditFilterFields";
import { ChainCheck } from "./ChainCheck";

type AuditEvent = Schemas["AuditEventRead"];

const COLUMNS: Column<AuditEvent>[] = [
  { key: "seq", label: "#", align: "right", render: (event) => event.seq },
  { key: "when", label: "When", render: (event) => formatDateTime(event.occurred_at) },
  { key: "who", label: "Who", render: (event) => event.actor_label },
  { key: "action", label: "Action", render: (event) => <Code>{event.action}</Code> },
  { key: "object", label: "Object", render: (event) => `${event.object_type}${event.object_id ? ` ${event.object_id.slice(0, 8)}…` : ""}` },
  { key: "ip", label: "IP", render: (event) => event.ip ?? "—" },
];

function EventDetails({ event, onClose }: { event: AuditEvent; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title={`Audit entry #${event.seq}`} size="lg" closeButtonProps={{ "aria-label": "Close" }}>
      <Stack gap="xs">
        <Text size="sm">{`${event.actor_label} (${event.actor_type}) — ${event.action} on ${event.object_type} ${event.object_id ?? ""}`}</Text>
        <Text size="sm">{`${formatDateTime(event.occurred_at)}, request ${event.request_id ?? "—"}, IP ${event.ip ?? "—"}`}</Text>
        <Code block>{JSON.stringify(event.details, null, 2)}</Code>
        <Text size="xs" c="dimmed" style={{ wordBreak: "break-all" }}>Hash {event.hash}</Text>
      </Stack>
    </Modal>
  );
}

export function AuditPage() {
  const { can } = useSession();
  const [filters, setFilters] = useFilters(AUDIT_FILTERS);
  const query = auditQuery(filters);
  const events = usePages<AuditEvent>(["audit-events", query], async (cursor) => {
    const answer = await api.GET("/api/audit-events", { params: { query: { ...query, cursor } } });
    return dataOf(answer) as Schemas["Page_AuditEventRead_"]; // JSON: the CSV is asked for apart
  });
  const [opened, setOpened] = useState<AuditEvent | null>(null);
  const csvQuery = new URLSearchParams(query).toString();
  return (
    <Stack>
      <PageHeader
        title="Audit log"
        description="Every change, newest first. Each entry is chained to the one before by its hash, so an altered or removed entry shows."
        actions={<CsvDownloadButton path={`/api/audit-events${csvQuery ? `?${csvQuery}` : ""}`} fileName="audit-events.csv" />}
      />
      {can("audit:verify") && <ChainCheck />}
      <AuditFilterFields filters={filters} onChange={setFilters} />
      <ProblemAlert error={events.error} />
      <DataTable columns={COLUMNS} rows={events.items} rowKey={(event) => event.id} onRowClick={setOpened} caption="Audit entries" empty="No entries match." {...events.tableProps} />
      {opened && <EventDetails event={opened} onClose={() => setOpened(null)} />}
    </Stack>
  );
}
