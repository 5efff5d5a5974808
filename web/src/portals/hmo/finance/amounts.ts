/** Amounts as the finance forms show and check them (integer minor units throughout). */

/** Minor units as a person types them ("1500.50"), for prefilling an amount field. */
export function amountInput(minor: number, currency: string): string {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return (minor / 10 ** digits).toFixed(digits);
}

/** Whether an amount is above a ceiling (an unknown ceiling lets the server decide). */
export function aboveLimit(amount: number, limit: number | undefined): boolean {
  return limit !== undefined && amount > limit;
}
