/** Filters kept in the URL's query, so a link or a reload shows the same view. */
import { useCallback } from "react";
import { useSearchParams } from "react-router-dom";

export type Filters<Name extends string> = Partial<Record<Name, string>>;

/** The named filters present (and non-empty) in a query string. */
export function readFilters<Name extends string>(search: URLSearchParams, names: readonly Name[]): Filters<Name> {
  const filters: Filters<Name> = {};
  for (const name of names) {
    const value = search.get(name);
    if (value) filters[name] = value;
  }
  return filters;
}

/** The query string with `changes` applied: an empty value removes its filter. */
export function withFilters(search: URLSearchParams, changes: Record<string, string | null | undefined>): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const [name, value] of Object.entries(changes)) {
    if (value) next.set(name, value);
    else next.delete(name);
  }
  return next;
}

export function useFilters<Name extends string>(names: readonly Name[]) {
  const [search, setSearch] = useSearchParams();
  const filters = readFilters(search, names);
  const setFilters = useCallback(
    (changes: Partial<Record<Name, string | null>>) => setSearch((current) => withFilters(current, changes), { replace: true }),
    [setSearch],
  );
  return [filters, setFilters] as const;
}
