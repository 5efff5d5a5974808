/** A client's change request in words, for the list and its confirmations. */
import type { Schemas } from "../../api/types";
import { statusLabel } from "../StatusBadge";

type Request = Schemas["ChangeRequestRead"];

/** What a request of each kind does to the enrollee it names ("Add a dependant under" Ada). */
export const CHANGE_KINDS: Record<Request["kind"], string> = {
  ADD_DEPENDANT: "Add a dependant under",
  EDIT_ENROLLEE: "Edit the details of",
  DELETE_DEPENDANT: "Remove the dependant",
};

/** The change asked for, in words ("Child: Amaka Okafor, born 2019-05-14"). */
export function describeChange(request: Pick<Request, "kind" | "payload">): string {
  const payload = request.payload as Record<string, unknown>;
  if (request.kind === "ADD_DEPENDANT") {
    return `${statusLabel(String(payload.relationship))}: ${String(payload.first_name)} ${String(payload.last_name)}, born ${String(payload.date_of_birth)}`;
  }
  if (request.kind === "DELETE_DEPENDANT") return payload.reason ? `Because: ${String(payload.reason)}` : "No reason given";
  return Object.entries(payload).map(([field, value]) => `${field.replace(/_/g, " ")} → ${value === null ? "none" : String(value)}`).join("; ");
}
