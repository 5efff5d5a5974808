import { Alert, Button, Group } from "@mantine/core";

import { problemOf, type ApiProblem } from "../api/problem";

/** What went wrong, in words, next to what caused it; a stale version offers a reload. */
export function problemText(error: unknown): string {
  const problem = problemOf(error);
  if (!problem) return "Something went wrong. Check your connection and try again.";
  if (changedMeanwhile(problem)) {
    return "Someone else changed this while you were looking at it.";
  }
  if (problem.status === 403 && !problem.body.detail) return "You are not allowed to do this.";
  if (problem.status >= 500) return "Vetra could not answer just now. Try again in a moment.";
  return problem.body.detail ?? problem.body.title ?? problem.message;
}

/** A stale version, or a move the screen offered that the record's newer state forbids. */
function changedMeanwhile(problem: ApiProblem): boolean {
  return problem.status === 409 && (problem.kind === "stale-version" || (problem.kind === "illegal-transition" && "current_status" in problem.body));
}

/** `details`: what the problem says beyond its summary (field errors no field shows). */
export function ProblemAlert({ error, onReload, details = [] }: { error: unknown; onReload?: () => void; details?: string[] }) {
  if (!error) return null;
  const stale = problemOf(error)?.status === 409;
  return (
    <Alert color="red" role="alert" title={problemOf(error)?.body.title ?? "Not done"}>
      <Group justify="space-between" gap="xs">
        <span>
          {problemText(error)}
          {details.map((detail) => <span key={detail}> {detail}</span>)}
        </span>
        {stale && onReload && (
          <Button size="xs" variant="white" color="red" onClick={onReload}>
            Reload the latest
          </Button>
        )}
      </Group>
    </Alert>
  );
}
