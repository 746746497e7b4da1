import { respond } from "@/lib/http/responses";
import type { RouteContext } from "@/lib/http/ingest-route";
import { requireRunEditor } from "@/lib/access";
import { cancelLaunch } from "@/lib/launcher/launch-run";

/** Cancels a run started from the form: queued -> cancelled now; running -> SIGTERM, cancelled when it exits. */
export async function POST(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunEditor(req, id);
    return cancelLaunch(id);
  });
}
