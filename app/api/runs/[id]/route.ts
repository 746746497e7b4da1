import { readJson, respond } from "@/lib/server/http/responses";
import type { RouteContext } from "@/lib/server/http/ingest-route";
import { getRun } from "@/lib/server/runs/queries";
import { publicRunDetails } from "@/lib/server/share/public-view";
import { updateRun } from "@/lib/server/runs/update-run";
import { requireRunEditor, requireRunViewer } from "@/lib/server/auth/access";

export async function GET(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    const via = await requireRunViewer(req, id);
    const run = await getRun(id);
    return via === "share" ? publicRunDetails(run) : run;
  });
}

/** Edits `{name?, notes?, tags?}`; accounts only, never through a share link. */
export async function PATCH(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunEditor(req, id);
    return updateRun(id, await readJson(req, 256 * 1024));
  });
}
