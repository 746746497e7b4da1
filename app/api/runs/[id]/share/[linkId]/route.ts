import { runEditorRoute } from "@/lib/server/http/ingest-route";
import { revokeShareLink } from "@/lib/server/share/links";

export const DELETE = runEditorRoute<{ id: string; linkId: string }>(async ({ id, linkId }) => {
  await revokeShareLink(id, linkId);
});
