/**
 * A form in a dialog (enrolling someone, asking for a change): the server's 422 field
 * errors go on their fields, any other problem above the buttons.
 */
import { Button, Group, Modal, Stack, type ButtonProps } from "@mantine/core";
import type { UseFormReturnType } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { problemOf } from "../api/problem";
import { ProblemAlert } from "./ProblemAlert";

export function FormDialogButton<Values>({ label, submitLabel = label, title, form, submit, onDone, variant, children }: {
  label: string;
  /** The dialog's own button (the opening button's label when not given). */
  submitLabel?: string;
  title: string;
  form: UseFormReturnType<Values>;
  submit: (values: Values) => Promise<unknown>;
  onDone: (made: unknown) => void;
  children: ReactNode;
} & Pick<ButtonProps, "variant">) {
  const [opened, setOpened] = useState(false);
  const send = useMutation({
    mutationFn: submit,
    onSuccess: (made) => {
      setOpened(false);
      form.reset();
      onDone(made);
    },
    onError: (error) => form.setErrors(problemOf(error)?.fieldErrors() ?? {}),
  });
  const values = form.getValues() as Record<string, unknown>;
  const errors = problemOf(send.error)?.body.errors ?? [];
  const unplaced = errors.filter((error) => !((error.field?.split(".").pop() ?? "") in values));
  const alert = Boolean(send.error) && (errors.length === 0 || unplaced.length > 0);
  return (
    <>
      <Button variant={variant} onClick={() => setOpened(true)}>{label}</Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title} size="lg" closeButtonProps={{ "aria-label": "Close" }}>
        <form onSubmit={form.onSubmit((values) => send.mutate(values))} noValidate>
          <Stack>
            {children}
            {alert && <ProblemAlert error={send.error} details={unplaced.map((error) => error.message)} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>Cancel</Button>
              <Button type="submit" loading={send.isPending}>{submitLabel}</Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
