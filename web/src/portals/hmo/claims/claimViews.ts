/**
 * Typed views of the adjudication answer's free-form parts (GET /api/claims/{id}): the
 * eligibility verdict, benefit balances, the PA behind the auth code and the risk events,
 * as core_api/claims/service.py `detail` builds them.
 */
import type { Schemas } from "../../../api/types";

export type ClaimDetail = Schemas["ClaimDetail"];
export type ClaimLine = NonNullable<ClaimDetail["items"]>[number];

export interface LineVerdict {
  id: string;
  line_no: number;
  proposed_amount: number;
  reason_code: string | null;
  copay: number;
  flags: string[];
}

export interface Eligibility {
  member_status: string | null;
  covered: boolean;
  proposal: "APPROVE" | "REJECT";
  lines: LineVerdict[];
}

export interface BenefitBalance {
  category: string;
  limit_amount: number;
  used_amount: number;
  remaining_amount: number;
  limit_visits: number | null;
  used_visits: number;
  copay_percent: number;
}

export interface ClaimAuthorization {
  id: string;
  number: string;
  status: string;
  auth_code: string;
  urgency: string;
  procedure_code: string;
  approved_amount: number | null;
  valid_from: string | null;
  valid_to: string | null;
  used_by_claim_id: string | null;
  suspicious?: boolean;
}

export interface RiskEvent {
  id: string;
  rule: string;
  weight: number;
  evidence: Record<string, unknown>;
  created_at: string;
}

export function eligibilityOf(claim: ClaimDetail): Eligibility {
  return claim.eligibility as unknown as Eligibility;
}

export function benefitsOf(claim: ClaimDetail): BenefitBalance[] {
  return claim.benefits as unknown as BenefitBalance[];
}

export function authorizationOf(claim: ClaimDetail): ClaimAuthorization | null {
  return claim.authorization as unknown as ClaimAuthorization | null;
}

export function riskEventsOf(claim: ClaimDetail): RiskEvent[] {
  return claim.risk_events as unknown as RiskEvent[];
}
