import { respond } from "@/lib/server/http/responses";
import type { RouteContext } from "@/lib/server/http/ingest-route";
import { requireRunViewer } from "@/lib/server/auth/access";
import { runOutput } from "@/lib/server/runs/output";
import { publicRunOutput } from "@/lib/server/share/public-view";

/** The run's output folder: whether it exists, its checkpoints, and whether the final model is saved. */
export async function GET(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    const via = await requireRunViewer(req, id);
    const output = await runOutput(id);
    return via === "share" ? publicRunOutput(output) : output;
  });
}
