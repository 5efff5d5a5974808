/** The provider's answer to a query: the message, documents if asked, then the claim is
 * resubmitted (QUERIED → RESUBMITTED, the provider's one move). A retry after a failure
 * resends only the steps not yet done. */
import { Button, Group, Stack, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api } from "../../../api/client";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { AttachmentsInput, useAttachments } from "../attachments";
import type { Claim } from "./ClaimPage";

export function AnswerForm({ claim }: { claim: Claim }) {
  const queryClient = useQueryClient();
  const attachments = useAttachments();
  const [message, setMessage] = useState("");
  const [answered, setAnswered] = useState(false);
  const path = { params: { path: { claim_id: claim.id } } };
  const send = useMutation({
    mutationFn: async () => {
      if (!answered) {
        await api.POST("/api/claims/{claim_id}/queries", { ...path, body: { message: message.trim() } });
        setAnswered(true);
      }
      await attachments.sendTo(`/api/claims/${claim.id}/attachments`);
      await api.POST("/api/claims/{claim_id}/transitions", { ...path, body: { to: "RESUBMITTED", version: claim.version } });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["claims"] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  return (
    <Stack gap="sm" component="form" onSubmit={submit} aria-label="Answer the query">
      <Textarea label="Your answer" required autosize minRows={3} value={message} disabled={answered} onChange={(event) => setMessage(event.currentTarget.value)} />
      <AttachmentsInput attachments={attachments} label="Documents" />
      <ProblemAlert error={send.error} onReload={() => void queryClient.invalidateQueries({ queryKey: ["claims", claim.id] })} />
      <Group>
        <Button type="submit" color="#7a5400" loading={send.isPending} disabled={!message.trim()}>Answer and resubmit</Button>
      </Group>
    </Stack>
  );
}
