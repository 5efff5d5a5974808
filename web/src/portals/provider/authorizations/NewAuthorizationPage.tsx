/** Requesting a pre-authorization: the member (looked up for today), its urgency (which
 * sets the SLA), the procedure, diagnoses, the estimate, clinical notes and documents.
 * One Idempotency-Key per form, so a retry never files a second PA. */
import { Anchor, Button, Group, Paper, Radio, SimpleGrid, Stack, TagsInput, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router-dom";

import { api, dataOf } from "../../../api/client";
import { useIdempotencyKey } from "../../../api/idempotency";
import { ApiProblem, problemOf } from "../../../api/problem";
import type { Schemas } from "../../../api/types";
import { parseMoney, todayIso } from "../../../app/format";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { statusLabel } from "../../../components/StatusBadge";
import { AttachmentsInput, useAttachments } from "../attachments";
import { MemberLookup } from "../MemberLookup";
import { URGENCIES } from "./AuthorizationsPage";

type Urgency = Schemas["Urgency"];

const URGENCY_HELP: Record<Urgency, string> = {
  ROUTINE: "Planned care: decided within the routine SLA.",
  URGENT: "Needed soon: a shorter SLA.",
  EMERGENCY: "Care already under way: the shortest SLA, and the member is alerted at once.",
};

export function NewAuthorizationPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { key } = useIdempotencyKey();
  const attachments = useAttachments();
  const [currency, setCurrency] = useState("NGN");
  const [memberId, setMemberId] = useState("");
  const [urgency, setUrgency] = useState<Urgency>("ROUTINE");
  const [procedure, setProcedure] = useState("");
  const [diagnoses, setDiagnoses] = useState<string[]>([]);
  const [estimate, setEstimate] = useState("");
  const [notes, setNotes] = useState("");
  const request = useMutation({
    mutationFn: async () => {
      const amount = parseMoney(estimate, currency);
      if (amount === null) {
        throw new ApiProblem(422, { title: "Not sent", detail: "Correct the marked fields.", errors: [{ field: "estimated_amount", message: "Give the estimate, e.g. 250000 or 250000.50." }] });
      }
      const body = { member_id: memberId.trim(), urgency, procedure_code: procedure.trim(), diagnosis_codes: diagnoses, estimated_amount: amount, notes: notes.trim() || null };
      const pa = dataOf(await api.POST("/api/authorizations", { body, params: { header: { "idempotency-key": key } } }));
      await attachments.sendTo(`/api/authorizations/${pa.id}/attachments`);
      return pa;
    },
    onSuccess: (pa) => {
      void queryClient.invalidateQueries({ queryKey: ["authorizations"] });
      navigate(`/provider/authorizations/${pa.id}`);
    },
  });
  const errors = problemOf(request.error)?.fieldErrors() ?? {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    request.mutate();
  };
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/provider/authorizations" size="sm">Back to pre-authorizations</Anchor>
      <PageHeader title="Request a pre-authorization" description="The HMO follows from the Member ID; the answer comes with an auth code to cite on the claim." />
      <Paper withBorder p="md" radius="md" component="form" onSubmit={submit} noValidate aria-labelledby="pa-request-title">
        <Stack gap="sm">
          <Title order={2} size="h4" id="pa-request-title">Request</Title>
          <MemberLookup memberId={memberId} onChange={setMemberId} serviceDate={todayIso()} error={errors.member_id} onAnswer={(answer) => setCurrency(answer.plan.currency)} />
          <Radio.Group label="Urgency" required value={urgency} onChange={(value) => setUrgency(value as Urgency)} description={URGENCY_HELP[urgency]} error={errors.urgency}>
            <Group mt="xs">
              {URGENCIES.map((level) => <Radio key={level} value={level} label={statusLabel(level)} />)}
            </Group>
          </Radio.Group>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label="Procedure code" required value={procedure} onChange={(event) => setProcedure(event.currentTarget.value)} error={errors.procedure_code} />
            <TagsInput label="Diagnosis codes" description="ICD-10; press Enter after each" value={diagnoses} onChange={setDiagnoses} error={errors.diagnosis_codes} clearable />
            <TextInput label={`Estimated amount (${currency})`} required inputMode="decimal" value={estimate} onChange={(event) => setEstimate(event.currentTarget.value)} error={errors.estimated_amount} />
          </SimpleGrid>
          <Textarea label="Clinical notes" description="What the reviewer needs to decide" autosize minRows={3} value={notes} onChange={(event) => setNotes(event.currentTarget.value)} error={errors.notes} />
          <AttachmentsInput attachments={attachments} label="Supporting documents" />
          <ProblemAlert error={request.error} />
          <Group justify="flex-end">
            <Button type="submit" loading={request.isPending} disabled={!memberId.trim() || !procedure.trim()}>Send the request</Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}
