/**
 * One EventSource per tab on `/api/events`. The browser resumes a dropped stream itself
 * (sending Last-Event-ID); when the server refused it outright (a 503 while streams are
 * busy, a restart) the stream is closed for good, so it is opened again after a pause,
 * resuming with `?last_event_id=` from the last event seen.
 */
import type { QueryClient } from "@tanstack/react-query";

import type { Notification } from "../api/types";

const RETRY_FIRST_MS = 2_000;
const RETRY_LONGEST_MS = 30_000;

/** The queries (by their first key, the API path's first segment; under `/me/`, the one
 * after it) an event concerns. */
const CONCERNS: Record<string, string[]> = {
  claim: ["claims", "piles", "dashboard", "coverage", "visits"],
  authorization: ["authorizations", "dashboard"],
  settlement_run: ["settlement-runs", "remittances", "dashboard"],
  remittance: ["remittances", "settlement-runs", "claims"],
  dispute: ["disputes", "remittances"],
  network: ["network"],
  network_link: ["network"],
  enrollee: ["enrollees"],
  change_request: ["change-requests", "enrollees", "portal"],
  capitation_run: ["capitation-runs"],
};

/** Each event is named by its type (`event: authorization.submitted`); EventSource hands
 * named events only to listeners of that name, so these are the types the core sends. */
const EVENT_TYPES = [
  "account.updated",
  "auth.password_changed",
  "security.password_changed",
  "user.updated",
  "authorization.submitted",
  "authorization.approved",
  "authorization.rejected",
  "authorization.appealed",
  "authorization.cancelled",
  "authorization.emergency_alert",
  "authorization.not_me",
  "authorization.sla_breached",
  "capitation.paid",
  "change_request.created",
  "change_request.approved",
  "change_request.declined",
  "client.credentials_issued",
  "dispute.raised",
  "dispute.under_review",
  "dispute.accepted",
  "dispute.rejected",
  "network.link_requested",
  "network_link.active",
  "network_link.declined",
  "network_link.ended",
  "remittance.paid",
  "remittance.payment_recorded",
  "settlement_run.drafted",
  "claim.submitted",
  "claim.resubmitted",
  "claim.queried",
  "claim.approved",
  "claim.rejected",
  "claim.settled",
];

export function concernedQueries(type: string): string[] {
  return CONCERNS[type.split(".")[0] ?? ""] ?? [];
}

export function refreshFor(queryClient: QueryClient, notification: Notification): void {
  void queryClient.invalidateQueries({ queryKey: ["notifications"] });
  for (const root of concernedQueries(notification.type)) {
    void queryClient.invalidateQueries({ queryKey: [root] });
  }
}

/** Live events after `startAfter` (the newest seq already shown): none replayed twice. */
export function openLiveEvents(startAfter: number, onEvent: (notification: Notification) => void): () => void {
  let source: EventSource | null = null;
  let lastSeq: string = String(startAfter);
  let delay = RETRY_FIRST_MS;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const receive = (message: MessageEvent<string>) => {
    lastSeq = message.lastEventId || lastSeq;
    delay = RETRY_FIRST_MS;
    try {
      onEvent(JSON.parse(message.data) as Notification);
    } catch {
      // a malformed event is skipped; the bell's list still shows the row
    }
  };

  const open = () => {
    source = new EventSource(`/api/events?last_event_id=${encodeURIComponent(lastSeq)}`, { withCredentials: true });
    source.onmessage = receive;
    for (const type of EVENT_TYPES) source.addEventListener(type, receive);
    source.onerror = () => {
      if (stopped || !source || source.readyState !== EventSource.CLOSED) return;
      retry = setTimeout(open, delay);
      delay = Math.min(delay * 2, RETRY_LONGEST_MS);
    };
  };

  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    source?.close();
  };
}
