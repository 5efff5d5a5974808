/** A button that asks "why?" in a dialog before it acts; the problem, if any, shown there. */
import { Button, Group, Modal, Stack, Text, Textarea, type ButtonProps } from "@mantine/core";
import { useState } from "react";

import { ProblemAlert } from "./ProblemAlert";

export function ReasonDialogButton({ label, title, explanation, confirmLabel, required = false, onConfirm, pending, error, color, variant }: {
  label: string;
  title: string;
  explanation?: string;
  confirmLabel: string;
  required?: boolean;
  onConfirm: (reason: string | undefined) => Promise<unknown>;
  pending: boolean;
  error: unknown;
} & Pick<ButtonProps, "color" | "variant">) {
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState("");
  const confirm = async () => {
    await onConfirm(reason.trim() || undefined);
    setOpened(false);
    setReason("");
  };
  return (
    <>
      <Button color={color} variant={variant} onClick={() => setOpened(true)}>{label}</Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title} closeButtonProps={{ "aria-label": "Close" }}>
        <Stack>
          {explanation && <Text size="sm">{explanation}</Text>}
          <Textarea label="Reason" required={required} autosize minRows={2} value={reason} onChange={(event) => setReason(event.currentTarget.value)} />
          <ProblemAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>Keep it</Button>
            <Button color={color} loading={pending} disabled={required && !reason.trim()} onClick={() => void confirm().catch(() => undefined)}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
