/**
 * The PA queue: awaiting a decision, least SLA time left first (the review queue), or
 * every PA newest first once a status, "past SLA" or "Not me" filter is chosen. The
 * filters live in the URL.
 */
import { Group, SegmentedControl, Select, Stack, Switch, Text } from "@mantine/core";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters, type Filters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import * as col from "../../../components/authorizations/columns";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { statusLabel } from "../../../components/StatusBadge";
import { AuthorizationTabs } from "./AuthorizationTabs";
import { signals, type Pa } from "./columns";

const FILTERS = ["status", "urgency", "breached", "suspicious"] as const;
type QueueFilters = Filters<(typeof FILTERS)[number]>;
type FilterChanges = Partial<Record<(typeof FILTERS)[number], string | null>>;
type Status = Schemas["AuthorizationStatus"];
type Urgency = Schemas["Urgency"];

const STATUSES: Status[] = ["SUBMITTED", "IN_REVIEW", "APPEALED", "APPROVED", "REJECTED", "USED", "EXPIRED", "CANCELLED"];
const URGENCIES: Urgency[] = ["EMERGENCY", "URGENT", "ROUTINE"];
const PAGE = 50;

const COLUMNS: Column<Pa>[] = [col.number, col.urgency, col.status, col.sla, col.member, col.provider, col.procedure, col.estimate, signals];

/** The review queue (by SLA) unless a filter it does not know is set. */
function fetchPage(filters: QueueFilters, byDeadline: boolean) {
  const urgency = filters.urgency as Urgency | undefined;
  return async (cursor: string | undefined) => {
    if (byDeadline) {
      return dataOf(await api.GET("/api/authorizations/queue", { params: { query: { urgency, cursor, limit: PAGE } } }));
    }
    const query = {
      urgency,
      cursor,
      limit: PAGE,
      status: filters.status as Status | undefined,
      breached: filters.breached ? true : undefined,
      suspicious: filters.suspicious ? true : undefined,
    };
    return dataOf(await api.GET("/api/authorizations", { params: { query } })) as { items: Pa[]; next_cursor?: string | null };
  };
}

function QueueFilterBar({ filters, setFilters, anyStatus }: { filters: QueueFilters; setFilters: (changes: FilterChanges) => void; anyStatus: string }) {
  return (
    <Group align="flex-end" gap="md" wrap="wrap">
      <Stack gap={4}>
        <Text size="sm" fw={500} id="pa-urgency-label">Urgency</Text>
        <SegmentedControl
          aria-labelledby="pa-urgency-label"
          value={filters.urgency ?? ""}
          onChange={(value) => setFilters({ urgency: value })}
          data={[{ value: "", label: "All" }, ...URGENCIES.map((value) => ({ value, label: statusLabel(value) }))]}
        />
      </Stack>
      <Select
        label="Status"
        placeholder={anyStatus}
        clearable
        w={200}
        value={filters.status ?? null}
        onChange={(value) => setFilters({ status: value })}
        data={STATUSES.map((value) => ({ value, label: statusLabel(value) }))}
      />
      <Switch
        label="Past the SLA"
        checked={Boolean(filters.breached)}
        onChange={(event) => setFilters({ breached: event.currentTarget.checked ? "true" : null })}
      />
      <Switch
        label={"Reported \u201cNot me\u201d"}
        checked={Boolean(filters.suspicious)}
        onChange={(event) => setFilters({ suspicious: event.currentTarget.checked ? "true" : null })}
      />
    </Group>
  );
}

export function AuthorizationQueuePage() {
  const { can } = useSession();
  const navigate = useNavigate();
  const [filters, setFilters] = useFilters(FILTERS);
  const byDeadline = can("authorizations:decide") && !filters.status && !filters.breached && !filters.suspicious;
  const pages = usePages(["authorizations", byDeadline ? "queue" : "list", filters], fetchPage(filters, byDeadline));
  return (
    <Stack gap="md">
      <PageHeader
        title="Authorizations"
        description={byDeadline ? "Awaiting a decision, least SLA time left first." : "Every pre-authorization, newest first."}
      />
      <AuthorizationTabs />
      <QueueFilterBar filters={filters} setFilters={setFilters} anyStatus={can("authorizations:decide") ? "Awaiting decision" : "Any"} />
      <ProblemAlert error={pages.error} />
      <DataTable
        caption="Pre-authorizations"
        columns={COLUMNS}
        rows={pages.items}
        rowKey={(pa) => pa.id}
        onRowClick={(pa) => navigate(`/hmo/authorizations/${pa.id}`)}
        empty={byDeadline ? "No pre-authorization is waiting for a decision." : "No pre-authorization matches these filters."}
        {...pages.tableProps}
      />
    </Stack>
  );
}
