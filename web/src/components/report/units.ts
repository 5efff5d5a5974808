import type { Schemas } from "../../api/types";
import { formatDate, formatMoney, formatMonth, formatPercent } from "../../app/format";

export type Unit = Schemas["Unit"];
export type Cell = number | string | null | undefined;

/** A report's figure in words for its unit (money in the report's currency). */
export function formatValue(value: Cell, unit: Unit, currency: string): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") {
    if (unit === "month") return formatMonth(value);
    if (unit === "date") return formatDate(value);
    return value;
  }
  switch (unit) {
    case "money":
      return formatMoney(value, currency);
    case "ratio":
      return formatPercent(value);
    case "rate":
      return value.toLocaleString(undefined, { maximumFractionDigits: 2 });
    case "days":
      return `${value.toLocaleString(undefined, { maximumFractionDigits: 1 })} d`;
    default:
      return value.toLocaleString();
  }
}

/** Chart axes show money in whole units, compact ("₦1.2M"). */
export function axisValue(value: number, unit: Unit, currency: string): string {
  if (unit === "ratio") return formatPercent(value);
  if (unit !== "money") return value.toLocaleString(undefined, { notation: "compact" });
  const whole = value / 100;
  return new Intl.NumberFormat(undefined, { style: "currency", currency, notation: "compact" }).format(whole);
}
