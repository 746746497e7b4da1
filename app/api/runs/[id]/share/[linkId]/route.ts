import { respond } from "@/lib/server/http/responses";
import { requireRunEditor } from "@/lib/server/auth/access";
import { revokeShareLink } from "@/lib/server/share/links";

export async function DELETE(req: Request, ctx: { params: Promise<{ id: string; linkId: string }> }) {
  return respond(async () => {
    const { id, linkId } = await ctx.params;
    await requireRunEditor(req, id);
    await revokeShareLink(id, linkId);
  });
}
