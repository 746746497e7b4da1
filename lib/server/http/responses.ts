/** Helpers that keep route handlers thin: JSON bodies with a size limit, bearer tokens, uniform errors. */
import { badRequest, publicMessage, tooLarge } from "@/lib/server/http/errors";
import { LIMITS } from "@/lib/protocol/wire";

/** A JSON reply; one over LIMITS.replyBytes becomes a 413 that says how to ask for less. */
export function json(data: unknown, init: ResponseInit = {}): Response {
  const body = JSON.stringify(data);
  if (body.length > LIMITS.replyBytes && Buffer.byteLength(body) > LIMITS.replyBytes) {
    return Response.json(
      { ok: false, error: `the reply would be ${Buffer.byteLength(body)} bytes, over the ${LIMITS.replyBytes}-byte cap: ask for less (fewer buckets, a smaller limit or pageSize)` },
      { status: 413 },
    );
  }
  return new Response(body, { ...init, headers: { "content-type": "application/json", ...Object.fromEntries(new Headers(init.headers)) } });
}

/** Runs a handler and turns thrown errors into `{ok: false, error}` with the right status. */
export async function respond(fn: () => Promise<unknown>): Promise<Response> {
  try {
    const result = await fn();
    if (result instanceof Response) return result;
    return json(result === undefined ? { ok: true } : { ok: true, data: result });
  } catch (err) {
    const { status, error } = publicMessage(err);
    return json({ ok: false, error }, { status });
  }
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** Reads a JSON body, refusing bodies over the limit before parsing them. */
export async function readJson(req: Request, limit: number = LIMITS.bodyBytes): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) throw tooLarge(`body of ${declared} bytes, the limit is ${limit}`);
  const text = await readLimited(req, limit);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("body is not valid JSON");
  }
}

async function readLimited(req: Request, limit: number): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(`body over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses an integer query parameter within bounds, or throws a 400 naming it. */
export function intParam(url: URL, name: string, def: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer in [${min}, ${max}]`);
  return n;
}
