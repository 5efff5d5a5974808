/** What both sides show of a dispute: its facts (the line, the reason, the outcome) and
 * the history of its moves. */
import { Anchor, Paper, SimpleGrid, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router-dom";

import type { Schemas } from "../../api/types";
import { formatDateTime } from "../../app/format";
import { DataTable, type Column } from "../DataTable";
import { Fact } from "../Fact";
import { StatusBadge } from "../StatusBadge";
import { DisputeAmount } from "./DisputeAmount";
import type { Dispute } from "./queries";

type Step = Schemas["HistoryEntry"];

const HISTORY: Column<Step>[] = [
  { key: "at", label: "When", render: (step) => formatDateTime(step.at) },
  { key: "action", label: "What", render: (step) => step.action.replace(/_/g, " ") },
  { key: "status", label: "Status", render: (step) => <StatusBadge status={step.to_status} /> },
  { key: "by", label: "By", render: (step) => step.actor_label },
];

export function DisputeHistory({ dispute }: { dispute: Dispute }) {
  return <DataTable caption="What happened to this dispute" columns={HISTORY} rows={dispute.history} rowKey={(step) => `${step.at}-${step.action}`} />;
}

/** `party` is the other side (the provider for the HMO, the HMO for the provider); the
 * paths open the claim and the remittance in the portal showing them. */
export function DisputeFacts({ dispute, party, claimPath, remittancePath }: {
  dispute: Dispute;
  party: { label: string; name: ReactNode };
  claimPath: (claimId: string) => string;
  remittancePath: (remittanceId: string) => string;
}) {
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Fact label={party.label}>{party.name}</Fact>
        <Fact label="Claim">
          {dispute.claim_id ? <Anchor component={Link} to={claimPath(dispute.claim_id)}>{dispute.claim_number}</Anchor> : "—"}
        </Fact>
        <Fact label="Remittance"><Anchor component={Link} to={remittancePath(dispute.remittance_id)}>Open</Anchor></Fact>
        <Fact label="Raised">{formatDateTime(dispute.created_at)}</Fact>
        <Fact label="Amount claimed"><DisputeAmount dispute={dispute} minor={dispute.amount_claimed} /></Fact>
        {dispute.adjustment !== null && <Fact label="Adjustment"><DisputeAmount dispute={dispute} minor={dispute.adjustment} /></Fact>}
        {dispute.resolved_at && <Fact label="Resolved">{formatDateTime(dispute.resolved_at)}</Fact>}
      </SimpleGrid>
      <Text size="xs" c="dimmed" mt="md">The provider's reason</Text>
      <Text style={{ whiteSpace: "pre-wrap" }}>{dispute.reason}</Text>
      {dispute.resolution_note && (
        <>
          <Text size="xs" c="dimmed" mt="md">Resolution note</Text>
          <Text style={{ whiteSpace: "pre-wrap" }}>{dispute.resolution_note}</Text>
        </>
      )}
    </Paper>
  );
}
