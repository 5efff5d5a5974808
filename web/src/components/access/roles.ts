/** What the access screens share: the roles (names for ids) and the permission catalog. */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../api/client";
import type { Schemas } from "../../api/types";

export type Role = Schemas["RoleRead"];
export type Permission = Schemas["PermissionRead"];

/** Every role (a tenant has a handful: pages of 200 are read to the end). */
async function allRoles(): Promise<Role[]> {
  const roles: Role[] = [];
  let cursor: string | undefined;
  do {
    const page = dataOf(await api.GET("/api/roles", { params: { query: { limit: 200, cursor } } }));
    roles.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return roles;
}

export function useRoles(enabled = true) {
  return useQuery({ queryKey: ["roles", "all"], queryFn: allRoles, enabled });
}

export function usePermissionCatalog() {
  return useQuery({
    queryKey: ["permissions"],
    queryFn: async () => dataOf(await api.GET("/api/permissions")).items,
    staleTime: Infinity,
  });
}

/** "claims:approve" → "claims": the catalog grouped by what each permission is about. */
export function byResource(permissions: Permission[]): [string, Permission[]][] {
  const groups = new Map<string, Permission[]>();
  for (const permission of permissions) {
    const resource = permission.name.split(":")[0] ?? permission.name;
    groups.set(resource, [...(groups.get(resource) ?? []), permission]);
  }
  return [...groups.entries()];
}
