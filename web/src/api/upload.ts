/**
 * A body sent with its upload progress (CSV imports, attachments, payment proofs): fetch
 * cannot report progress, XMLHttpRequest can. Same rules as the client: the CSRF token,
 * JSON back, problems thrown as `ApiProblem`.
 */
import { currentCsrfToken } from "./client";
import { ApiProblem, type ProblemBody } from "./problem";

export function upload<T>(
  path: string,
  body: FormData | Blob,
  onProgress: (fraction: number) => void,
  headers: Record<string, string> = {},
  method: "POST" | "PUT" = "POST",
): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, path);
    const token = currentCsrfToken();
    if (token) request.setRequestHeader("x-csrf-token", token);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onerror = () => reject(new ApiProblem(0, { title: "Network error", detail: "The upload did not reach Vetra." }));
    request.onload = () => {
      const answer = parsed(request.responseText);
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve(answer as T);
      } else {
        reject(new ApiProblem(request.status, (answer as ProblemBody | null) ?? { title: request.statusText }));
      }
    };
    request.send(body);
  });
}

function parsed(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null; // not JSON (a proxy's page): the status speaks alone
  }
}
