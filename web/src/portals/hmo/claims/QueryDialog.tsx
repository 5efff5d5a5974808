/** Query the provider: the claim goes to QUERIED, the question and an optional attachment go with it. */
import { Button, FileInput, Group, Modal, Progress, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api } from "../../../api/client";
import { upload } from "../../../api/upload";
import { ProblemAlert } from "../../../components/ProblemAlert";
import type { ClaimDetail } from "./claimViews";
import { useClaimMove } from "./useClaimMove";

const ATTACHMENT_TYPES = "application/pdf,image/png,image/jpeg,image/tiff,text/plain";

export function QueryDialog({ claim, opened, onClose, onReload }: { claim: ClaimDetail; opened: boolean; onClose: () => void; onReload: () => void }) {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const move = useClaimMove(claim.id);
  const path = { params: { path: { claim_id: claim.id } } };
  const send = useMutation({
    mutationFn: async () => {
      await move.mutateAsync({ to: "QUERIED", version: claim.version, reason: message.trim() });
      await api.POST("/api/claims/{claim_id}/queries", { ...path, body: { message: message.trim() } });
      if (file) {
        const body = new FormData();
        body.append("file", file);
        setProgress(0);
        await upload(`/api/claims/${claim.id}/attachments`, body, setProgress);
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["claims", claim.id] }),
    onSuccess: () => {
      setMessage("");
      setFile(null);
      setProgress(null);
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={`Query the provider about ${claim.number}`} closeButtonProps={{ "aria-label": "Close" }}>
      <Stack>
        <Text size="sm">The claim waits in Queried until the provider answers and resubmits it.</Text>
        <Textarea label="Question for the provider" required autosize minRows={3} value={message} onChange={(event) => setMessage(event.currentTarget.value)} />
        <FileInput label="Attachment (optional)" description="PDF, PNG, JPEG, TIFF or text" accept={ATTACHMENT_TYPES} clearable clearButtonProps={{ "aria-label": "Remove the attachment" }} value={file} onChange={setFile} />
        {progress !== null && <Progress value={progress * 100} aria-label="Attachment upload" />}
        <ProblemAlert error={send.error} onReload={() => { send.reset(); onReload(); onClose(); }} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button color="#7a5400" loading={send.isPending} disabled={!message.trim()} onClick={() => send.mutate()}>Send the query</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
