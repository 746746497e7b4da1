/**
 * The browser's one HTTP client for the Inkstone API: JSON in and out, errors
 * carry the server's message (`{ok:false, error, fields}`) so components can
 * show it instead of swallowing it, and views opened through a share link pass
 * its token on every request.
 */
import { withShare } from "@/lib/protocol/with-share";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A JSON call to the Inkstone API; views opened through a share link pass its token as `share`. */
export async function apiFetch<T>(path: string, init: RequestInit & { json?: unknown; share?: string | null } = {}): Promise<T> {
  const { json, share, ...rest } = init;
  let res: Response;
  try {
    res = await fetch(withShare(path, share), {
      ...rest,
      headers: { ...(json !== undefined ? { "content-type": "application/json" } : {}), ...(rest.headers ?? {}) },
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  } catch (err) {
    throw new ApiError(0, `network error: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const obj = (body ?? {}) as { ok?: boolean; error?: string; data?: unknown; fields?: Record<string, string> };
  if (!res.ok || obj.ok === false) {
    throw new ApiError(res.status, obj.error ?? `${res.status} ${res.statusText || "request failed"}`, obj.fields);
  }
  return (obj.ok === true && "data" in obj ? obj.data : body) as T;
}

/** Any thrown value as a line for the page. */
export function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  return String(error);
}
