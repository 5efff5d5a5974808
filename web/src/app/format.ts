/** Money in integer minor units and dates as ISO strings, shown in the user's locale. */

const fractionDigits = new Map<string, number>();

function digitsOf(currency: string): number {
  let digits = fractionDigits.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
    fractionDigits.set(currency, digits);
  }
  return digits;
}

export function formatMoney(minor: number, currency = "NGN", locale?: string): string {
  const digits = digitsOf(currency);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

/** Minor units → the plain text `parseMoney` reads back ("12500.00"), to prefill an input. */
export function moneyInput(minor: number, currency = "NGN"): string {
  const digits = digitsOf(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

/** Whole units typed by a person ("1,250.50") → minor units, or null when it is not money. */
export function parseMoney(text: string, currency = "NGN"): number | null {
  const cleaned = text.replace(/[\s,]/g, "");
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  const digits = digitsOf(currency);
  const [whole = "0", fraction = ""] = cleaned.split(".");
  if (fraction.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

/** Today in the user's time zone, as an ISO day ("2026-12-07"). */
export function todayIso(now: Date = new Date()): string {
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

export function formatDate(iso: string | null | undefined, locale?: string): string {
  if (!iso) return "—";
  const date = iso.length === 10 ? new Date(`${iso}T00:00:00`) : new Date(iso);
  return date.toLocaleDateString(locale, { year: "numeric", month: "short", day: "numeric" });
}

export function formatDateTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function formatMonth(iso: string, locale?: string): string {
  return new Date(`${iso.slice(0, 7)}-01T00:00:00`).toLocaleDateString(locale, {
    year: "numeric",
    month: "short",
  });
}

export function formatPercent(ratio: number | null | undefined, locale?: string): string {
  if (ratio === null || ratio === undefined) return "—";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

/** "in 3 h 12 min" / "12 min overdue": a countdown to an SLA deadline; `seconds` gives it
 * to the second ("in 1 d 2 h 0 min 5 s"), for a clock that visibly ticks. */
export function formatCountdown(deadline: string, now: number = Date.now(), seconds = false): string {
  const left = new Date(deadline).getTime() - now;
  const minutes = seconds ? Math.trunc(left / 60_000) : Math.round(left / 60_000);
  const overdue = seconds ? left < 0 : minutes < 0;
  const size = Math.abs(minutes);
  const [days, hours, mins] = [Math.floor(size / 1440), Math.floor((size % 1440) / 60), size % 60];
  const parts = days ? [`${days} d`, `${hours} h`] : hours ? [`${hours} h`, `${mins} min`] : [`${mins} min`];
  if (seconds) {
    if (days) parts.push(`${mins} min`);
    parts.push(`${Math.floor(Math.abs(left) / 1000) % 60} s`);
  }
  return overdue ? `${parts.join(" ")} overdue` : `in ${parts.join(" ")}`;
}
