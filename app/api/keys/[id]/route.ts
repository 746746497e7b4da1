import { respond } from "@/lib/http/responses";
import { requireSessionUser } from "@/lib/access";
import { revokeApiKey } from "@/lib/auth/api-keys";

export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return respond(async () => revokeApiKey(await requireSessionUser(req), (await ctx.params).id));
}
