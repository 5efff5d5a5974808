import { describe, expect, it } from "vitest";

import { formErrorsOf, moneyErrors, moneyText, NEW_PLAN, rulesOf, valuesOf, type Plan } from "./planForm";

const PLAN: Plan = {
  id: "p1",
  code: "GOLD",
  name: "Gold",
  currency: "NGN",
  is_active: true,
  version: 3,
  version_no: 2,
  current_version_no: 2,
  effective_from: "2026-01-01",
  max_dependants: 5,
  max_children: 4,
  capitation_rate: 150_000,
  premium: { principal: 2_500_050, spouse: 2_000_000, child: 1_000_000 },
  benefits: [{ category: "outpatient", limit_amount: 50_000_000, limit_visits: 12, period: "POLICY_YEAR", copay_percent: 10, waiting_period_days: 30 }],
  exclusions: [{ code: "COSM01", description: "Cosmetic", kind: "PROCEDURE" }],
};

describe("plan form", () => {
  it("shows minor units as whole units with their decimals", () => {
    expect(moneyText(2_500_050, "NGN")).toBe("25000.50");
    expect(moneyText(1500, "JPY")).toBe("1500");
  });

  it("gives back the plan's rules unchanged after a round trip", () => {
    const rules = rulesOf(valuesOf(PLAN));
    expect(rules.premium).toEqual(PLAN.premium);
    expect(rules.capitation_rate).toBe(150_000);
    expect(rules.benefits).toEqual(PLAN.benefits);
    expect(rules.exclusions).toEqual(PLAN.exclusions);
  });

  it("names each money field that is not an amount", () => {
    const values = { ...NEW_PLAN, capitation_rate: "abc", premium: { ...NEW_PLAN.premium, spouse: "1.234" } };
    expect(Object.keys(moneyErrors(values)).sort()).toEqual(["benefits.0.limit_amount", "capitation_rate", "premium.spouse"]);
  });

  it("puts a 422's errors on the form's paths", () => {
    expect(formErrorsOf([{ field: "body.benefits.1.limit_amount", message: "too big" }, { message: "no field" }])).toEqual({ "benefits.1.limit_amount": "too big" });
  });
});
