import { runViewerRoute } from "@/lib/http/ingest-route";
import { runOutput } from "@/lib/runs/output";
import { publicRunOutput } from "@/lib/share/public-view";

/** The run's output folder: whether it exists, its checkpoints, and whether the final model is saved. */
export const GET = runViewerRoute(async ({ id }, _req, via) => {
  const output = await runOutput(id);
  return via === "share" ? publicRunOutput(output) : output;
});
