import { runEditorRoute } from "@/lib/server/http/ingest-route";
import { createShareLink, listShareLinks } from "@/lib/server/share/links";

/** The run's share links. Only editors see them: a share link must not reveal the others. */
export const GET = runEditorRoute(async ({ id }) => listShareLinks(id));

export const POST = runEditorRoute(async ({ id }, _req, who) => createShareLink(id, who?.userId));
