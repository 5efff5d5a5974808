import { describe, expect, it } from "vitest";

import { offeredMoves, type ClaimStatus } from "./transitions";

const holding = (...permissions: string[]) => (name: string) => permissions.includes(name);
const targets = (status: ClaimStatus, can: (name: string) => boolean) => offeredMoves(status, can).map((move) => move.to);

const ADJUDICATOR = holding("claims:read", "claims:adjudicate", "claims:approve", "claims:query");

describe("the claim moves offered", () => {
  it("follows the state table for a user who may do everything", () => {
    expect(targets("SUBMITTED", ADJUDICATOR)).toEqual(["RECEIVED", "REJECTED"]);
    expect(targets("RECEIVED", ADJUDICATOR)).toEqual(["IN_REVIEW", "REJECTED"]);
    expect(targets("IN_REVIEW", ADJUDICATOR)).toEqual(["APPROVED", "QUERIED", "REJECTED"]);
    expect(targets("RESUBMITTED", ADJUDICATOR)).toEqual(["IN_REVIEW"]);
  });

  it("offers nothing where only the provider or a payment moves the claim, or it is final", () => {
    for (const status of ["QUERIED", "APPROVED", "REJECTED", "SETTLED"] as const) {
      expect(targets(status, ADJUDICATOR)).toEqual([]);
    }
  });

  it("offers only the moves the user's permissions allow", () => {
    const reviewer = holding("claims:read", "claims:adjudicate");
    expect(targets("IN_REVIEW", reviewer)).toEqual(["REJECTED"]);
    expect(targets("IN_REVIEW", holding("claims:read", "claims:query"))).toEqual(["QUERIED"]);
    expect(targets("IN_REVIEW", holding("claims:read", "claims:approve"))).toEqual(["APPROVED"]);
  });

  it("offers a reader (Read-only, Finance) no move at all", () => {
    const reader = holding("claims:read", "payments:record", "settlements:approve");
    const statuses: ClaimStatus[] = ["SUBMITTED", "RECEIVED", "IN_REVIEW", "QUERIED", "RESUBMITTED", "APPROVED", "REJECTED", "SETTLED"];
    for (const status of statuses) expect(targets(status, reader)).toEqual([]);
  });
});
