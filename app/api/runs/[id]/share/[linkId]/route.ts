import { respond } from "@/lib/http/responses";
import { requireRunEditor } from "@/lib/access";
import { revokeShareLink } from "@/lib/share/links";

export async function DELETE(req: Request, ctx: { params: Promise<{ id: string; linkId: string }> }) {
  return respond(async () => {
    const { id, linkId } = await ctx.params;
    await requireRunEditor(req, id);
    await revokeShareLink(id, linkId);
  });
}
