import { describe, expect, it } from "vitest";

import { formatCountdown, formatMoney, moneyInput, parseMoney } from "./format";

describe("money", () => {
  it("shows minor units in the currency's own digits", () => {
    expect(formatMoney(123456, "NGN", "en-NG")).toBe("₦1,234.56");
    expect(formatMoney(1500, "JPY", "en-US")).toBe("¥1,500");
    expect(formatMoney(-5, "USD", "en-US")).toBe("-$0.05");
  });

  it("reads what a person types back into minor units", () => {
    expect(parseMoney("1,234.5", "NGN")).toBe(123450);
    expect(parseMoney("12", "NGN")).toBe(1200);
    expect(parseMoney("1500", "JPY")).toBe(1500);
    expect(parseMoney("1.234", "NGN")).toBeNull();
    expect(parseMoney("12a", "NGN")).toBeNull();
    expect(parseMoney("", "NGN")).toBeNull();
  });
});

describe("countdown", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");
  it("counts down and then up once overdue", () => {
    expect(formatCountdown("2026-12-07T12:45:00Z", now)).toBe("in 45 min");
    expect(formatCountdown("2026-12-07T15:10:00Z", now)).toBe("in 3 h 10 min");
    expect(formatCountdown("2026-12-09T13:00:00Z", now)).toBe("in 2 d 1 h");
    expect(formatCountdown("2026-12-07T11:30:00Z", now)).toBe("30 min overdue");
  });
  it("ticks each second when asked", () => {
    expect(formatCountdown("2026-12-07T15:10:07Z", now, true)).toBe("in 3 h 10 min 7 s");
    expect(formatCountdown("2026-12-07T11:59:30Z", now, true)).toBe("0 min 30 s overdue");
    expect(formatCountdown("2026-12-09T13:00:00Z", now, true)).toBe("in 2 d 1 h 0 min 0 s");
  });
});

describe("moneyInput", () => {
  it("writes minor units as the whole units a person types, back to the same minor units", () => {
    expect(moneyInput(2_000_050, "NGN")).toBe("20000.50");
    expect(parseMoney(moneyInput(2_000_050, "NGN"), "NGN")).toBe(2_000_050);
    expect(moneyInput(1500, "JPY")).toBe("1500");
  });
});
