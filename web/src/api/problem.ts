/** A problem+json answer (RFC 9457) as the API sends it, thrown by every call. */
export interface FieldError {
  field?: string;
  message: string;
  code?: string;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly body: ProblemBody;
  readonly retryAfter: number | null;

  constructor(status: number, body: ProblemBody, retryAfter: number | null = null) {
    super(body.detail ?? body.title ?? `Request failed (${status})`);
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }

  /** The last segment of the problem's type, e.g. "invalid-credentials". */
  get kind(): string {
    return (this.body.type ?? "").split("/").pop() ?? "";
  }

  /** Field name → message, for showing errors on their fields. */
  fieldErrors(): Record<string, string> {
    const byField: Record<string, string> = {};
    for (const error of this.body.errors ?? []) {
      if (error.field) byField[error.field.split(".").pop() ?? error.field] = error.message;
    }
    return byField;
  }
}

export function problemOf(error: unknown): ApiProblem | null {
  return error instanceof ApiProblem ? error : null;
}
