/**
 * One remittance: what an HMO pays the provider in one settlement run, line by line with
 * each claim's status, the statements, the payments with their proofs (which arrive live
 * as the HMO's finance team records them), its disputes, and raising one.
 */
import { Anchor, Paper, SimpleGrid, Skeleton, Stack, Title } from "@mantine/core";
import { Link, useNavigate, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { usePages } from "../../../api/pages";
import { formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable } from "../../../components/DataTable";
import { Fact } from "../../../components/Fact";
import { useRemittance, type Remittance } from "../../../components/finance/queries";
import { PaymentProofs, RemittanceLines, RemittanceStatements } from "../../../components/finance/RemittanceParts";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { DISPUTE_COLUMNS, type DisputeRow } from "./DisputeColumns";
import { FinanceTabs } from "./FinanceTabs";
import { RaiseDisputeForm } from "./RaiseDisputeForm";

const LIVE: ReadonlySet<DisputeRow["status"]> = new Set(["OPEN", "UNDER_REVIEW"]);

function Summary({ remittance }: { remittance: Remittance }) {
  const money = (minor: number) => <Money minor={minor} currency={remittance.currency} />;
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Fact label="HMO">{remittance.hmo_name}</Fact>
        <Fact label="Settlement run">{remittance.run_number}</Fact>
        <Fact label="Total">{money(remittance.total)}</Fact>
        <Fact label="Paid">{money(remittance.paid_amount)}</Fact>
        <Fact label="Outstanding">{money(remittance.total - remittance.paid_amount)}</Fact>
        <Fact label="Created">{formatDateTime(remittance.created_at)}</Fact>
        {remittance.paid_at && <Fact label="Paid in full">{formatDateTime(remittance.paid_at)}</Fact>}
      </SimpleGrid>
    </Paper>
  );
}

function Disputes({ remittance }: { remittance: Remittance }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const disputes = usePages(["disputes", "list", "remittance", remittance.id], async (cursor) =>
    dataOf(await api.GET("/api/disputes", { params: { query: { remittance_id: remittance.id, cursor } } })),
  );
  const disputed = new Set(disputes.items.filter((dispute) => LIVE.has(dispute.status)).map((dispute) => dispute.remittance_line_id));
  const open = remittance.lines.filter((line) => line.claim_id && !disputed.has(line.id));
  return (
    <>
      <Title order={2} size="h4">Disputes</Title>
      <ProblemAlert error={disputes.error} />
      <DataTable
        caption="Disputes on this remittance"
        columns={DISPUTE_COLUMNS}
        rows={disputes.items}
        rowKey={(dispute) => dispute.id}
        onRowClick={(dispute) => navigate(`/provider/finance/disputes/${dispute.id}`)}
        empty="No dispute on this remittance."
        {...disputes.tableProps}
      />
      {can("disputes:create") && remittance.status !== "CANCELLED" && open.length > 0 && !disputes.isPending && (
        <RaiseDisputeForm remittance={remittance} lines={open} />
      )}
    </>
  );
}

export function RemittancePage() {
  const { remittanceId = "" } = useParams();
  const remittance = useRemittance(remittanceId);
  return (
    <Stack>
      <PageHeader
        title={remittance.data ? `Remittance of run ${remittance.data.run_number}` : "Remittance"}
        description={<Anchor component={Link} to="/provider/finance/remittances" size="sm">All remittances</Anchor>}
        actions={remittance.data && <StatusBadge status={remittance.data.status} />}
      />
      <FinanceTabs />
      <ProblemAlert error={remittance.error} />
      {remittance.isPending && <Skeleton h={160} />}
      {remittance.data && (
        <>
          <Summary remittance={remittance.data} />
          <RemittanceStatements remittance={remittance.data} />
          <Title order={2} size="h4">Payments</Title>
          <PaymentProofs remittance={remittance.data} />
          <Title order={2} size="h4">Lines</Title>
          <RemittanceLines remittance={remittance.data} claimPath={(claimId) => `/provider/claims/${claimId}`} />
          <Disputes remittance={remittance.data} />
        </>
      )}
    </Stack>
  );
}
