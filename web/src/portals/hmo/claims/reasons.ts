/** The adjustment reason codes a line decision may carry (core_api/claims/carc.py, X12 CARC). */
export const REASON_CODES: Record<string, string> = {
  "3": "Co-payment amount",
  "18": "Exact duplicate claim/service",
  "26": "Expenses incurred prior to coverage",
  "27": "Expenses incurred after coverage terminated",
  "45": "Charge exceeds fee schedule/maximum allowable",
  "96": "Non-covered charge(s)",
  "119": "Benefit maximum for this time period or occurrence has been reached",
  "151": "Information submitted does not support this many or this frequency of services",
  "197": "Precertification/authorization/notification absent",
  "204": "Service not covered under the patient's current benefit plan",
  A1: "Claim/service denied",
};

export const REASON_OPTIONS = Object.entries(REASON_CODES).map(([code, text]) => ({ value: code, label: `${code}: ${text}` }));

export function reasonText(code: string | null | undefined): string {
  if (!code) return "—";
  return REASON_CODES[code] ? `${code}: ${REASON_CODES[code]}` : code;
}
