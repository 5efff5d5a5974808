/**
 * Whose records the screens show: the caller's family from `GET /api/me/coverage` (the
 * caller first, then a principal's dependants), and the one chosen, kept in the URL as
 * `?member=<Member ID>` (none: the whole family) so every screen and a reload keep it.
 */
import { Select } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";

import { api, dataOf } from "../../api/client";
import type { Schemas } from "../../api/types";
import { useFilters } from "../../app/filters";

export type MemberCoverage = Schemas["MemberCoverage"];
const EVERYONE = "";

/** Today's coverage of everyone in the family: who they are, and what they have left. */
export function useFamilyCoverage() {
  return useQuery({
    queryKey: ["coverage", "family"],
    queryFn: async () => dataOf(await api.GET("/api/me/coverage")),
  });
}

/** The Member ID chosen (undefined: the whole family), and how to choose another. */
export function useChosenMember() {
  const [filters, setFilters] = useFilters(["member"] as const);
  return [filters.member, (member: string | undefined) => setFilters({ member: member ?? null })] as const;
}

/** A path of the portal that keeps the member chosen. */
export function useWithMember(): (path: string) => string {
  const [search] = useSearchParams();
  const member = search.get("member");
  return (path) => (member ? `${path}?member=${encodeURIComponent(member)}` : path);
}

/** The family's switch: hidden for a member on their own (a dependant, a single principal). */
export function FamilySwitch({ everyone = true }: { everyone?: boolean }) {
  const family = useFamilyCoverage();
  const [chosen, choose] = useChosenMember();
  const members = family.data?.members ?? [];
  if (members.length < 2) return null;
  const people = members.map((m, index) => ({ value: m.member.member_id, label: `${m.member.first_name} (${index === 0 ? "you" : m.member.relationship.toLowerCase()})` }));
  const options = everyone ? [{ value: EVERYONE, label: "Everyone" }, ...people] : people;
  const value = chosen ?? (everyone ? EVERYONE : (people[0]?.value ?? EVERYONE));
  const onChange = (next: string | null) => choose(next ? next : undefined);
  return <Select label="Whose records" data={options} value={value} onChange={onChange} allowDeselect={false} maw={320} />;
}
