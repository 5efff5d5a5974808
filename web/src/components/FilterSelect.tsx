/** A list's filter as a clearable select: clearing it (its button named like its
 * placeholder, "Any status") shows every row again. The value lives in the URL. */
import { Select, type SelectProps } from "@mantine/core";

import { statusLabel } from "./StatusBadge";

export function FilterSelect({ placeholder, value, onChange, ...props }: {
  label: string;
  placeholder: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
} & Omit<SelectProps, "value" | "onChange" | "placeholder" | "clearable" | "clearButtonProps">) {
  return (
    <Select
      placeholder={placeholder}
      clearable
      clearButtonProps={{ "aria-label": placeholder }}
      value={value ?? null}
      onChange={(next) => onChange(next ?? undefined)}
      {...props}
    />
  );
}

/** The options of a state machine's (or an enum's) values, in words. */
export function statusOptions(values: readonly string[]) {
  return values.map((value) => ({ value, label: statusLabel(value) }));
}
