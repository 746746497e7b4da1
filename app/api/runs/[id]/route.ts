import { readJson, respond } from "@/lib/http/responses";
import type { RouteContext } from "@/lib/http/ingest-route";
import { getRun } from "@/lib/runs/queries";
import { updateRun } from "@/lib/runs/update-run";
import { requireRunEditor, requireRunViewer } from "@/lib/access";

export async function GET(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunViewer(req, id);
    return getRun(id);
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
