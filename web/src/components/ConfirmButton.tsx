/** A button that asks "are you sure?" in a dialog before it acts; the problem, if any, shown there. */
import { Button, Group, Modal, Stack, Text, type ButtonProps } from "@mantine/core";
import { useState, type ReactNode } from "react";

import { ProblemAlert } from "./ProblemAlert";

export function ConfirmButton({ label, title, confirmLabel, onConfirm, pending, error, onReload, color, variant, children }: {
  label: string;
  title: string;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  pending: boolean;
  error: unknown;
  /** Offered when the answer is a 409 (someone else changed it). */
  onReload?: () => void;
  /** What confirming will do, in words. */
  children: ReactNode;
} & Pick<ButtonProps, "color" | "variant">) {
  const [opened, setOpened] = useState(false);
  const confirm = async () => {
    await onConfirm();
    setOpened(false);
  };
  return (
    <>
      <Button color={color} variant={variant} onClick={() => setOpened(true)}>{label}</Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title} closeButtonProps={{ "aria-label": "Close" }}>
        <Stack>
          <Text size="sm">{children}</Text>
          <ProblemAlert error={error} onReload={onReload} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpened(false)}>Cancel</Button>
            <Button color={color} loading={pending} onClick={() => void confirm().catch(() => undefined)}>{confirmLabel}</Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
