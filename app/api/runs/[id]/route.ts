import { respond } from "@/lib/http/responses";
import type { RouteContext } from "@/lib/http/ingest-route";
import { getRun } from "@/lib/runs/queries";
import { requireRunViewer } from "@/lib/access";

export async function GET(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunViewer(req, id);
    return getRun(id);
  });
}
