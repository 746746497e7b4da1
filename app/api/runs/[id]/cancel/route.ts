import { respond } from "@/lib/server/http/responses";
import type { RouteContext } from "@/lib/server/http/ingest-route";
import { requireRunEditor } from "@/lib/server/auth/access";
import { cancelLaunch } from "@/lib/server/launcher/launch-run";

/** Cancels a run started from the form: queued -> cancelled now; running -> SIGTERM, cancelled when it exits. */
export async function POST(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunEditor(req, id);
    return cancelLaunch(id);
  });
}
