import { describe, expect, it } from "vitest";

import { openLinksByProvider, type Link } from "./networkLinks";

function link(id: string, providerId: string, status: Link["status"]): Link {
  return {
    id,
    status,
    hmo: { id: "hmo", name: "Demo HMO", code: "DEMO", slug: "demo" },
    provider: { id: providerId, name: providerId },
    provider_type: "HOSPITAL",
    provider_state: "Lagos",
    requested_by: null,
    responded_at: null,
    ended_at: null,
    ended_by_tenant_id: null,
    version: 1,
    created_at: "2026-12-01T00:00:00Z",
  };
}

describe("openLinksByProvider", () => {
  it("keeps each provider's newest open link and ignores ended or declined ones", () => {
    const links = [link("a", "p1", "ENDED"), link("b", "p1", "ACTIVE"), link("c", "p2", "DECLINED"), link("d", "p3", "REQUESTED"), link("e", "p3", "ACTIVE")];
    const open = openLinksByProvider(links);
    expect(open.get("p1")?.id).toBe("b");
    expect(open.has("p2")).toBe(false);
    expect(open.get("p3")?.id).toBe("d");
  });
});
