/**
 * The claim moves the HMO's staff may make from a status, mirroring the state table in
 * core_api/claims/state.py: RESUBMITTED is the provider's move and SETTLED happens when a
 * remittance is paid, so neither is ever offered here. The server still decides.
 */
import type { Schemas } from "../../../api/types";

export type ClaimStatus = Schemas["ClaimStatus"];

export interface Move {
  to: ClaimStatus;
  label: string;
  permission: string;
}

const RECEIVE: Move = { to: "RECEIVED", label: "Mark received", permission: "claims:adjudicate" };
const REVIEW: Move = { to: "IN_REVIEW", label: "Start review", permission: "claims:adjudicate" };
const QUERY: Move = { to: "QUERIED", label: "Query the provider", permission: "claims:query" };
const APPROVE: Move = { to: "APPROVED", label: "Approve", permission: "claims:approve" };
const REJECT: Move = { to: "REJECTED", label: "Reject", permission: "claims:adjudicate" };

const STAFF_MOVES: Record<ClaimStatus, Move[]> = {
  SUBMITTED: [RECEIVE, REJECT],
  RECEIVED: [REVIEW, REJECT],
  IN_REVIEW: [APPROVE, QUERY, REJECT],
  QUERIED: [],
  RESUBMITTED: [REVIEW],
  APPROVED: [],
  REJECTED: [],
  SETTLED: [],
};

/** The moves to offer for a claim in `status` to a user holding the permissions `can` allows. */
export function offeredMoves(status: ClaimStatus, can: (permission: string) => boolean): Move[] {
  return STAFF_MOVES[status].filter((move) => can(move.permission));
}
