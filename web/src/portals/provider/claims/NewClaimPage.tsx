/**
 * Filing a claim: the member looked up on the service date, the dates of a stay, diagnosis
 * codes, line items with their totals as they are typed, the auth code of a PA and the
 * documents. One Idempotency-Key per form: a retry or a second click after a lost answer
 * gets the same claim back, never a second one.
 */
import { ActionIcon, Anchor, Button, Group, Paper, Select, SimpleGrid, Stack, TagsInput, Text, TextInput, Title } from "@mantine/core";
import { IconTrash } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { useIdempotencyKey } from "../../../api/idempotency";
import { ApiProblem, problemOf } from "../../../api/problem";
import { todayIso } from "../../../app/format";
import { BENEFIT_CATEGORY_OPTIONS } from "../../../components/benefitCategories";
import { Money } from "../../../components/Money";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { AttachmentsInput, useAttachments } from "../attachments";
import { MemberLookup } from "../MemberLookup";
import { claimBody, claimTotal, lineTotal, newLine, type ClaimValues, type FieldErrors, type LineValues } from "./claimForm";

export function NewClaimPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { key } = useIdempotencyKey();
  const attachments = useAttachments();
  const [currency, setCurrency] = useState("NGN");
  const [values, setValues] = useState<ClaimValues>(() => ({
    memberId: "", serviceDate: todayIso(), admissionDate: "", dischargeDate: "", diagnosisCodes: [], authCode: "", lines: [newLine()],
  }));
  const file = useMutation({
    mutationFn: async () => {
      const built = claimBody(values, currency);
      if ("errors" in built) {
        throw new ApiProblem(422, { title: "Not filed", detail: "Correct the marked fields.", errors: Object.entries(built.errors).map(([field, message]) => ({ field, message })) });
      }
      const claim = dataOf(await api.POST("/api/claims", { body: built.body, params: { header: { "idempotency-key": key } } }));
      await attachments.sendTo(`/api/claims/${claim.id}/attachments`);
      return claim;
    },
    onSuccess: (claim) => {
      void queryClient.invalidateQueries({ queryKey: ["claims"] });
      navigate(`/provider/claims/${claim.id}`);
    },
  });
  const errors = fieldErrorsOf(file.error);
  const change = (changes: Partial<ClaimValues>) => setValues((current) => ({ ...current, ...changes }));
  const changeLine = (index: number, changes: Partial<LineValues>) =>
    change({ lines: values.lines.map((line, at) => (at === index ? { ...line, ...changes } : line)) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    file.mutate();
  };
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/provider/claims" size="sm">Back to claims</Anchor>
      <PageHeader title="File a claim" description="The HMO follows from the Member ID. Amounts in the plan's currency." />
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Paper withBorder p="md" radius="md" component="section" aria-labelledby="visit-title">
            <Stack gap="sm">
              <Title order={2} size="h4" id="visit-title">Member and visit</Title>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <TextInput label="Service date" type="date" required value={values.serviceDate} max={todayIso()} onChange={(event) => change({ serviceDate: event.currentTarget.value })} error={errors.service_date} />
                <TextInput label="Admission date" description="For a stay" type="date" value={values.admissionDate} onChange={(event) => change({ admissionDate: event.currentTarget.value })} error={errors.admission_date} />
                <TextInput label="Discharge date" description="For a stay" type="date" value={values.dischargeDate} onChange={(event) => change({ dischargeDate: event.currentTarget.value })} error={errors.discharge_date} />
              </SimpleGrid>
              <MemberLookup memberId={values.memberId} onChange={(memberId) => change({ memberId })} serviceDate={values.serviceDate} error={errors.member_id} onAnswer={(answer) => setCurrency(answer.plan.currency)} />
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TagsInput label="Diagnosis codes" description="ICD-10; press Enter after each" value={values.diagnosisCodes} onChange={(diagnosisCodes) => change({ diagnosisCodes })} error={errors.diagnosis_codes} clearable />
                <TextInput label="Auth code" description="Of the approved pre-authorization, if any" value={values.authCode} onChange={(event) => change({ authCode: event.currentTarget.value })} error={errors.auth_code} />
              </SimpleGrid>
            </Stack>
          </Paper>
          <Lines lines={values.lines} currency={currency} errors={errors} onChange={changeLine} onLines={(lines) => change({ lines })} />
          <Paper withBorder p="md" radius="md" component="section" aria-labelledby="documents-title">
            <Stack gap="sm">
              <Title order={2} size="h4" id="documents-title">Documents</Title>
              <AttachmentsInput attachments={attachments} description="Bills, results, discharge summary: PDF, PNG, JPEG, TIFF or text" />
            </Stack>
          </Paper>
          <ProblemAlert error={file.error} />
          <Group justify="space-between">
            <Text fw={700}>Total billed <Money minor={claimTotal(values.lines, currency)} currency={currency} /></Text>
            <Button type="submit" loading={file.isPending}>File the claim</Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

function Lines({ lines, currency, errors, onChange, onLines }: {
  lines: LineValues[];
  currency: string;
  errors: FieldErrors;
  onChange: (index: number, changes: Partial<LineValues>) => void;
  onLines: (lines: LineValues[]) => void;
}) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="lines-title">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h4" id="lines-title">Line items</Title>
          <Text size="sm">Total <Money minor={claimTotal(lines, currency)} currency={currency} /></Text>
        </Group>
        {errors.items && <Text size="sm" c="red.8">{errors.items}</Text>}
        {lines.map((line, index) => {
          const n = index + 1;
          const error = (name: string) => errors[`items.${index}.${name}`];
          return (
            <SimpleGrid key={index} cols={{ base: 2, md: 7 }} spacing="xs" verticalSpacing="xs" aria-label={`Line ${n}`} role="group">
              <TextInput label={`Code, line ${n}`} required value={line.code} onChange={(event) => onChange(index, { code: event.currentTarget.value })} error={error("code")} />
              <TextInput label={`Description, line ${n}`} value={line.description} onChange={(event) => onChange(index, { description: event.currentTarget.value })} error={error("description")} style={{ gridColumn: "span 2" }} />
              <Select label={`Benefit, line ${n}`} placeholder="By the visit" clearable clearButtonProps={{ "aria-label": `Benefit by the visit, line ${n}` }} data={BENEFIT_CATEGORY_OPTIONS} value={line.category} onChange={(category) => onChange(index, { category })} error={error("category")} />
              <TextInput label={`Quantity, line ${n}`} inputMode="numeric" required value={line.quantity} onChange={(event) => onChange(index, { quantity: event.currentTarget.value })} error={error("quantity")} />
              <TextInput label={`Unit price, line ${n}`} inputMode="decimal" required value={line.unitPrice} onChange={(event) => onChange(index, { unitPrice: event.currentTarget.value })} error={error("unit_price")} />
              <Group gap="xs" align="flex-end" justify="space-between" wrap="nowrap">
                <Text size="sm" pb={8} aria-label={`Total, line ${n}`}><Money minor={lineTotal(line, currency)} currency={currency} /></Text>
                <ActionIcon variant="subtle" color="red" size="lg" mb={2} aria-label={`Remove line ${n}`} disabled={lines.length === 1} onClick={() => onLines(lines.filter((_, at) => at !== index))}>
                  <IconTrash size={18} />
                </ActionIcon>
              </Group>
            </SimpleGrid>
          );
        })}
        <Group>
          <Button variant="default" onClick={() => onLines([...lines, newLine()])}>Add a line</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** The problem's field errors by their full path (`items.0.unit_price`). */
function fieldErrorsOf(error: unknown): FieldErrors {
  const byField: FieldErrors = {};
  for (const fieldError of problemOf(error)?.body.errors ?? []) {
    if (fieldError.field) byField[fieldError.field] = fieldError.message;
  }
  return byField;
}
