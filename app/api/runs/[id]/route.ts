import { readJson } from "@/lib/server/http/responses";
import { runEditorRoute, runViewerRoute } from "@/lib/server/http/ingest-route";
import { getRun } from "@/lib/server/runs/queries";
import { publicRunDetails } from "@/lib/server/share/public-view";
import { updateRun } from "@/lib/server/runs/update-run";

export const GET = runViewerRoute(async ({ id }, _req, via) => {
  const run = await getRun(id);
  return via === "share" ? publicRunDetails(run) : run;
});

/** Edits `{name?, notes?, tags?}`; accounts only, never through a share link. */
export const PATCH = runEditorRoute(async ({ id }, req) => updateRun(id, await readJson(req, 256 * 1024)));
