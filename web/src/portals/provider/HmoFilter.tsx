import { FilterSelect } from "../../components/FilterSelect";
import { useLinkedHmos } from "./hmos";

/** One of the HMOs the provider works with, or every one (the value lives in the URL). */
export function HmoFilter({ value, onChange }: { value: string | undefined; onChange: (value: string | undefined) => void }) {
  const hmos = useLinkedHmos();
  return (
    <FilterSelect
      label="HMO"
      placeholder="Every HMO"
      data={hmos.map((hmo) => ({ value: hmo.id, label: hmo.name }))}
      value={value}
      onChange={onChange}
      maw={280}
    />
  );
}
