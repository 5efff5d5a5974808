/** The tenant's settings, read once and changed a section at a time with its version. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";

export type Settings = Schemas["SettingsRead"];
export type SettingsPatch = Omit<Schemas["SettingsPatch"], "version">;
export const SETTINGS_KEY = ["settings"] as const;

export function useSettings() {
  return useQuery({ queryKey: SETTINGS_KEY, queryFn: async () => dataOf(await api.GET("/api/settings")) });
}

/** A PATCH of the fields changed, with the version read: a stale one is the server's 409. */
export function useSaveSettings(settings: Settings) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (changes: SettingsPatch) =>
      dataOf(await api.PATCH("/api/settings", { body: { ...changes, version: settings.version } })),
    onSuccess: (saved) => {
      queryClient.setQueryData(SETTINGS_KEY, saved);
      void queryClient.invalidateQueries({ queryKey: ["branding"] });
    },
  });
}

/** Only the fields whose value differs from what was read. */
export function changedFields<T extends object>(draft: T, read: T): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of Object.keys(draft) as (keyof T)[]) {
    if (draft[key] !== read[key]) changed[key] = draft[key];
  }
  return changed;
}
