/**
 * The reports and the filters each takes, as the core lists them (`GET /api/reports`): a
 * filter a report does not take is never offered, since the API refuses it.
 */
import { useQuery } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import type { operations } from "../../../api/schema";
import type { Schemas } from "../../../api/types";

export type ReportName = operations["read_report_v1_reports__name__get"]["parameters"]["path"]["name"];
export type FilterName = "client_id" | "plan_id" | "provider_id" | "category" | "status" | "urgency" | "rule";
export type ReportEntry = Schemas["ReportEntryRead"];

export function useReportCatalog() {
  return useQuery({
    queryKey: ["reports", "catalog"],
    queryFn: async () => dataOf(await api.GET("/api/reports")).items,
    staleTime: Infinity,
  });
}

export function filterNames(entry: ReportEntry): FilterName[] {
  return entry.filters.map((filter) => filter.name as FilterName);
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
