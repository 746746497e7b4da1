import { authenticateRun } from "@/lib/server/ingest/authenticate";
import { bearerToken, respond } from "./responses";

export type RouteContext = { params: Promise<{ id: string }> };

/** An HTTP ingest route: authenticates the run's bearer token, then runs the operation. */
export function ingestRoute(op: (runId: string, req: Request) => Promise<unknown>) {
  return (req: Request, ctx: RouteContext) =>
    respond(async () => {
      const { id } = await ctx.params;
      const run = await authenticateRun(id, bearerToken(req));
      return op(run.id, req);
    });
}
