/** One of the client's enrollees: their details, the family, and the requests about them
 * (each awaiting the HMO until decided; decisions arrive live). */
import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import type { Schemas } from "../../../api/types";
import { formatDate } from "../../../app/format";
import { useSession } from "../../../app/session";
import { DataTable } from "../../../components/DataTable";
import * as col from "../../../components/enrollees/columns";
import { fullName, useEnrollee, type Enrollee } from "../../../components/enrollees/queries";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge, statusLabel } from "../../../components/StatusBadge";
import { REQUEST_COLUMNS } from "../requests/RequestsPage";
import { AskToAddDependant, AskToEditDetails, AskToRemoveDependant } from "./RequestButtons";

/** The latest requests about each member of a family (a family is a few people). */
const LATEST = 10;
const SEXES: Record<string, string> = { F: "Female", M: "Male" };

function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <Stack gap="xs" component="section" aria-label={title}>
      <Group justify="space-between">
        <Title order={2} size="h4">{title}</Title>
        {actions}
      </Group>
      {children}
    </Stack>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>{label}</Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

function Details({ enrollee }: { enrollee: Enrollee }) {
  return (
    <Paper withBorder p="md" radius="md">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 4 }}>
        <Fact label="Member ID">{enrollee.member_id}</Fact>
        <Fact label="Relationship">{statusLabel(enrollee.relationship)}</Fact>
        <Fact label="Status"><StatusBadge status={enrollee.status} /></Fact>
        <Fact label="Born">{formatDate(enrollee.date_of_birth)}</Fact>
        <Fact label="Sex">{SEXES[enrollee.sex] ?? enrollee.sex}</Fact>
        <Fact label="E-mail">{enrollee.email ?? "—"}</Fact>
        <Fact label="Phone">{enrollee.phone ?? "—"}</Fact>
        <Fact label="Covered">{`${formatDate(enrollee.coverage_start)} – ${enrollee.coverage_end ? formatDate(enrollee.coverage_end) : "now"}`}</Fact>
      </SimpleGrid>
    </Paper>
  );
}

function FamilyRequests({ family }: { family: Enrollee[] }) {
  const answers = useQueries({
    queries: family.map((member) => ({
      queryKey: ["change-requests", { enrollee: member.id }],
      queryFn: async () => dataOf(await api.GET("/api/change-requests", { params: { query: { enrollee_id: member.id, limit: LATEST } } })).items,
    })),
  });
  const requests = answers.flatMap((answer) => answer.data ?? []).sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <Section title="Requests to the HMO">
      <ProblemAlert error={answers.find((answer) => answer.error)?.error} />
      <DataTable
        caption="Requests for this family"
        columns={REQUEST_COLUMNS}
        rows={requests}
        rowKey={(request) => request.id}
        loading={answers.some((answer) => answer.isPending)}
        empty="No request about this family."
      />
    </Section>
  );
}

function Dependants({ principal }: { principal: Schemas["EnrolleeDetail"] }) {
  const navigate = useNavigate();
  const { can } = useSession();
  const canAsk = principal.status !== "TERMINATED" && can("change_requests:create");
  return (
    <Section title="Dependants" actions={canAsk && <AskToAddDependant principal={principal} />}>
      <DataTable
        caption="Dependants"
        columns={[col.memberId, col.name, col.relationship, col.born, col.status]}
        rows={principal.dependants}
        rowKey={(row) => row.id}
        onRowClick={(row) => navigate(`/client/enrollees/${row.id}`)}
        empty="No dependant."
      />
    </Section>
  );
}

function Actions({ enrollee }: { enrollee: Enrollee }) {
  const { can } = useSession();
  if (enrollee.status === "TERMINATED" || !can("change_requests:create")) return null;
  return (
    <>
      <AskToEditDetails key={enrollee.version} enrollee={enrollee} />
      {enrollee.relationship !== "PRINCIPAL" && <AskToRemoveDependant dependant={enrollee} />}
    </>
  );
}

export function EnrolleePage() {
  const { enrolleeId = "" } = useParams();
  const found = useEnrollee(enrolleeId);
  if (found.error) return <ProblemAlert error={found.error} />;
  if (!found.data) return <Skeleton h={400} />;
  const enrollee = found.data;
  const isPrincipal = enrollee.relationship === "PRINCIPAL";
  return (
    <>
      <PageHeader title={fullName(enrollee)} description={`${enrollee.member_id} · ${statusLabel(enrollee.relationship)}`} actions={<Actions enrollee={enrollee} />} />
      <Stack gap="xl">
        <Details enrollee={enrollee} />
        {isPrincipal ? (
          <Dependants principal={enrollee} />
        ) : (
          enrollee.principal_id && <Anchor component={Link} to={`/client/enrollees/${enrollee.principal_id}`}>Open the principal</Anchor>
        )}
        <FamilyRequests family={[enrollee, ...enrollee.dependants]} />
      </Stack>
    </>
  );
}
