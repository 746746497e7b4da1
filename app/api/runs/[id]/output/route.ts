import { runViewerRoute } from "@/lib/server/http/ingest-route";
import { runOutput } from "@/lib/server/runs/output";
import { publicRunOutput } from "@/lib/server/share/public-view";

/** The run's output folder: whether it exists, its checkpoints, and whether the final model is saved. */
export const GET = runViewerRoute(async ({ id }, _req, via) => {
  const output = await runOutput(id);
  return via === "share" ? publicRunOutput(output) : output;
});
