/** An enrollee as every portal reads one (the API scopes it: a client its own roster). */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";
import type { Schemas } from "../../api/types";

export type Enrollee = Schemas["EnrolleeRead"];

export function useEnrollee(key: string) {
  return useQuery({
    queryKey: ["enrollees", key],
    queryFn: async () => dataOf(await api.GET("/api/enrollees/{key}", { params: { path: { key } } })),
  });
}

export function fullName(person: { first_name: string; last_name: string }): string {
  return `${person.first_name} ${person.last_name}`;
}
