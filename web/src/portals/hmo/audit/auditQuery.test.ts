import { describe, expect, it } from "vitest";

import { auditQuery } from "./AuditFilterFields";

describe("the audit log's filters as the API takes them", () => {
  it("passes typed filters and turns the days picked into bounds, the last day included", () => {
    const query = auditQuery({ action: "auth.login", from: "2026-03-01", to: "2026-03-31" });
    expect(query.action).toBe("auth.login");
    expect(new Date(query.from ?? "").getTime()).toBe(new Date("2026-03-01T00:00:00").getTime());
    expect(new Date(query.to ?? "").getTime()).toBe(new Date("2026-04-01T00:00:00").getTime());
  });

  it("leaves out what was not picked", () => {
    expect(auditQuery({})).toEqual({});
  });
});
