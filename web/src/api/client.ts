/**
 * The one typed client of the BFF. Types come from `schema.d.ts`, generated from the
 * services' OpenAPI (`make web-types`). Writes carry the CSRF token; every non-2xx answer
 * is thrown as an `ApiProblem`; a session the server ended sends the user to sign-in.
 */
import createClient, { type Middleware } from "openapi-fetch";

import { ApiProblem, type ProblemBody } from "./problem";
import type { paths } from "./schema";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const SESSION_ENDED = new Set(["session-expired", "session-missing", "unauthenticated"]);

let csrfToken: string | null = null;
let onSessionEnded: () => void = () => undefined;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function currentCsrfToken(): string | null {
  return csrfToken;
}

export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

async function problemFrom(response: Response): Promise<ApiProblem> {
  let body: ProblemBody = { title: response.statusText, status: response.status };
  try {
    body = (await response.clone().json()) as ProblemBody;
  } catch {
    // not JSON (a proxy's page): keep the status text
  }
  const retryAfter = Number(response.headers.get("retry-after"));
  return new ApiProblem(response.status, body, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

const csrfAndProblems: Middleware = {
  onRequest({ request }) {
    if (WRITES.has(request.method) && csrfToken) request.headers.set("x-csrf-token", csrfToken);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.ok) return response;
    const problem = await problemFrom(response);
    const signingIn = new URL(request.url).pathname.startsWith("/api/auth/");
    if (problem.status === 401 && !signingIn && SESSION_ENDED.has(problem.kind)) onSessionEnded();
    throw problem;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(csrfAndProblems);

/** The answer's data, typed; errors have already been thrown by the middleware. */
export function dataOf<T>(result: { data?: T }): T {
  return result.data as T;
}

/** A raw request for what the typed client does not model (CSV, uploads with progress). */
export async function rawFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (WRITES.has((init.method ?? "GET").toUpperCase()) && csrfToken) headers.set("x-csrf-token", csrfToken);
  const response = await fetch(path, { ...init, headers, credentials: "same-origin" });
  if (!response.ok) {
    const problem = await problemFrom(response);
    if (problem.status === 401 && SESSION_ENDED.has(problem.kind)) onSessionEnded();
    throw problem;
  }
  return response;
}
