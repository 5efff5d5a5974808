/** The clients module's reads, shared by its screens (one query key per API path). */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";

export type Client = Schemas["ClientRead"];
export type Plan = Schemas["PlanRead"];

/** Enough for every select of a tenant's clients or plans (the API's largest page). */
const CHOICES = 200;

export function useClientChoices() {
  return useQuery({
    queryKey: ["clients", "choices"],
    staleTime: 60_000,
    queryFn: async () => dataOf(await api.GET("/api/clients", { params: { query: { limit: CHOICES } } })).items,
  });
}

export function usePlanChoices() {
  return useQuery({
    queryKey: ["plans", "choices"],
    staleTime: 60_000,
    queryFn: async () => dataOf(await api.GET("/api/plans", { params: { query: { limit: CHOICES } } })).items,
  });
}

/** `{value, label}` for a Select, from clients or plans ("CODE · Name"). */
export function choicesOf(rows: { id: string; code: string; name: string }[] | undefined) {
  return (rows ?? []).map((row) => ({ value: row.id, label: `${row.code} · ${row.name}` }));
}

/** The name of a client or plan by id, from the choices already loaded. */
export function nameIn(rows: { id: string; name: string }[] | undefined, id: string | null | undefined): string {
  return rows?.find((row) => row.id === id)?.name ?? "—";
}
