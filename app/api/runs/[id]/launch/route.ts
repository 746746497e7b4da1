import { respond } from "@/lib/server/http/responses";
import type { RouteContext } from "@/lib/server/http/ingest-route";
import { requireRunEditor } from "@/lib/server/auth/access";
import { launchInfo } from "@/lib/server/launcher/launch-run";

/** How a run started from the form is doing on this machine: slot, queue position, exit code. null when not launched here. */
export async function GET(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunEditor(req, id);
    return launchInfo(id);
  });
}
