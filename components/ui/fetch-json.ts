/**
 * Client-side JSON calls to the Inkstone API. Errors carry the server's message
 * (`{ok:false, error}`) so components can show it instead of swallowing it.
 */
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

export async function fetchJson<T>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  let res: Response;
  try {
    res = await fetch(url, {
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
