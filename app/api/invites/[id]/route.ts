import { respond } from "@/lib/server/http/responses";
import { requireSessionUser } from "@/lib/server/auth/access";
import { revokeInvite } from "@/lib/server/auth/accounts";

export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return respond(async () => revokeInvite(await requireSessionUser(req), (await ctx.params).id));
}
