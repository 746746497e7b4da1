import { describeExperiment } from "@/lib/server/compat/swanlab/experiments";
import { swanlabSessionRoute } from "@/lib/server/compat/swanlab/route";

/** SwanLab: one run, which the SDK reads before resuming it. */
export const GET = swanlabSessionRoute<{ project: string; run: string }>(async (writer, _body, { project, run }) => ({
  body: await describeExperiment(writer, project, run),
}));
