import { json, readJson } from "@/lib/server/http/responses";
import { runEditorRoute, runViewerRoute } from "@/lib/server/http/ingest-route";
import { sampleJob, startSample } from "@/lib/server/runs/samples";

/** The run's latest sampling job on this server (null when none ran since it started). */
export const GET = runViewerRoute(async ({ id }) => sampleJob(id));

/** Starts sampling from the final model: 202 {ok, data: job}; 409 without a final model or while one runs. */
export const POST = runEditorRoute(async ({ id }, req) => {
  const job = await startSample(id, await readJson(req));
  return json({ ok: true, data: job }, { status: 202 });
});
