import { describe, expect, it } from "vitest";

import { claimInPilePath, pilePath } from "./piles";

describe("pile paths", () => {
  const pileId = "0b7e2a52-34b4-4a8e-9d43-3f1f3b7f2c11:2026-11";

  it("keep the pile id whole in the path and in the claim's query", () => {
    expect(decodeURIComponent(pilePath(pileId).split("/").pop() ?? "")).toBe(pileId);
    const claim = new URL(claimInPilePath("c1", pileId), "https://vetra.test");
    expect(claim.pathname).toBe("/hmo/claims/c1");
    expect(claim.searchParams.get("pile")).toBe(pileId);
  });
});
