import { runEditorRoute } from "@/lib/http/ingest-route";
import { revokeShareLink } from "@/lib/share/links";

export const DELETE = runEditorRoute<{ id: string; linkId: string }>(async ({ id, linkId }) => {
  await revokeShareLink(id, linkId);
});
