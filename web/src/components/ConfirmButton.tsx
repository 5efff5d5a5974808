/** A button that asks "are you sure?" in a dialog before it acts, optionally asking "why?"
 * too (a reason field); the problem, if any, shown there. */
import { Button, Group, Modal, Stack, Text, Textarea, type ButtonProps } from "@mantine/core";
import { useState, type ReactNode } from "react";

import { ProblemAlert } from "./ProblemAlert";

export function ConfirmButton({ label, title, confirmLabel, reason: askReason, onConfirm, pending, error, onReload, color, variant, children }: {
  label: string;
  title: string;
  confirmLabel: string;
  /** Ask for a reason, which `onConfirm` receives (trimmed, `undefined` when left empty). */
  reason?: "optional" | "required";
  onConfirm: (reason: string | undefined) => Promise<unknown>;
  pending: boolean;
  error: unknown;
  /** Offered when the answer is a 409 (someone else changed it). */
  onReload?: () => void;
  /** What confirming will do, in words. */
  children?: ReactNode;
} & Pick<ButtonProps, "color" | "variant">) {
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState("");
  const missingReason = askReason === "required" && !reason.trim();
  const confirm = async () => {
    await onConfirm(askReason ? reason.trim() || undefined : undefined);
    setOpened(false);
    setReason("");
  };
  return (
    <>
      <Button color={color} variant={variant} onClick={() => setOpened(true)}>{label}</Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title} closeButtonProps={{ "aria-label": "Close" }}>
        <Stack>
          {children && <Text size="sm">{children}</Text>}
          {askReason && (
            <Textarea
              label="Reason"
              required={askReason === "required"}
              autosize
              minRows={2}
              value={reason}
              onChange={(event) => setReason(event.currentTarget.value)}
            />
          )}
          <ProblemAlert error={error} onReload={onReload} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>Cancel</Button>
            <Button color={color} loading={pending} disabled={missingReason} onClick={() => void confirm().catch(() => undefined)}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
