import { describe, expect, it } from "vitest";

import { readFilters, withFilters } from "./filters";

describe("filters in the URL", () => {
  it("reads only the named, non-empty filters", () => {
    const search = new URLSearchParams("status=APPROVED&provider_id=&other=1");
    expect(readFilters(search, ["status", "provider_id"] as const)).toEqual({ status: "APPROVED" });
  });

  it("sets, replaces and removes filters and keeps the rest", () => {
    const search = new URLSearchParams("status=QUERIED&page=2");
    const next = withFilters(search, { status: "APPROVED", member_id: "DEMO-1", page: null });
    expect(next.toString()).toBe("status=APPROVED&member_id=DEMO-1");
    expect(search.toString()).toBe("status=QUERIED&page=2");
  });
});
