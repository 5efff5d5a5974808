import { describe, expect, it } from "vitest";

import { changedFields } from "./settings";

describe("a settings section sends only what changed", () => {
  it("keeps the fields whose value differs, a cleared one as null", () => {
    const read = { claim_sla_days: 14, display_name: "Demo HMO" as string | null, support_phone: null as string | null };
    const draft = { claim_sla_days: 21, display_name: null, support_phone: null };
    expect(changedFields(draft, read)).toEqual({ claim_sla_days: 21, display_name: null });
  });

  it("sends nothing when nothing changed", () => {
    expect(changedFields({ sampling_percent: 10 }, { sampling_percent: 10 })).toEqual({});
  });
});
