/**
 * The wrappers of /api/runs/[id]/… route handlers, so each handler is only its
 * operation: ingest routes authenticate the run's bearer token; reading routes
 * admit an account or this run's share link; editing routes, accounts only.
 */
import { requireRunEditor, requireRunViewer } from "@/lib/server/auth/access";
import { authenticateRun } from "@/lib/server/ingest/authenticate";
import { bearerToken, respond } from "./responses";

export type RouteContext<Params extends { id: string } = { id: string }> = { params: Promise<Params> };

/** An HTTP ingest route: authenticates the run's bearer token, then runs the operation. */
export function ingestRoute(op: (runId: string, req: Request) => Promise<unknown>) {
  return (req: Request, ctx: RouteContext) =>
    respond(async () => {
      const { id } = await ctx.params;
      const run = await authenticateRun(id, bearerToken(req));
      return op(run.id, req);
    });
}

/** A route reading one run. `via` says who reads: "share" views see no server details (lib/server/share/public-view.ts). */
export function runViewerRoute<Params extends { id: string } = { id: string }>(
  op: (params: Params, req: Request, via: "account" | "share") => Promise<unknown>,
) {
  return (req: Request, ctx: RouteContext<Params>) =>
    respond(async () => {
      const params = await ctx.params;
      return op(params, req, await requireRunViewer(req, params.id));
    });
}

/** A route changing one run (notes, tags, share links, cancel): accounts only, never a share link. */
export function runEditorRoute<Params extends { id: string } = { id: string }>(
  op: (params: Params, req: Request, who: { userId: string } | undefined) => Promise<unknown>,
) {
  return (req: Request, ctx: RouteContext<Params>) =>
    respond(async () => {
      const params = await ctx.params;
      return op(params, req, await requireRunEditor(req, params.id));
    });
}
