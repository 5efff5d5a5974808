/** Columns the queue and the claims list share. */
import { Badge, Group } from "@mantine/core";

import type { Schemas } from "../../../api/types";
import { formatDate } from "../../../app/format";
import type { Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";

type Listed = Pick<Schemas["ClaimRead"], "number" | "status" | "member_id" | "provider_id" | "service_date" | "total_billed" | "currency" | "risk_score" | "on_hold">;

export function claimColumns<Row extends Listed>(): Column<Row>[] {
  return [
    { key: "number", label: "Claim", render: (claim) => <Whole>{claim.number}</Whole> },
    { key: "status", label: "Status", render: (claim) => <StatusBadge status={claim.status} /> },
    { key: "member", label: "Member", render: (claim) => <Whole>{claim.member_id}</Whole> },
    { key: "provider", label: "Provider", render: (claim) => <ProviderName providerId={claim.provider_id} /> },
    { key: "service", label: "Service date", render: (claim) => formatDate(claim.service_date) },
    { key: "billed", label: "Billed", align: "right", render: (claim) => <Money minor={claim.total_billed} currency={claim.currency} /> },
    { key: "risk", label: "Risk", render: (claim) => <Risk score={claim.risk_score} onHold={claim.on_hold} /> },
  ];
}

/** An identifier kept on one line (the table scrolls instead at a phone's width). */
function Whole({ children }: { children: string }) {
  return <span style={{ whiteSpace: "nowrap" }}>{children}</span>;
}

function Risk({ score, onHold }: { score: number; onHold: boolean }) {
  return (
    <Group gap={4} wrap="nowrap">
      <span>{score}</span>
      {onHold && <Badge color="#b3261e" variant="outline" size="sm">On hold</Badge>}
    </Group>
  );
}
