import { respond } from "@/lib/server/http/responses";
import type { RouteContext } from "@/lib/server/http/ingest-route";
import { requireRunEditor } from "@/lib/server/auth/access";
import { createShareLink, listShareLinks } from "@/lib/server/share/links";

/** The run's share links. Only editors see them: a share link must not reveal the others. */
export async function GET(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    await requireRunEditor(req, id);
    return listShareLinks(id);
  });
}

export async function POST(req: Request, ctx: RouteContext) {
  return respond(async () => {
    const { id } = await ctx.params;
    const who = await requireRunEditor(req, id);
    return createShareLink(id, who?.userId);
  });
}
