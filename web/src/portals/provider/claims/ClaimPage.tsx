/** One of the provider's claims: its status and amounts, the lines with what was approved
 * and why, the history, and the HMO's queries, answered here and resubmitted. */
import { Alert, Anchor, Grid, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { formatDate, formatDateTime, formatMonth } from "../../../app/format";
import { ClaimHistory } from "../../../components/claims/ClaimHistory";
import { ClaimQueries } from "../../../components/claims/ClaimQueries";
import { useReasonCodes } from "../../../components/claims/reasons";
import { DataTable, type Column } from "../../../components/DataTable";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge, statusLabel } from "../../../components/StatusBadge";
import { AnswerForm } from "./AnswerForm";

export type Claim = Schemas["ProviderClaimDetail"];
type Line = Schemas["ItemRead"];

export function ClaimPage() {
  const { claimId = "" } = useParams();
  const claim = useQuery({
    queryKey: ["claims", claimId],
    queryFn: async () => dataOf(await api.GET("/api/claims/{claim_id}", { params: { path: { claim_id: claimId } } })) as Claim,
  });
  if (claim.isPending) return <Skeleton h={320} />;
  if (claim.isError) return <ProblemAlert error={claim.error} />;
  return <ClaimView claim={claim.data} />;
}

function ClaimView({ claim }: { claim: Claim }) {
  const queried = claim.status === "QUERIED";
  const question = claim.history.filter((event) => event.to_status === "QUERIED").at(-1);
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/provider/claims" size="sm">Back to claims</Anchor>
      <PageHeader
        title={`Claim ${claim.number}`}
        description={
          <Group gap="xs" component="span">
            <StatusBadge status={claim.status} />
            <Text span size="sm">Member {claim.member_id} · service {formatDate(claim.service_date)}</Text>
          </Group>
        }
      />
      {queried && (
        <Alert color="#7a5400" variant="light" title="The HMO has a query">
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>{question?.reason ?? "See the query below."}</Text>
          <Text size="sm" mt={4}>Answer it below, with documents if asked, to resubmit the claim.</Text>
        </Alert>
      )}
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            <Facts claim={claim} />
            <Lines claim={claim} />
            <ClaimQueries claimId={claim.id}>{queried && <AnswerForm claim={claim} />}</ClaimQueries>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <ClaimHistory history={claim.history} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" fw={700} tt="uppercase">{label}</Text>
      <Text size="sm" component="div">{children}</Text>
    </Stack>
  );
}

function Facts({ claim }: { claim: Claim }) {
  const money = (minor: number) => <Money minor={minor} currency={claim.currency} />;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="claim-facts">
      <Title order={2} size="h4" id="claim-facts" mb="sm">Claim</Title>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <Fact label="Billed">{money(claim.total_billed)}</Fact>
        <Fact label="Approved">{claim.decided_at ? money(claim.total_approved) : "—"}</Fact>
        <Fact label="Member copay">{claim.decided_at ? money(claim.copay_amount) : "—"}</Fact>
        <Fact label="Billing month">{formatMonth(claim.billing_month)}</Fact>
        <Fact label="Admitted">{formatDate(claim.admission_date)}</Fact>
        <Fact label="Discharged">{formatDate(claim.discharge_date)}</Fact>
        <Fact label="Diagnoses">{claim.diagnosis_codes.join(", ") || "—"}</Fact>
        <Fact label="Auth code">{claim.auth_code ?? "—"}</Fact>
        <Fact label="Filed">{formatDateTime(claim.created_at)}</Fact>
        <Fact label="Received">{formatDateTime(claim.received_at)}</Fact>
        <Fact label="Decided">{formatDateTime(claim.decided_at)}</Fact>
        <Fact label="Settled">{formatDateTime(claim.settled_at)}</Fact>
      </SimpleGrid>
    </Paper>
  );
}

function Lines({ claim }: { claim: Claim }) {
  const reasons = useReasonCodes();
  const money = (minor: number | null) => <Money minor={minor} currency={claim.currency} />;
  const columns: Column<Line>[] = [
    { key: "line", label: "#", render: (line) => line.line_no },
    {
      key: "service",
      label: "Service",
      render: (line) => (
        <Stack gap={0}>
          <Text size="sm" fw={600}>{line.code}</Text>
          <Text size="xs" c="dimmed">{line.description || statusLabel(line.category)}</Text>
        </Stack>
      ),
    },
    { key: "benefit", label: "Benefit", render: (line) => statusLabel(line.category) },
    { key: "quantity", label: "Qty", align: "right", render: (line) => line.quantity },
    { key: "price", label: "Unit price", align: "right", render: (line) => money(line.unit_price) },
    { key: "billed", label: "Billed", align: "right", render: (line) => money(line.billed_amount) },
    { key: "approved", label: "Approved", align: "right", render: (line) => money(line.approved_amount) },
    { key: "reason", label: "Reason", render: (line) => <Text size="xs">{reasons.text(line.reason_code)}</Text> },
  ];
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="claim-lines">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="claim-lines">Line items</Title>
        <Text size="sm">Billed {money(claim.total_billed)}</Text>
      </Group>
      <DataTable caption={`Lines of claim ${claim.number}`} columns={columns} rows={claim.items ?? []} rowKey={(line) => line.id} />
    </Paper>
  );
}
