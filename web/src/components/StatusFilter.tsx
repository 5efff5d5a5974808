import { Select } from "@mantine/core";

import { statusLabel } from "./StatusBadge";

/** One status of a list's state machine, or every status (the value lives in the URL). */
export function StatusFilter<Status extends string>({ statuses, value, onChange }: {
  statuses: readonly Status[];
  value: Status | undefined;
  onChange: (value: string | null) => void;
}) {
  return (
    <Select
      label="Status"
      placeholder="Every status"
      data={statuses.map((status) => ({ value: status, label: statusLabel(status) }))}
      value={value ?? null}
      onChange={onChange}
      clearable
      maw={240}
    />
  );
}
