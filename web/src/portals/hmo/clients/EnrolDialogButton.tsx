/**
 * A form in a dialog that enrols someone: the server's 422 field errors go on their
 * fields, any other problem above the buttons.
 */
import { Button, Group, Modal, Stack } from "@mantine/core";
import type { UseFormReturnType } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { problemOf } from "../../../api/problem";
import { ProblemAlert } from "../../../components/ProblemAlert";

export function EnrolDialogButton<Values>({ label, title, form, submit, onDone, children }: {
  label: string;
  title: string;
  form: UseFormReturnType<Values>;
  submit: (values: Values) => Promise<unknown>;
  onDone: (made: unknown) => void;
  children: ReactNode;
}) {
  const [opened, setOpened] = useState(false);
  const enrol = useMutation({
    mutationFn: submit,
    onSuccess: (made) => {
      setOpened(false);
      form.reset();
      onDone(made);
    },
    onError: (error) => form.setErrors(problemOf(error)?.fieldErrors() ?? {}),
  });
  const fields = Object.keys(problemOf(enrol.error)?.fieldErrors() ?? {});
  const values = form.getValues() as Record<string, unknown>;
  const unplaced = Boolean(enrol.error) && (fields.length === 0 || fields.some((field) => !(field in values)));
  return (
    <>
      <Button onClick={() => setOpened(true)}>{label}</Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title} size="lg" closeButtonProps={{ "aria-label": "Close" }}>
        <form onSubmit={form.onSubmit((values) => enrol.mutate(values))} noValidate>
          <Stack>
            {children}
            {unplaced && <ProblemAlert error={enrol.error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>Cancel</Button>
              <Button type="submit" loading={enrol.isPending}>{label}</Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
