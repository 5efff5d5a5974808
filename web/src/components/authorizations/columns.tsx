/** The PA tables' columns, declared once for the HMO's queue and alerts and the provider's list. */
import { Box } from "@mantine/core";
import type { ReactNode } from "react";

import type { Schemas } from "../../api/types";
import { formatDateTime } from "../../app/format";
import type { Column } from "../DataTable";
import { Money } from "../Money";
import { ProviderName } from "../ProviderName";
import { StatusBadge } from "../StatusBadge";
import { SlaCountdown } from "./sla";

/** The fields both sides read (the HMO's rows carry fraud signals besides). */
export type Pa = Schemas["ProviderAuthorizationRead"];

/** Kept on one line: the table scrolls sideways rather than squeeze a badge or a number. */
export function Whole({ children }: { children: ReactNode }) {
  return <Box component="span" display="inline-block" miw="max-content">{children}</Box>;
}

export const number: Column<Pa> = { key: "number", label: "PA", render: (pa) => <Whole><strong>{pa.number}</strong></Whole> };
export const urgency: Column<Pa> = { key: "urgency", label: "Urgency", render: (pa) => <Whole><StatusBadge status={pa.urgency} /></Whole> };
export const status: Column<Pa> = { key: "status", label: "Status", render: (pa) => <Whole><StatusBadge status={pa.status} /></Whole> };
export const member: Column<Pa> = { key: "member", label: "Member", render: (pa) => <Whole>{pa.member_id}</Whole> };
export const provider: Column<Pa> = { key: "provider", label: "Provider", render: (pa) => <ProviderName providerId={pa.provider_id} /> };
export const procedure: Column<Pa> = { key: "procedure", label: "Procedure", render: (pa) => pa.procedure_code };
export const estimate: Column<Pa> = {
  key: "estimate",
  label: "Estimate",
  align: "right",
  render: (pa) => <Money minor={pa.estimated_amount} currency={pa.currency} />,
};
export const sla: Column<Pa> = { key: "sla", label: "SLA", render: (pa) => <SlaCountdown pa={pa} /> };
export const filed: Column<Pa> = { key: "filed", label: "Filed", render: (pa) => formatDateTime(pa.created_at) };
