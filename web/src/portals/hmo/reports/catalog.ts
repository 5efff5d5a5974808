/**
 * The eight reports and the filters each takes (the core's `accepts` and `values`, as the
 * API's description of GET /reports/{name} lists them): a filter a report does not take
 * is never offered, since the API refuses it.
 */
import type { operations } from "../../../api/schema";

export type ReportName = operations["read_report_v1_reports__name__get"]["parameters"]["path"]["name"];
export type FilterName = "client_id" | "plan_id" | "provider_id" | "category" | "status" | "urgency" | "rule";

export interface ReportEntry {
  name: ReportName;
  title: string;
  summary: string;
  filters: FilterName[];
  /** The values a filter takes when it takes only some. */
  values?: Partial<Record<FilterName, readonly string[]>>;
}

const CATEGORIES = [
  "outpatient",
  "inpatient",
  "maternity",
  "dental",
  "optical",
  "drugs",
  "lab",
  "surgery",
  "emergency",
  "physiotherapy",
  "mental_health",
  "specialist",
] as const;

export const REPORTS: ReportEntry[] = [
  { name: "loss-ratio", title: "Loss ratio", summary: "Earned premium, incurred claims, capitation and the loss ratio.", filters: ["client_id", "plan_id"] },
  {
    name: "utilisation",
    title: "Utilisation",
    summary: "Members served, claims and visits per 1,000 members, cost per member.",
    filters: ["client_id", "plan_id", "provider_id", "category"],
    values: { category: [...CATEGORIES, "unspecified"] },
  },
  { name: "provider-performance", title: "Provider performance", summary: "Each provider's volumes, approval, turnaround, queries and risk.", filters: ["provider_id", "client_id", "plan_id"] },
  {
    name: "claims-aging",
    title: "Claims aging",
    summary: "Open claims by age since received and by status, past the claim SLA.",
    filters: ["client_id", "plan_id", "provider_id", "status"],
    values: { status: ["IN_REVIEW", "QUERIED", "RECEIVED", "RESUBMITTED"] },
  },
  {
    name: "settlement-summary",
    title: "Settlement summary",
    summary: "Settlement runs, remittances, paid and outstanding, disputes.",
    filters: ["provider_id", "status"],
    values: { status: ["DRAFT", "APPROVED", "PAID", "CANCELLED"] },
  },
  { name: "fraud-anomaly", title: "Fraud and anomaly", summary: "Risk events by rule, provider, procedure and member; how many were confirmed.", filters: ["rule", "provider_id", "client_id"] },
  {
    name: "authorisation",
    title: "Pre-authorisations",
    summary: "PAs by urgency and status, within the SLA, auto-approved, appeals.",
    filters: ["urgency", "status", "provider_id", "client_id", "rule"],
    values: {
      urgency: ["ROUTINE", "URGENT", "EMERGENCY"],
      status: ["SUBMITTED", "IN_REVIEW", "APPROVED", "REJECTED", "APPEALED", "USED", "EXPIRED", "CANCELLED"],
    },
  },
  {
    name: "enrollee-coverage",
    title: "Enrollee coverage",
    summary: "Members by client, plan and status; benefit limits used.",
    filters: ["client_id", "plan_id", "category"],
    values: { category: CATEGORIES },
  },
];

export function reportNamed(name: string | undefined): ReportEntry | undefined {
  return REPORTS.find((report) => report.name === name);
}

/** Figures where a fall is the good news (the KPI cards colour the change by it). */
export const LOWER_IS_BETTER = new Set([
  "loss_ratio",
  "incurred_claims",
  "capitation",
  "cost",
  "cost_pmpm",
  "past_sla",
  "oldest_days",
  "median_turnaround_days",
  "p90_turnaround_days",
  "query_rate",
  "risk_events",
  "risk_per_100_claims",
  "days_to_settle",
  "disputes_open",
  "open_disputed",
  "flagged_claims",
  "open",
  "pending",
  "decision_days",
  "appeals",
  "not_me",
  "suspended",
  "terminated",
  "near_limit",
  "exhausted",
]);
