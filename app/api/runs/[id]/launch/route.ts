import { respond } from "@/lib/http/responses";
import type { RouteContext } from "@/lib/http/ingest-route";
import { requireRunEditor } from "@/lib/access";
import { launchInfo } from "@/lib/launcher/launch-run";

/** How a run started from the form is doing on this machine: slot, queue position, exit code. null when not launched here. */
export async function GET(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunEditor(req, id);
    return launchInfo(id);
  });
}
