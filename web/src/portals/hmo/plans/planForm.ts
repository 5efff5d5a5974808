/**
 * A plan's form values and the API's body: amounts are typed in whole units ("12,500.50")
 * and sent as integer minor units; fields keep the API's names, so a 422's paths
 * (`benefits.2.limit_amount`) land on their inputs.
 */
import type { Schemas } from "../../../api/types";
import { parseMoney } from "../../../app/format";

export type Plan = Schemas["PlanRead"];
type Period = Schemas["BenefitPeriod"];
type ExclusionKind = Schemas["ExclusionKind"];

export interface BenefitValues {
  category: string;
  limit_amount: string;
  limit_visits: string;
  period: Period;
  copay_percent: number;
  waiting_period_days: number;
}

export interface ExclusionValues {
  code: string;
  description: string;
  kind: ExclusionKind;
}

export interface PlanValues {
  code: string;
  name: string;
  currency: string;
  max_dependants: number;
  max_children: number;
  capitation_rate: string;
  premium: { principal: string; spouse: string; child: string };
  benefits: BenefitValues[];
  exclusions: ExclusionValues[];
}

export const RELATIONSHIPS = ["principal", "spouse", "child"] as const;

/** Minor units as the plain figure a person edits ("12500.50"). */
export function moneyText(minor: number, currency: string): string {
  const unit = parseMoney("1", currency) ?? 100;
  return (minor / unit).toFixed(Math.round(Math.log10(unit)));
}

export function newBenefit(category = ""): BenefitValues {
  return { category, limit_amount: "", limit_visits: "", period: "POLICY_YEAR", copay_percent: 0, waiting_period_days: 0 };
}

export const NEW_PLAN: PlanValues = {
  code: "",
  name: "",
  currency: "NGN",
  max_dependants: 5,
  max_children: 4,
  capitation_rate: "0",
  premium: { principal: "0", spouse: "0", child: "0" },
  benefits: [newBenefit("outpatient")],
  exclusions: [],
};

export function valuesOf(plan: Plan): PlanValues {
  const money = (minor: number) => moneyText(minor, plan.currency);
  return {
    code: plan.code,
    name: plan.name,
    currency: plan.currency,
    max_dependants: plan.max_dependants,
    max_children: plan.max_children,
    capitation_rate: money(plan.capitation_rate),
    premium: { principal: money(plan.premium.principal), spouse: money(plan.premium.spouse), child: money(plan.premium.child) },
    benefits: plan.benefits.map((benefit) => ({
      category: benefit.category,
      limit_amount: money(benefit.limit_amount),
      limit_visits: benefit.limit_visits ? String(benefit.limit_visits) : "",
      period: benefit.period ?? "POLICY_YEAR",
      copay_percent: benefit.copay_percent ?? 0,
      waiting_period_days: benefit.waiting_period_days ?? 0,
    })),
    exclusions: plan.exclusions.map((exclusion) => ({ code: exclusion.code, description: exclusion.description ?? "", kind: exclusion.kind ?? "PROCEDURE" })),
  };
}

/** Every money field that is not an amount, by its form path. */
export function moneyErrors(values: PlanValues): Record<string, string> {
  const paths: [string, string][] = [
    ["capitation_rate", values.capitation_rate],
    ...RELATIONSHIPS.map((who): [string, string] => [`premium.${who}`, values.premium[who]]),
    ...values.benefits.map((benefit, index): [string, string] => [`benefits.${index}.limit_amount`, benefit.limit_amount]),
  ];
  const errors: Record<string, string> = {};
  for (const [path, text] of paths) {
    if (parseMoney(text, values.currency) === null) errors[path] = "Type an amount, e.g. 12500 or 12,500.50";
  }
  return errors;
}

/** The versioned rules as the API takes them (after `moneyErrors` found none). */
export function rulesOf(values: PlanValues) {
  const minor = (text: string) => parseMoney(text, values.currency) ?? 0;
  return {
    max_dependants: values.max_dependants,
    max_children: values.max_children,
    capitation_rate: minor(values.capitation_rate),
    premium: { principal: minor(values.premium.principal), spouse: minor(values.premium.spouse), child: minor(values.premium.child) },
    benefits: values.benefits.map((benefit) => ({
      category: benefit.category,
      limit_amount: minor(benefit.limit_amount),
      limit_visits: benefit.limit_visits ? Number(benefit.limit_visits) : null,
      period: benefit.period,
      copay_percent: benefit.copay_percent,
      waiting_period_days: benefit.waiting_period_days,
    })),
    exclusions: values.exclusions.map((exclusion) => ({ ...exclusion })),
  };
}

/** A 422's field errors by the form's paths (the API's, less any leading `body`). */
export function formErrorsOf(errors: { field?: string; message: string }[] | undefined): Record<string, string> {
  const byPath: Record<string, string> = {};
  for (const error of errors ?? []) {
    if (error.field) byPath[error.field.replace(/^body\./, "")] = error.message;
  }
  return byPath;
}
