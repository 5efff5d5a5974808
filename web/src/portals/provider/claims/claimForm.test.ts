import { describe, expect, it } from "vitest";

import { claimBody, claimTotal, lineTotal, newLine, type ClaimValues } from "./claimForm";

const values: ClaimValues = {
  memberId: " demo-000001 ",
  serviceDate: "2026-12-06",
  admissionDate: "",
  dischargeDate: "",
  diagnosisCodes: ["J06.9"],
  authCode: "",
  lines: [
    { ...newLine(), code: "CONS-GP", unitPrice: "15,000" },
    { ...newLine(), code: "LAB-FBC", quantity: "2", unitPrice: "8500.50" },
  ],
};

describe("the claim form", () => {
  it("totals each line and the claim in minor units as they are typed", () => {
    expect(lineTotal(values.lines[1]!, "NGN")).toBe(2 * 850_050);
    expect(claimTotal(values.lines, "NGN")).toBe(1_500_000 + 1_700_100);
    expect(lineTotal({ ...newLine(), unitPrice: "abc" }, "NGN")).toBeNull();
    expect(claimTotal([...values.lines, { ...newLine(), unitPrice: "x" }], "NGN")).toBe(3_200_100);
  });

  it("sends integer minor units and leaves empty optional fields out", () => {
    const built = claimBody(values, "NGN");
    expect(built).toEqual({
      body: {
        member_id: "demo-000001",
        service_date: "2026-12-06",
        admission_date: null,
        discharge_date: null,
        diagnosis_codes: ["J06.9"],
        auth_code: null,
        items: [
          { code: "CONS-GP", description: "", category: null, quantity: 1, unit_price: 1_500_000 },
          { code: "LAB-FBC", description: "", category: null, quantity: 2, unit_price: 850_050 },
        ],
      },
    });
  });

  it("names the line whose price or quantity is not a number", () => {
    const built = claimBody({ ...values, lines: [{ ...newLine(), quantity: "1.5", unitPrice: "ten" }] }, "NGN");
    expect(built).toEqual({ errors: { "items.0.unit_price": expect.any(String), "items.0.quantity": "A whole number." } });
  });
});
