import { respond } from "@/lib/server/http/responses";
import { requireSessionUser } from "@/lib/server/auth/access";
import { revokeApiKey } from "@/lib/server/auth/api-keys";

export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return respond(async () => revokeApiKey(await requireSessionUser(req), (await ctx.params).id));
}
