/** The SDK's HTTP calls: creating a run, and uploading a batch (used by `sync`). */
import type { CreateRunInput } from "../protocol/schemas.ts";
import { httpRequest, type Batch } from "./batch.ts";

export interface CreatedRun {
  id: string;
  token: string;
  /** Path of the run's page on the server. */
  url: string;
}

/** An answer from the server that retrying cannot change (bad input, bad credentials). */
export class RejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "RejectedError";
  }
}

/** Network failures and 5xx answers: worth trying again later. */
export class UnreachableError extends Error {
  name = "UnreachableError";
}

export async function createRunOverHttp(url: string, body: CreateRunInput, apiKey?: string, timeoutMs = 10_000): Promise<CreatedRun> {
  const res = await call(`${url}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await res.json()) as CreatedRun;
}

/** Uploads one batch and returns the server's answer (`data` of the reply: what was stored and refused). */
export async function uploadBatch(url: string, runId: string, token: string, batch: Batch, timeoutMs = 60_000): Promise<unknown> {
  const { path, body, contentType } = httpRequest(batch);
  const res = await call(`${url}/api/runs/${encodeURIComponent(runId)}/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, ...(contentType ? { "content-type": contentType } : {}) },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return ((await res.json().catch(() => ({}))) as { data?: unknown }).data;
}

async function call(url: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new UnreachableError(`${url}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => "");
  let message = text.slice(0, 500);
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? message;
  } catch {
    // not JSON: keep the text
  }
  if (res.status >= 500) throw new UnreachableError(`${url} answered ${res.status}: ${message}`);
  throw new RejectedError(res.status, `${url} answered ${res.status}: ${message}`);
}
