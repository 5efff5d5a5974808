/**
 * A new settlement run over a period, of one provider or all: the server gathers the
 * approved claims (which can take a while), so the form shows that it is working.
 */
import { Button, Paper, Progress, Select, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { problemOf } from "../../../api/problem";
import { useSession } from "../../../app/session";
import { ProblemAlert } from "../../../components/ProblemAlert";

/** The HMO's network (its active links), for naming one provider. */
function useNetworkProviders() {
  const { can } = useSession();
  return useQuery({
    queryKey: ["network", "links", "ACTIVE"],
    enabled: can("network:read"),
    staleTime: 5 * 60_000,
    queryFn: async () => {
      const page = dataOf(await api.GET("/api/network/links", { params: { query: { status: "ACTIVE", limit: 200 } } }));
      return page.items.map((link) => ({ value: link.provider.id, label: link.provider.name }));
    },
  });
}

export function NewRunForm() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const providers = useNetworkProviders();
  const [periodFrom, setPeriodFrom] = useState("");
  const [periodTo, setPeriodTo] = useState("");
  const [providerId, setProviderId] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async () =>
      dataOf(await api.POST("/api/settlement-runs", {
        body: { period_from: periodFrom, period_to: periodTo, provider_id: providerId ?? undefined },
      })),
    onSuccess: (run) => {
      void queryClient.invalidateQueries({ queryKey: ["settlement-runs"] });
      void queryClient.invalidateQueries({ queryKey: ["remittances"] });
      navigate(`/hmo/finance/runs/${run.id}`);
    },
  });
  const fieldErrors = problemOf(create.error)?.fieldErrors() ?? {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Paper withBorder p="md" radius="md" component="form" onSubmit={submit} aria-labelledby="new-run-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="new-run-title">New settlement run</Title>
        <Text size="sm" c="dimmed">
          Gathers the approved claims served in the period that are in no other run, one remittance per provider.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput type="date" label="Served from" required value={periodFrom} onChange={(event) => setPeriodFrom(event.currentTarget.value)} error={fieldErrors.period_from} />
          <TextInput type="date" label="Served to" required value={periodTo} onChange={(event) => setPeriodTo(event.currentTarget.value)} error={fieldErrors.period_to} />
          <Select
            label="Provider"
            placeholder="All providers"
            data={providers.data ?? []}
            value={providerId}
            onChange={setProviderId}
            searchable
            clearable
            nothingFoundMessage="No provider in your network by that name"
            error={fieldErrors.provider_id}
          />
        </SimpleGrid>
        {create.isPending && (
          <Stack gap={4} aria-live="polite">
            <Progress value={100} animated striped aria-label="Creating the settlement run" />
            <Text size="sm" c="dimmed">Gathering the approved claims into remittances…</Text>
          </Stack>
        )}
        {Object.keys(fieldErrors).length === 0 && <ProblemAlert error={create.error} />}
        <div>
          <Button type="submit" loading={create.isPending}>Create the run</Button>
        </div>
      </Stack>
    </Paper>
  );
}
