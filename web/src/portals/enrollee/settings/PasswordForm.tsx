/** Changing the password: the current one, the new one twice. The core signs every other
 * session out. */
import { Alert, Button, Group, PasswordInput, Stack } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "../../../api/client";
import { problemOf } from "../../../api/problem";
import { MIN_PASSWORD } from "../../../app/AccountLinks";
import { ProblemAlert } from "../../../components/ProblemAlert";

export function PasswordForm() {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { current_password: "", new_password: "", confirm: "" },
    validate: {
      current_password: (value) => (value ? null : "Enter your current password"),
      new_password: (value) => (value.length >= MIN_PASSWORD ? null : `At least ${MIN_PASSWORD} characters`),
      confirm: (value, values) => (value === values.new_password ? null : "The passwords differ"),
    },
  });
  const change = useMutation({
    mutationFn: async (values: { current_password: string; new_password: string }) =>
      api.POST("/api/me/password", { body: values }),
    onSuccess: () => {
      form.reset();
      void queryClient.invalidateQueries({ queryKey: ["sessions"] });
    },
    onError: (error) => form.setErrors(problemOf(error)?.fieldErrors() ?? {}),
  });
  const fieldProblem = Object.keys(problemOf(change.error)?.fieldErrors() ?? {}).length > 0;
  return (
    <form onSubmit={form.onSubmit(({ current_password, new_password }) => change.mutate({ current_password, new_password }))} noValidate>
      <Stack gap="sm" maw={420}>
        <PasswordInput label="Current password" autoComplete="current-password" {...form.getInputProps("current_password")} />
        <PasswordInput label="New password" autoComplete="new-password" {...form.getInputProps("new_password")} />
        <PasswordInput label="Repeat the new password" autoComplete="new-password" {...form.getInputProps("confirm")} />
        {!fieldProblem && <ProblemAlert error={change.error} />}
        {change.isSuccess && <Alert color="green" role="status">Your password is changed. Your other sessions were signed out.</Alert>}
        <Group>
          <Button type="submit" loading={change.isPending}>Change password</Button>
        </Group>
      </Stack>
    </form>
  );
}
