/** One enrollee: the card, today's coverage, the family, the lifecycle and its moves. */
import { Anchor, Group, SimpleGrid, Skeleton, Stack, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { formatDate, formatDateTime } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable, type Column } from "../../../components/DataTable";
import { AddDependantButton } from "../../../components/enrollees/AddDependantButton";
import * as col from "../../../components/enrollees/columns";
import { fullName, useEnrollee, type Enrollee } from "../../../components/enrollees/queries";
import { HealthCard } from "../../../components/HealthCard";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge, statusLabel } from "../../../components/StatusBadge";
import { CoverageSection } from "./CoverageSection";
import { StatusActions } from "./StatusActions";

const HISTORY: Column<Schemas["StatusChangeRead"]>[] = [
  { key: "status", label: "Status", render: (step) => <StatusBadge status={step.status} /> },
  { key: "from", label: "From", render: (step) => formatDate(step.effective_date) },
  { key: "reason", label: "Reason", render: (step) => step.reason || "—" },
  { key: "recorded", label: "Recorded", render: (step) => formatDateTime(step.created_at) },
];

function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <Stack gap="xs" component="section">
      <Group justify="space-between">
        <Title order={2} size="h4">{title}</Title>
        {actions}
      </Group>
      {children}
    </Stack>
  );
}

function AddDependant({ principal }: { principal: Enrollee }) {
  const queryClient = useQueryClient();
  const enrol = async (body: Schemas["DependantCreate"]) =>
    dataOf(await api.POST("/api/enrollees/{enrollee_id}/dependants", { params: { path: { enrollee_id: principal.id } }, body }));
  return (
    <AddDependantButton
      lastName={principal.last_name}
      title="Add a dependant"
      submit={enrol}
      onDone={() => void queryClient.invalidateQueries({ queryKey: ["enrollees"] })}
    />
  );
}

function Family({ enrollee }: { enrollee: Schemas["EnrolleeDetail"] }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const isPrincipal = enrollee.relationship === "PRINCIPAL";
  const canAdd = isPrincipal && enrollee.status !== "TERMINATED" && can("enrollees:create");
  return (
    <Section title={isPrincipal ? "Dependants" : "Family"} actions={canAdd && <AddDependant principal={enrollee} />}>
      {isPrincipal ? (
        <DataTable
          caption="Dependants"
          columns={[col.memberId, col.name, col.relationship, col.born, col.status]}
          rows={enrollee.dependants}
          rowKey={(row: Enrollee) => row.id}
          onRowClick={(row) => navigate(`/hmo/enrollees/${row.id}`)}
          empty="No dependant."
        />
      ) : (
        enrollee.principal_id && <Anchor component={Link} to={`/hmo/enrollees/${enrollee.principal_id}`}>Open the principal</Anchor>
      )}
    </Section>
  );
}

function History({ enrolleeId }: { enrolleeId: string }) {
  const history = useQuery({
    queryKey: ["enrollees", enrolleeId, "history"],
    queryFn: async () => dataOf(await api.GET("/api/enrollees/{key}/history", { params: { path: { key: enrolleeId } } })),
  });
  return (
    <Section title="Lifecycle">
      <ProblemAlert error={history.error} />
      <DataTable caption="Lifecycle" columns={HISTORY} rows={[...(history.data?.items ?? [])].reverse()} rowKey={(step) => `${step.created_at}-${step.status}`} loading={history.isPending} />
    </Section>
  );
}

export function EnrolleePage() {
  const { enrolleeId = "" } = useParams();
  const { can } = useSession();
  const found = useEnrollee(enrolleeId);
  if (found.error) return <ProblemAlert error={found.error} />;
  if (!found.data) return <Skeleton h={400} />;
  const enrollee = found.data;
  return (
    <>
      <PageHeader
        title={fullName(enrollee)}
        description={`${enrollee.member_id} · ${statusLabel(enrollee.relationship)}`}
        actions={can("enrollees:lifecycle") && <StatusActions enrollee={enrollee} />}
      />
      <Stack gap="xl">
        <SimpleGrid cols={{ base: 1, xl: 2 }}>
          <HealthCard memberId={enrollee.member_id} />
          <History enrolleeId={enrollee.id} />
        </SimpleGrid>
        {can("eligibility:check") && (
          <Section title="Coverage today">
            <CoverageSection memberId={enrollee.member_id} />
          </Section>
        )}
        <Family enrollee={enrollee} />
      </Stack>
    </>
  );
}
