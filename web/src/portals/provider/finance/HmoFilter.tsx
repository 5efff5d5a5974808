import { Select } from "@mantine/core";

import { useLinkedHmos } from "../network/hmos";

/** One of the HMOs the provider works with, or all of them (the value lives in the URL). */
export function HmoFilter({ value, onChange }: { value: string | undefined; onChange: (value: string | null) => void }) {
  const hmos = useLinkedHmos();
  return (
    <Select
      label="HMO"
      placeholder="Every HMO"
      data={(hmos.data ?? []).map((hmo) => ({ value: hmo.id, label: hmo.name }))}
      value={value ?? null}
      onChange={onChange}
      clearable
      maw={280}
    />
  );
}
