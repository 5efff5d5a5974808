/** Amounts as the finance forms check them (integer minor units throughout). */

/** Whether an amount is above a ceiling (an unknown ceiling lets the server decide). */
export function aboveLimit(amount: number, limit: number | undefined): boolean {
  return limit !== undefined && amount > limit;
}
