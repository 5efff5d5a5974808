/** Providers: the hospitals, pharmacies and labs the plan covers, searchable by name, type
 * and state (the search in the URL). */
import { Badge, Group, Select, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState } from "react";

import { api, dataOf } from "../../api/client";
import { usePages } from "../../api/pages";
import type { Schemas } from "../../api/types";
import { useFilters } from "../../app/filters";
import { PageHeader } from "../../components/PageHeader";
import { ProblemAlert } from "../../components/ProblemAlert";
import { statusLabel } from "../../components/StatusBadge";
import { RecordList } from "./RecordList";

type ProviderType = Schemas["ProviderType"];
const TYPES: ProviderType[] = ["HOSPITAL", "PHARMACY", "LAB"];

export function ProvidersPage() {
  const [filters, setFilters] = useFilters(["q", "type", "state"] as const);
  const [typed, setTyped] = useState(filters.q ?? "");
  const [typedState, setTypedState] = useState(filters.state ?? "");
  const [q] = useDebouncedValue(typed.trim(), 300);
  const [state] = useDebouncedValue(typedState.trim(), 300);
  useEffect(() => setFilters({ q, state }), [q, state, setFilters]);
  const query = { q: q || undefined, type: filters.type as ProviderType | undefined, state: state || undefined };
  const pages = usePages(["providers", "mine", query], async (cursor) =>
    dataOf(await api.GET("/api/me/providers", { params: { query: { ...query, cursor } } })),
    true,
    true,
  );
  return (
    <Stack gap="md">
      <PageHeader title="Providers" description="Hospitals, pharmacies and labs in your plan's network." />
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <TextInput label="Name" placeholder="Part of the name" value={typed} onChange={(event) => setTyped(event.currentTarget.value)} />
        <Select
          label="Type"
          placeholder="Any type"
          data={TYPES.map((type) => ({ value: type, label: statusLabel(type) }))}
          value={filters.type ?? null}
          onChange={(type) => setFilters({ type })}
          clearable
        />
        <TextInput label="State" placeholder="e.g. Lagos" value={typedState} onChange={(event) => setTypedState(event.currentTarget.value)} />
      </SimpleGrid>
      <ProblemAlert error={pages.error} />
      <RecordList
        label="Providers"
        rows={pages.items}
        rowKey={(provider) => provider.id}
        render={(provider) => (
          <Stack gap={2}>
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text fw={700}>{provider.name}</Text>
              {provider.is_primary && <Badge variant="light" radius="sm">Your primary provider</Badge>}
            </Group>
            <Text size="sm">{statusLabel(provider.type)} · {provider.state}</Text>
            {provider.address && <Text size="sm" c="dimmed">{provider.address}</Text>}
            {provider.services.length > 0 && <Text size="xs" c="dimmed">{provider.services.join(", ")}</Text>}
          </Stack>
        )}
        empty="No provider in your network matches."
        {...pages.tableProps}
      />
    </Stack>
  );
}
