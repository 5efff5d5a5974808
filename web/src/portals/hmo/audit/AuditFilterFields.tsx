/** The audit log's filters: typed ones apply on Enter or on leaving the field. */
import { SimpleGrid, TextInput } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";

import type { Filters } from "../../../app/filters";
import { READABLE_PLACEHOLDER } from "../../../components/readablePlaceholder";

export const AUDIT_FILTERS = ["action", "object_type", "object_id", "from", "to"] as const;
export type AuditFilters = Filters<(typeof AUDIT_FILTERS)[number]>;
type Change = (changes: Partial<Record<(typeof AUDIT_FILTERS)[number], string | null>>) => void;

function TypedFilter({ name, label, placeholder, filters, onChange }: { name: "action" | "object_type" | "object_id"; label: string; placeholder: string; filters: AuditFilters; onChange: Change }) {
  const apply = (value: string) => onChange({ [name]: value.trim() || null });
  return (
    <TextInput
      key={filters[name] ?? ""}
      label={label}
      placeholder={placeholder}
      defaultValue={filters[name] ?? ""}
      onBlur={(event) => apply(event.currentTarget.value)}
      onKeyDown={(event) => event.key === "Enter" && apply(event.currentTarget.value)}
    />
  );
}

export function AuditFilterFields({ filters, onChange }: { filters: AuditFilters; onChange: Change }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }}>
      <TypedFilter name="action" label="Action" placeholder="e.g. claim.approved" filters={filters} onChange={onChange} />
      <TypedFilter name="object_type" label="Object type" placeholder="e.g. claim" filters={filters} onChange={onChange} />
      <TypedFilter name="object_id" label="Object id" placeholder="An id" filters={filters} onChange={onChange} />
      <DatePickerInput label="From day" placeholder="Any" styles={READABLE_PLACEHOLDER} value={filters.from ?? null} onChange={(value) => onChange({ from: value })} clearable />
      <DatePickerInput label="To day (included)" placeholder="Any" styles={READABLE_PLACEHOLDER} value={filters.to ?? null} onChange={(value) => onChange({ to: value })} clearable />
    </SimpleGrid>
  );
}

/** The days picked as the API's bounds: from the first day's start to the last day's end. */
export function auditQuery(filters: AuditFilters): Record<string, string> {
  const query: Record<string, string> = {};
  for (const name of ["action", "object_type", "object_id"] as const) {
    const value = filters[name];
    if (value) query[name] = value;
  }
  if (filters.from) query.from = new Date(`${filters.from}T00:00:00`).toISOString();
  if (filters.to) {
    const dayAfter = new Date(`${filters.to}T00:00:00`);
    dayAfter.setDate(dayAfter.getDate() + 1);
    query.to = dayAfter.toISOString();
  }
  return query;
}
