import { describe, expect, it } from "vitest";

import { activeSection, type Section } from "./SectionTabs";

const SECTIONS: Section[] = [
  { to: "/hmo/billing", label: "Invoices", permissions: [] },
  { to: "/hmo/billing/fees", label: "Fees", permissions: [] },
];

describe("activeSection", () => {
  it("is the longest section the path is in, its sub-pages included", () => {
    expect(activeSection(SECTIONS, "/hmo/billing")?.label).toBe("Invoices");
    expect(activeSection(SECTIONS, "/hmo/billing/fees")?.label).toBe("Fees");
    expect(activeSection(SECTIONS, "/hmo/billing/fees/2026-01")?.label).toBe("Fees");
    expect(activeSection(SECTIONS, "/hmo/billings")).toBeUndefined();
  });
});
