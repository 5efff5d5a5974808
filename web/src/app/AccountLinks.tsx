/** The pages the e-mailed links open: a first password, and an invitation accepted. */
import { Alert, Button, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";

import { api } from "../api/client";
import { problemOf } from "../api/problem";
import { AuthFrame } from "./AuthFrame";
import { signInPath } from "./session";

export const MIN_PASSWORD = 10;

function linkError(error: unknown): string {
  const problem = problemOf(error);
  if (!problem) return "Vetra could not be reached. Try again.";
  if (problem.status === 404 || problem.status === 410 || problem.kind.includes("token")) {
    return "This link has expired or was already used. Ask for a new one.";
  }
  return problem.body.detail ?? "That did not work. Try again.";
}

function useLinkForm(withName: boolean) {
  return useForm({
    initialValues: { first_name: "", last_name: "", password: "", confirm: "" },
    validate: {
      first_name: (value) => (withName && !value.trim() ? "Enter your first name" : null),
      password: (value) => (value.length >= MIN_PASSWORD ? null : `At least ${MIN_PASSWORD} characters`),
      confirm: (value, values) => (value === values.password ? null : "The passwords differ"),
    },
  });
}

function Done({ tenant }: { tenant: string }) {
  return (
    <Stack>
      <Alert color="green" role="status">Your password is set. You can sign in now.</Alert>
      <Button component={Link} to={signInPath(tenant, null)}>Go to sign-in</Button>
    </Stack>
  );
}

function LinkPage({ title, withName, send }: {
  title: string;
  withName: boolean;
  send: (tenant: string, token: string, values: { first_name: string; last_name: string; password: string }) => Promise<unknown>;
}) {
  const [search] = useSearchParams();
  const tenant = search.get("tenant") ?? "";
  const token = search.get("token") ?? "";
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const form = useLinkForm(withName);
  if (!tenant || !token) {
    return (
      <AuthFrame title={title}>
        <Alert color="red" role="alert">This link is incomplete. Open it again from your e-mail.</Alert>
      </AuthFrame>
    );
  }
  const submit = form.onSubmit(async (values) => {
    setError(null);
    try {
      await send(tenant, token, values);
      setDone(true);
    } catch (failure) {
      setError(linkError(failure));
    }
  });
  return (
    <AuthFrame slug={tenant} title={title}>
      {done ? (
        <Done tenant={tenant} />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            {error && <Alert color="red" role="alert">{error}</Alert>}
            <Text size="sm" c="dimmed">Choose a password of at least {MIN_PASSWORD} characters.</Text>
            {withName && <TextInput label="First name" autoComplete="given-name" {...form.getInputProps("first_name")} />}
            {withName && <TextInput label="Last name" autoComplete="family-name" {...form.getInputProps("last_name")} />}
            <PasswordInput label="New password" autoComplete="new-password" {...form.getInputProps("password")} />
            <PasswordInput label="Repeat the password" autoComplete="new-password" {...form.getInputProps("confirm")} />
            <Button type="submit" loading={form.submitting}>Set password</Button>
          </Stack>
        </form>
      )}
    </AuthFrame>
  );
}

export function SetPasswordPage() {
  return (
    <LinkPage
      title="Set your password"
      withName={false}
      send={(tenant, token, { password }) => api.POST("/api/password-setup", { body: { tenant, token, password } })}
    />
  );
}

export function AcceptInvitePage() {
  return (
    <LinkPage
      title="Accept your invitation"
      withName
      send={(tenant, token, values) =>
        api.POST("/api/invites/accept", {
          body: { tenant, token, password: values.password, first_name: values.first_name, last_name: values.last_name },
        })
      }
    />
  );
}
