import type { Worker } from "@/generated/prisma/client";
import { authenticateWorker } from "@/lib/server/workers/registry";
import { readJson, respond } from "./responses";

/** A worker-protocol route: authenticates the worker's bearer token, then runs the operation on the JSON body. */
export function workerRoute(op: (worker: Worker, body: unknown, params: Record<string, string>) => Promise<unknown>) {
  return (req: Request, ctx: { params: Promise<Record<string, string>> }) =>
    respond(async () => {
      const worker = await authenticateWorker(req);
      return op(worker, await readJson(req, 65_536), await ctx.params);
    });
}
