import { respond } from "@/lib/server/http/responses";
import { requireSessionUser } from "@/lib/server/auth/access";
import { revokeWorker } from "@/lib/server/workers/registry";

/** Revokes the worker's token; its running launches crash at the next housekeeping (admin only). */
export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return respond(async () => revokeWorker(await requireSessionUser(req), (await ctx.params).id));
}
