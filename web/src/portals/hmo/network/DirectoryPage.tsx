/** The platform's provider directory, searched by name, type and state (filters in the URL),
 * with "Request link" for providers not yet in the HMO's network. */
import { Button, Group, Select, Stack, Text, TextInput } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Navigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import type { Schemas } from "../../../api/types";
import { useFilters } from "../../../app/filters";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert, problemText } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { NetworkTabs } from "./NetworkTabs";
import { NETWORK_KEY, openLinksByProvider, PROVIDER_TYPES, providerTypeLabel, useNewestLinks, type Link } from "./networkLinks";

type Provider = Schemas["ProviderRead"];
const FILTERS = ["q", "type", "state"] as const;

function SearchForm() {
  const [filters, setFilters] = useFilters(FILTERS);
  const [name, setName] = useState(filters.q ?? "");
  const [state, setState] = useState(filters.state ?? "");
  const search = (event: FormEvent) => {
    event.preventDefault();
    setFilters({ q: name.trim(), state: state.trim() });
  };
  return (
    <form onSubmit={search} role="search" aria-label="Provider directory">
      <Group align="flex-end" gap="sm" mb="md">
        <TextInput label="Name" placeholder="Part of the name" value={name} onChange={(event) => setName(event.currentTarget.value)} maxLength={100} />
        <Select label="Type" placeholder="Any type" data={PROVIDER_TYPES} value={filters.type ?? null} onChange={(type) => setFilters({ type })} clearable />
        <TextInput label="State" placeholder="e.g. Lagos" value={state} onChange={(event) => setState(event.currentTarget.value)} maxLength={60} />
        <Button type="submit" leftSection={<IconSearch size={16} />}>Search</Button>
      </Group>
    </form>
  );
}

function useRequestLink() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (providerId: string) =>
      dataOf(await api.POST("/api/network/links", { body: { provider_id: providerId } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: NETWORK_KEY }),
  });
}

function NetworkCell({ provider, openLinks, request }: { provider: Provider; openLinks?: Map<string, Link>; request: ReturnType<typeof useRequestLink> }) {
  const { can } = useSession();
  if (!openLinks) return <Text size="sm" c="dimmed">Checking…</Text>;
  const openLink = openLinks.get(provider.id);
  if (openLink) return <StatusBadge status={openLink.status} />;
  const mine = request.variables === provider.id;
  if (!can("network:manage")) return <Text size="sm" c="dimmed">Not linked</Text>;
  return (
    <Stack gap={4} align="flex-start">
      <Button size="xs" variant="default" loading={mine && request.isPending} onClick={() => request.mutate(provider.id)} aria-label={`Request link: ${provider.name}`}>
        Request link
      </Button>
      {mine && request.isError && <Text size="xs" c="red.8" role="alert">{problemText(request.error)}</Text>}
    </Stack>
  );
}

export function DirectoryPage() {
  const { can } = useSession();
  return can("providers:read") ? <Directory /> : <Navigate to="/hmo/network/links" replace />;
}

function Directory() {
  const [filters] = useFilters(FILTERS);
  const type = filters.type as Schemas["ProviderType"] | undefined;
  const providers = usePages(["providers", "directory", filters], async (cursor) =>
    dataOf(await api.GET("/api/providers", { params: { query: { q: filters.q, type, state: filters.state, cursor } } })),
  );
  const { can } = useSession();
  const links = useNewestLinks();
  const openLinks = links.isPending ? undefined : openLinksByProvider(links.data ?? []);
  const request = useRequestLink();
  const columns: Column<Provider>[] = [
    { key: "name", label: "Provider", render: (provider) => <Text size="sm" fw={600}>{provider.name}</Text> },
    { key: "type", label: "Type", render: (provider) => providerTypeLabel(provider.type) },
    { key: "state", label: "State", render: (provider) => provider.state },
    { key: "address", label: "Address", render: (provider) => provider.address || "—" },
  ];
  if (can("network:read")) {
    columns.push({ key: "network", label: "In our network", render: (provider) => <NetworkCell provider={provider} openLinks={openLinks} request={request} /> });
  }
  return (
    <>
      <PageHeader title="Network" description="Search the directory and ask providers to join your network." />
      <NetworkTabs />
      <SearchForm />
      <ProblemAlert error={providers.error ?? links.error} />
      <DataTable columns={columns} rows={providers.items} rowKey={(provider) => provider.id} empty="No provider matches this search." caption="Provider directory" {...providers.tableProps} />
    </>
  );
}
