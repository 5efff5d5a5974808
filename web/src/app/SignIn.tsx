import { Alert, Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useDebouncedValue } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, useNavigate, useParams, useSearchParams } from "react-router-dom";

import { api, dataOf, setCsrfToken } from "../api/client";
import { problemOf } from "../api/problem";
import { AuthFrame } from "./AuthFrame";
import { PORTAL_HOME } from "./routes";
import { loadMe, ME_KEY, portalOf, useSession } from "./session";

const LAST_ORGANISATION = "vetra.organisation";

/** The organisation this browser last signed in to, offered again. */
function lastOrganisation(): string | null {
  try {
    return localStorage.getItem(LAST_ORGANISATION);
  } catch {
    return null; // storage refused (private mode): the field starts empty
  }
}

function minutes(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds / 60));
  return whole === 1 ? "a minute" : `${whole} minutes`;
}

/** Why signing in failed, in words a person can act on. */
export function signInError(error: unknown): string {
  const problem = problemOf(error);
  if (!problem) return "Vetra could not be reached. Check your connection and try again.";
  if (problem.kind === "invalid-credentials") return "The organisation, e-mail or password is wrong.";
  if (problem.status === 429) {
    return `Too many attempts. Try again in ${minutes(problem.retryAfter ?? 60)}.`;
  }
  if (problem.kind === "account-deactivated") return problem.body.detail ?? "This account has been deactivated.";
  if (problem.status === 422) return "Fill in the organisation, e-mail and password.";
  if (problem.status === 503) return "Vetra is busy. Try again in a few seconds.";
  return problem.body.detail ?? "Signing in failed. Try again.";
}

export function SignInPage() {
  const { slug } = useParams();
  const [search] = useSearchParams();
  const { me } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { tenant: slug ?? search.get("tenant") ?? lastOrganisation() ?? "", email: "", password: "" },
    validate: {
      tenant: (value) => (value.trim() ? null : "Enter your organisation's short name"),
      email: (value) => (/^\S+@\S+$/.test(value) ? null : "Enter your e-mail address"),
      password: (value) => (value ? null : "Enter your password"),
    },
  });
  const [typedSlug] = useDebouncedValue(form.values.tenant.trim().toLowerCase(), 300);

  if (me) return <Navigate to={search.get("next") ?? PORTAL_HOME[portalOf(me)]} replace />;

  const submit = form.onSubmit(async (values) => {
    setError(null);
    try {
      const answer = dataOf(await api.POST("/api/auth/login", { body: { ...values, tenant: values.tenant.trim() } }));
      setCsrfToken(answer.csrf_token);
      localStorage.setItem(LAST_ORGANISATION, values.tenant.trim());
      const me = await queryClient.fetchQuery({ queryKey: ME_KEY, queryFn: loadMe, staleTime: 0 });
      navigate(search.get("next") ?? (me ? PORTAL_HOME[portalOf(me)] : "/"), { replace: true });
    } catch (failure) {
      setError(signInError(failure));
    }
  });

  return (
    <AuthFrame slug={typedSlug || undefined} title="Sign in">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <TextInput label="Organisation" description="Your HMO's or organisation's short name, e.g. demo" autoComplete="organization" {...form.getInputProps("tenant")} />
          <TextInput label="E-mail" type="email" autoComplete="username" {...form.getInputProps("email")} />
          <PasswordInput label="Password" autoComplete="current-password" {...form.getInputProps("password")} />
          <Button type="submit" loading={form.submitting} fullWidth>
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthFrame>
  );
}
