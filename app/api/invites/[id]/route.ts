import { respond } from "@/lib/http/responses";
import { requireSessionUser } from "@/lib/access";
import { revokeInvite } from "@/lib/auth/accounts";

export async function DELETE(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return respond(async () => revokeInvite(await requireSessionUser(req), (await ctx.params).id));
}
