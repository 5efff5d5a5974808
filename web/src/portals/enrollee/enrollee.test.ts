import { describe, expect, it } from "vitest";

import { concernedQueries } from "../../app/live";
import { ghostAlerts, type MemberPa } from "./authorizations";
import { deviceOf } from "./settings/SessionsSection";

const NOW = Date.parse("2026-12-07T12:00:00Z");
const DAY = 86_400_000;

function pa(urgency: MemberPa["urgency"], daysAgo: number, suspicious = false): MemberPa {
  return { id: `${urgency}-${daysAgo}-${suspicious}`, urgency, suspicious, created_at: new Date(NOW - daysAgo * DAY).toISOString() } as MemberPa;
}

describe("ghost-patient alerts", () => {
  it("are the recent emergency PAs nobody has answered", () => {
    const recent = pa("EMERGENCY", 1);
    const shown = ghostAlerts([recent, pa("URGENT", 1), pa("EMERGENCY", 2, true), pa("EMERGENCY", 45)], NOW);
    expect(shown).toEqual([recent]);
  });
});

describe("a session's device", () => {
  it("is the browser and the system, from the user agent", () => {
    const android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
    expect(deviceOf(android)).toBe("Chrome on Android");
    const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    expect(deviceOf(iphone)).toBe("Safari on iPhone");
    expect(deviceOf(null)).toBe("Unknown device");
    expect(deviceOf("curl/8.5")).toBe("curl/8.5");
  });
});

describe("live coverage", () => {
  it("refreshes on a claim's events", () => {
    expect(concernedQueries("claim.approved")).toEqual(expect.arrayContaining(["coverage", "claims"]));
  });
});
