import { formatMoney } from "../app/format";

/** An amount in minor units, in its currency (the API's integers, never floats). */
export function Money({ minor, currency = "NGN" }: { minor: number | null | undefined; currency?: string }) {
  if (minor === null || minor === undefined) return <span>—</span>;
  return <span style={{ fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" }}>{formatMoney(minor, currency)}</span>;
}
