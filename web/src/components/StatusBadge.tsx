import { Badge } from "@mantine/core";

import type { Schemas } from "../api/types";

/** A claim's states in the order a claim moves through them (for status filters). */
export const CLAIM_STATUSES: Schemas["ClaimStatus"][] = ["SUBMITTED", "RECEIVED", "IN_REVIEW", "QUERIED", "RESUBMITTED", "APPROVED", "REJECTED", "SETTLED"];

/** Text colours of at least 4.5:1 on white (Mantine's own shades of yellow, orange, lime
 * and green are lighter than that). */
const TONES = {
  blue: "#1c5fb0",
  cyan: "#0b6577",
  indigo: "#3b4bb5",
  yellow: "#7a5400",
  grape: "#862e9c",
  green: "#25713a",
  lime: "#4a6b00",
  red: "#b3261e",
  teal: "#0a6b57",
  gray: "#495057",
  orange: "#a13f00",
} as const;

/** One colour per status, for every state machine (claims, PAs, runs, enrollees …). */
const COLOURS: Record<string, keyof typeof TONES> = {
  SUBMITTED: "blue",
  RECEIVED: "cyan",
  IN_REVIEW: "indigo",
  QUERIED: "yellow",
  RESUBMITTED: "cyan",
  APPEALED: "grape",
  APPROVED: "green",
  PARTIALLY_APPROVED: "lime",
  REJECTED: "red",
  SETTLED: "teal",
  PAID: "teal",
  DRAFT: "gray",
  PENDING: "yellow",
  OPEN: "orange",
  RESOLVED: "green",
  UNDER_REVIEW: "indigo",
  RESOLVED_ACCEPTED: "green",
  RESOLVED_REJECTED: "red",
  ISSUED: "blue",
  CANCELLED: "gray",
  EXPIRED: "gray",
  USED: "teal",
  ACTIVE: "green",
  SUSPENDED: "orange",
  TERMINATED: "red",
  DECLINED: "red",
  ROUTINE: "gray",
  URGENT: "orange",
  EMERGENCY: "red",
};

export function statusLabel(status: string): string {
  const words = status.replace(/_/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `label` says the status in a portal's own words (a client's "Awaiting the HMO"). */
export function StatusBadge({ status, label = statusLabel(status) }: { status: string; label?: string }) {
  return (
    <Badge color={TONES[COLOURS[status] ?? "gray"]} variant="outline" radius="sm" miw="max-content">
      {label}
    </Badge>
  );
}
