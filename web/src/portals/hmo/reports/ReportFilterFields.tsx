/** The period (from/to months) and the filters one report takes, each kept in the URL. */
import { Select, SimpleGrid, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import type { Filters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import { PeriodFields } from "../../../components/report/PeriodFields";
import { statusLabel } from "../../../components/StatusBadge";
import type { FilterName, ReportEntry } from "./catalog";

export type ReportFilterValues = Filters<FilterName | "from" | "to">;
type Change = (changes: Partial<Record<FilterName | "from" | "to" | "sort", string | null>>) => void;

const LABELS: Record<FilterName, string> = {
  client_id: "Client",
  plan_id: "Plan",
  provider_id: "Provider",
  category: "Benefit category",
  status: "Status",
  urgency: "Urgency",
  rule: "Rule",
};

interface Option {
  value: string;
  label: string;
}

/** One page of 200 is enough to pick from (the demo HMO has fewer of each). */
const ENTITY_LISTS = {
  client_id: {
    permission: "clients:read",
    load: async (): Promise<Option[]> =>
      dataOf(await api.GET("/api/clients", { params: { query: { limit: 200 } } })).items.map((c) => ({ value: c.id, label: c.name })),
  },
  plan_id: {
    permission: "plans:read",
    load: async (): Promise<Option[]> =>
      dataOf(await api.GET("/api/plans", { params: { query: { limit: 200 } } })).items.map((p) => ({ value: p.id, label: `${p.name} (${p.code})` })),
  },
  provider_id: {
    permission: "providers:read",
    load: async (): Promise<Option[]> =>
      dataOf(await api.GET("/api/providers", { params: { query: { limit: 200 } } })).items.map((p) => ({ value: p.id, label: p.name })),
  },
} as const;

function EntityFilter({ name, value, onChange }: { name: keyof typeof ENTITY_LISTS; value: string | undefined; onChange: (value: string | null) => void }) {
  const { can } = useSession();
  const list = ENTITY_LISTS[name];
  const options = useQuery({ queryKey: [name.replace("_id", "s"), "options"], queryFn: list.load, enabled: can(list.permission), staleTime: 5 * 60_000 });
  if (!can(list.permission)) return null;
  return <Select label={LABELS[name]} placeholder="All" data={options.data ?? []} value={value ?? null} onChange={onChange} searchable clearable nothingFoundMessage="None found" />;
}

function OneFilter({ name, values, value, onChange, breakdowns }: {
  name: FilterName;
  values: string[] | null | undefined;
  value: string | undefined;
  onChange: (value: string | null) => void;
  breakdowns: Schemas["Breakdown"][];
}) {
  if (name === "client_id" || name === "plan_id" || name === "provider_id") return <EntityFilter name={name} value={value} onChange={onChange} />;
  if (values) {
    return <Select label={LABELS[name]} placeholder="All" data={values.map((v) => ({ value: v, label: statusLabel(v) }))} value={value ?? null} onChange={onChange} clearable />;
  }
  const shown = breakdowns.find((breakdown) => breakdown.key === name);
  if (shown) {
    const data = shown.items.map((item) => ({ value: String(item.key), label: String(item.label ?? item.key) }));
    if (value && !data.some((option) => option.value === value)) data.push({ value, label: value });
    return <Select label={LABELS[name]} placeholder="All" data={data} value={value ?? null} onChange={onChange} clearable />;
  }
  return <TextInput label={LABELS[name]} placeholder="All" defaultValue={value ?? ""} onBlur={(event) => onChange(event.currentTarget.value.trim() || null)} />;
}

export function ReportFilterFields({ entry, filters, onChange, breakdowns }: {
  entry: ReportEntry;
  filters: ReportFilterValues;
  onChange: Change;
  breakdowns: Schemas["Breakdown"][];
}) {
  return (
    <SimpleGrid cols={{ base: 2, lg: 4 }}>
      <PeriodFields from={filters.from} to={filters.to} onChange={onChange} />
      {entry.filters.map(({ name, values }) => (
        <OneFilter key={name} name={name as FilterName} values={values} value={filters[name as FilterName]} onChange={(value) => onChange({ [name]: value })} breakdowns={breakdowns} />
      ))}
    </SimpleGrid>
  );
}
