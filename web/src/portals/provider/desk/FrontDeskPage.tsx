/**
 * The provider's front desk: a Member ID (the HMO follows from its prefix, or is picked
 * when the desk works with several), the service date and an optional benefit; the answer
 * at once with every reason and each benefit's balance; the visit recorded from there, and
 * today's check-ins below.
 */
import { Button, Group, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, dataOf } from "../../../api/client";
import { useIdempotencyKey } from "../../../api/idempotency";
import { problemOf } from "../../../api/problem";
import type { Schemas } from "../../../api/types";
import { formatDate, formatDateTime, todayIso } from "../../../app/format";
import { BENEFIT_CATEGORY_OPTIONS } from "../../../components/benefitCategories";
import { EligibilityAnswer } from "../../../components/EligibilityAnswer";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { statusLabel } from "../../../components/StatusBadge";
import { useLinkedHmos } from "../hmos";
import { TodaysCheckIns } from "./TodaysCheckIns";

type Check = Schemas["EligibilityCheck"];
type Answer = Schemas["EligibilityRead"];

export function FrontDeskPage() {
  const queryClient = useQueryClient();
  const checkIn = useIdempotencyKey();
  const check = useMutation({
    mutationFn: async (body: Check) => dataOf(await api.POST("/api/eligibility", { body })),
    onSuccess: () => {
      checkIn.renew();
      record.reset();
    },
  });
  const record = useMutation({
    mutationFn: async (answer: Answer) =>
      dataOf(await api.POST("/api/check-ins", {
        body: { member_id: answer.member.member_id, benefit_category: check.variables?.benefit_category ?? null },
        params: { header: { "idempotency-key": checkIn.key } },
      })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["check-ins"] }),
  });
  const answer = check.data;
  const today = answer?.service_date === todayIso();
  return (
    <Stack gap="md">
      <PageHeader title="Front desk" description="Check a member's cover before the visit, then record the check-in." />
      <EligibilityForm onCheck={(body) => check.mutate(body)} pending={check.isPending} error={check.error} />
      {answer && (
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="answer-title">
          <Stack gap="sm">
            <div>
              <Title order={2} size="h4" id="answer-title">
                {answer.member.first_name} {answer.member.last_name}
              </Title>
              <Text size="sm" c="dimmed">
                {answer.member.member_id} · {statusLabel(answer.member.relationship)} · born {formatDate(answer.member.date_of_birth)} · covered from {formatDate(answer.member.coverage_start)}
                {answer.member.coverage_end ? ` to ${formatDate(answer.member.coverage_end)}` : ""}
              </Text>
            </div>
            <EligibilityAnswer answer={answer} verdict={today ? "today" : `on ${formatDate(answer.service_date)}`}>
              <Group mt="sm" gap="sm">
                {today ? (
                  <Button onClick={() => record.mutate(answer)} loading={record.isPending} disabled={record.isSuccess}>
                    {record.isSuccess ? "Checked in" : "Record check-in"}
                  </Button>
                ) : (
                  <Text size="sm">A check-in is recorded on the day of the visit: check again with today's date.</Text>
                )}
                {record.data && (
                  <Text size="sm" role="status">
                    Checked in {formatDateTime(record.data.created_at)}{record.data.eligible ? "" : ", not eligible"}.
                  </Text>
                )}
              </Group>
              <ProblemAlert error={record.error} />
            </EligibilityAnswer>
          </Stack>
        </Paper>
      )}
      <TodaysCheckIns />
    </Stack>
  );
}

function EligibilityForm({ onCheck, pending, error }: { onCheck: (body: Check) => void; pending: boolean; error: unknown }) {
  const hmos = useLinkedHmos();
  const [memberId, setMemberId] = useState("");
  const [hmo, setHmo] = useState<string | null>(null);
  const [serviceDate, setServiceDate] = useState(todayIso);
  const [category, setCategory] = useState<string | null>(null);
  const fieldErrors = problemOf(error)?.fieldErrors() ?? {};
  const unknownPrefix = problemOf(error)?.kind === "unknown-member" && hmos.length > 1;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onCheck({ member_id: memberId.trim(), service_date: serviceDate, benefit_category: category, tenant: hmo });
  };
  return (
    <Paper withBorder p="md" radius="md" component="form" onSubmit={submit} aria-labelledby="check-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="check-title">Check eligibility</Title>
        <SimpleGrid cols={{ base: 1, sm: hmos.length > 1 ? 4 : 3 }}>
          <TextInput label="Member ID" placeholder="As on the health card" required autoFocus value={memberId} onChange={(event) => setMemberId(event.currentTarget.value)} error={fieldErrors.member_id} />
          {hmos.length > 1 && (
            <Select
              label="HMO"
              placeholder="From the Member ID"
              clearable
              clearButtonProps={{ "aria-label": "HMO from the Member ID" }}
              data={hmos.map((linked) => ({ value: linked.code, label: linked.name }))}
              value={hmo}
              onChange={setHmo}
            />
          )}
          <TextInput label="Service date" type="date" required value={serviceDate} onChange={(event) => setServiceDate(event.currentTarget.value)} error={fieldErrors.service_date} />
          <Select
            label="Benefit (optional)"
            placeholder="Any benefit"
            clearable
            clearButtonProps={{ "aria-label": "Any benefit" }}
            searchable
            data={BENEFIT_CATEGORY_OPTIONS}
            value={category}
            onChange={setCategory}
          />
        </SimpleGrid>
        <ProblemAlert error={error} />
        {unknownPrefix && <Text size="sm">Pick the member's HMO above when the ID does not start with its code.</Text>}
        <Group>
          <Button type="submit" loading={pending} disabled={!memberId.trim()}>Check eligibility</Button>
        </Group>
      </Stack>
    </Paper>
  );
}
