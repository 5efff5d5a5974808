/** Piles: one provider's claims in one billing month. Their query keys and links. */
import type { Schemas } from "../../../api/types";

export type Pile = Schemas["PileRead"];

/** Every pile query starts with "piles" (what a claim's live events refresh). */
export const PILES_KEY = ["piles"] as const;

export function pilePath(pileId: string): string {
  return `/hmo/piles/${encodeURIComponent(pileId)}`;
}

/** The claims screen's adjudication view, told which pile it was opened from (so it can
 * offer the pile's next claim). */
export function claimInPilePath(claimId: string, pileId: string): string {
  return `/hmo/claims/${claimId}?pile=${encodeURIComponent(pileId)}`;
}
