import { describe, expect, it } from "vitest";

import { parseMoney } from "../../../app/format";
import { aboveLimit, amountInput } from "./amounts";

describe("amountInput", () => {
  it("writes minor units as the whole units a person types, back to the same minor units", () => {
    expect(amountInput(2_000_050, "NGN")).toBe("20000.50");
    expect(parseMoney(amountInput(2_000_050, "NGN"), "NGN")).toBe(2_000_050);
    expect(amountInput(1500, "JPY")).toBe("1500");
  });
});

describe("aboveLimit", () => {
  it("is above only past the ceiling, and never while the ceiling is unknown", () => {
    expect(aboveLimit(100, 100)).toBe(false);
    expect(aboveLimit(101, 100)).toBe(true);
    expect(aboveLimit(1, 0)).toBe(true);
    expect(aboveLimit(10 ** 12, undefined)).toBe(false);
  });
});
