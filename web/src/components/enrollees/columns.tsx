/** The roster's columns, shared by the rosters (the HMO's, a client's) and family lists. */
import { formatDate } from "../../app/format";
import type { Column } from "../DataTable";
import { StatusBadge, statusLabel } from "../StatusBadge";
import { fullName, type Enrollee } from "./queries";

export const memberId: Column<Enrollee> = { key: "member_id", label: "Member ID", render: (row) => row.member_id };
export const name: Column<Enrollee> = { key: "name", label: "Name", render: fullName };
export const relationship: Column<Enrollee> = { key: "relationship", label: "Relationship", render: (row) => statusLabel(row.relationship) };
export const status: Column<Enrollee> = { key: "status", label: "Status", render: (row) => <StatusBadge status={row.status} /> };
export const born: Column<Enrollee> = { key: "date_of_birth", label: "Born", render: (row) => formatDate(row.date_of_birth) };
export const coverage: Column<Enrollee> = {
  key: "coverage",
  label: "Covered",
  render: (row) => `${formatDate(row.coverage_start)} – ${row.coverage_end ? formatDate(row.coverage_end) : "now"}`,
};
