/** A period of whole months (`from`, `to` as YYYY-MM); blank: the last twelve months. */
import { MonthPickerInput } from "@mantine/dates";

import { READABLE_PLACEHOLDER } from "../readablePlaceholder";

function monthOf(value: string | null): string | null {
  return value ? value.slice(0, 7) : null;
}

export function PeriodFields({ from, to, onChange }: {
  from: string | undefined;
  to: string | undefined;
  onChange: (changes: { from?: string | null; to?: string | null }) => void;
}) {
  return (
    <>
      <MonthPickerInput label="From" placeholder="12 months ago" styles={READABLE_PLACEHOLDER} value={from ? `${from}-01` : null} onChange={(value) => onChange({ from: monthOf(value) })} clearable />
      <MonthPickerInput label="To" placeholder="This month" styles={READABLE_PLACEHOLDER} value={to ? `${to}-01` : null} onChange={(value) => onChange({ to: monthOf(value) })} clearable />
    </>
  );
}
