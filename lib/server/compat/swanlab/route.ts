/**
 * Route handlers for SwanLab's API. Replies are plain JSON (no `{ok, data}`
 * envelope); errors are `{code, message}`. A ClientError keeps its status;
 * anything unexpected is a 503, which the SDK retries, never a 4xx, which it
 * would take as final.
 */
import { ClientError } from "@/lib/server/http/errors";
import { readJson } from "@/lib/server/http/responses";
import { recordRefusal } from "../run-writes";
import { sessionWriter } from "./session";
import type { Writer } from "../writer";

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: HeadersInit;
}

type Params = Record<string, string>;
type Context = { params: Promise<Params> };

export function swanlabRoute<P extends Params>(handler: (req: Request, params: P) => Promise<Reply>) {
  return async (req: Request, ctx: Context): Promise<Response> => {
    try {
      const { status = 200, body = {}, headers } = await handler(req, (await ctx.params) as P);
      return Response.json(body, { status, headers });
    } catch (err) {
      if (err instanceof ClientError) return Response.json({ code: err.status, message: err.message }, { status: err.status });
      console.error("inkstone: SwanLab route failed:", err);
      return Response.json({ code: 503, message: "temporarily unavailable (see the server log)" }, { status: 503 });
    }
  };
}

/** A handler of a signed-in SwanLab session, with the JSON body read. */
export function swanlabSessionRoute<P extends Params>(handler: (writer: Writer, body: unknown, params: P, req: Request) => Promise<Reply>) {
  return swanlabRoute<P>(async (req, params) => {
    const writer = await sessionWriter(req);
    const body = req.method === "GET" ? undefined : await readJson(req);
    return handler(writer, body, params, req);
  });
}

/**
 * Runs a write for a known run; content it refuses (a 400 or 413) is noted
 * on the run instead of answered, since the SDK would drop it silently.
 */
export async function refusalsNotedOn(runId: string, what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof ClientError) || (err.status !== 400 && err.status !== 413)) throw err;
    await recordRefusal(runId, "SwanLab", `${what}: ${err.message}`);
  }
}
